"""The GAN family (training/medsynth/gan.py): the truncation rule shared with the browser, the
projection discriminator, one training step of each network, and a tiny run trained, resumed,
exported and evaluated as the browser and the card see it."""
import json
import os

import numpy as np
import pytest
import torch

from training.configs import get_config
from training.evaluate import evaluate_model
from training.export import export_model
from training.medsynth.export import load_export
from training.medsynth.gan import Discriminator, GANConfig, draw_latents, truncated
from training.medsynth.models import generate
from training.train import Trainer, train

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_truncation_keeps_the_values_within_the_bound_in_order_as_the_browser_does():
    golden = json.load(open(os.path.join(ROOT, "test", "fixtures", "truncation-golden.json")))
    for case in golden["cases"]:                                     # also checked by test/unit/diffusion/latent.test.ts
        kept = truncated(torch.tensor(case["stream"], dtype=torch.float64), case["psi"])
        assert kept.tolist() == case["kept"]


def test_truncated_latents_stay_within_the_bound_and_untruncated_ones_are_the_plain_draw():
    z = draw_latents(50, 16, torch.Generator().manual_seed(3), psi=0.5)
    assert z.shape == (50, 16) and z.abs().max() <= 0.5
    assert z.std() < 0.35                                            # a N(0, 1) cut at 0.5 has std 0.28
    plain = draw_latents(4, 8, torch.Generator().manual_seed(3))
    assert torch.equal(plain, torch.randn(32, generator=torch.Generator().manual_seed(3)).view(4, 8))
    with pytest.raises(ValueError, match="positive"):
        draw_latents(1, 4, torch.Generator(), psi=0.0)


@pytest.mark.parametrize("pool", ["sum", "flatten"])
def test_the_discriminator_projects_the_class_embedding_onto_its_features(pool):
    torch.manual_seed(0)
    d = Discriminator(GANConfig(dims=2, in_channels=1, size=8, num_classes=3, disc_channels=(4, 6), disc_pool=pool))
    d.eval()                                                         # spectral norm: no power iteration
    x = torch.randn(2, 1, 8, 8)
    lrelu = lambda v: torch.nn.functional.leaky_relu(v, 0.2)
    with torch.no_grad():
        out0, out2 = d(x, torch.tensor([0, 0])), d(x, torch.tensor([2, 2]))
        h = x
        for a, b in d.blocks:
            h = d.pool(lrelu(b(lrelu(a(h)))))
        h = h.flatten(2).sum(2) if pool == "sum" else lrelu(d.flat(h.flatten(1)))
        e = d.embed.weight                                           # spectrally normalised rows
        np.testing.assert_allclose((out2 - out0).numpy(), (h @ (e[2] - e[0])).numpy(), rtol=1e-5, atol=1e-5)


def test_a_flattening_discriminator_sees_where_a_beat_is_not_only_what_it_is():
    torch.manual_seed(0)
    cfg = dict(dims=1, in_channels=1, size=128, num_classes=2, disc_channels=(4, 4), kernel=5)
    beat = torch.zeros(1, 1, 128)
    beat[0, 0, 40:44] = 1.0
    late = torch.roll(beat, 32, dims=2)                              # the same beat, later, both far from the edges
    y = torch.tensor([0])
    with torch.no_grad():
        summed = Discriminator(GANConfig(**cfg, disc_pool="sum")).eval()
        flat = Discriminator(GANConfig(**cfg, disc_pool="flatten")).eval()
        assert torch.allclose(summed(beat, y), summed(late, y), rtol=1e-6)    # blind to the shift
        assert not torch.allclose(flat(beat, y), flat(late, y), rtol=1e-3)


def test_one_gan_step_moves_both_networks_and_the_ema(fake_data_dir, tmp_path):
    tr = Trainer(get_config("xray-gan", tiny_variant=True), fake_data_dir, str(tmp_path))
    g0 = [p.detach().clone() for p in tr.model.parameters()]
    d0 = [p.detach().clone() for p in tr.disc.parameters()]
    e0 = [p.detach().clone() for p in tr.ema.model.parameters()]
    loss, extra = tr.train_step(2e-4)
    assert np.isfinite(loss) and np.isfinite(extra["d_loss"]) and tr.step == 1
    moved = lambda before, now: any(not torch.equal(a, b) for a, b in zip(before, now))
    assert moved(g0, tr.model.parameters()) and moved(d0, tr.disc.parameters()) and moved(e0, tr.ema.model.parameters())


