"""Tiny configs on the fake datasets: train 3 steps, resume, export, read the export back as the
browser would (manifest + shard + card only) and reproduce the parity vectors; then evaluate."""
import json
import os

import numpy as np
import pytest
import torch

from training.configs import get_config
from training.evaluate import evaluate_model
from training.export import export_model
from training.medsynth.export import load_export, to_channels_first
from training.train import train


def tensor(a):
    return torch.tensor(a["data"], dtype=torch.float32).reshape(a["shape"])


def close(out, want):
    np.testing.assert_allclose(out.detach().numpy(), tensor(want).numpy(), atol=1e-5, rtol=0)


@pytest.fixture(scope="module")
def trained(fake_data_dir, tmp_path_factory):
    runs = str(tmp_path_factory.mktemp("runs"))
    models = str(tmp_path_factory.mktemp("models"))
    for model_id in ["xray-classifier", "xray-ddpm", "ecg-classifier", "ecg-vae"]:
        s = train(get_config(model_id, tiny_variant=True), fake_data_dir, runs, budget_s=60, max_steps=3)
        assert s["steps"] == 3 and np.isfinite(s["finalLoss"])
        export_model(model_id, runs, models, fake_data_dir)
    return runs, models


def test_training_writes_checkpoint_log_and_sample_grid_and_resumes(trained, fake_data_dir):
    runs, _ = trained
    run = os.path.join(runs, "xray-ddpm")
    assert os.path.exists(os.path.join(run, "checkpoint.pt"))
    assert open(os.path.join(run, "loss.csv")).read().count("\n") == 4     # header + 3 steps
    png = open(os.path.join(run, "samples", "step-0000002.png"), "rb").read()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    s = train(get_config("xray-ddpm", tiny_variant=True), fake_data_dir, runs, budget_s=60,
              resume=True, max_steps=2)
    assert s["steps"] == 5


def test_exported_ddpm_reproduces_its_parity_vectors(trained):
    _, models = trained
    card, model = load_export(os.path.join(models, "xray-ddpm"))
    assert card["schedule"]["steps"] == 1000 and card["guidance"]["nullClass"] == 2
    parity = json.load(open(os.path.join(models, "xray-ddpm", "parity.json")))
    case = parity["cases"]["eps"]
    x = to_channels_first(tensor(case["inputs"]["x"]))
    t, y = torch.tensor(case["inputs"]["t"]), torch.tensor(case["inputs"]["y"])
    with torch.no_grad():
        close(model.embed(t, y), case["outputs"]["embedding"])
        close(model(x, t, y).permute(0, 2, 3, 1), case["outputs"]["eps"])
    assert os.path.getsize(os.path.join(models, "xray-ddpm", "parity.json")) < 200_000


def test_exported_vae_and_classifier_reproduce_their_parity_vectors(trained):
    _, models = trained
    _, vae = load_export(os.path.join(models, "ecg-vae"))
    case = json.load(open(os.path.join(models, "ecg-vae", "parity.json")))["cases"]["decode"]
    with torch.no_grad():
        out = vae.decoder(tensor(case["inputs"]["z"]), torch.tensor(case["inputs"]["y"]))
    close(out.permute(0, 2, 1), case["outputs"]["x"])
    _, clf = load_export(os.path.join(models, "xray-classifier"))
    case = json.load(open(os.path.join(models, "xray-classifier", "parity.json")))["cases"]["classify"]
    with torch.no_grad():
        close(clf(to_channels_first(tensor(case["inputs"]["x"]))), case["outputs"]["logits"])


def test_evaluation_measures_in_an_exported_feature_extractor_and_remeasure_rewrites_the_card(trained, fake_data_dir, tmp_path):
    from training.export_features import export_features
    from training.features import train as train_features
    from training.remeasure import remeasure
    runs, models = trained
    train_features("ecg", fake_data_dir, str(tmp_path), budget_s=60, max_steps=2)
    export_features("ecg", str(tmp_path), models, fake_data_dir)
    q = evaluate_model("ecg-vae", runs, models, fake_data_dir)
    i = q["independentFeatures"]
    assert i["extractor"] == "features-ecg" and i["dims"] == 128
    g, r = i["generatedVsHeldOut"], i["realTrainVsHeldOut"]
    assert g["n"] == r["n"] and g["frechetInterval95"][0] <= g["frechetInterval95"][1]
    assert len(g["frechetAtSizes"]) == len(g["frechetInfinitySizes"]) >= 2
    # from the exported folder alone, into card.json and README.md
    q2 = remeasure("ecg-vae", models, fake_data_dir, grid_dir=str(tmp_path / "grid"), tiny_variant=True)
    card = json.load(open(os.path.join(models, "ecg-vae", "card.json")))
    assert card["quality"]["measuredFrom"].startswith("models/ecg-vae as exported")
    assert card["quality"]["independentFeatures"]["extractor"] == "features-ecg" and "independentFeatures" in q2
    assert "in the independent features of `features-ecg`" in open(os.path.join(models, "ecg-vae", "README.md")).read()


def test_evaluation_writes_quality_into_the_card(trained, fake_data_dir):
    runs, models = trained
    q = evaluate_model("xray-classifier", runs, models, fake_data_dir)
    assert 0 <= q["accuracy"] <= 1 and set(q["perClassRecall"]) == {"normal", "pneumonia"}
    q = evaluate_model("xray-ddpm", runs, models, fake_data_dir)
    assert set(q["classifiedAsRequested"]) == {"normal", "pneumonia"}
    s = q["surround"]
    assert s["fences"][0] < s["fences"][1] and s["generated"]["normal"][1] == 4
    assert sum(n for _, n in s["realTrain"].values()) == 48
    assert np.isfinite(q["frechet"]["generatedVsHeldOut"])
    card = json.load(open(os.path.join(models, "xray-ddpm", "card.json")))
    assert card["quality"]["memorisation"]["generated"] == 8
    assert "Measured quality" in open(os.path.join(models, "xray-ddpm", "README.md")).read()
    assert os.path.exists(os.path.join(runs, "xray-ddpm", "eval-samples.png"))


def test_a_run_can_start_from_an_exported_model_and_says_so(trained, fake_data_dir, tmp_path):
    _, models = trained
    folder = os.path.join(models, "xray-ddpm")
    card, exported = load_export(folder)
    s = train(get_config("xray-ddpm", tiny_variant=True), fake_data_dir, str(tmp_path), budget_s=60,
              max_steps=1, overrides=["lr=0"], init_from=folder)               # lr 0: the weights stay
    saved = torch.load(os.path.join(tmp_path, "xray-ddpm", "checkpoint.pt"), weights_only=False)
    for name, value in exported.state_dict().items():
        assert torch.equal(saved["model"][name], value), name
    assert s["steps"] == 1 and s["initFrom"]["model"] == "xray-ddpm"
    assert s["initFrom"]["weightsSha256"] == card["weights"]["files"][0]["sha256"]
    assert s["initFrom"]["training"]["steps"] == card["training"]["steps"]
    resumed = train(get_config("xray-ddpm", tiny_variant=True), fake_data_dir, str(tmp_path), budget_s=60,
                    resume=True, max_steps=1)                            # a resumed run still says where it began
    assert resumed["steps"] == 2 and resumed["initFrom"] == s["initFrom"]
    with pytest.raises(SystemExit, match="architecture"):                # another network is refused
        train(get_config("xray-vae", tiny_variant=True), fake_data_dir, str(tmp_path), budget_s=60,
              max_steps=1, init_from=folder)
