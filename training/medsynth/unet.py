"""Class-conditional epsilon-prediction UNet for 28x28 images (dims=2) and ECG beats (dims=1).

Layout follows improved-diffusion (Nichol & Dhariwal 2021) at a much smaller size:

    emb   = time_mlp(timestep_embedding(t)) + class_emb(y)        y = num_classes is the null class
    h     = in_conv(x)                                             skips = [h]
    down  : per level, blocks_per_level ResBlocks (+ attention where listed), each pushing a skip;
            then, except at the lowest level, avg-pool /2 pushing a skip
    mid   : ResBlock, SelfAttention, ResBlock   (attention only if mid_attention)
    up    : per level (lowest first), blocks_per_level+1 ResBlocks on concat([h, skips.pop()]) along
            channels (h first), then, except at level 0, nearest x2 + conv
    out   = out_conv(silu(out_norm(h)))                            out_conv starts at zero
"""
from dataclasses import dataclass, asdict, field
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import ResBlock, SelfAttention, Upsample, avg_pool, conv, group_norm, timestep_embedding


@dataclass
class UNetConfig:
    dims: int = 2                      # 2 for images (B, C, H, W), 1 for signals (B, C, L)
    in_channels: int = 1
    size: int = 28                     # H = W for images, L for signals (the net itself is size-agnostic
                                       # as long as size is divisible by 2 ** (levels - 1))
    base_channels: int = 32
    channel_mult: Tuple[int, ...] = (1, 2, 2)
    blocks_per_level: int = 1
    attention_levels: Tuple[int, ...] = ()   # levels (0 = full resolution) with attention after each ResBlock
    mid_attention: bool = True
    groups: int = 8
    num_classes: int = 2               # the null class is index num_classes
    time_embed_dim: int = 128          # width of the time/class embedding added in every ResBlock
    dropout: float = 0.0


class UNet(nn.Module):
    def __init__(self, cfg: UNetConfig):
        super().__init__()
        self.cfg = cfg
        d, g, E = cfg.dims, cfg.groups, cfg.time_embed_dim
        ch0 = cfg.base_channels
        self.time_mlp = nn.Sequential(nn.Linear(ch0, E), nn.SiLU(), nn.Linear(E, E))
        self.class_emb = nn.Embedding(cfg.num_classes + 1, E)   # + 1: the learned null class

        self.in_conv = conv(d, cfg.in_channels, ch0)
        self.down = nn.ModuleList()
        skip_ch = [ch0]
        ch = ch0
        for level, mult in enumerate(cfg.channel_mult):
            blocks = nn.ModuleList()
            for _ in range(cfg.blocks_per_level):
                blocks.append(ResBlock(d, ch, ch0 * mult, E, g, cfg.dropout))
                ch = ch0 * mult
                if level in cfg.attention_levels:
                    blocks.append(SelfAttention(d, ch, g))
                skip_ch.append(ch)
            if level < len(cfg.channel_mult) - 1:
                blocks.append(avg_pool(d))
                skip_ch.append(ch)
            self.down.append(blocks)

        self.mid1 = ResBlock(d, ch, ch, E, g, cfg.dropout)
        self.mid_attn = SelfAttention(d, ch, g) if cfg.mid_attention else None
        self.mid2 = ResBlock(d, ch, ch, E, g, cfg.dropout)

        self.up = nn.ModuleList()
        for level in reversed(range(len(cfg.channel_mult))):
            blocks = nn.ModuleList()
            for _ in range(cfg.blocks_per_level + 1):
                c_out = ch0 * cfg.channel_mult[level]
                blocks.append(ResBlock(d, ch + skip_ch.pop(), c_out, E, g, cfg.dropout))
                ch = c_out
                if level in cfg.attention_levels:
                    blocks.append(SelfAttention(d, ch, g))
            if level > 0:
                blocks.append(Upsample(d, ch))
            self.up.append(blocks)

        self.out_norm = group_norm(ch, g)
        self.out_conv = conv(d, ch, cfg.in_channels)
        nn.init.zeros_(self.out_conv.weight)   # start as "predict zero noise": stabler early training
        nn.init.zeros_(self.out_conv.bias)

    def embed(self, t, y):
        """(B,) timesteps (0..T-1, float ok) and (B,) class ids -> (B, E) embedding."""
        temb = self.time_mlp(timestep_embedding(t, self.cfg.base_channels))
        return temb + self.class_emb(y)

    def forward(self, x, t, y):
        """x: (B, C, *S) noisy sample x_t; t: (B,); y: (B,) int64 -> predicted noise eps, (B, C, *S)."""
        emb = self.embed(t, y)                                       # (B, E)
        h = self.in_conv(x)                                          # (B, ch0, *S)
        skips = [h]
        for blocks in self.down:
            for layer in blocks:
                h = _apply(layer, h, emb)
                if not isinstance(layer, SelfAttention):             # attention refines the last skip
                    skips.append(h)
                else:
                    skips[-1] = h
        h = self.mid1(h, emb)
        if self.mid_attn is not None:
            h = self.mid_attn(h)
        h = self.mid2(h, emb)
        for blocks in self.up:
            for layer in blocks:
                if isinstance(layer, ResBlock):
                    h = torch.cat([h, skips.pop()], dim=1)           # (B, ch + skip_ch, *S)
                h = _apply(layer, h, emb)
        return self.out_conv(F.silu(self.out_norm(h)))


def _apply(layer, h, emb):
    return layer(h, emb) if isinstance(layer, ResBlock) else layer(h)


def build_unet(arch: dict) -> UNet:
    """Rebuild from a saved config dict (tuples come back from JSON as lists)."""
    fields = {k: (tuple(v) if isinstance(v, list) else v) for k, v in arch.items()
              if k in UNetConfig.__dataclass_fields__}
    return UNet(UNetConfig(**fields))
