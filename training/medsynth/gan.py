"""Class-conditional GAN for images and beats: a DCGAN-style generator and a projection
discriminator (Miyato & Koyama 2018) with spectral norm, trained with the hinge loss.

generator:     concat(z, one_hot(y)) -> dense -> unflatten channels-last to the lowest resolution
               -> GroupNorm, SiLU -> [nearest x2, conv, GroupNorm, SiLU] per level -> conv
               -> out_scale * tanh
discriminator: [SN conv, LeakyReLU 0.2, SN conv, LeakyReLU 0.2, avg-pool /2] per level -> h: the sum
               over positions ("sum"), or SN dense of all positions, LeakyReLU ("flatten");
               D(x, y) = SN dense(h) + <SN embed(y), h>     (training only)

Only the generator is exported: the browser draws z (seeded, optionally truncated: `truncated`
below) and runs one forward pass.
"""
from dataclasses import dataclass
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm

from .layers import avg_pool, channels_last_unflatten, conv, group_norm


@dataclass
class GANConfig:
    dims: int = 2
    in_channels: int = 1
    size: int = 28                        # H = W for images, L for signals
    channels: Tuple[int, ...] = (32, 64)  # generator width per level, full resolution first (as the VAE)
    kernel: int = 3
    latent_dim: int = 64
    num_classes: int = 2
    groups: int = 8
    out_scale: float = 1.0                # the output is out_scale * tanh(.): 1 for images in [-1, 1]
    disc_channels: Tuple[int, ...] = (32, 64)   # discriminator width per level (not exported)
    # how the discriminator pools its last block: "sum" over positions sees what is there, not where;
    # "flatten" (a dense layer over every position) also sees where. ECG windows are centred on the R
    # peak: with "sum" a generator put it 72 samples late and nothing told it otherwise
    disc_pool: str = "sum"


class Generator(nn.Module):
    def __init__(self, cfg: GANConfig):
        super().__init__()
        d, k = cfg.dims, cfg.kernel
        self.low = cfg.size // 2 ** len(cfg.channels)
        assert self.low * 2 ** len(cfg.channels) == cfg.size, "size must be divisible by 2^levels"
        self.c_low = cfg.channels[-1]
        self.fc = nn.Linear(cfg.latent_dim + cfg.num_classes, self.c_low * self.low ** d)
        self.norm_in = group_norm(self.c_low, cfg.groups)
        self.convs, self.norms = nn.ModuleList(), nn.ModuleList()
        c = self.c_low
        for c_out in reversed(cfg.channels):
            self.convs.append(conv(d, c, c_out, k))
            self.norms.append(group_norm(c_out, cfg.groups))
            c = c_out
        self.conv_out = conv(d, c, cfg.in_channels, k)
        self.cfg = cfg

    def forward(self, z, y):
        h = torch.cat([z, F.one_hot(y, self.cfg.num_classes).float()], dim=1)   # (B, latent + K)
        h = channels_last_unflatten(self.fc(h), self.c_low, (self.low,) * self.cfg.dims)
        h = F.silu(self.norm_in(h))                                  # (B, c_low, *S_low)
        for c, n in zip(self.convs, self.norms):
            h = F.silu(n(c(F.interpolate(h, scale_factor=2, mode="nearest"))))
        return self.cfg.out_scale * torch.tanh(self.conv_out(h))    # (B, C, *S)


class Discriminator(nn.Module):
    def __init__(self, cfg: GANConfig):
        super().__init__()
        d, k = cfg.dims, cfg.kernel
        self.blocks = nn.ModuleList()
        c = cfg.in_channels
        for c_out in cfg.disc_channels:
            self.blocks.append(nn.ModuleList([spectral_norm(conv(d, c, c_out, k)),
                                              spectral_norm(conv(d, c_out, c_out, k))]))
            c = c_out
        self.pool = avg_pool(d)
        assert cfg.disc_pool in ("sum", "flatten"), cfg.disc_pool
        low = cfg.size // 2 ** len(cfg.disc_channels)
        self.flat = spectral_norm(nn.Linear(c * low ** d, c)) if cfg.disc_pool == "flatten" else None
        self.out = spectral_norm(nn.Linear(c, 1))
        self.embed = spectral_norm(nn.Embedding(cfg.num_classes, c))

    def forward(self, x, y):
        h = x
        for a, b in self.blocks:
            h = self.pool(F.leaky_relu(b(F.leaky_relu(a(h), 0.2)), 0.2))
        if self.flat is None:
            h = h.flatten(2).sum(2)                                  # (B, c): sum over positions
        else:
            h = F.leaky_relu(self.flat(h.flatten(1)), 0.2)           # (B, c): every position its own weights
        return self.out(h).squeeze(1) + (self.embed(y) * h).sum(1)   # (B,)


def truncated(normals, psi):
    """The truncation trick (Brock et al. 2019) as this site defines it: keep, in order, the values of
    a stream of standard normals whose magnitude is at most psi (psi None: keep all). normals: 1-D.
    src/pipeline/latents.ts does the same to its own stream; test/fixtures/truncation.json holds both."""
    return normals if psi is None else normals[normals.abs() <= psi]


def draw_latents(n, dim, generator, psi=None):
    """(n, dim) latents: N(0, I), or N(0, I) truncated to [-psi, psi] (rejection, as `truncated`)."""
    if psi is not None and not psi > 0:
        raise ValueError(f"truncation must be a positive number, got {psi}")
    need, kept = n * dim, []
    while sum(len(k) for k in kept) < need:
        kept.append(truncated(torch.randn(need, generator=generator), psi))
    return torch.cat(kept)[:need].view(n, dim)


def discriminator_loss(d_real, d_fake):
    """Hinge loss (Lim & Ye 2017; Miyato et al. 2018): push real scores above 1, generated below -1."""
    return F.relu(1 - d_real).mean() + F.relu(1 + d_fake).mean()


def generator_loss(d_fake):
    return -d_fake.mean()


def gan_config(arch: dict) -> GANConfig:
    return GANConfig(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in arch.items()
                        if k in GANConfig.__dataclass_fields__})


def build_generator(arch: dict) -> Generator:
    return Generator(gan_config(arch))


def build_discriminator(arch: dict) -> Discriminator:
    return Discriminator(gan_config(arch))
