"""The yardstick's pieces: the distances against the same numpy golden file the browser's metrics are
tested on (so Python and TypeScript agree), and SimCLR's loss against a hand computation."""
import json
import math
import os

import numpy as np
import pytest
import torch

from training.features import GROUPS, nt_xent
from training.medsynth.evaluate import frechet_distance, kernel_distance

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "metric-golden.json")


def test_frechet_and_kernel_distance_match_the_golden_file_the_browser_checks_too():
    g = json.load(open(GOLDEN))
    real = np.array(g["real"]["data"]).reshape(g["real"]["rows"], g["real"]["cols"])
    fake = np.array(g["fake"]["data"]).reshape(g["fake"]["rows"], g["fake"]["cols"])
    assert frechet_distance(real, fake) == pytest.approx(g["frechet"], abs=1e-9)
    assert kernel_distance(real, fake) == pytest.approx(g["kid"], abs=1e-12)
    # unbiased: two halves of one distribution can come out below zero, and a set against itself is not 0
    rng = np.random.default_rng(0)
    values = [kernel_distance(rng.standard_normal((20, 4)), rng.standard_normal((20, 4))) for _ in range(50)]
    assert min(values) < 0 < max(values)
    with pytest.raises(ValueError, match="at least two"):
        kernel_distance(real[:1], fake)


def test_nt_xent_matches_a_hand_computation():
    # two pairs in 2-D: views of image 0 point along x, views of image 1 along y
    z1 = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    z2 = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    t = 0.5
    # row 0's positive is row 2 (cosine 1); its negatives rows 1 and 3 (cosine 0)
    want = -math.log(math.exp(1 / t) / (math.exp(1 / t) + 2 * math.exp(0)))
    assert nt_xent(z1, z2, temperature=t).item() == pytest.approx(want, rel=1e-6)
    # swapping the partners makes every positive orthogonal: a larger loss
    assert nt_xent(z1, z2.flip(0), temperature=t).item() > want


def test_no_group_flips_an_x_ray():
    for name, spec in GROUPS.items():
        if "pneumoniamnist" in spec["datasets"]:
            assert not spec["aug"].get("hflip") and not spec["aug"].get("dihedral"), name


def test_membership_auc_and_near_copies_on_planted_data():
    from training.membership import auc_with_interval, near_copies
    rng = np.random.default_rng(1)
    # training images denoised better (lower error): AUC near 1; the same distribution: near 0.5
    seen, unseen = rng.normal(0.5, 0.1, 200), rng.normal(1.0, 0.1, 200)
    r = auc_with_interval(seen, unseen, rng, resamples=200)
    assert r["auc"] > 0.99 and r["interval95"][0] > 0.95 and r["n"] == [200, 200]
    r = auc_with_interval(rng.normal(1, 0.1, 200), unseen, rng, resamples=200)
    assert r["interval95"][0] < 0.5 < r["interval95"][1]
    # three held-out images are training images with a little noise: found, and nothing else
    train = torch.from_numpy(rng.normal(size=(100, 1, 4, 4))).float()
    held = torch.from_numpy(rng.normal(size=(50, 1, 4, 4))).float()
    held[[3, 17, 40]] = train[[5, 6, 7]] + 0.01
    copies, _ = near_copies(held, train)
    assert np.flatnonzero(copies).tolist() == [3, 17, 40]


def test_auc_matches_the_golden_file_the_browser_checks_too():
    from training.medsynth.evaluate import auc_binary
    g = json.load(open(os.path.join(os.path.dirname(GOLDEN), "membership-golden.json")))
    assert auc_binary(g["auc"]["scores"], g["auc"]["positive"]) == pytest.approx(g["auc"]["value"], abs=1e-12)


