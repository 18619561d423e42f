"""Measure a shipped generator again from its exported folder, as the browser loads it, and write the
figures into its card and README: for a model whose training run is not on this machine.

    /usr/bin/python3 -m training.remeasure --models xray-vae,breast-vae

The same measurement as training/evaluate.py (generator_quality: class faithfulness, Frechet
distance in the evaluator's features, the same with intervals and at infinite N in the modality's
feature extractor, the copies check), on the stored weights, with the run's own configuration
(training/configs.py). The card's other fields stay as exported; `quality.measuredFrom` says so.
"""
import argparse
import datetime
import json
import os

import torch

from training.configs import get_config
from training.evaluate import EVALUATOR, generator_quality
from training.export import DEFAULT_MODELS, write_card
from training.medsynth.card import limitations
from training.medsynth.export import load_export
from training.train import DEFAULT_DATA


def remeasure(model_id, models_dir=DEFAULT_MODELS, data_dir=DEFAULT_DATA, grid_dir=None, tiny_variant=False, per_class=None):
    folder = os.path.join(models_dir, model_id)
    card, model = load_export(folder)
    cfg = get_config(model_id, tiny_variant=tiny_variant).to_dict()
    if per_class:                                                    # fewer samples where sampling is slow here
        cfg["eval_per_class"] = per_class
    _, evaluator = load_export(os.path.join(models_dir, EVALUATOR[cfg["dataset"]]))
    grid_dir = grid_dir or os.path.join(os.path.dirname(os.path.abspath(__file__)), "runs", model_id)
    os.makedirs(grid_dir, exist_ok=True)
    q = generator_quality(cfg, model, evaluator, data_dir, grid_dir, models_dir)
    q["measuredFrom"] = f"models/{model_id} as exported (training.remeasure, {datetime.date.today().isoformat()})"
    if "membership" in card.get("quality", {}):                     # measured apart (training/membership.py)
        q["membership"] = card["quality"]["membership"]
    card["quality"] = q
    refresh_text(folder, card)
    return q


def refresh_text(folder, card=None):
    """The card's limitations from training/medsynth/card.py as they stand, and its README from the card."""
    card = card or json.load(open(os.path.join(folder, "card.json")))
    card["limitations"] = limitations(card["dataset"], card["method"], card["training"].get("privacy"), card["id"])
    write_card(folder, card)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", required=True)
    p.add_argument("--models-dir", default=DEFAULT_MODELS)
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--per-class", type=int, help="samples per class (default: the run's eval_per_class)")
    p.add_argument("--text-only", action="store_true", help="only rewrite the limitations and README from the card as it is")
    a = p.parse_args()
    torch.set_num_threads(1)
    for model_id in a.models.split(","):
        if a.text_only:
            refresh_text(os.path.join(a.models_dir, model_id))
            continue
        q = remeasure(model_id, a.models_dir, a.data, per_class=a.per_class)
        i = q.get("independentFeatures")
        line = f"{model_id}: classified as requested {q['classifiedAsRequested']}"
        if i:
            g, r = i["generatedVsHeldOut"], i["realTrainVsHeldOut"]
            line += (f"; {i['extractor']} FD {g['frechet']:.3g} [{g['frechetInterval95'][0]:.3g}, {g['frechetInterval95'][1]:.3g}] "
                     f"vs real {r['frechet']:.3g} [{r['frechetInterval95'][0]:.3g}, {r['frechetInterval95'][1]:.3g}] (N {g['n'][0]}), "
                     f"at infinite N {g['frechetInfinity']:.3g} vs {r['frechetInfinity']:.3g}; KID {g['kid']:.3g} vs {r['kid']:.3g}")
        print(line, flush=True)


if __name__ == "__main__":
    main()
