"""Forward noising and the denoising loop (DDIM and ancestral DDPM) with classifier-free guidance.

Notation (Ho et al. 2020 "DDPM"; Song et al. 2021 "DDIM"; Ho & Salimans 2022 "CFG"):
    abar_t      alphas_cumprod[t]
    eps_hat     guided noise prediction  eps(x_t, null) + w * (eps(x_t, y) - eps(x_t, null))
    x0_hat      (x_t - sqrt(1 - abar_t) * eps_hat) / sqrt(abar_t)          (DDPM eq. 15), clipped
    DDIM, eta = 0 (DDIM eq. 12):
        x_prev = sqrt(abar_prev) * x0_hat + sqrt(1 - abar_prev) * eps_hat
    with eps_hat recomputed from the clipped x0_hat as in improved-diffusion:
        eps_hat = (x_t - sqrt(abar_t) * x0_hat) / sqrt(1 - abar_t)
The browser's sampler implements the same step; this file is the reference it is tested against.
"""
import numpy as np
import torch

from .schedule import COSINE_OFFSET, MAX_BETA, alphas_cumprod, ddim_timesteps, make_betas


class Diffusion:
    """The schedule as tensors, plus q_sample for training."""

    def __init__(self, beta="cosine", steps=1000, cosine_offset=COSINE_OFFSET, max_beta=MAX_BETA):
        self.steps = steps
        self.betas = make_betas(beta, steps, cosine_offset, max_beta)   # float64 numpy
        self.abar = alphas_cumprod(self.betas)

    @classmethod
    def from_config(cls, cfg: dict):
        """The schedule a run config (as a dict) names: every number the card carries, none assumed."""
        return cls(cfg["beta_schedule"], cfg["diffusion_steps"], cfg["cosine_offset"], cfg["max_beta"])

    def q_sample(self, x0, t, noise):
        """x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps.  x0, noise: (B, C, *S); t: (B,) int64."""
        abar = torch.from_numpy(self.abar).to(x0.device)[t].float()
        abar = abar.view(-1, *([1] * (x0.dim() - 1)))
        return abar.sqrt() * x0 + (1 - abar).sqrt() * noise


def guided_eps(model, x, t, y, null_class, guidance):
    """One batched call on [cond; uncond]. guidance w = 1 is plain conditional sampling."""
    B = x.shape[0]
    tt = torch.full((2 * B,), float(t), device=x.device)
    yy = torch.cat([y, torch.full_like(y, null_class)])
    eps_c, eps_u = model(torch.cat([x, x]), tt, yy).chunk(2)
    return eps_u + guidance * (eps_c - eps_u)


@torch.no_grad()
def ddim_steps(model, diffusion, shape, y, null_class, guidance=2.0, num_steps=50,
               clip=1.0, eta=0.0, generator=None, device="cpu"):
    """Generator: yields (t, x_t) after every step, starting from pure noise; the last x is the sample.

    clip: |x0_hat| bound in network units (None = no clipping). eta > 0 adds DDIM's stochastic term
    (eta = 1 is DDPM-like ancestral sampling on the sub-sequence).
    """
    x = torch.randn(shape, generator=generator).to(device)
    ts = ddim_timesteps(num_steps, diffusion.steps)
    abar = diffusion.abar
    for i, t in enumerate(ts):
        # 1. guided noise prediction
        eps = guided_eps(model, x, t, y, null_class, guidance)
        a_t = float(abar[t])
        a_prev = float(abar[ts[i + 1]]) if i + 1 < len(ts) else 1.0
        # 2. predicted clean sample, clipped to the data range, and the noise consistent with it
        x0 = (x - (1 - a_t) ** 0.5 * eps) / a_t ** 0.5
        if clip is not None:
            x0 = x0.clamp(-clip, clip)
            eps = (x - a_t ** 0.5 * x0) / (1 - a_t) ** 0.5
        # 3. DDIM update (eq. 12); sigma = 0 for eta = 0
        sigma = eta * ((1 - a_prev) / (1 - a_t) * (1 - a_t / a_prev)) ** 0.5
        x = a_prev ** 0.5 * x0 + max(1 - a_prev - sigma ** 2, 0.0) ** 0.5 * eps
        if sigma > 0:
            x = x + sigma * torch.randn(shape, generator=generator).to(device)
        yield int(t), x


def sample(model, diffusion, shape, y, null_class, **kw):
    """Drain ddim_steps and return the final sample (B, C, *S) in network units."""
    x = None
    for _, x in ddim_steps(model, diffusion, shape, y, null_class, **kw):
        pass
    return x
