"""A config is what the measuring scripts (sampler_sweep, membership, remeasure, yardstick) sample a
shipped model with: its architecture must be the one the model was trained with and the card says.
bccd-ar and ecg-ar once said two classes where the data has three and five, so their "no class" row
(the last) was a real class in every guided sweep and membership test."""
import json
import os
import re
from dataclasses import asdict

import pytest

from training.configs import CONFIGS

MODELS = os.path.join(os.path.dirname(__file__), "..", "..", "models")
SHIPPED = sorted(i for i in CONFIGS if os.path.exists(os.path.join(MODELS, i, "card.json")))


def camel(name):
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


def test_the_shipped_models_have_configs():
    assert len(SHIPPED) >= 20


@pytest.mark.parametrize("model_id", SHIPPED)
def test_a_config_architecture_is_its_shipped_card_architecture(model_id):
    card = json.load(open(os.path.join(MODELS, model_id, "card.json")))["architecture"]
    arch = asdict(CONFIGS[model_id].arch)
    shared = [k for k in arch if camel(k) in card]
    assert "num_classes" in shared or CONFIGS[model_id].method == "classifier" and "numClasses" not in card
    for k in shared:
        want = card[camel(k)]
        got = list(arch[k]) if isinstance(arch[k], tuple) else arch[k]
        assert got == want, f"{model_id}: config {k}={got}, card {camel(k)}={want}"


@pytest.mark.parametrize("model_id", SHIPPED)
def test_a_shipped_card_says_what_card_py_says_of_it(model_id):
    """The card is the one source of a model's limitations; card.py writes them (remeasure.refresh_text).
    A model keyed by its id (breast-ddpm-memorised) says its own, not its dataset-and-family's."""
    from training.medsynth.card import limitations
    card = json.load(open(os.path.join(MODELS, model_id, "card.json")))
    assert card["limitations"] == limitations(card["dataset"], card["method"], card["training"].get("privacy"), model_id)


def test_the_memorisation_exhibit_and_its_successor_say_different_things():
    from training.medsynth.card import limitations
    exhibit, successor = limitations("breastmnist", "ddpm", None, "breast-ddpm-memorised"), limitations("breastmnist", "ddpm", None, "breast-ddpm")
    assert any("exhibit of memorisation" in line for line in exhibit)
    assert not any("AUC 0.952" in line and "has memorised" in line for line in successor)
    assert exhibit[:2] == successor[:2]          # the dataset's own lines, shared
