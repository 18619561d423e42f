"""A membership test for the shipped generators (issues 16 and 17): does the model treat the images it
was trained on differently from held-out images of the same data?

    /usr/bin/python3 -m training.membership [--models xray-ddpm,breast-gan] [--out FILE]

Diffusion models: the score of an image is the model's denoising error on it, conditioned on its
class, averaged over fixed noise draws at a few timesteps (the loss-based attack of Carlini et al.
2023, "Extracting training data from diffusion models", and Matsumoto et al. 2023): a model that has
memorised its training images denoises them better than unseen ones.
VAEs, GANs and the autoregressive transformers (whose likelihood would be a stronger test, left for later): the score is the distance from
the image to the nearest of GENERATED_PER_CLASS samples the model makes of its class, at the card's
settings (the Monte Carlo attack of Hilprecht et al. 2019, "Monte Carlo and reconstruction membership
inference attacks against generative models", with the nearest distance as its score): a model that
hands back its training images makes samples closer to them than to unseen ones.
AUC is P(score of a training image < score of a held-out image); 0.5 means the model cannot tell them apart. N training images, drawn at random
with the held-out split's class mix, face the N held-out images; the interval is a bootstrap over
both sets.

Duplicate-aware: where the held-out split holds near-copies of training images (BreastMNIST does),
a held-out near-copy of a training image is "seen" in all but name, and pulls the AUC towards 0.5.
The test is therefore also run with held-out images whose nearest training image lies within the
held-out split's own 1st-percentile distance removed (`dedup`), and says how many were removed.
"""
import argparse
import json
import re

import numpy as np
import torch

from training.configs import get_config
from training.medsynth import evaluate as ev
from training.medsynth.data import load_split
from training.medsynth.models import generate
from training.medsynth.sampling import Diffusion
from training.train import DEFAULT_DATA
from training.yardstick import from_export

TIMESTEPS = (50, 100, 200, 400)      # low-to-mid noise: where the error still depends on the image's detail
DRAWS = 2                            # noise draws per timestep, the same for every image
MAX_HELD_OUT = 1000
GENERATED_PER_CLASS = 2000           # VAE and GAN: samples per class the distance score is taken against
GENERATORS = tuple(f"{d}-{m}" for m in ("ddpm", "vae", "gan", "ar") for d in ("xray", "breast", "retina", "bccd", "ecg")
                   + ("ecg-vae-nodp", "ecg-vae-dp10", "ecg-vae-dp1")      # issue 20's privacy variants
                   + ("breast-ddpm-memorised",))                           # issue 16's exhibit of memorisation


@torch.no_grad()
def denoising_error(model, diffusion, x, y, seed=0, batch=256, noises=None):
    """Mean squared error of the predicted noise, per image, over TIMESTEPS x DRAWS fixed draws.
    noises[k * DRAWS + d], when given, is the (N, C, *S) noise of timestep k's draw d (the parity
    test's fixed numbers); otherwise it is drawn from `seed`. src/judge/membership.ts is the same."""
    out = torch.zeros(len(x))
    for i in range(0, len(x), batch):
        xb, yb = x[i:i + batch], y[i:i + batch]
        total = torch.zeros(len(xb))
        for k, t in enumerate(TIMESTEPS):
            for d in range(DRAWS):
                if noises is not None:
                    noise = noises[k * DRAWS + d][i:i + len(xb)]
                else:
                    # the same noise for the j-th image of every call: scores differ by the image alone
                    gen = torch.Generator().manual_seed(seed + 1000 * k + d)
                    noise = torch.randn((len(x),) + tuple(x.shape[1:]), generator=gen)[i:i + len(xb)]
                tt = torch.full((len(xb),), t, dtype=torch.long)
                eps = model(diffusion.q_sample(xb, tt, noise), tt.float(), yb)
                total += ((eps - noise) ** 2).flatten(1).mean(1)
        out[i:i + len(xb)] = total / (len(TIMESTEPS) * DRAWS)
    return out.numpy()


@torch.no_grad()
def nearest_generated_distance(cfg, model, x, y, per_class=GENERATED_PER_CLASS, seed=0, batch=500):
    """Distance (network units, Euclidean) from each image to the nearest of `per_class` samples the
    model makes of its class, at the card's settings; images are compared as the page shows them
    (samples clipped to the data range)."""
    out = np.empty(len(x))
    for c in torch.unique(y).tolist():
        g = torch.Generator().manual_seed(seed + 1000 + c)
        made = torch.cat([generate(cfg["method"], model, cfg, torch.full((min(batch, per_class - i),), c), g).cpu()
                          for i in range(0, per_class, batch)])
        if x.dim() == 4:
            made = made.clamp(-1, 1)
        mask = (y == c).numpy()
        out[mask] = ev.nearest_distances(x[mask], made)
    return out


