"""The autoregressive family (training/medsynth/ar.py): the token sampler shared with the browser,
the key/value cache, the quantiser, the two training stages, and a tiny run trained, resumed,
exported and evaluated as the browser and the card see it."""
import json
import os

import numpy as np
import pytest
import torch

from training.configs import get_config
from training.evaluate import evaluate_model
from training.export import export_model
from training.medsynth.ar import ARConfig, ARModel, draw, filter_logits, guided, sample_tokens
from training.medsynth.export import load_export
from training.medsynth.models import generate
from training.train import Trainer, train

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SMALL = ARConfig(dims=2, in_channels=1, size=8, num_classes=3, vq_channels=(4, 4), codebook_size=16, code_dim=4,
                 width=16, layers=2, heads=2, mlp_ratio=2)


def test_the_token_sampler_matches_the_goldens_the_browser_checks_too():
    golden = json.load(open(os.path.join(ROOT, "test", "fixtures", "token-sampling-golden.json")))
    logits, uncond = torch.tensor(golden["logits"]), torch.tensor(golden["unconditional"])
    for case in golden["cases"]:                                     # also test/unit/diffusion/tokens.test.ts
        s = case["settings"]
        lp = filter_logits(guided(logits, uncond, s["guidance"]), s["temperature"], s["topK"], s["topP"])
        want = torch.tensor([[float("-inf") if v is None else v for v in row] for row in case["logProbs"]])
        assert torch.equal(torch.isinf(lp), torch.isinf(want)), s
        np.testing.assert_allclose(lp[~torch.isinf(lp)], want[~torch.isinf(want)], atol=1e-6)
        for u, tokens in case["draws"].items():
            assert draw(lp, torch.full((2,), float(u))).tolist() == tokens, (s, u)


def test_the_filters_keep_what_they_promise():
    l = torch.tensor([[0.0, 1.0, 2.0, 3.0]])
    assert torch.isinf(filter_logits(l, 1.0, top_k=2)).tolist() == [[True, True, False, False]]
    p = filter_logits(l, 1.0, top_p=0.5).exp()                      # the largest alone holds 64%
    assert p.tolist() == [[0.0, 0.0, 0.0, 1.0]]
    assert torch.allclose(filter_logits(l, 2.0).exp(), torch.softmax(l / 2, -1))
    with pytest.raises(ValueError, match="temperature"):
        filter_logits(l, -1.0)


def test_the_key_value_cache_gives_the_logits_of_the_whole_causal_pass():
    torch.manual_seed(0)
    gpt = ARModel(SMALL).gpt.eval()
    codes = torch.randint(0, 16, (3, 4))
    y = torch.tensor([0, 2, 3])                                      # 3: the null class
    with torch.no_grad():
        whole = gpt.teacher_forced(codes, y)                         # (3, 4, 16)
        cache, steps = {}, []
        for i in range(4):
            prev = torch.zeros(3, 1, dtype=torch.long) if i == 0 else codes[:, i - 1:i]
            steps.append(gpt(prev, y, start=i, cache=cache)[:, -1])
    torch.testing.assert_close(torch.stack(steps, 1), whole, rtol=1e-5, atol=1e-5)
    # and a later code never changes an earlier position's logits
    changed = codes.clone()
    changed[:, 2] = (changed[:, 2] + 1) % 16
    with torch.no_grad():
        torch.testing.assert_close(gpt.teacher_forced(changed, y)[:, :3], whole[:, :3])


def test_the_quantiser_picks_the_nearest_codebook_row_and_passes_gradients_straight_through():
    torch.manual_seed(0)
    vq = ARModel(SMALL).vq
    rows = vq.codebook.weight.detach()[[3, 7, 7, 0]]                 # 4 positions of a 2x2 grid
    z = rows.t().reshape(1, 4, 2, 2) + 1e-4
    assert vq.nearest(z).tolist() == [[3, 7, 7, 0]]
    assert torch.equal(vq.embed(torch.tensor([[3, 7, 7, 0]])), rows.t().reshape(1, 4, 2, 2))
    x = torch.randn(2, 1, 8, 8)
    recon, tokens, cb, commit = vq(x)
    recon.sum().backward()
    assert tokens.shape == (2, 4) and vq.encoder.conv_in.weight.grad.abs().sum() > 0


