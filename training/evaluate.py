"""Measure a trained model on held-out data and write the figures into its card.

    /usr/bin/python3 -m training.evaluate --model xray-ddpm

Classifiers (the evaluators): held-out accuracy, AUC, per-class recall, confusion matrix.
Generators: conditional accuracy under the evaluator (per class), Frechet distance in the
evaluator's feature space against real held-out data (beside real-train vs real-held-out), the same
with intervals and FD at infinite N in the modality's feature extractor where one is exported
(models/features-*), and a nearest-training-sample check for copies. Writes runs/<id>/quality.json and eval-samples.png,
then re-exports models/<id>/ so card.json and README.md carry the figures.
"""
import argparse
import os
import math

import numpy as np
import torch
import torch.nn.functional as F

from training.export import DEFAULT_MODELS, export_model
from training.medsynth import evaluate as ev
from training.medsynth.ar import perplexity
from training.medsynth.data import load_split, unscale_output
from training.medsynth.export import load_export, round_to_storage
from training.medsynth.models import generate, load_run, read_json, write_json
from training.medsynth.vae import vae_loss
from training.train import DEFAULT_DATA, DEFAULT_RUNS, write_grid

EVALUATOR = {"pneumoniamnist": "xray-classifier", "mitbih": "ecg-classifier", "retinamnist": "retina-classifier",
             "breastmnist": "breast-classifier", "bccd": "bccd-classifier"}
PUBLISHED = {  # MedMNIST v2 (Yang et al. 2023), table of 2D results, test split
    "pneumoniamnist": {"ResNet-18 (28)": {"acc": 0.854, "auc": 0.944},
                       "ResNet-50 (28)": {"acc": 0.854, "auc": 0.948}},
    "breastmnist": {"ResNet-18 (28)": {"acc": 0.863, "auc": 0.901},
                    "ResNet-50 (28)": {"acc": 0.812, "auc": 0.857}},
    "retinamnist": {"ResNet-18 (28)": {"acc": 0.524, "auc": 0.717},
                    "ResNet-50 (28)": {"acc": 0.528, "auc": 0.726}},
}
MIN_CLASS_COUNT = 20   # classes with fewer held-out examples are left out of Frechet distances


def load_as_exported(run_dir, models_dir, model_id):
    """The run's (EMA) weights rounded exactly as models/<id>/ stores them."""
    cfg, model, _ = load_run(run_dir)
    card = read_json(os.path.join(models_dir, model_id, "card.json"), {})
    return cfg, round_to_storage(model, card.get("weights", {}).get("storage", "float16"))


@torch.no_grad()
def predict(classifier, x, batch=512):
    """-> (probabilities (N, K), features (N, D)) as numpy."""
    probs, feats = [], []
    device = next(classifier.parameters()).device
    for i in range(0, len(x), batch):
        f = classifier.features(x[i:i + batch].to(device))
        probs.append(torch.softmax(classifier.head(f), 1).cpu())
        feats.append(f.cpu())
    return torch.cat(probs).numpy(), torch.cat(feats).numpy()


def classifier_quality(cfg, model, data_dir):
    held = load_split(data_dir, cfg["dataset"], cfg["heldout_split"], cfg["signal_scale_mv"])
    probs, _ = predict(model, held.x)
    y = held.y.numpy()
    K = len(held.classes)
    pred = probs.argmax(1)
    cm = ev.confusion(y, pred, K)
    recall = {c: (float(cm[i, i] / cm[i].sum()) if cm[i].sum() else None) for i, c in enumerate(held.classes)}
    aucs = ev.auc_one_vs_rest(probs, y)
    q = {"heldOutSplit": cfg["heldout_split"], "heldOutCount": int(len(y)),
         "accuracy": float((pred == y).mean()),
         "balancedAccuracy": float(np.nanmean([v for v in recall.values() if v is not None])),
         "auc": aucs[1] if K == 2 else float(np.nanmean(aucs)),
         "aucDefinition": "positive class = " + held.classes[1] if K == 2 else "macro mean of one-vs-rest AUCs over classes present",
         "perClassAuc": dict(zip(held.classes, [None if np.isnan(a) else a for a in aucs])),
         "perClassRecall": recall,
         "confusion": {"rows": "true class", "columns": "predicted class", "matrix": cm.tolist()}}
    if cfg["dataset"] in PUBLISHED:
        q["publishedBaselines"] = PUBLISHED[cfg["dataset"]]
    return q


def find_extractor(models_dir, dataset):
    """(card, network) of the exported feature extractor whose card names `dataset`, or None."""
    if not os.path.isdir(models_dir):
        return None
    for name in sorted(os.listdir(models_dir)):
        path = os.path.join(models_dir, name, "card.json")
        if os.path.exists(path) and dataset in read_json(path).get("features", {}).get("for", []):
            return load_export(os.path.join(models_dir, name))
    return None


