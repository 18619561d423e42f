"""Export a trained run to models/<id>/ for the browser.

    /usr/bin/python3 -m training.export --model xray-ddpm

Writes weights.bin + weights.json (tfjs manifest), parity.json, card.json and README.md. Exports
the EMA weights of generators. Stores float16 unless rounding moves the parity outputs by more than
FLOAT16_TOLERANCE (relative to their scale); parity outputs are always computed from the weights
exactly as stored, so the browser should match them to ~1e-4. The DDIM case is judged separately (see _max_output_change).
"""
import argparse
import os

import numpy as np
import torch

from training.medsynth import export as ex
from training.medsynth.ar import sample_tokens
from training.medsynth.card import build_card, readme
from training.medsynth.data import read_index
from training.medsynth.models import load_run, read_json, write_json
from training.medsynth.sampling import Diffusion, ddim_steps
from training.train import DEFAULT_DATA, DEFAULT_RUNS, ROOT

DEFAULT_MODELS = os.path.join(ROOT, "models")
FLOAT16_TOLERANCE = 1e-2
PARITY_SEED = 1234


def parity_cases(cfg, model):
    """Fixed seeded inputs -> PyTorch outputs, channels-last. Returns {case: {inputs, outputs}}."""
    a = cfg["arch"]
    g = torch.Generator().manual_seed(PARITY_SEED)
    spatial = [a["size"]] * a["dims"]
    x = torch.randn((2, a["in_channels"], *spatial), generator=g)   # (2, C, *S)
    K = a["num_classes"]
    cl = ex.to_channels_last
    with torch.no_grad():
        if cfg["method"] == "ddpm":
            t = torch.tensor([999.0, 10.0])
            y = torch.tensor([0, K])                                 # a class, then the null class
            cases = {"eps": {"inputs": {"x": ex.arr(cl(x)), "t": t.tolist(), "y": y.tolist()},
                             "outputs": {"embedding": ex.arr(model.embed(t, y)),
                                         "eps": ex.arr(cl(model(x, t, y)))}}}
            noise = torch.randn((1, a["in_channels"], *spatial), generator=g)
            steps = list(ddim_steps(model, Diffusion.from_config(cfg), noise.shape, torch.tensor([K - 1]), K,
                                    guidance=2.0, num_steps=4, clip=cfg["clip_sample"],
                                    generator=_FixedNoise(noise)))
            cases["ddim"] = {"inputs": {"xT": ex.arr(cl(noise)), "y": [K - 1], "guidance": 2.0,
                                        "numSteps": 4, "spacing": "trailing", "eta": 0.0,
                                        "clipRange": cfg["clip_sample"]},
                             "outputs": {"timesteps": [t for t, _ in steps],
                                         "afterFirstStep": ex.arr(cl(steps[0][1])),
                                         "sample": ex.arr(cl(steps[-1][1]))}}
            return cases
        if cfg["method"] == "vae":
            z = torch.randn((2, a["latent_dim"]), generator=g)
            y = torch.tensor([0, K - 1])
            xin = (0.5 * x).clamp(-1, 1)
            mu, logvar = model.encoder(xin, y)
            return {"decode": {"inputs": {"z": ex.arr(z), "y": y.tolist()},
                               "outputs": {"x": ex.arr(cl(model.decoder(z, y)))}},
                    "encode": {"inputs": {"x": ex.arr(cl(xin)), "y": y.tolist()},
                               "outputs": {"mu": ex.arr(mu), "logvar": ex.arr(logvar)}}}
        if cfg["method"] == "gan":
            z = torch.randn((2, a["latent_dim"]), generator=g)
            y = torch.tensor([0, K - 1])
            return {"decode": {"inputs": {"z": ex.arr(z), "y": y.tolist()},
                               "outputs": {"x": ex.arr(cl(model(z, y)))}}}
        if cfg["method"] == "ar":
            return ar_parity_cases(cfg, model, x, g)
        xin = (0.5 * x).clamp(-1, 1)
        feats = model.features(xin)
        logits = model.head(feats)
        return {"classify": {"inputs": {"x": ex.arr(cl(xin))},
                             "outputs": {"features": ex.arr(feats), "logits": ex.arr(logits),
                                         "probabilities": ex.arr(torch.softmax(logits, 1))}}}


AR_SAMPLING_CASE = {"guidance": 2.0, "temperature": 0.9, "topK": 20, "topP": 0.9}


def ar_parity_cases(cfg, model, x, g):
    """The VQ's encoder (to tokens) and decoder, the transformer's whole causal pass over the first
    positions, and a guided, filtered sampling run with given uniforms (the cache, the guidance, the
    filters and the draw, end to end)."""
    a = cfg["arch"]
    K, N, C = a["num_classes"], model.gpt.pos.shape[0], a["codebook_size"]
    cl = ex.to_channels_last
    xin = (0.5 * x).clamp(-1, 1)
    tokens = torch.randint(0, C, (2, N), generator=g)
    T = min(N, 8)
    inputs = torch.randint(0, C, (2, T), generator=g)
    y = torch.tensor([0, K])                                         # a class, then the null class
    u = torch.rand((2, N), generator=g)
    s = AR_SAMPLING_CASE
    sampled = sample_tokens(model.gpt, torch.tensor([0, K - 1]), K, N, None, guidance=s["guidance"],
                            temperature=s["temperature"], top_k=s["topK"], top_p=s["topP"], uniforms=u)
    return {"encode": {"inputs": {"x": ex.arr(cl(xin))},
                       "outputs": {"tokens": model.vq.encode(xin).tolist()}},
            "decode": {"inputs": {"tokens": tokens.tolist()}, "outputs": {"x": ex.arr(cl(model.vq.decode(tokens)))}},
            "logits": {"inputs": {"tokens": inputs.tolist(), "y": y.tolist()},
                       "outputs": {"logits": ex.arr(model.gpt(inputs, y))}},
            "sample": {"inputs": {"y": [0, K - 1], "uniforms": ex.arr(u), **s},
                       "outputs": {"tokens": sampled.tolist()}}}


