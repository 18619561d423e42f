"""The DP-SGD accountant (training/medsynth/privacy.py) against TensorFlow Privacy's published test
values (rdp_accountant_test.py), the Gaussian mechanism's closed form, and its own golden numbers
that the browser's port is held to (test/fixtures/privacy-golden.json)."""
import json
import math
import os

import pytest

from training.medsynth.privacy import ORDERS, epsilon, rdp_sampled_gaussian

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_tensorflow_privacy_values():
    assert 10 * rdp_sampled_gaussian(0.1, 2, 5) == pytest.approx(0.07737, abs=1e-5)
    for order, expected in ((5, 0.00218075), (50, 0.023846), (100, 167.416307)):
        assert 50 * rdp_sampled_gaussian(0.01, 2.5, order) == pytest.approx(expected, abs=1e-5)
    assert rdp_sampled_gaussian(1, 10, 20) == 0.1


def test_no_sampling_is_the_gaussian_mechanism_and_composition_adds_up():
    for sigma in (0.7, 1.0, 3.0):
        for order in (2, 9, 40):
            assert rdp_sampled_gaussian(1.0, sigma, order) == pytest.approx(order / (2 * sigma ** 2))
            # the sum at q just below 1 tends to the closed form
            assert rdp_sampled_gaussian(1 - 1e-12, sigma, order) == pytest.approx(order / (2 * sigma ** 2), rel=1e-6)
    # one unsampled step: epsilon is the best order's alpha / (2 sigma^2) + log(1 / delta) / (alpha - 1)
    best = min((a / 800 + math.log(1e5) / (a - 1), a) for a in ORDERS)
    assert epsilon(1.0, 20.0, 1, 1e-5) == pytest.approx(best, rel=1e-12)


def test_refuses_absurd_settings():
    for args in ((1.5, 1, 8), (0.1, 0, 8), (0.1, 1, 2.5), (0.1, 1, 1)):
        with pytest.raises(ValueError):
            rdp_sampled_gaussian(*args)
    with pytest.raises(ValueError):
        epsilon(0.1, 1, 10, 0)


def test_golden_numbers_are_current():
    with open(os.path.join(ROOT, "test", "fixtures", "privacy-golden.json")) as f:
        golden = json.load(f)
    for g in golden["rdp"]:
        assert rdp_sampled_gaussian(g["q"], g["sigma"], g["order"]) == g["rdp"]
    for g in golden["epsilon"]:
        assert epsilon(g["q"], g["sigma"], g["steps"], g["delta"]) == (g["epsilon"], g["order"])


def test_dp_sgd_gradient_clips_long_rows_keeps_short_ones_and_adds_scaled_noise():
    import torch

    from training.medsynth.privacy import dp_sgd_gradient

    rows = torch.tensor([[0.3, 0.4], [3.0, 4.0]], dtype=torch.float64)
    zero = torch.zeros(2, dtype=torch.float64)
    assert dp_sgd_gradient(rows[:1], 1.0, 0.0, zero, 1).tolist() == pytest.approx([0.3, 0.4])
    assert dp_sgd_gradient(rows[1:], 1.0, 0.0, zero, 1).tolist() == pytest.approx([0.6, 0.8])
    noise = torch.tensor([1.0, -0.5], dtype=torch.float64)
    assert dp_sgd_gradient(rows, 1.0, 2.0, noise, 2).tolist() == pytest.approx([(0.3 + 0.6 + 2) / 2, (0.4 + 0.8 - 1) / 2])
    with pytest.raises(ValueError):
        dp_sgd_gradient(rows, 0.0, 1.0, noise, 2)
    with open(os.path.join(ROOT, "test", "fixtures", "privacy-golden.json")) as f:
        golden = json.load(f)["dpSgd"]
    per_example = torch.tensor(golden["perExample"], dtype=torch.float64)
    for c in golden["cases"]:
        got = dp_sgd_gradient(per_example, c["clip"], c["sigma"], torch.tensor(golden["noise"], dtype=torch.float64), c["lotSize"])
        assert got.tolist() == c["gradient"]