def generator_quality(cfg, model, evaluator, data_dir, run_dir, models_dir=DEFAULT_MODELS):
    train = load_split(data_dir, cfg["dataset"], cfg["train_split"], cfg["signal_scale_mv"])
    held = load_split(data_dir, cfg["dataset"], cfg["heldout_split"], cfg["signal_scale_mv"])
    K, n = len(train.classes), cfg["eval_per_class"]
    g = torch.Generator().manual_seed(cfg["seed"] + 100)
    rng = np.random.default_rng(cfg["seed"] + 100)

    # 1. n samples per class, in batches
    y_gen = torch.arange(K).repeat_interleave(n)
    x_gen = torch.cat([generate(cfg["method"], model, cfg, y_gen[i:i + 100], g).cpu()
                       for i in range(0, len(y_gen), 100)])
    clip = cfg["clip_sample"] if cfg["method"] == "ddpm" else None
    if train.index["kind"] == "image":
        x_gen = x_gen.clamp(-1, 1)                                   # what the browser shows
    kind = train.index["kind"]
    grid_y = torch.cat([torch.arange(c * n, c * n + min(n, 8)) for c in range(K)])
    write_grid(os.path.join(run_dir, "eval-samples.png"),
               unscale_output(x_gen[grid_y], kind, cfg["signal_scale_mv"]), kind, rows=K)

    # 2. does the evaluator see the requested class?
    p_gen, f_gen = predict(evaluator, x_gen)
    hit = p_gen.argmax(1) == y_gen.numpy()
    # the card's sampler defaults are what generate() sampled with (it refuses any it cannot honour)
    if cfg["method"] == "ddpm":
        sampler = {**cfg["sampler_defaults"], "clipRange": clip}
    elif cfg["method"] == "ar":
        sampler = {"tokens": "one at a time, key/value cache", **cfg["token_sampling"]}
    else:
        sampler = {"z": "N(0, I)", **({"truncation": cfg["truncation"]} if cfg["method"] == "gan" else {})}
    q = {"samplesPerClass": n, "sampler": sampler,
         "evaluator": EVALUATOR[cfg["dataset"]],
         "classifiedAsRequested": {c: float(hit[y_gen.numpy() == i].mean()) for i, c in enumerate(train.classes)}}

    # 3. ...beside how often the evaluator agrees with the labels of real data, for scale
    p_held, f_held = predict(evaluator, held.x)
    p_train, f_train = predict(evaluator, train.x)
    yh, yt, yg = held.y.numpy(), train.y.numpy(), y_gen.numpy()
    agree = lambda p, ys: {c: (float((p.argmax(1) == ys)[ys == i].mean()) if (ys == i).any() else None)
                           for i, c in enumerate(train.classes)}
    q["realTrainClassifiedAsLabelled"] = agree(p_train, yt)
    q["realHeldOutClassifiedAsLabelled"] = agree(p_held, yh)

    # 4. Frechet distance on a class-balanced mix of the classes common enough to measure
    pick = lambda ys, c, k: rng.choice(np.flatnonzero(ys == c), k, replace=False)
    sel_h, sel_t, sel_g, used = [], [], [], []
    for c in range(K):
        k = min(n, int((yh == c).sum()), int((yt == c).sum()))
        if k < min(MIN_CLASS_COUNT, n):
            continue
        used.append(train.classes[c])
        sel_h.append(pick(yh, c, k)), sel_t.append(pick(yt, c, k)), sel_g.append(pick(yg, c, k))
    sel_h, sel_t, sel_g = (np.concatenate(s) for s in (sel_h, sel_t, sel_g))
    q["frechet"] = {"space": f"{EVALUATOR[cfg['dataset']]} penultimate features ({f_gen.shape[1]} dims)",
                    "classes": used, "perClass": int(len(sel_h) // max(len(used), 1)),
                    "generatedVsHeldOut": ev.frechet_distance(f_gen[sel_g], f_held[sel_h]),
                    "realTrainVsHeldOut": ev.frechet_distance(f_train[sel_t], f_held[sel_h])}

    # 4b. the same mix in the features of the modality's extractor (training/export_features.py), with
    # intervals and FD at infinite N, real-vs-real beside at the same N: the figures the judge shows first
    extractor = find_extractor(models_dir, cfg["dataset"])
    if extractor is not None:
        ext_card, ext = extractor
        order = rng.permutation(len(sel_h))                          # classes mixed before any prefix is taken
        fx = lambda x: predict(ext, x)[1]
        e_gen, e_held, e_train = fx(x_gen[sel_g[order]]), fx(held.x[sel_h[order]]), fx(train.x[sel_t[order]])
        q["independentFeatures"] = {"extractor": ext_card["id"], "dims": int(e_gen.shape[1]), "classes": used,
                                    "perClass": int(len(sel_h) // max(len(used), 1)),
                                    "generatedVsHeldOut": ev.compare_sets(e_gen, e_held, rng),
                                    "realTrainVsHeldOut": ev.compare_sets(e_train, e_held, rng)}

    # 4c. images: the surround check (src/judge/artefacts.ts): borders beyond the training images' far-out
    # fences, per class, for generated, real training and real held-out images
    if kind == "image":
        border = lambda x: ev.border_mean(unscale_output(x, kind, cfg["signal_scale_mv"]))
        b_train = border(train.x)
        fences = ev.surround_fences(b_train)
        unusual = lambda b, ys: {c: [int(ev.surround_outliers(b, fences)[ys == i].sum()), int((ys == i).sum())]
                                 for i, c in enumerate(train.classes)}
        q["surround"] = {"width": 2, "fences": list(fences), "definition": "[unusual, checked] per class: border mean beyond "
                         "Tukey's far-out fences of the real training images' border means",
                         "generated": unusual(border(x_gen), yg), "realTrain": unusual(b_train, yt),
                         "realHeldOut": unusual(border(held.x), yh)}

    # 5. copies: nearest training sample, generated vs real held-out
    held_sel = rng.choice(len(held.y), min(len(x_gen), len(held.y)), replace=False)
    q["memorisation"] = ev.memorisation(x_gen, held.x[held_sel], train.x)

    if cfg["method"] == "vae":
        model.cpu()
        with torch.no_grad():
            mu, logvar = model.encoder(held.x, held.y)
            x_hat = model.decoder(mu, held.y)
            _, recon, kl = vae_loss(held.x, x_hat, mu, logvar, cfg["recon_sigma"], 1.0)
        q["heldOut"] = {"reconstructionMse": float(((held.x - x_hat) ** 2).mean()),
                        "negativeElboNats": float(recon + kl), "klNats": float(kl)}
    if cfg["method"] == "ar":
        q["tokens"] = token_quality(model.cpu(), held)
    return q


@torch.no_grad()
def token_quality(model, held, batch=200):
    """The VQ's reconstruction error and code use on held-out data, and the transformer's held-out
    cross-entropy (bits per token, true class as the prompt): what limits an AR model's samples."""
    model.eval()
    codes = torch.cat([model.vq.encode(held.x[i:i + batch]) for i in range(0, len(held.y), batch)])
    recon = torch.cat([model.vq.decode(codes[i:i + batch]) for i in range(0, len(codes), batch)])
    nll = torch.cat([F.cross_entropy(model.gpt.teacher_forced(codes[i:i + batch], held.y[i:i + batch]).flatten(0, 1),
                                     codes[i:i + batch].flatten(), reduction="none")
                     for i in range(0, len(codes), batch)])
    C = model.cfg.codebook_size
    return {"heldOutReconstructionMse": float(((held.x - recon) ** 2).mean()),
            "codesUsed": int(len(codes.unique())), "codebookSize": C, "perplexity": perplexity(codes, C),
            "heldOutBitsPerToken": float(nll.mean() / math.log(2)), "uniformBitsPerToken": math.log2(C),
            "definition": "held-out split: VQ reconstruction MSE in network units; distinct codes chosen and exp(entropy) "
                          "of their frequencies; the transformer's mean cross-entropy of the true tokens given the class"}


def evaluate_model(model_id, runs_dir=DEFAULT_RUNS, models_dir=DEFAULT_MODELS, data_dir=DEFAULT_DATA):
    run_dir = os.path.join(runs_dir, model_id)
    if not os.path.exists(os.path.join(models_dir, model_id, "card.json")):
        export_model(model_id, runs_dir, models_dir, data_dir)
    cfg, model = load_as_exported(run_dir, models_dir, model_id)
    device = "cuda" if torch.cuda.is_available() else "cpu"       # the figures do not depend on it
    model.to(device)
    if cfg["method"] == "classifier":
        q = classifier_quality(cfg, model, data_dir)
    else:
        ev_id = EVALUATOR[cfg["dataset"]]
        _, evaluator = load_export(os.path.join(models_dir, ev_id))   # the evaluator as shipped
        q = generator_quality(cfg, model, evaluator.to(device), data_dir, run_dir, models_dir)
    write_json(os.path.join(run_dir, "quality.json"), q)
    export_model(model_id, runs_dir, models_dir, data_dir)          # carry the figures into the card
    print(f"{model_id}: quality {q}")
    return q


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs-dir", default=DEFAULT_RUNS)
    p.add_argument("--models-dir", default=DEFAULT_MODELS)
    p.add_argument("--data-dir", default=DEFAULT_DATA)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    evaluate_model(a.model, a.runs_dir, a.models_dir, a.data_dir)


if __name__ == "__main__":
    main()
