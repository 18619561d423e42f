"""Export a trained feature extractor (training/features.py) to models/features-<group>/ for the judge,
with its card, README and parity vectors, after measuring what it is for.

    /usr/bin/python3 -m training.export_features --group grey28

The extractor ships as a classifier network (the evaluator's architecture, so the browser builds it
with the same code) whose head names every (dataset, class) pair; the judge reads its penultimate
features. The card's `features.for` names the datasets it measures.

Measured on each dataset's held-out split, and written on the card:
  - the multi-task head's balanced accuracy (the features still separate the classes);
  - real training vs held-out: Frechet and kernel distances at N = the held-out size (at most
    MAX_HELD_OUT), with the class mix of the held-out split, in the extractor's features and in the
    dataset's evaluator's;
  - sensitivity: the same, with the held-out images blurred (3x3 box; beats: a 9-sample moving
    average), as a multiple of real-vs-real. A feature space in which blurred real data is as close
    as real data cannot tell a blurry generator from a good one.
"""
import argparse
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from training.export import DEFAULT_MODELS, write_card, write_network
from training.features import GROUPS
from training.medsynth import evaluate as ev
from training.medsynth.card import INTENDED_USE, architecture, scaling
from training.medsynth.data import load_split, read_index
from training.membership import MAX_HELD_OUT
from training.train import DEFAULT_DATA, DEFAULT_RUNS
from training.yardstick import PREFIX, features, from_export, load_extractor, with_mix

NAMES = {"grey28": "greyscale 28x28: chest X-ray and breast ultrasound",
         "rgb28": "colour 28x28: fundus photographs", "rgb64": "colour 64x64: blood-cell patches",
         "ecg": "single-lead heartbeats, 256 samples"}
OBJECTIVE = ("SimCLR (NT-Xent between two label-preserving augmentations of each training example, "
             "temperature {t}) plus cross-entropy over every (dataset, class) pair (weight {w}), on the "
             "training splits of {datasets} only")


def blur(x):
    """(N, C, H, W) 3x3 box blur, or (N, C, L) 9-sample moving average; edges average what is there."""
    if x.dim() == 4:
        return F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
    return F.avg_pool1d(x, 9, stride=1, padding=4, count_include_pad=False)


def balanced_accuracy(pred, y, k):
    recalls = [float((pred[y == c] == c).mean()) for c in range(k) if (y == c).any()]
    return float(np.mean(recalls))


@torch.no_grad()
def measure(group, encoder, labels, data_dir, seed=0):
    spec = GROUPS[group]
    scale = spec.get("scale_mv", 1.0)
    rng = np.random.default_rng(seed)
    out = {}
    for name in spec["datasets"]:
        held = load_split(data_dir, name, "test", scale)
        train = load_split(data_dir, name, "train", scale)
        if len(held.y) > MAX_HELD_OUT:      # MIT-BIH's DS2: a random thousand
            keep = torch.from_numpy(np.sort(rng.choice(len(held.y), MAX_HELD_OUT, replace=False)))
            held = type(held)(held.x[keep], held.y[keep], held.classes, held.index)
        counts = [int((held.y == c).sum()) for c in range(len(held.classes))]
        idx = torch.from_numpy(with_mix(train.y.numpy(), [min(k, int((train.y == c).sum())) for c, k in enumerate(counts)], rng))
        real, heldx, blurred = train.x[idx], held.x, blur(held.x)

        # the head, restricted to this dataset's labels
        cols = [i for i, label in enumerate(labels) if label.startswith(name + "/")]
        logits = torch.cat([encoder(heldx[i:i + 512]) for i in range(0, len(heldx), 512)])[:, cols]
        head = balanced_accuracy(logits.argmax(1).numpy(), held.y.numpy(), len(cols))

        _, evaluator = from_export(f"{PREFIX[name]}-classifier")
        spaces = {}
        for space, fn in (("extractor", encoder.features), ("evaluator", evaluator.features)):
            t, h, b = features(fn, real), features(fn, heldx), features(fn, blurred)
            fd, fd_blur = ev.frechet_distance(t, h), ev.frechet_distance(t, b)
            kid, kid_blur = ev.kernel_distance(t, h), ev.kernel_distance(t, b)
            spaces[space] = {"dim": int(t.shape[1]), "frechetRealVsHeldOut": fd, "frechetRealVsBlurredHeldOut": fd_blur,
                             "blurredOverReal": fd_blur / fd, "kidRealVsHeldOut": kid, "kidRealVsBlurredHeldOut": kid_blur}
        out[name] = {"heldOutSplit": "test", "n": len(held.y), "headBalancedAccuracy": head, "spaces": spaces}
        print(f"{name}: N {len(held.y)}, head balanced accuracy {head:.3f}; " + "; ".join(
            f"{s}: FD real {v['frechetRealVsHeldOut']:.3g}, blurred {v['frechetRealVsBlurredHeldOut']:.3g} "
            f"(x{v['blurredOverReal']:.1f})" for s, v in spaces.items()), flush=True)
    return out


