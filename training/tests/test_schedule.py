import math

import numpy as np

from training.medsynth.schedule import alphas_cumprod, cosine_betas, ddim_timesteps, linear_betas


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
