"""Class-conditional convolutional VAE (Kingma & Welling 2014; Sohn et al. 2015) for images and beats.

encoder: concat(x, one_hot(y) planes) -> [conv, SiLU, avg-pool /2] per level -> conv, SiLU
         -> flatten channels-last -> dense -> (mu, logvar), each (B, latent_dim)
decoder: concat(z, one_hot(y)) -> dense -> SiLU -> unflatten channels-last to the lowest resolution
         -> [nearest x2, conv, SiLU] per level -> conv -> x_hat (no output squashing; clip to the
         data range for display)
The browser samples z ~ N(0, I) and runs only the decoder; the encoder is exported for latent maps.
"""
from dataclasses import dataclass
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import avg_pool, channels_last_flatten, channels_last_unflatten, conv, one_hot


@dataclass
class VAEConfig:
    dims: int = 2
    in_channels: int = 1
    size: int = 28                      # H = W for images, L for signals
    channels: Tuple[int, ...] = (32, 64)   # one entry per downsampling level
    kernel: int = 3
    latent_dim: int = 16
    num_classes: int = 2
    hidden: int = 256                   # dense width between the conv stack and the latent


class Encoder(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        d, k = cfg.dims, cfg.kernel
        self.convs = nn.ModuleList()
        c = cfg.in_channels + cfg.num_classes
        for c_out in cfg.channels:
            self.convs.append(conv(d, c, c_out, k))
            c = c_out
        self.pool = avg_pool(d)
        self.conv_out = conv(d, c, c, k)
        low = cfg.size // 2 ** len(cfg.channels)
        self.fc = nn.Linear(c * low ** d, cfg.hidden)
        self.mu = nn.Linear(cfg.hidden, cfg.latent_dim)
        self.logvar = nn.Linear(cfg.hidden, cfg.latent_dim)
        self.cfg = cfg

    def forward(self, x, y):
        onehot = one_hot(y, self.cfg.num_classes)                   # (B, K)
        planes = onehot.view(*onehot.shape, *([1] * self.cfg.dims)).expand(-1, -1, *x.shape[2:])
        h = torch.cat([x, planes], dim=1)                            # (B, C + K, *S)
        for c in self.convs:
            h = self.pool(F.silu(c(h)))                              # halves each spatial dim
        h = F.silu(self.conv_out(h))                                 # (B, c_last, *S_low)
        h = F.silu(self.fc(channels_last_flatten(h)))                # (B, hidden)
        return self.mu(h), self.logvar(h)


class Decoder(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        d, k = cfg.dims, cfg.kernel
        self.low = cfg.size // 2 ** len(cfg.channels)
        self.c_low = cfg.channels[-1]
        self.fc1 = nn.Linear(cfg.latent_dim + cfg.num_classes, cfg.hidden)
        self.fc2 = nn.Linear(cfg.hidden, self.c_low * self.low ** d)
        self.convs = nn.ModuleList()
        c = self.c_low
        for c_out in reversed(cfg.channels):
            self.convs.append(conv(d, c, c_out, k))
            c = c_out
        self.conv_out = conv(d, c, cfg.in_channels, k)
        self.cfg = cfg

    def forward(self, z, y):
        h = torch.cat([z, one_hot(y, self.cfg.num_classes)], dim=1)  # (B, latent + K)
        h = F.silu(self.fc2(F.silu(self.fc1(h))))                    # (B, low^d * c_low)
        h = channels_last_unflatten(h, self.c_low, (self.low,) * self.cfg.dims)
        for c in self.convs:
            h = F.silu(c(F.interpolate(h, scale_factor=2, mode="nearest")))
        return self.conv_out(h)                                      # (B, C, *S)


class VAE(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)

    def forward(self, x, y, noise=None):
        """noise: the reparameterisation's standard normal draws (B, latent_dim), drawn here when
        None; DP-SGD passes them in, since per-example gradients (vmap) cannot draw."""
        mu, logvar = self.encoder(x, y)
        noise = torch.randn_like(mu) if noise is None else noise
        z = mu + noise * torch.exp(0.5 * logvar)                     # reparameterisation
        return self.decoder(z, y), mu, logvar


def vae_losses(x, x_hat, mu, logvar, recon_sigma, beta):
    """Negative ELBO of each example, in nats: Gaussian decoder with fixed sigma + beta * KL(q || N(0, I)).
    -> (loss, recon, kl), each (B,)."""
    recon = ((x - x_hat) ** 2).flatten(1).sum(1) / (2 * recon_sigma ** 2)        # (B,)
    kl = 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(1)                      # (B,)
    return recon + beta * kl, recon, kl


def vae_loss(x, x_hat, mu, logvar, recon_sigma, beta):
    """vae_losses averaged over the batch."""
    loss, recon, kl = vae_losses(x, x_hat, mu, logvar, recon_sigma, beta)
    return loss.mean(), recon.mean(), kl.mean()


def build_vae(arch: dict) -> VAE:
    fields = {k: (tuple(v) if isinstance(v, list) else v) for k, v in arch.items()
              if k in VAEConfig.__dataclass_fields__}
    return VAE(VAEConfig(**fields))
