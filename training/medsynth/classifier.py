"""Small CNN classifier: the evaluator. Trained on real training data only; its penultimate
features (after `feat`) are the space for Frechet distances.

stem conv -> per level [ResBlock (no embedding), avg-pool /2 except last] -> GroupNorm, SiLU
-> global average over positions -> feat: dense + SiLU -> (B, feature_dim) -> head: dense -> logits
"""
from dataclasses import dataclass
from typing import Tuple

import torch.nn as nn
import torch.nn.functional as F

from .layers import ResBlock, avg_pool, conv, group_norm


@dataclass
class ClassifierConfig:
    dims: int = 2
    in_channels: int = 1
    size: int = 28                     # H = W for images, L for signals
    channels: Tuple[int, ...] = (32, 64, 128)
    groups: int = 8
    feature_dim: int = 64
    num_classes: int = 2
    dropout: float = 0.1


class Classifier(nn.Module):
    def __init__(self, cfg: ClassifierConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.dims
        self.stem = conv(d, cfg.in_channels, cfg.channels[0])
        self.blocks = nn.ModuleList()
        c = cfg.channels[0]
        for c_out in cfg.channels:
            self.blocks.append(ResBlock(d, c, c_out, 0, cfg.groups, cfg.dropout))
            c = c_out
        self.pool = avg_pool(d)
        self.norm = group_norm(c, cfg.groups)
        self.feat = nn.Linear(c, cfg.feature_dim)
        self.head = nn.Linear(cfg.feature_dim, cfg.num_classes)

    def features(self, x):
        """x: (B, C, *S) scaled like the generators' data -> (B, feature_dim)."""
        h = self.stem(x)
        for i, block in enumerate(self.blocks):
            h = block(h)
            if i < len(self.blocks) - 1:
                h = self.pool(h)
        h = F.silu(self.norm(h)).flatten(2).mean(2)                  # (B, c_last) global average
        return F.silu(self.feat(h))

    def forward(self, x):
        return self.head(self.features(x))


def build_classifier(arch: dict) -> Classifier:
    fields = {k: (tuple(v) if isinstance(v, list) else v) for k, v in arch.items()
              if k in ClassifierConfig.__dataclass_fields__}
    return Classifier(ClassifierConfig(**fields))
