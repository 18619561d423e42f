"""Building blocks shared by the UNet, VAE and classifier, for 1D (ECG) and 2D (images).

Every op here has a tfjs WebGPU counterpart: conv1d/conv2d, dense, add/mul, avgPool,
nearest-neighbour resize, sigmoid (SiLU = x * sigmoid(x)), moments (GroupNorm), matMul, softmax.
Tensors are channels-first here (B, C, H, W) or (B, C, L); the browser is channels-last.
training/ARCHITECTURE.md gives the exact forward pass of each block.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

GN_EPS = 1e-5  # PyTorch's nn.GroupNorm default; the browser uses the same eps inside the sqrt


def conv(dims, c_in, c_out, k=3):
    """Stride-1 convolution with symmetric 'same' padding (odd k), as tfjs padding 'same'."""
    assert k % 2 == 1, "odd kernels only: tfjs 'same' padding is symmetric only then"
    cls = nn.Conv1d if dims == 1 else nn.Conv2d
    return cls(c_in, c_out, k, padding=k // 2)


def group_norm(channels, groups):
    """GroupNorm over `groups` groups of channels/groups consecutive channels, eps 1e-5, affine.

    y = (x - mean_g) / sqrt(var_g + eps) * gamma_c + beta_c, with mean_g and the biased var_g
    taken over the group's channels and all positions.
    """
    groups = min(groups, channels)
    assert channels % groups == 0, f"{channels} channels do not split into {groups} groups"
    return nn.GroupNorm(groups, channels, eps=GN_EPS)


def avg_pool(dims):
    """Downsampling by 2: average of each 2 (1D) or 2x2 (2D) block, no padding."""
    return nn.AvgPool1d(2) if dims == 1 else nn.AvgPool2d(2)


def timestep_embedding(t, dim, max_period=10000.0):
    """Sinusoidal embedding of (float) timesteps, [sin | cos] order.

    freq_i = exp(-ln(max_period) * i / half), i = 0..half-1, half = dim // 2
    emb    = concat(sin(t * freq), cos(t * freq))      # sin first, then cos
    t: (B,) -> (B, dim). dim must be even.
    """
    assert dim % 2 == 0
    half = dim // 2
    i = torch.arange(half, dtype=torch.float32, device=t.device)
    freqs = torch.exp(-math.log(max_period) * i / half)             # (half,)
    args = t.float()[:, None] * freqs[None, :]                       # (B, half)
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1)      # (B, dim)


class ResBlock(nn.Module):
    """Residual block with an additive (time + class) embedding.

    h   = conv1(silu(norm1(x)))
    h   = h + emb_proj(silu(emb))[:, :, None(, None)]
    h   = conv2(silu(norm2(h)))
    out = skip(x) + h        (skip is a 1x1 conv when channels change, else identity)
    """

    def __init__(self, dims, c_in, c_out, emb_dim, groups, dropout=0.0):
        super().__init__()
        self.dims = dims
        self.norm1 = group_norm(c_in, groups)
        self.conv1 = conv(dims, c_in, c_out)
        self.emb_proj = nn.Linear(emb_dim, c_out) if emb_dim else None
        self.norm2 = group_norm(c_out, groups)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = conv(dims, c_out, c_out)
        self.skip = conv(dims, c_in, c_out, k=1) if c_in != c_out else nn.Identity()

    def forward(self, x, emb=None):
        h = self.conv1(F.silu(self.norm1(x)))                        # (B, c_out, *S)
        if self.emb_proj is not None:
            e = self.emb_proj(F.silu(emb))                           # (B, c_out)
            h = h + e.view(*e.shape, *([1] * self.dims))             # broadcast over positions
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return self.skip(x) + h


class SelfAttention(nn.Module):
    """Single-head self-attention over all positions (used once, at the lowest resolution).

    h = norm(x); q, k, v = split(qkv(h)) (a 1x1 conv to 3C channels, split in that order)
    w = softmax(q^T k / sqrt(C)) over keys;  out = x + proj(v w^T)   (proj is a 1x1 conv)
    """

    def __init__(self, dims, channels, groups):
        super().__init__()
        self.norm = group_norm(channels, groups)
        self.qkv = conv(dims, channels, 3 * channels, k=1)
        self.proj = conv(dims, channels, channels, k=1)

    def forward(self, x):
        B, C = x.shape[:2]
        spatial = x.shape[2:]
        qkv = self.qkv(self.norm(x)).reshape(B, 3 * C, -1)          # (B, 3C, N), N = positions
        q, k, v = qkv.split(C, dim=1)                                # each (B, C, N)
        w = torch.einsum("bcn,bcm->bnm", q, k) / math.sqrt(C)        # (B, N query, N key)
        w = torch.softmax(w, dim=-1)
        h = torch.einsum("bnm,bcm->bcn", w, v)                       # (B, C, N)
        return x + self.proj(h.reshape(B, C, *spatial))


class Upsample(nn.Module):
    """Nearest-neighbour x2 (each value repeated 2 or 2x2 times), then a 3x3 (or 3) conv."""

    def __init__(self, dims, channels):
        super().__init__()
        self.conv = conv(dims, channels, channels)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2, mode="nearest"))


def channels_last_flatten(h):
    """(B, C, *S) -> (B, prod(S) * C) in position-major, channel-minor order: the order a
    channels-last (NHWC / NLC) tensor flattens in, so a dense layer after it needs no permutation."""
    dims = h.dim() - 2
    perm = (0, *range(2, 2 + dims), 1)
    return h.permute(*perm).reshape(h.shape[0], -1)


def channels_last_unflatten(h, channels, spatial):
    """Inverse of channels_last_flatten: (B, prod(S) * C) -> (B, C, *S)."""
    dims = len(spatial)
    h = h.reshape(h.shape[0], *spatial, channels)                    # (B, *S, C)
    return h.permute(0, dims + 1, *range(1, dims + 1)).contiguous()  # (B, C, *S)


def one_hot(y, classes):
    """(B,) class indices -> (B, classes) float one-hot, as F.one_hot(y, classes).float(), but written
    as a comparison so that it runs under functorch's vmap (DP-SGD's per-example gradients)."""
    return (y[..., None] == torch.arange(classes, device=y.device)).float()