def test_sampling_with_top_k_1_is_greedy_and_a_seed_repeats_itself():
    torch.manual_seed(0)
    gpt = ARModel(SMALL).gpt.eval()
    y = torch.tensor([1, 2])
    g = lambda: torch.Generator().manual_seed(5)
    a = sample_tokens(gpt, y, 3, 4, g(), guidance=2.0, temperature=0.7, top_k=4, top_p=0.9)
    assert torch.equal(a, sample_tokens(gpt, y, 3, 4, g(), guidance=2.0, temperature=0.7, top_k=4, top_p=0.9))
    assert torch.equal(sample_tokens(gpt, y, 3, 4, g(), top_k=1), sample_tokens(gpt, y, 3, 4, g(), temperature=0.0))


def test_the_vq_stage_comes_first_and_the_transformer_learns_the_frozen_vqs_tokens(fake_data_dir, tmp_path):
    cfg = get_config("xray-ar", tiny_variant=True)                  # vq_steps 3, restarts every 2
    tr = Trainer(cfg, fake_data_dir, str(tmp_path))
    gpt0 = [p.detach().clone() for p in tr.model.gpt.parameters()]
    for _ in range(cfg.vq_steps):
        _, extra = tr.train_step(1e-3)
        assert "mse" in extra
    assert all(torch.equal(a, b) for a, b in zip(gpt0, tr.model.gpt.parameters()))   # untouched in stage 1
    vq = {k: v.clone() for k, v in tr.model.vq.state_dict().items()}
    _, extra = tr.train_step(1e-3)
    assert "bits_per_token" in extra
    for k, v in tr.model.vq.state_dict().items():                    # frozen in stage 2, and the EMA holds it
        assert torch.equal(v, vq[k]) and torch.equal(tr.ema.model.vq.state_dict()[k], v)


def test_a_tiny_ar_model_trains_resumes_exports_and_is_measured(fake_data_dir, tmp_path):
    runs, models = str(tmp_path / "runs"), str(tmp_path / "models")
    cfg = get_config("xray-ar", tiny_variant=True)
    assert train(cfg, fake_data_dir, runs, budget_s=60, max_steps=4)["steps"] == 4
    assert train(cfg, fake_data_dir, runs, budget_s=60, resume=True, max_steps=1)["steps"] == 5
    for module in ("xray-classifier",):                              # the evaluator the figures need
        train(get_config(module, tiny_variant=True), fake_data_dir, runs, budget_s=60, max_steps=2)
        export_model(module, runs, models, fake_data_dir)
    card = export_model("xray-ar", runs, models, fake_data_dir)
    assert card["method"] == "ar" and card["architecture"]["type"] == "vq-transformer"
    assert card["architecture"]["tokens"] == {"shape": [7, 7], "count": 49, "order": "raster (row-major)"}
    assert card["tokenSampling"] == cfg.token_sampling and card["guidance"]["nullClass"] == 2
    assert card["training"]["vqSteps"] == 3 and "commitment" in card["training"]["recipe"]
    _, model = load_export(os.path.join(models, "xray-ar"))
    cases = json.load(open(os.path.join(models, "xray-ar", "parity.json")))["cases"]
    with torch.no_grad():
        tokens = torch.tensor(cases["decode"]["inputs"]["tokens"])
        out = model.vq.decode(tokens).permute(0, 2, 3, 1)
        np.testing.assert_allclose(out.numpy().ravel(), cases["decode"]["outputs"]["x"]["data"], atol=1e-5)
        s = cases["sample"]["inputs"]
        u = torch.tensor(s["uniforms"]["data"]).view(s["uniforms"]["shape"])
        again = sample_tokens(model.gpt, torch.tensor(s["y"]), 2, 49, None, guidance=s["guidance"],
                              temperature=s["temperature"], top_k=s["topK"], top_p=s["topP"], uniforms=u)
    assert again.tolist() == cases["sample"]["outputs"]["tokens"]

    q = evaluate_model("xray-ar", runs, models, fake_data_dir)
    assert q["sampler"]["tokens"].startswith("one at a time") and q["tokens"]["codebookSize"] == 16
    assert 0 < q["tokens"]["heldOutBitsPerToken"] and q["tokens"]["uniformBitsPerToken"] == 4.0
    samples = generate("ar", model, json.load(open(os.path.join(runs, "xray-ar", "config.json"))),
                       torch.tensor([0, 1]), torch.Generator().manual_seed(1))
    assert samples.shape == (2, 1, 28, 28)
