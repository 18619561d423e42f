"""Train a feature extractor per modality for the yardstick (issue 16): features that keep what a
two-class evaluator throws away, so that distances between sample sets see more than the class.

    /usr/bin/python3 -m training.features --group grey28 --budget-min 60

The network is the evaluator's architecture (training/medsynth/classifier.py, so the browser builds
it with the same code and the parity machinery applies), wider, trained on every training split of
the modality's datasets at once with two objectives:
  - SimCLR (Chen et al., 2020): two label-preserving augmentations of each image are pulled together
    and pushed from every other image of the batch (NT-Xent on a projection of the features), which
    keeps what tells one image from another: texture, intensity, shape;
  - a multi-task head over every (dataset, class) pair, so the features still separate the classes.
Only training splits are read; held-out splits stay the yardstick's.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from training.medsynth.classifier import Classifier, ClassifierConfig
from training.medsynth.data import BatchSampler, augment, load_split
from training.train import DEFAULT_DATA, DEFAULT_RUNS

# Datasets of one shape share an extractor; the augmentations never flip an X-ray (TRAINING-NOTES.md).
GROUPS = {
    "grey28": {"datasets": ["pneumoniamnist", "breastmnist"], "dims": 2, "channels": 1, "size": 28,
               "aug": {"shift": 3, "amp": 0.15, "offset": 0.15}},
    "rgb28": {"datasets": ["retinamnist"], "dims": 2, "channels": 3, "size": 28,
              "aug": {"shift": 3, "amp": 0.15, "offset": 0.1, "hflip": True}},
    # at 64x64 a narrow first level and one level more keep a training step near a second on one core
    "rgb64": {"datasets": ["bccd"], "dims": 2, "channels": 3, "size": 64, "widths": (8, 16, 32, 64, 128),
              "aug": {"shift": 6, "amp": 0.15, "offset": 0.1, "dihedral": True}},
    # beats in the generators' and evaluator's units (mV / 1.5), so one scaling serves them all
    "ecg": {"datasets": ["mitbih"], "dims": 1, "channels": 1, "size": 256, "scale_mv": 1.5,
            "aug": {"shift": 8, "amp": 0.1, "offset": 0.1}},
}
FEATURE_DIM = 128
NOISE_STD = 0.05        # additive noise in network units, on top of the label-preserving augmentations
TEMPERATURE = 0.2       # NT-Xent temperature; 0.1-0.5 is the usual range for small batches
CE_WEIGHT = 0.5


def nt_xent(z1, z2, temperature=TEMPERATURE):
    """SimCLR's loss: each view's partner is its positive, the other 2B - 2 views its negatives."""
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.t() / temperature
    n = z1.shape[0]
    sim.fill_diagonal_(float("-inf"))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, target)


class Extractor(nn.Module):
    """The evaluator's network as the encoder, with a projection head for SimCLR (dropped at export)."""

    def __init__(self, cfg: ClassifierConfig):
        super().__init__()
        self.encoder = Classifier(cfg)
        self.projection = nn.Sequential(nn.Linear(cfg.feature_dim, cfg.feature_dim), nn.SiLU(),
                                        nn.Linear(cfg.feature_dim, 64))

    def forward(self, x):
        h = self.encoder.features(x)
        return h, self.projection(h), self.encoder.head(h)


def load_group(group, data_dir):
    """Every training split of the group, one joint label per (dataset, class)."""
    xs, ys, labels = [], [], []
    for name in GROUPS[group]["datasets"]:
        split = load_split(data_dir, name, "train", GROUPS[group].get("scale_mv", 1.0))
        xs.append(split.x)
        ys.append(split.y + len(labels))
        labels += [f"{name}/{c}" for c in split.classes]
    return torch.cat(xs), torch.cat(ys), labels


def train(group, data_dir, runs_dir, budget_s, batch_size=128, lr=1e-3, seed=0, resume=True, noise_std=NOISE_STD, max_steps=None):
    spec = GROUPS[group]
    x, y, labels = load_group(group, data_dir)
    cfg = ClassifierConfig(dims=spec["dims"], in_channels=spec["channels"], size=spec["size"],
                           channels=spec.get("widths", (32, 64, 128)), feature_dim=FEATURE_DIM, num_classes=len(labels), dropout=0.0)
    model = Extractor(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    run_dir = os.path.join(runs_dir, f"features-{group}")
    os.makedirs(run_dir, exist_ok=True)
    ckpt = os.path.join(run_dir, "checkpoint.pt")
    step, elapsed = 0, 0.0
    # power 0.5: the small datasets (BreastMNIST: 546 images) are seen often enough beside the large
    batches = BatchSampler(y.numpy(), batch_size, power=0.5, seed=seed)
    gen = torch.Generator().manual_seed(seed)
    if resume and os.path.exists(ckpt):
        state = torch.load(ckpt)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        batches.load_state_dict(state["batches"])
        gen.set_state(state["gen"])
        step, elapsed = state["step"], state["elapsed"]
        print(f"resumed at step {step} ({elapsed / 60:.1f} min)", flush=True)

    def save():
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "batches": batches.state_dict(),
                    "gen": gen.get_state(), "step": step, "elapsed": elapsed,
                    "arch": cfg.__dict__ | {"channels": list(cfg.channels)}, "labels": labels}, ckpt + ".tmp")
        os.replace(ckpt + ".tmp", ckpt)

    def view(batch):
        v = augment(batch, spec["aug"], gen)
        return v + noise_std * torch.randn(v.shape, generator=gen) if noise_std else v

    started, last_save, log = time.time(), time.time(), []
    model.train()
    while elapsed + (time.time() - started) < budget_s and (max_steps is None or step < max_steps):
        idx = torch.from_numpy(next(batches))
        batch, target = x[idx], y[idx]
        (h1, z1, logits1), (_, z2, logits2) = model(view(batch)), model(view(batch))
        contrastive = nt_xent(z1, z2)
        supervised = 0.5 * (F.cross_entropy(logits1, target) + F.cross_entropy(logits2, target))
        loss = contrastive + CE_WEIGHT * supervised
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 50 == 0:
            acc = (logits1.argmax(1) == target).float().mean().item()
            log.append({"step": step, "contrastive": contrastive.item(), "supervised": supervised.item(), "acc": acc})
            print(f"step {step}: contrastive {contrastive.item():.3f}, supervised {supervised.item():.3f}, "
                  f"batch accuracy {acc:.2f}", flush=True)
        if time.time() - last_save > 180:
            elapsed += time.time() - started
            started = last_save = time.time()
            save()
    elapsed += time.time() - started
    save()
    with open(os.path.join(run_dir, "log.jsonl"), "a") as f:
        for row in log:
            f.write(json.dumps(row) + "\n")
    print(f"saved {ckpt} at step {step} ({elapsed / 60:.1f} min)", flush=True)
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--group", choices=sorted(GROUPS), required=True)
    p.add_argument("--budget-min", type=float, default=60.0, help="total training time, across resumes")
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--runs", default=DEFAULT_RUNS)
    p.add_argument("--fresh", action="store_true", help="ignore a checkpoint and start again")
    p.add_argument("--noise-std", type=float, default=NOISE_STD, help="additive noise of each view (network units)")
    args = p.parse_args()
    torch.set_num_threads(max(1, (os.cpu_count() or 2) // 2))
    np.random.seed(0)
    train(args.group, args.data, args.runs, args.budget_min * 60, resume=not args.fresh, noise_std=args.noise_std)


if __name__ == "__main__":
    main()
