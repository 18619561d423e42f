"""Reading the `npm run data` format (data/<dataset>/index.json + raw little-endian .bin files).

Tensors come out channels-first and scaled for the networks:
    images  uint8 (N, H, W, C)  ->  float32 (N, C, H, W),  x / 127.5 - 1   in [-1, 1]
    signals float32 mV (N, L)   ->  float32 (N, 1, L),     x_mV / signal_scale_mv
"""
import json
import os
from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class Split:
    x: torch.Tensor          # (N, C, H, W) or (N, 1, L), scaled
    y: torch.Tensor          # (N,) int64
    classes: list
    index: dict              # the dataset's index.json

    @property
    def class_counts(self):
        return np.bincount(self.y.numpy(), minlength=len(self.classes))


def read_index(data_dir, dataset):
    with open(os.path.join(data_dir, dataset, "index.json")) as f:
        return json.load(f)


def load_raw(data_dir, dataset, split):
    """-> (x as stored: uint8 (N, H, W, C) or float32 (N, L), y uint8 (N,), index)."""
    index = read_index(data_dir, dataset)
    s = index["splits"][split]
    root = os.path.join(data_dir, dataset)
    dtype = np.dtype(index["dtype"]).newbyteorder("<")
    x = np.fromfile(os.path.join(root, s["x"]), dtype=dtype).reshape(s["count"], *index["sampleShape"])
    y = np.fromfile(os.path.join(root, s["y"]), dtype=np.uint8)
    assert len(y) == s["count"], f"{dataset}/{split}: {len(y)} labels for {s['count']} samples"
    return x, y, index


def scale_input(x, index, signal_scale_mv):
    """Stored values -> network inputs (float32, channels-first). The card records the same formula."""
    if index["kind"] == "image":
        x = torch.from_numpy(x.astype(np.float32) / 127.5 - 1.0)    # (N, H, W, C)
        return x.permute(0, 3, 1, 2).contiguous()                   # (N, C, H, W)
    return torch.from_numpy(x.astype(np.float32) / signal_scale_mv)[:, None, :]   # (N, 1, L)


def unscale_output(x, kind, signal_scale_mv):
    """Network outputs (channels-first) -> uint8 HWC images or float32 mV signals (N, L)."""
    x = x.detach().cpu().float()
    if kind == "image":
        x = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)  # (N, C, H, W)
        return x.permute(0, 2, 3, 1).numpy()                        # (N, H, W, C)
    return (x[:, 0, :] * signal_scale_mv).numpy()                   # (N, L)


def load_split(data_dir, dataset, split, signal_scale_mv=1.0):
    x, y, index = load_raw(data_dir, dataset, split)
    return Split(scale_input(x, index, signal_scale_mv), torch.from_numpy(y.astype(np.int64)),
                 index["classes"], index)


class BatchSampler:
    """Endless random batches; class c is drawn with probability proportional to count_c ** power.

    power 1 = the data's own class mix, 0 = every class equally often, 0.5 = in between (keeps a
    class of a handful of examples from being repeated in every batch). Within a class, uniform.
    """

    def __init__(self, y, batch_size, power=1.0, seed=0):
        self.y = np.asarray(y)
        self.batch_size = batch_size
        self.by_class = [np.flatnonzero(self.y == c) for c in range(self.y.max() + 1)]
        counts = np.array([len(ix) for ix in self.by_class], dtype=np.float64)
        w = np.where(counts > 0, np.maximum(counts, 1) ** power, 0.0)
        self.class_p = w / w.sum()
        self.rng = np.random.default_rng(seed)

    def __iter__(self):
        return self

    def __next__(self):
        classes = self.rng.choice(len(self.class_p), size=self.batch_size, p=self.class_p)
        return np.array([self.rng.choice(self.by_class[c]) for c in classes])

    def state_dict(self):
        return {"rng": self.rng.bit_generator.state}

    def load_state_dict(self, state):
        self.rng.bit_generator.state = state["rng"]


def augment(x, aug, gen):
    """Label-preserving augmentations only, on a channels-first batch.

    aug: {"shift": max shift in pixels/samples (edge-padded), "amp": max relative amplitude change,
          "offset": max baseline offset (signals, scaled units),
          "hflip": mirror left-right with probability 1/2 (fundus: left and right eyes mirror),
          "dihedral": any of the 8 flips and quarter turns (cell patches have no orientation)}
    Never flips X-rays left-right and never inverts or time-reverses ECG beats (TRAINING-NOTES.md).
    gen: torch.Generator, so augmentations are reproducible.
    """
    B = x.shape[0]
    if aug.get("dihedral"):
        assert x.dim() == 4 and x.shape[2] == x.shape[3], "dihedral augmentation needs square images"
        turns = torch.randint(0, 4, (B,), generator=gen)
        flips = torch.rand(B, generator=gen) < 0.5
        x = torch.stack([torch.rot90(xi.flip(-1) if f else xi, int(k), dims=(-2, -1))
                         for xi, k, f in zip(x, turns, flips)])
    elif aug.get("hflip"):
        assert x.dim() == 4, "hflip is for images"
        flips = (torch.rand(B, generator=gen) < 0.5).view(B, 1, 1, 1)
        x = torch.where(flips, x.flip(-1), x)
    s = int(aug.get("shift", 0))
    if s > 0:
        dims = x.dim() - 2
        pad = (s, s) * dims
        xp = torch.nn.functional.pad(x, pad, mode="replicate")       # (B, C, *(S + 2s))
        out = torch.empty_like(x)
        offs = torch.randint(0, 2 * s + 1, (B, dims), generator=gen)
        for i in range(B):
            if dims == 1:
                out[i] = xp[i, :, offs[i, 0]:offs[i, 0] + x.shape[2]]
            else:
                out[i] = xp[i, :, offs[i, 0]:offs[i, 0] + x.shape[2], offs[i, 1]:offs[i, 1] + x.shape[3]]
        x = out
    a = aug.get("amp", 0.0)
    view = (B,) + (1,) * (x.dim() - 1)
    if a > 0:
        x = x * (1 + a * (2 * torch.rand(view, generator=gen) - 1))
    o = aug.get("offset", 0.0)
    if o > 0:
        x = x + o * (2 * torch.rand(view, generator=gen) - 1)
    return x