def test_a_tiny_gan_trains_resumes_exports_and_is_measured(fake_data_dir, tmp_path):
    runs, models = str(tmp_path / "runs"), str(tmp_path / "models")
    cfg = get_config("xray-gan", tiny_variant=True)
    s = train(cfg, fake_data_dir, runs, budget_s=60, max_steps=2)
    ckpt = torch.load(os.path.join(runs, "xray-gan", "checkpoint.pt"), weights_only=False)
    assert s["steps"] == 2 and "disc" in ckpt and "opt_d" in ckpt
    s = train(cfg, fake_data_dir, runs, budget_s=60, resume=True, max_steps=1)
    assert s["steps"] == 3

    for module in ("xray-classifier",):                              # the evaluator the figures need
        train(get_config(module, tiny_variant=True), fake_data_dir, runs, budget_s=60, max_steps=2)
        export_model(module, runs, models, fake_data_dir)
    card = export_model("xray-gan", runs, models, fake_data_dir)
    assert card["method"] == "gan" and card["architecture"]["type"] == "cgan"
    assert "discChannels" not in card["architecture"]                # the discriminator is not shipped
    assert card["latent"] == {"dim": cfg.arch.latent_dim, "prior": "N(0, I)", "truncation": None}
    assert "hinge loss" in card["training"]["recipe"] and card["training"]["adamBetas"] == [0.0, 0.9]
    _, gen = load_export(os.path.join(models, "xray-gan"))
    case = json.load(open(os.path.join(models, "xray-gan", "parity.json")))["cases"]["decode"]
    with torch.no_grad():
        z = torch.tensor(case["inputs"]["z"]["data"]).view(case["inputs"]["z"]["shape"])
        out = gen(z, torch.tensor(case["inputs"]["y"])).permute(0, 2, 3, 1)
    np.testing.assert_allclose(out.numpy().ravel(), case["outputs"]["x"]["data"], atol=1e-5)
    assert out.abs().max() <= 1.0                                    # out_scale 1 * tanh

    q = evaluate_model("xray-gan", runs, models, fake_data_dir)
    assert q["sampler"] == {"z": "N(0, I)", "truncation": None}
    assert set(q["classifiedAsRequested"]) == {"normal", "pneumonia"}
    samples = generate("gan", gen, {**json.load(open(os.path.join(runs, "xray-gan", "config.json"))), "truncation": 0.5},
                       torch.tensor([0, 1]), torch.Generator().manual_seed(1))
    assert samples.shape == (2, 1, 28, 28)


def test_the_distance_membership_score_finds_a_generator_that_hands_back_its_training_images():
    from training.membership import auc_with_interval, nearest_generated_distance

    class Copier(torch.nn.Module):                                   # "generates" training image y, always
        def __init__(self, images):
            super().__init__()
            self.images = torch.nn.Parameter(images, requires_grad=False)

        def forward(self, z, y):
            return self.images[y]

    torch.manual_seed(0)
    train = torch.rand(4, 1, 8, 8) * 2 - 1
    held = torch.rand(4, 1, 8, 8) * 2 - 1
    cfg = {"method": "gan", "arch": {"latent_dim": 3, "in_channels": 1, "size": 8, "dims": 2}, "truncation": None}
    y = torch.arange(4)
    train_score = nearest_generated_distance(cfg, Copier(train), train, y, per_class=5)
    held_score = nearest_generated_distance(cfg, Copier(train), held, y, per_class=5)
    assert np.allclose(train_score, 0, atol=1e-3) and (held_score > 0.5).all()
    assert auc_with_interval(train_score, held_score, np.random.default_rng(0), resamples=20)["auc"] == 1.0


def test_how_a_gan_is_sampled_comes_from_todays_config_not_from_its_run():
    from training.configs import config_from_dict
    saved = get_config("breast-gan").to_dict()
    saved.update(truncation=None, lr=1e-3)                           # as a run saved before the card chose a bound
    cfg = config_from_dict(saved)
    assert cfg.truncation == get_config("breast-gan").truncation == 1.5
    assert cfg.lr == 1e-3                                            # what the run trained with stays the run's
