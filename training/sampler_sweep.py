"""Does a shipped generator fall short because of its sampler settings, or of its weights?

    /usr/bin/python3 -m training.sampler_sweep --model breast-ddpm --settings 2:1:50,1:1:50,2:0:50,2:1:250
    /usr/bin/python3 -m training.sampler_sweep --model breast-gan --settings none,2,1,0.5
    /usr/bin/python3 -m training.sampler_sweep --model bccd-ar --settings 1:1:0:1,2:1:0:1,3:1:0:1

Each setting of a diffusion model is guidance:eta:steps (DDIM, trailing spacing, as the card's
sampler); of a GAN, the truncation of z (none, or the bound); of an autoregressive transformer,
guidance:temperature:topK:topP. For each, the
same classes are sampled with the same seed (as many per class as the held-out split has, up to
--per-class), and the script prints how often the evaluator sees the requested class (beside how
often it recognises real held-out images of that class), the Frechet distance in the modality's
feature extractor to real held-out images, beside real training vs held-out at the same N, and, for
images, the share of samples with an unusual surround (evaluate.py's surround check).
"""
import argparse
import os

import numpy as np
import torch

from training.configs import get_config
from training.evaluate import EVALUATOR, find_extractor, predict
from training.medsynth import evaluate as ev
from training.medsynth.data import load_split, unscale_output
from training.medsynth.models import generate
from training.train import DEFAULT_DATA
from training.yardstick import MODELS, from_export


def sweep(model_id, settings, per_class=80, data_dir=DEFAULT_DATA, seed=100):
    cfg = get_config(model_id).to_dict()
    _, model = from_export(model_id)
    _, evaluator = from_export(EVALUATOR[cfg["dataset"]])
    _, extractor = find_extractor(MODELS, cfg["dataset"])
    train = load_split(data_dir, cfg["dataset"], cfg["train_split"], cfg["signal_scale_mv"])
    held = load_split(data_dir, cfg["dataset"], cfg["heldout_split"], cfg["signal_scale_mv"])
    K, yh, yt = len(train.classes), held.y.numpy(), train.y.numpy()
    rng = np.random.default_rng(seed)
    counts = [min(per_class, int((yh == c).sum()), int((yt == c).sum())) for c in range(K)]
    pick = lambda ys: np.concatenate([rng.choice(np.flatnonzero(ys == c), k, replace=False) for c, k in enumerate(counts)])
    f_held, f_train = predict(extractor, held.x[pick(yh)])[1], predict(extractor, train.x[pick(yt)])[1]
    p_held = predict(evaluator, held.x)[0].argmax(1)
    real_rate = np.array([(p_held == yh)[yh == c].mean() for c in range(K)])
    real_fd = ev.frechet_distance(f_train, f_held)
    print(f"{model_id}: {sum(counts)} a side; real training vs held-out FD {real_fd:.3g}; "
          f"real held-out recognised {np.round(real_rate, 3).tolist()}", flush=True)
    # images: the surround check of evaluate.py (borders beyond the training images' far-out fences)
    border = lambda x: ev.border_mean(unscale_output(x, "image", cfg["signal_scale_mv"]))
    fences = ev.surround_fences(border(train.x)) if train.index["kind"] == "image" else None
    y = torch.cat([torch.full((k,), c) for c, k in enumerate(counts)])
    rows = []
    for setting in settings:
        if cfg["method"] == "gan":
            run_cfg, guidance = {**cfg, "truncation": setting["truncation"]}, None
        elif cfg["method"] == "ar":
            run_cfg, guidance = {**cfg, "token_sampling": {k: setting[k] for k in ("temperature", "topK", "topP")}}, setting["guidance"]
        else:
            run_cfg = {**cfg, "sampler_defaults": {**cfg["sampler_defaults"], "eta": setting["eta"], "steps": setting["steps"]}}
            guidance = setting["guidance"]
        g = torch.Generator().manual_seed(seed)
        x = torch.cat([generate(cfg["method"], model, run_cfg, y[i:i + 100], g, guidance=guidance).cpu()
                       for i in range(0, len(y), 100)])
        if train.index["kind"] == "image":
            x = x.clamp(-1, 1)
        hit = predict(evaluator, x)[0].argmax(1) == y.numpy()
        rate = np.array([hit[y.numpy() == c].mean() for c in range(K)])
        fd = ev.frechet_distance(predict(extractor, x)[1], f_held)
        row = {**setting, "frechet": fd, "ratio": fd / real_fd, "classifiedAsRequested": rate.tolist()}
        if fences is not None:
            row["unusualSurround"] = float(ev.surround_outliers(border(x), fences).mean())
        rows.append(row)
        print(f"{' '.join(f'{k} {v}' for k, v in setting.items())}: FD {fd:.3g} ({fd / real_fd:.1f}x real-vs-real); "
              f"recognised {np.round(rate, 3).tolist()} ({np.round(rate / np.maximum(real_rate, 1e-9), 2).tolist()} of real)"
              + (f"; unusual surrounds {row['unusualSurround']:.1%}" if fences is not None else ""), flush=True)
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--settings", default=None,
                   help="comma-separated guidance:eta:steps (diffusion), truncations (GAN: none or a bound) "
                        "or guidance:temperature:topK:topP (AR)")
    p.add_argument("--per-class", type=int, default=80)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    method = get_config(a.model).method
    if method == "gan":
        text = a.settings or "none,2,1.5,1,0.5"
        settings = [{"truncation": None if t == "none" else float(t)} for t in text.split(",")]
    elif method == "ar":
        text = a.settings or "1:1:0:1,2:1:0:1,3:1:0:1,1:0.8:0:1,1:1:50:0.95"
        settings = [{"guidance": float(g), "temperature": float(t), "topK": int(k), "topP": float(p)}
                    for g, t, k, p in (x.split(":") for x in text.split(","))]
    else:
        text = a.settings or "2:1:50,1:1:50,1.5:1:50,2:0:50,1:0:50,2:1:100,2:1:250"
        settings = [{"guidance": float(g), "eta": float(e), "steps": int(s)} for g, e, s in (t.split(":") for t in text.split(","))]
    sweep(a.model, settings, a.per_class)


if __name__ == "__main__":
    main()
