"""Tiny fake datasets in exactly the `npm run data` format (index.json + raw little-endian .bin).

    /usr/bin/python3 -m training.tests.fake_data /tmp/fake-data    # writes pneumoniamnist/ and mitbih/
"""
import json
import os
import sys

import numpy as np


def _write(root, name, index, splits):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    index["splits"] = {}
    for split, (x, y, extra) in splits.items():
        entry = {"count": int(len(y)), "x": f"{split}-x.bin", "y": f"{split}-y.bin",
                 "classCounts": np.bincount(y, minlength=len(index["classes"])).tolist()}
        x.astype(x.dtype.newbyteorder("<")).tofile(os.path.join(d, entry["x"]))
        y.astype(np.uint8).tofile(os.path.join(d, entry["y"]))
        for key, arr in extra.items():
            entry[key] = f"{split}-{key}.bin"
            arr.astype("<u2").tofile(os.path.join(d, entry[key]))
        index["splits"][split] = entry
    with open(os.path.join(d, "index.json"), "w") as f:
        json.dump(index, f, indent=2)


def fake_images(rng, n, classes=2, size=28, channels=1):
    """Class c is a bright disc whose radius grows with c, plus noise: learnable but not trivial."""
    y = (np.arange(n) % classes).astype(np.uint8)
    yy, xx = np.mgrid[:size, :size]
    r = np.hypot(yy - size / 2, xx - size / 2)
    x = np.empty((n, size, size, channels), np.uint8)
    for i in range(n):
        img = 60 + 150 * (r < 5 + 3 * y[i]) + rng.normal(0, 20, (size, size))
        x[i] = np.clip(img, 0, 255)[..., None].astype(np.uint8)
    return x, y


def fake_beats(rng, n, classes=5, length=256):
    """A Gaussian 'R wave' at sample 90 whose width and sign pattern depend on the class, in mV."""
    y = (np.arange(n) % classes).astype(np.uint8)
    t = np.arange(length)
    x = np.empty((n, length), np.float32)
    for i in range(n):
        width = 3 + 4 * y[i]
        x[i] = 1.2 * np.exp(-0.5 * ((t - 90) / width) ** 2) - 0.2 + rng.normal(0, 0.03, length)
    return x, y


def make_fake_data(root, seed=0):
    rng = np.random.default_rng(seed)
    img = lambda n: fake_images(rng, n) + ({},)
    _write(root, "pneumoniamnist",
           {"dataset": "pneumoniamnist", "kind": "image", "sampleShape": [28, 28, 1], "dtype": "uint8",
            "classes": ["normal", "pneumonia"], "modality": "fake chest X-ray",
            "provenance": {"source": "fake test fixture", "licence": "CC0", "citation": "none"}},
           {"train": img(48), "val": img(16), "test": img(24)})

    def beats(n):
        x, y = fake_beats(rng, n)
        return x, y, {"record": (100 + np.arange(n) % 7).astype(np.uint16)}
    _write(root, "mitbih",
           {"dataset": "mitbih", "kind": "signal", "sampleShape": [256], "dtype": "float32",
            "classes": ["N", "S", "V", "F", "Q"], "sampleRateHz": 360, "units": "mV",
            "window": {"before": 90, "after": 166}, "modality": "fake ECG",
            "provenance": {"source": "fake test fixture", "licence": "CC0", "citation": "none"}},
           {"train": beats(60), "test": beats(40)})
    return root


if __name__ == "__main__":
    print(make_fake_data(sys.argv[1] if len(sys.argv) > 1 else "fake-data"))
