"""DP-SGD in the training code (issue 20): per-example gradients against a loop of ordinary backward
passes, the noise chosen for a budget against the accountant, and a tiny DP run whose card records the
epsilon the accountant gives for the steps it took."""
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from training.configs import get_config
from training.medsynth.layers import one_hot
from training.medsynth.privacy import epsilon, noise_multiplier, per_example_gradients, poisson_lot
from training.medsynth.vae import VAE, VAEConfig, vae_losses
from training.train import train


def test_one_hot_is_torch_one_hot():
    y = torch.tensor([2, 0, 1, 2])
    assert torch.equal(one_hot(y, 4), F.one_hot(y, 4).float())


def test_per_example_gradients_equal_one_backward_pass_per_example():
    torch.manual_seed(0)
    model = VAE(VAEConfig(dims=1, size=16, channels=(4, 4), kernel=3, latent_dim=3, num_classes=3, hidden=8))
    x, y, noise = torch.randn(5, 1, 16), torch.tensor([0, 2, 1, 1, 0]), torch.randn(5, 3)

    def example_loss(run, x, y, noise):
        x_hat, mu, logvar = run(x, y, noise)
        return vae_losses(x, x_hat, mu, logvar, 0.1, 0.5)[0].sum()

    grads, losses = per_example_gradients(model, example_loss, x, y, noise)
    params = list(model.parameters())
    assert [g.shape for g in grads] == [(5, *p.shape) for p in params]
    for i in range(5):
        model.zero_grad()
        loss = example_loss(model, x[i:i + 1], y[i:i + 1], noise[i:i + 1])
        loss.backward()
        assert losses[i].item() == pytest.approx(loss.item(), rel=1e-5)
        for g, p in zip(grads, params):
            np.testing.assert_allclose(g[i].numpy(), p.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_the_noise_for_a_budget_is_the_smallest_that_keeps_to_it():
    q, steps, delta = 256 / 51002, 2000, 1e-5
    for target in (1.0, 10.0):
        sigma = noise_multiplier(q, steps, delta, target)
        assert epsilon(q, sigma, steps, delta)[0] <= target
        assert epsilon(q, sigma * 0.997, steps, delta)[0] > target
    with pytest.raises(ValueError, match="no noise multiplier"):
        noise_multiplier(1.0, 10_000, delta, 0.01)


def test_poisson_lots_draw_each_example_independently_at_the_rate():
    g = torch.Generator().manual_seed(0)
    sizes = [len(poisson_lot(10_000, 0.02, g)) for _ in range(50)]
    # 50 lots of Binomial(10000, 0.02): mean 200, sd 14 per lot, 2 for the mean of 50
    assert abs(np.mean(sizes) - 200) < 8 and np.std(sizes) > 5
    lot = poisson_lot(10_000, 0.02, g)
    assert lot.dtype == torch.long and torch.equal(lot, lot.unique())


def test_a_dp_run_records_the_epsilon_of_the_steps_it_took_and_its_card_says_what_it_protects(fake_data_dir, tmp_path):
    from dataclasses import replace
    from training.export import export_model
    cfg = replace(get_config("ecg-vae-dp1", tiny_variant=True), max_steps=40)
    s = train(cfg, fake_data_dir, str(tmp_path / "runs"), budget_s=60, max_steps=3)
    p = s["privacy"]
    assert s["steps"] == 3 and np.isfinite(s["finalLoss"])
    assert p["steps"] == 3 and p["targetEpsilon"] == 1.0 and p["expectedLot"] == 8
    # the noise is chosen for all 40 steps; after 3 the accountant's epsilon is smaller
    assert p["noiseMultiplier"] == pytest.approx(noise_multiplier(p["sampleRate"], 40, 1e-5, 1.0))
    assert p["epsilon"] == pytest.approx(epsilon(p["sampleRate"], p["noiseMultiplier"], 3, 1e-5)[0])
    assert p["epsilon"] < 1.0
    export_model("ecg-vae-dp1", str(tmp_path / "runs"), str(tmp_path / "models"), fake_data_dir)
    card = json.load(open(tmp_path / "models" / "ecg-vae-dp1" / "card.json"))
    assert card["training"]["privacy"] == {**p, "baseline": "ecg-vae-nodp"}
    assert any("2,300 beats" in line and "user-level DP" in line for line in card["limitations"])


def test_dp_is_refused_where_it_is_not_written_or_has_no_fixed_length(fake_data_dir, tmp_path):
    from dataclasses import replace
    with pytest.raises(SystemExit, match="VAEs only"):
        train(replace(get_config("ecg-ddpm", tiny_variant=True), dp_epsilon=1.0, max_steps=10),
              fake_data_dir, str(tmp_path), budget_s=60, max_steps=1)
    with pytest.raises(SystemExit, match="max_steps set"):
        train(replace(get_config("ecg-vae", tiny_variant=True), dp_epsilon=1.0),
              fake_data_dir, str(tmp_path), budget_s=60, max_steps=1)
