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
