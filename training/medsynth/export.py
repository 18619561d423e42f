"""PyTorch -> tfjs: weight layouts, the weights manifest + binary shard, and parity vectors.

Layouts (PyTorch -> tfjs, channels-last):
    Conv2d.weight  [out, in, kh, kw] -> [kh, kw, in, out]
    Conv1d.weight  [out, in, k]      -> [k, in, out]
    Linear.weight  [out, in]         -> [in, out]
    everything else (biases, GroupNorm gamma/beta, Embedding [num, dim]) unchanged
Storage: float16 (IEEE half, little-endian) as tfjs's {"quantization": {"dtype": "float16"}}, or
float32 little-endian. Weights are named by PyTorch module path.
"""
import hashlib
import json
import os
import re

import numpy as np
import torch
import torch.nn as nn

from .models import build_model


def tfjs_layout(module, array):
    """Re-lay one PyTorch weight (numpy) for tfjs, by the type of the module that owns it."""
    if isinstance(module, nn.Conv2d) and array.ndim == 4:
        return array.transpose(2, 3, 1, 0)                           # (kh, kw, in, out)
    if isinstance(module, nn.Conv1d) and array.ndim == 3:
        return array.transpose(2, 1, 0)                              # (k, in, out)
    if isinstance(module, nn.Linear) and array.ndim == 2:
        return array.transpose(1, 0)                                 # (in, out)
    return array


def tfjs_weights(model):
    """-> list of (name, float32 array in tfjs layout), in module order. Parameters only: the
    networks here have no buffers (GroupNorm keeps no running statistics)."""
    assert not list(model.buffers()), "buffers would need exporting too"
    out = []
    for mod_name, module in model.named_modules():
        for p_name, p in module.named_parameters(recurse=False):
            name = f"{mod_name}.{p_name}" if mod_name else p_name
            out.append((name, np.ascontiguousarray(tfjs_layout(module, p.detach().cpu().numpy()),
                                                   dtype=np.float32)))
    return out


def encode(weights, storage):
    """-> (bytes of the shard, manifest entries). storage: "float16" | "float32"."""
    chunks, entries = [], []
    for name, arr in weights:
        entry = {"name": name, "shape": list(arr.shape), "dtype": "float32"}
        if storage == "float16":
            chunks.append(arr.astype("<f2").tobytes())
            entry["quantization"] = {"dtype": "float16"}
        else:
            chunks.append(arr.astype("<f4").tobytes())
        entries.append(entry)
    return b"".join(chunks), entries


def decode(data, entries):
    """Inverse of encode, as tfjs reads the shard: -> {name: float32 array}."""
    out, offset = {}, 0
    for e in entries:
        n = int(np.prod(e["shape"])) if e["shape"] else 1
        dt = "<f2" if e.get("quantization", {}).get("dtype") == "float16" else "<f4"
        size = n * np.dtype(dt).itemsize
        out[e["name"]] = np.frombuffer(data, dt, n, offset).astype(np.float32).reshape(e["shape"])
        offset += size
    assert offset == len(data), "shard size does not match the manifest"
    return out


def manifest(entries, shard="weights.bin"):
    return [{"paths": [shard], "weights": entries}]


def round_to_storage(model, storage):
    """Round the model's parameters in place to what the shard stores (a no-op for float32)."""
    if storage == "float16":
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(p.half().float())
    return model


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# --- parity vectors: fixed inputs and the PyTorch outputs, channels-last ------------------------

def to_channels_last(x):
    """(B, C, *S) -> (B, *S, C)."""
    return x.permute(0, *range(2, x.dim()), 1)


def to_channels_first(x):
    return x.permute(0, x.dim() - 1, *range(1, x.dim() - 1))


def arr(x, digits=9):
    """Tensor/array -> {"shape", "data"} with float32-exact decimal numbers."""
    a = np.asarray(x.detach().cpu().numpy() if torch.is_tensor(x) else x, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(f"{v:.{digits}g}") for v in a.ravel().tolist()]}


def compact_json(obj):
    return json.dumps(obj, separators=(",", ":"))


def torch_layout(module, array):
    """Inverse of tfjs_layout."""
    if isinstance(module, nn.Conv2d) and array.ndim == 4:
        return array.transpose(3, 2, 0, 1)
    if isinstance(module, nn.Conv1d) and array.ndim == 3:
        return array.transpose(2, 1, 0)
    if isinstance(module, nn.Linear) and array.ndim == 2:
        return array.transpose(1, 0)
    return array


def load_tfjs_weights(model, weights):
    """Fill a freshly built model from {name: tfjs-layout array} (as decode returns); every
    parameter must be present, and nothing else."""
    modules = dict(model.named_modules())
    params = dict(model.named_parameters())
    assert set(weights) == set(params), f"names differ: {set(weights) ^ set(params)}"
    with torch.no_grad():
        for name, arr in weights.items():
            mod_name = name.rsplit(".", 1)[0] if "." in name else ""
            params[name].copy_(torch.from_numpy(np.ascontiguousarray(torch_layout(modules[mod_name], arr))))
    return model


def load_export(folder):
    """-> (card, network in eval mode) from a model folder as the browser reads it: card.json's
    architecture, filled from weights.json and its shard (the stored, rounded weights)."""
    card = json.load(open(os.path.join(folder, "card.json")))
    arch = {re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), k): v for k, v in card["architecture"].items()}
    model = build_model(card["method"], arch).eval()
    manifest = json.load(open(os.path.join(folder, "weights.json")))
    shard = open(os.path.join(folder, manifest[0]["paths"][0]), "rb").read()
    if len(shard) != card["weights"]["files"][0]["bytes"]:
        raise ValueError(f"{folder}: the shard has {len(shard)} bytes, the card says {card['weights']['files'][0]['bytes']}")
    return card, load_tfjs_weights(model, decode(shard, manifest[0]["weights"]))

