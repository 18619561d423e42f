import gzip
import math
import os

import numpy as np
import pytest

from training.medsynth.schedule import alphas_cumprod, cosine_betas, ddim_timesteps, linear_betas, make_betas

# every count's trailing timesteps, shared with the browser's test (made by make-scheduler-golden.py)
TRAILING_GOLDEN = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures",
                               "trailing-timesteps-1000.txt.gz")


def test_cosine_schedule_matches_nichol_dhariwal_golden_values():
    abar = alphas_cumprod(cosine_betas(1000))
    assert abar.dtype == np.float64 and abar.shape == (1000,)
    # golden numbers from the paper's formula evaluated independently with the math module
    assert math.isclose(abar[0], 0.999958715775178, rel_tol=1e-12)
    assert math.isclose(abar[499], 0.4938435904406382, rel_tol=1e-12)
    assert math.isclose(abar[998], 2.4287669070348544e-06, rel_tol=1e-9)
    assert math.isclose(abar[999], 2.4287669070348567e-09, rel_tol=1e-9)


def test_cosine_betas_are_clipped_at_0_999_and_alphas_cumprod_falls_monotonically():
    betas = cosine_betas(1000)
    assert betas.max() == 0.999 and betas[-1] == 0.999       # the unclipped last beta would be 1
    assert (betas > 0).all()
    assert (np.diff(alphas_cumprod(betas)) < 0).all()


def test_linear_schedule_keeps_ho_et_al_end_points():
    b = linear_betas(1000)
    assert b[0] == 1e-4 and math.isclose(b[-1], 0.02)
    assert (np.diff(alphas_cumprod(b)) < 0).all()


def test_ddim_trailing_timesteps_start_at_pure_noise():
    assert ddim_timesteps(4).tolist() == [999, 749, 499, 249]
    ts = ddim_timesteps(50)
    assert ts[0] == 999 and len(ts) == 50 and (np.diff(ts) < 0).all()


def test_trailing_timesteps_of_every_count_are_well_formed():
    # independent of the golden file: n of them, from the pure-noise end T-1 down, never below 0
    for n in range(1, 1001):
        ts = ddim_timesteps(n, 1000)
        assert len(ts) == n and ts[0] == 999 and ts[-1] >= 0, n
        assert (np.diff(ts) < 0).all(), n


def test_count_61_has_61_timesteps():
    # np.arange(1000, 0, -1000/61) has 62 points: the old code sampled an extra step at t = -1
    ts = ddim_timesteps(61).tolist()
    assert len(ts) == 61 and ts[:2] == [999, 983] and ts[-2:] == [32, 15]


def test_trailing_timesteps_of_every_count_match_the_golden_file_the_browser_checks_too():
    with open(TRAILING_GOLDEN, "rb") as f:
        lines = gzip.decompress(f.read()).decode("ascii").splitlines()
    assert len(lines) == 1000
    for n, line in enumerate(lines, start=1):
        assert ddim_timesteps(n, 1000).tolist() == [int(t) for t in line.split()], n


@pytest.mark.parametrize("count", [0, -1, 1001, 2.5, float("nan"), True, "4"])
def test_ddim_timesteps_refuse_a_count_that_is_not_a_whole_number_from_1_to_T(count):
    with pytest.raises(ValueError, match="the number of sampling steps must be a whole number from 1 to 1000"):
        ddim_timesteps(count, 1000)


def test_make_betas_uses_the_given_cosine_offset_and_clip():
    assert np.array_equal(make_betas("cosine", 1000), cosine_betas(1000, 0.008, 0.999))
    assert np.array_equal(make_betas("cosine", 1000, cosine_offset=0.02, max_beta=0.5), cosine_betas(1000, 0.02, 0.5))
    assert make_betas("cosine", 1000, max_beta=0.5).max() == 0.5
    assert not np.array_equal(make_betas("cosine", 1000, cosine_offset=0.02), make_betas("cosine", 1000))