def test_a_feature_extractor_trains_exports_with_parity_and_measures_itself(fake_data_dir, tmp_path):
    from training.export_features import blur, export_features
    from training.features import train
    from training.medsynth.export import load_export, to_channels_first
    runs, models = str(tmp_path / "runs"), str(tmp_path / "models")
    train("ecg", fake_data_dir, runs, budget_s=60, max_steps=3)
    card = export_features("ecg", runs, models, fake_data_dir)
    assert card["id"] == "features-ecg" and card["method"] == "classifier" and card["dataset"] == "ecg"
    assert card["features"]["for"] == ["mitbih"] and card["classes"][0] == "mitbih/N"
    assert card["scaling"]["scaleMv"] == GROUPS["ecg"]["scale_mv"] and card["training"]["steps"] == 3
    q = card["quality"]["mitbih"]
    assert q["n"] == 40 and set(q["spaces"]) == {"extractor", "evaluator"}
    assert q["spaces"]["extractor"]["dim"] == 128 and q["spaces"]["evaluator"]["dim"] == 64
    assert all(np.isfinite(v["blurredOverReal"]) for v in q["spaces"].values())
    # read back as the browser reads it, the network reproduces its parity vectors
    loaded_card, network = load_export(os.path.join(models, "features-ecg"))
    case = json.load(open(os.path.join(models, "features-ecg", "parity.json")))["cases"]["classify"]
    x = torch.tensor(case["inputs"]["x"]["data"], dtype=torch.float32).reshape(case["inputs"]["x"]["shape"])
    with torch.no_grad():
        got = network.features(to_channels_first(x)).numpy()
    want = np.array(case["outputs"]["features"]["data"]).reshape(case["outputs"]["features"]["shape"])
    np.testing.assert_allclose(got, want, atol=1e-5)
    # the blur keeps a constant signal and the mean of a ramp's interior
    ramp = torch.arange(20, dtype=torch.float32).reshape(1, 1, 20)
    assert torch.allclose(blur(torch.ones(1, 1, 20)), torch.ones(1, 1, 20))
    assert torch.allclose(blur(ramp)[..., 4:-4], ramp[..., 4:-4])


def test_border_mean_matches_the_hand_value_the_browser_checks_too():
    from training.medsynth.evaluate import border_mean
    ramp = np.arange(16, dtype=np.float64).reshape(1, 4, 4, 1)          # the inner 2x2 are 5, 6, 9, 10
    assert border_mean(ramp, width=1)[0] == 7.5
    two = np.stack([np.arange(16.0).reshape(4, 4), np.full((4, 4), 100.0)], axis=-1)[None]
    assert border_mean(two, width=1)[0] == (7.5 + 100) / 2


def test_frechet_extrapolated_matches_the_golden_file_the_browser_checks_too():
    from training.medsynth.evaluate import frechet_extrapolated
    g = json.load(open(GOLDEN))
    real = np.array(g["real"]["data"]).reshape(g["real"]["rows"], g["real"]["cols"])
    fake = np.array(g["fake"]["data"]).reshape(g["fake"]["rows"], g["fake"]["cols"])
    want = g["frechetExtrapolated"]
    infinity, slope, values = frechet_extrapolated(real, fake, want["sizes"])
    np.testing.assert_allclose(values, want["values"], atol=1e-9)
    assert infinity == pytest.approx(want["infinity"], abs=1e-8) and slope == pytest.approx(want["slope"], abs=1e-6)


def test_surround_fences_match_the_values_the_browser_checks_too():
    from training.medsynth.evaluate import surround_fences
    assert surround_fences([0, 1, 2, 3, 4, 5, 6, 7, 8, 100]) == (2.25 - 13.5, 6.75 + 13.5)


def test_training_leaves_out_exactly_the_images_whose_surround_is_unusual():
    from training.medsynth.data import Split
    from training.train import without_surround_outliers
    x = torch.full((10, 1, 8, 8), -1.0)                                  # black surrounds...
    x[:, :, 2:6, 2:6] = 0.5
    x[:, :, 0, :] += torch.linspace(0, 0.1, 10)[:, None, None]          # ...a little spread...
    x[7, :, :2, :] = 1.0                                                 # ...and one bright one
    split = Split(x, torch.tensor([0, 1] * 5), ["a", "b"], {"kind": "image"})
    kept, left_out = without_surround_outliers(split)
    assert len(kept.y) == 9 and not (kept.x[:, :, :2, :] == 1.0).flatten(1).all(1).any()
    assert left_out["count"] == 1 and left_out["byClass"] == {"a": 0, "b": 1}