def auc_with_interval(train_err, held_err, rng, resamples=1000):
    """AUC that a training image has the lower error, with a 95% bootstrap interval."""
    def auc(a, b):
        return ev.auc_binary(-np.concatenate([a, b]), np.r_[np.ones(len(a)), np.zeros(len(b))].astype(bool))
    value = auc(train_err, held_err)
    boot = [auc(rng.choice(train_err, len(train_err)), rng.choice(held_err, len(held_err))) for _ in range(resamples)]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return {"auc": value, "interval95": [float(lo), float(hi)], "n": [len(train_err), len(held_err)]}


def near_copies(held, train, quantile=1.0):
    """Held-out images whose nearest training image is closer than the quantile-th percentile of
    held-out-to-held-out nearest distances: copies of training images under another split's name."""
    h, t = held.flatten(1), train.flatten(1)
    to_train = ev.nearest_distances(h, t)
    within = torch.cdist(h, h)
    within.fill_diagonal_(float("inf"))
    threshold = np.percentile(within.min(1).values.numpy(), quantile)
    return to_train < threshold, float(threshold)


def measure(model_id, data_dir, seed=0):
    cfg = get_config(model_id).to_dict()
    _, model = from_export(model_id)
    diffusion = Diffusion.from_config(cfg) if cfg["method"] == "ddpm" else None
    held = load_split(data_dir, cfg["dataset"], cfg["heldout_split"], cfg["signal_scale_mv"])
    train = load_split(data_dir, cfg["dataset"], cfg["train_split"], cfg["signal_scale_mv"])
    rng = np.random.default_rng(seed)
    if len(held.y) > MAX_HELD_OUT:                # MIT-BIH's DS2 has ~50,000 beats: a random thousand
        keep = torch.from_numpy(np.sort(rng.choice(len(held.y), MAX_HELD_OUT, replace=False)))
        held = type(held)(held.x[keep], held.y[keep], held.classes, held.index)
    counts = held.class_counts
    idx = np.concatenate([rng.choice(np.flatnonzero(train.y.numpy() == c), size=min(k, int((train.y == c).sum())), replace=False)
                          for c, k in enumerate(counts) if k])
    if cfg["method"] == "ddpm":
        score = lambda x, y: denoising_error(model, diffusion, x, y, seed)
        attack = {"attack": "denoising error", "timesteps": list(TIMESTEPS), "draws": DRAWS}
    else:
        score = lambda x, y: nearest_generated_distance(cfg, model, x, y, seed=seed)
        attack = {"attack": "distance to the nearest generated sample of the class", "generatedPerClass": GENERATED_PER_CLASS}
    train_err = score(train.x[idx], train.y[idx])
    held_err = score(held.x, held.y)
    copies, threshold = near_copies(held.x, train.x)
    result = {"model": model_id, **attack,
              "all": auc_with_interval(train_err, held_err, rng),
              "dedup": auc_with_interval(train_err, held_err[~copies], rng),
              "heldOutNearCopies": int(copies.sum()), "nearCopyThreshold": threshold,
              "meanError": {"train": float(train_err.mean()), "heldOut": float(held_err.mean())},
              # held-out records of other patients: the AUC then also measures how patients differ
              # (src/judge/membership.ts reads the same line of the dataset's index)
              "splitByPatient": any(re.search("split by patient", step, re.I) for step in held.index.get("processing", []))}
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=",".join(GENERATORS))
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--out")
    p.add_argument("--write-cards", action="store_true", help="write each result into models/<id>/card.json and README.md")
    args = p.parse_args()
    torch.set_num_threads(1)
    results = []
    for model_id in args.models.split(","):
        r = measure(model_id, args.data)
        results.append(r)
        a, d = r["all"], r["dedup"]
        print(f"{model_id}: AUC {a['auc']:.3f} [{a['interval95'][0]:.3f}, {a['interval95'][1]:.3f}] (N {a['n']}); "
              f"without {r['heldOutNearCopies']} held-out near-copies {d['auc']:.3f} "
              f"[{d['interval95'][0]:.3f}, {d['interval95'][1]:.3f}]; mean score train {r['meanError']['train']:.4f}, "
              f"held-out {r['meanError']['heldOut']:.4f}", flush=True)
        if args.write_cards:
            write_card(r)
    if args.out:
        json.dump(results, open(args.out, "w"), indent=2)


def write_card(result):
    """The result into the model's card (quality.membership) and README, beside the other figures."""
    import datetime
    import os
    from training.export import write_card
    from training.yardstick import MODELS
    folder = os.path.join(MODELS, result["model"])
    card = json.load(open(os.path.join(folder, "card.json")))
    card["quality"]["membership"] = {**result, "measured": datetime.date.today().isoformat(),
                                     "definition": f"AUC = P({result.get('attack', 'denoising error')} of a training image < that "
                                                   "of a held-out image); 0.5: the model cannot tell them apart (training/membership.py)"}
    write_card(folder, card)


if __name__ == "__main__":
    main()