class _FixedNoise:
    """Stands in for a torch.Generator in ddim_steps so x_T is given, not drawn (eta = 0 draws nothing else)."""

    def __init__(self, noise):
        self.noise = noise


def _randn_hook():
    # ddim_steps draws x_T with torch.randn(shape, generator=...); route a _FixedNoise through here
    original = torch.randn

    def randn(*args, generator=None, **kw):
        if isinstance(generator, _FixedNoise):
            return generator.noise.clone()
        return original(*args, generator=generator, **kw)
    return original, randn


def _run_cases(cfg, model):
    original, patched = _randn_hook()
    torch.randn = patched
    try:
        return parity_cases(cfg, model)
    finally:
        torch.randn = original


def _max_output_change(a, b):
    """Largest |a - b| over every single-pass output, relative to that output's largest magnitude.
    (The 4-step DDIM case is left out: a sampler amplifies any change, and its parity is still exact.)"""
    worst = 0.0
    for case in a:
        if case == "ddim":
            continue
        for k, v in a[case]["outputs"].items():
            if isinstance(v, dict):
                x, y = np.array(v["data"]), np.array(b[case]["outputs"][k]["data"])
                worst = max(worst, float(np.abs(x - y).max() / max(np.abs(x).max(), 1e-6)))
    return worst


def write_network(cfg, fresh, out_dir, model_id):
    """Steps 1-3 of an export, for any network parity_cases knows: float16 unless it visibly changes
    the outputs, the shard and manifest (checked to decode to the weights the parity used), and the
    parity vectors. `fresh()` returns the trained network anew (rounding changes it in place).
    Returns (network as stored, weights info for the card, parity info for the card)."""
    model = fresh()
    cases32 = _run_cases(cfg, model)
    model16 = ex.round_to_storage(fresh(), "float16")
    cases16 = _run_cases(cfg, model16)
    change = _max_output_change(cases32, cases16)
    storage = "float16" if change <= FLOAT16_TOLERANCE else "float32"
    model, cases = (model16, cases16) if storage == "float16" else (model, cases32)

    weights = ex.tfjs_weights(model)
    data, entries = ex.encode(weights, storage)
    decoded = ex.decode(data, entries)
    for name, w in weights:
        assert np.array_equal(decoded[name], w), f"{name} does not survive {storage} storage"
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "weights.bin"), "wb") as f:
        f.write(data)
    write_json(os.path.join(out_dir, "weights.json"), ex.manifest(entries))

    parity = {"model": model_id, "layout": "channels-last (NHWC images, NLC signals)",
              "weights": f"as stored ({storage})", "tolerance": 1e-4, "seed": PARITY_SEED,
              "cases": cases}
    with open(os.path.join(out_dir, "parity.json"), "w") as f:
        f.write(ex.compact_json(parity) + "\n")
    weights_info = {"files": [{"path": "weights.bin", "bytes": len(data), "sha256": ex.sha256(data)}],
                    "manifest": "weights.json", "parameters": sum(p.numel() for p in model.parameters()),
                    "storage": storage, "float16MaxRelativeChange": change}
    parity_info = {"file": "parity.json", "tolerance": 1e-4, "cases": list(cases)}
    return model, weights_info, parity_info


def write_card(out_dir, card, text=None):
    """card.json and its human README.md (card.py readme(card) unless `text` is given)."""
    write_json(os.path.join(out_dir, "card.json"), card)
    with open(os.path.join(out_dir, "README.md"), "w") as f:
        f.write(readme(card) if text is None else text)


def export_model(model_id, runs_dir=DEFAULT_RUNS, models_dir=DEFAULT_MODELS, data_dir=DEFAULT_DATA):
    run_dir = os.path.join(runs_dir, model_id)
    cfg, _, _ = load_run(run_dir)
    index = read_index(data_dir, cfg["dataset"])
    out_dir = os.path.join(models_dir, model_id)
    model, weights_info, parity_info = write_network(cfg, lambda: load_run(run_dir)[1], out_dir, model_id)
    storage = weights_info["storage"]
    data_bytes = weights_info["files"][0]["bytes"]
    change = weights_info["float16MaxRelativeChange"]

    # 4. card + README
    summary = read_json(os.path.join(run_dir, "summary.json"))
    quality = read_json(os.path.join(run_dir, "quality.json"))
    card = build_card(cfg, index, summary, quality, weights_info, parity_info)
    write_card(out_dir, card)
    print(f"{model_id}: exported to {out_dir} ({storage}, {data_bytes:,} bytes, "
          f"float16 change {change:.2e}, parity {os.path.getsize(os.path.join(out_dir, 'parity.json')):,} bytes)")
    return card


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--runs-dir", default=DEFAULT_RUNS)
    p.add_argument("--models-dir", default=DEFAULT_MODELS)
    p.add_argument("--data-dir", default=DEFAULT_DATA)
    a = p.parse_args()
    torch.set_num_threads(1)
    export_model(a.model, a.runs_dir, a.models_dir, a.data_dir)


if __name__ == "__main__":
    main()
