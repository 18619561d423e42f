"""Measure the shipped generators in a modality's feature extractor's space (training/features.py),
always beside real-vs-real at the same sample size (issue 16):

    /usr/bin/python3 -m training.yardstick --group grey28

For each generator of the group's datasets, N samples are made from models/<id>/ exactly as
exported (the card's architecture and stored weights, sampled at the config's sampler defaults),
N being the held-out split's size with its class mix. Against the held-out features:
  - FD (Frechet distance) of the generated set, and of N real training images drawn with the same
    class mix (the real-vs-real yardstick at the same N, over several draws);
  - KID (unbiased MMD^2, cubic polynomial kernel, Binkowski et al. 2018) the same way, with the spread
    over subsets;
and, for orientation, both again in the project's evaluator space. Prints a table; writes JSON.
"""
import argparse
import json
import os

import numpy as np
import torch

from training.configs import get_config
from training.features import GROUPS, Extractor
from training.medsynth import evaluate as ev
from training.medsynth.classifier import ClassifierConfig
from training.medsynth.data import load_split
from training.medsynth.export import load_export
from training.medsynth.models import generate
from training.train import DEFAULT_DATA, DEFAULT_RUNS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "models")
PREFIX = {"pneumoniamnist": "xray", "breastmnist": "breast", "retinamnist": "retina", "bccd": "bccd", "mitbih": "ecg"}


def from_export(model_id):
    """The network of models/<id>/ with its stored weights, as the browser loads it."""
    return load_export(os.path.join(MODELS, model_id))


def load_extractor(group, runs_dir):
    state = torch.load(os.path.join(runs_dir, f"features-{group}", "checkpoint.pt"))
    arch = dict(state["arch"])
    arch["channels"] = tuple(arch["channels"])
    model = Extractor(ClassifierConfig(**arch))
    model.load_state_dict(state["model"])
    return model.eval(), state["step"]


@torch.no_grad()
def features(fn, x, batch=512):
    return torch.cat([fn(x[i:i + batch]) for i in range(0, len(x), batch)]).numpy().astype(np.float64)


def spread(values):
    values = np.asarray(values, dtype=np.float64)
    return {"mean": float(values.mean()), "sd": float(values.std(ddof=1)) if len(values) > 1 else 0.0}


def with_mix(y_pool, counts, rng):
    """Indices into y_pool drawn without replacement with `counts` of each class."""
    return np.concatenate([rng.choice(np.flatnonzero(y_pool == c), size=k, replace=False) for c, k in enumerate(counts) if k])


def halves(a, b, rng, repeats):
    """FD and KID of a vs b over random halves of each: their spread says how much N alone moves them."""
    fd, kd = [], []
    for _ in range(repeats):
        ia, ib = rng.permutation(len(a))[: len(a) // 2], rng.permutation(len(b))[: len(b) // 2]
        fd.append(ev.frechet_distance(a[ia], b[ib]))
        kd.append(ev.kernel_distance(a[ia], b[ib]))
    return fd, kd


def measure(group, data_dir, runs_dir, draws=5, seed=0):
    extractor, step = load_extractor(group, runs_dir)
    rng = np.random.default_rng(seed)
    out = {"group": group, "extractorSteps": step, "datasets": {}}
    for dataset in GROUPS[group]["datasets"]:
        held = load_split(data_dir, dataset, "test", GROUPS[group].get("scale_mv", 1.0))
        train = load_split(data_dir, dataset, "train", GROUPS[group].get("scale_mv", 1.0))
        counts = held.class_counts
        n = int(counts.sum())
        evaluator_card, evaluator = from_export(f"{PREFIX[dataset]}-classifier")
        spaces = {"extractor": extractor.encoder.features, "evaluator": evaluator.features}
        real = {name: (features(fn, held.x), features(fn, train.x)) for name, fn in spaces.items()}
        rows = {}
        for name, (h, t) in real.items():
            fd, kd = [], []
            for _ in range(draws):
                idx = with_mix(train.y.numpy(), counts, rng)
                fd.append(ev.frechet_distance(t[idx], h))
                kd.append(ev.kernel_distance(t[idx], h))
            rows.setdefault("real train", {})[name] = {"fd": spread(fd), "kid": spread(kd)}
        for method in ("ddpm", "vae"):
            model_id = f"{PREFIX[dataset]}-{method}"
            if not os.path.exists(os.path.join(MODELS, model_id)):
                continue
            _, model = from_export(model_id)
            cfg = get_config(model_id).to_dict()
            y = torch.from_numpy(np.repeat(np.arange(len(counts)), counts)).long()
            gen = torch.Generator().manual_seed(seed)
            x = torch.cat([generate(method, model, cfg, y[i:i + 256], gen) for i in range(0, n, 256)]).clamp(-1, 1)
            for name, fn in spaces.items():
                g = features(fn, x)
                h = real[name][0]
                fd_half, kid_half = halves(g, h, rng, draws)
                rows.setdefault(model_id, {})[name] = {
                    "fd": {"value": ev.frechet_distance(g, h), "halves": spread(fd_half)},
                    "kid": {"value": ev.kernel_distance(g, h), "halves": spread(kid_half)},
                }
            print(f"{model_id}: measured", flush=True)
        out["datasets"][dataset] = {"n": n, "classCounts": counts.tolist(), "rows": rows}
    return out


def table(result):
    lines = []
    for dataset, d in result["datasets"].items():
        lines.append(f"\n{dataset}: N = {d['n']} (held-out class mix {d['classCounts']})")
        lines.append(f"{'':14s} {'FD extractor':>18s} {'KID extractor':>22s} {'FD evaluator':>18s} {'KID evaluator':>22s}")
        for who, spaces in d["rows"].items():
            cells = []
            for space in ("extractor", "evaluator"):
                for metric in ("fd", "kid"):
                    v = spaces[space][metric]
                    mean, sd = (v["mean"], v["sd"]) if "mean" in v else (v["value"], v["halves"]["sd"])
                    cells.append(f"{mean:10.4f} +- {sd:7.4f}" if metric == "kid" else f"{mean:9.3f} +- {sd:6.3f}")
            lines.append(f"{who:14s} " + " ".join(f"{c:>20s}" for c in cells))
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--group", choices=sorted(GROUPS), required=True)
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--runs", default=DEFAULT_RUNS)
    p.add_argument("--out", help="write the figures as JSON here")
    args = p.parse_args()
    torch.set_num_threads(1)
    result = measure(args.group, args.data, args.runs)
    print(table(result))
    if args.out:
        json.dump(result, open(args.out, "w"), indent=2)


if __name__ == "__main__":
    main()