def build_features_card(group, cfg, labels, state, quality, weights_info, parity_info, data_dir):
    spec = GROUPS[group]
    indexes = {name: read_index(data_dir, name) for name in spec["datasets"]}
    first = indexes[spec["datasets"][0]]
    from training.features import CE_WEIGHT, TEMPERATURE
    return {
        "id": f"features-{group}", "name": f"Feature extractor, {NAMES[group]}",
        "modality": "; ".join(i.get("modality", n) for n, i in indexes.items()),
        "method": "classifier", "dataset": group, "classes": labels,
        "architecture": architecture(cfg),
        "scaling": scaling(first["kind"], {"signal_scale_mv": spec.get("scale_mv", 1.0)}),
        "features": {"for": list(spec["datasets"]),
                     "objective": OBJECTIVE.format(t=TEMPERATURE, w=CE_WEIGHT, datasets=", ".join(spec["datasets"]))},
        **({"signal": {k: first[k] for k in ("sampleRateHz", "units", "window") if k in first}} if first["kind"] == "signal" else {}),
        "provenance": {"datasets": {n: {**i.get("provenance", {}), "trainedOn": {"split": "train", "count": i["splits"]["train"]["count"]},
                                        "dataStamp": i.get("stamp")} for n, i in indexes.items()}},
        "training": {"steps": state["step"], "wallSeconds": round(state["elapsed"]), "batch": 128,
                     "augmentation": spec["aug"], "hardware": "CPU, 1 thread", "torch": torch.__version__},
        "quality": quality, "weights": weights_info, "parity": parity_info, "intendedUse": INTENDED_USE,
        "limitations": [
            "Trained for a fixed CPU budget (see training), not to convergence; the figures below are what it reached.",
            "Its features keep more than a classifier's, but they are still a small network's: they see what "
            "augmentations left unchanged during training (shift, intensity, noise) as unimportant.",
            "Measures only the datasets it was trained on (features.for).",
        ] + blur_notes(quality),
    }


def blur_notes(quality):
    """What the blur test found, in words, where the extractor is less sensitive to blur than the evaluator."""
    notes = []
    for name, m in quality.items():
        e, v = m["spaces"]["extractor"], m["spaces"]["evaluator"]
        if e["blurredOverReal"] < v["blurredOverReal"]:
            notes.append(f"{name}: blurring the held-out images moves the Frechet distance less in its features than in the "
                         f"evaluator's ({e['blurredOverReal']:.1f} against {v['blurredOverReal']:.1f} times real-vs-real): it "
                         "is no better than the evaluator at seeing blur as such (its training augments with noise, which "
                         "teaches some indifference to fine detail). What it does better is measured on the generators' cards.")
    return notes


def features_readme(card):
    q = card["quality"]
    lines = [f"# {card['name']}", "",
             f"`{card['id']}`: the judge's feature space for {', '.join(card['features']['for'])}. Distances between "
             f"sample sets (Frechet, kernel, precision/recall) are measured in its {card['architecture']['featureDim']} "
             "penultimate features instead of an evaluator's, which keep little beyond the class.", "",
             f"Trained with {card['features']['objective']}: {card['training']['steps']} steps of batch "
             f"{card['training']['batch']} in {card['training']['wallSeconds']} s ({card['training']['hardware']}). "
             f"{card['weights']['parameters']:,} parameters, {card['weights']['storage']}.", "",
             "## Measured", "",
             "On each dataset's held-out split; real = as many training examples with the held-out class mix; blurred = "
             "the held-out examples blurred (3x3 box; beats: 9-sample moving average).", "",
             "| dataset | N | head balanced accuracy | space | FD real vs held-out | FD real vs blurred | blurred / real |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, m in q.items():
        for space, v in m["spaces"].items():
            lines.append(f"| {name} | {m['n']} | {m['headBalancedAccuracy']:.3f} | {space} ({v['dim']}) | "
                         f"{v['frechetRealVsHeldOut']:.3g} | {v['frechetRealVsBlurredHeldOut']:.3g} | {v['blurredOverReal']:.1f} |")
    lines += ["", "## Limitations", ""] + [f"- {x}" for x in card["limitations"]]
    lines += ["", "## Intended use", "", card["intendedUse"], ""]
    return "\n".join(lines)


def export_features(group, runs_dir=DEFAULT_RUNS, models_dir=DEFAULT_MODELS, data_dir=DEFAULT_DATA):
    started = time.time()
    state = torch.load(os.path.join(runs_dir, f"features-{group}", "checkpoint.pt"))
    labels = state["labels"]
    arch = {k: (tuple(v) if k == "channels" else v) for k, v in state["arch"].items()}
    cfg = {"method": "classifier", "arch": arch}
    model_id = f"features-{group}"
    out_dir = os.path.join(models_dir, model_id)
    encoder, weights_info, parity_info = write_network(cfg, lambda: load_extractor(group, runs_dir)[0].encoder, out_dir, model_id)
    quality = measure(group, encoder.eval(), labels, data_dir)
    card = build_features_card(group, cfg, labels, state, quality, weights_info, parity_info, data_dir)
    write_card(out_dir, card, features_readme(card))
    print(f"{model_id}: exported to {out_dir} ({weights_info['storage']}, {weights_info['files'][0]['bytes']:,} bytes) "
          f"in {time.time() - started:.0f} s", flush=True)
    return card


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--group", choices=sorted(GROUPS), required=True)
    p.add_argument("--runs", default=DEFAULT_RUNS)
    p.add_argument("--models", default=DEFAULT_MODELS)
    p.add_argument("--data", default=DEFAULT_DATA)
    a = p.parse_args()
    torch.set_num_threads(1)
    export_features(a.group, a.runs, a.models, a.data)


if __name__ == "__main__":
    main()
