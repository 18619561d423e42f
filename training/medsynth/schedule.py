"""Noise schedules for DDPM: pure functions over float64 numpy arrays.

Notation (Ho et al. 2020; Nichol & Dhariwal 2021):
    T                   number of diffusion steps (1000)
    beta_t              betas[t]           variance added at step t, t = 0..T-1
    alpha_t             1 - beta_t
    alpha_bar_t         alphas_cumprod[t]  prod_{s<=t} alpha_s, signal fraction left at step t
    x_t = sqrt(alpha_bar_t) * x_0 + sqrt(1 - alpha_bar_t) * eps           (Ho et al., eq. 4)

A published schedule is never changed: these reproduce the papers exactly, and the browser
recomputes the same numbers from the card's {"steps", "beta", "cosineOffset", "maxBeta"} fields.
"""
import math
import numbers

import numpy as np

# Nichol & Dhariwal's cosine offset s, and the clip on betas so that alpha_t never reaches 0 near
# t = T. Defaults only: a model's own numbers are its config's (and card's) cosine_offset, max_beta
COSINE_OFFSET = 0.008
MAX_BETA = 0.999


def cosine_alpha_bar(t_frac, s=COSINE_OFFSET):
    """f(t)/f(0) with f(t) = cos^2(((t/T + s) / (1 + s)) * pi/2)   (Nichol & Dhariwal, eq. 17)."""
    f = lambda u: np.cos((u + s) / (1.0 + s) * math.pi / 2.0) ** 2
    return f(np.asarray(t_frac, dtype=np.float64)) / f(0.0)


def cosine_betas(steps=1000, s=COSINE_OFFSET, max_beta=MAX_BETA):
    """beta_t = min(1 - alpha_bar(t+1) / alpha_bar(t), max_beta) for t = 0..steps-1."""
    t = np.arange(steps + 1, dtype=np.float64) / steps           # (steps+1,)
    abar = cosine_alpha_bar(t, s)
    return np.minimum(1.0 - abar[1:] / abar[:-1], max_beta)      # (steps,)


def linear_betas(steps=1000, beta_start=1e-4, beta_end=0.02):
    """Ho et al.'s linear schedule, rescaled so other step counts keep the same end points in 1000ths."""
    scale = 1000.0 / steps
    return np.linspace(scale * beta_start, scale * beta_end, steps, dtype=np.float64)


def make_betas(name, steps=1000, cosine_offset=COSINE_OFFSET, max_beta=MAX_BETA):
    """The card's schedule: name and steps, and for the cosine schedule its offset s and beta clip
    (the linear schedule's betas end at 0.02 * 1000 / steps and are not clipped)."""
    if name == "cosine":
        return cosine_betas(steps, cosine_offset, max_beta)
    if name == "linear":
        return linear_betas(steps)
    raise ValueError(f"unknown beta schedule {name!r} (expected 'cosine' or 'linear')")


def alphas_cumprod(betas):
    """alpha_bar_t = prod_{s<=t} (1 - beta_s), float64. Recomputed from the clipped betas."""
    return np.cumprod(1.0 - np.asarray(betas, dtype=np.float64))


def ddim_timesteps(num_inference_steps, steps=1000):
    """'Trailing' spacing (Lin et al. 2024, table 2): starts at t = T-1, the pure-noise end.

    t_i = round_half_even(T - i * T/n) - 1 for i = 0..n-1, in float64 exactly as the browser's
    trailingTimesteps computes it, e.g. 4 of 1000 -> [999, 749, 499, 249]. Descending ints.
    (np.arange(T, 0, -T/n) with a float step gave n+1 timesteps ending in -1 for 62 of the 1000
    counts, 61 among them.)
    """
    n = num_inference_steps
    if (isinstance(n, bool) or not isinstance(n, numbers.Real) or not float(n).is_integer()
            or not 1 <= n <= steps):
        raise ValueError(f"the number of sampling steps must be a whole number from 1 to {steps}, got {n}")
    ratio = steps / int(n)
    # np.round rounds halves to even, as the browser's roundHalfEven does
    return np.round(steps - np.arange(int(n), dtype=np.float64) * ratio).astype(np.int64) - 1
