import struct
import zlib

import numpy as np
import torch

from training.medsynth.data import BatchSampler, augment, load_split
from training.medsynth.evaluate import auc_binary, frechet_distance
from training.medsynth.png import write_png


def test_images_load_channels_first_in_minus_one_to_one(fake_data_dir):
    s = load_split(fake_data_dir, "pneumoniamnist", "train")
    assert s.x.shape == (48, 1, 28, 28) and s.x.dtype == torch.float32
    assert s.x.min() >= -1 and s.x.max() <= 1 and s.classes == ["normal", "pneumonia"]


def test_signals_load_as_mv_over_scale(fake_data_dir):
    raw = load_split(fake_data_dir, "mitbih", "train", signal_scale_mv=1.0)
    scaled = load_split(fake_data_dir, "mitbih", "train", signal_scale_mv=1.5)
    assert scaled.x.shape == (60, 1, 256)
    torch.testing.assert_close(scaled.x * 1.5, raw.x)


def test_class_balanced_sampling_evens_out_an_imbalanced_label_set():
    y = np.array([0] * 900 + [1] * 100)
    picks = np.concatenate([next(BatchSampler(y, 1000, power=0.0, seed=s)) for s in range(3)])
    assert abs((y[picks] == 1).mean() - 0.5) < 0.05
    natural = next(BatchSampler(y, 2000, power=1.0, seed=0))
    assert abs((y[natural] == 1).mean() - 0.1) < 0.03


def test_shift_augmentation_keeps_shape_and_never_mirrors():
    x = torch.arange(28.0).repeat(28, 1)[None, None].repeat(4, 1, 1, 1)   # intensity rises left to right
    out = augment(x, {"shift": 2}, torch.Generator().manual_seed(0))
    assert out.shape == x.shape
    assert (out[:, 0, :, 1:] - out[:, 0, :, :-1] >= 0).all()              # still rises: no flip


def test_auc_and_frechet_golden_values():
    assert auc_binary([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == 0.75
    assert auc_binary([0.5, 0.5], [0, 1]) == 0.5
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4000, 3))
    assert frechet_distance(a, a) < 1e-8
    # two Gaussians differing only by a mean shift of 2 along one axis: FD = 4
    assert abs(frechet_distance(a, a + [2.0, 0, 0]) - 4.0) < 1e-8


def test_png_writer_round_trips(tmp_path):
    img = (np.arange(12 * 5) % 256).astype(np.uint8).reshape(5, 12)
    write_png(tmp_path / "a.png", img)
    data = open(tmp_path / "a.png", "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    assert (w, h) == (12, 5)
    idat = data.index(b"IDAT")
    n = struct.unpack(">I", data[idat - 4:idat])[0]
    rows = zlib.decompress(data[idat + 4: idat + 4 + n])
    assert np.array_equal(np.frombuffer(rows, np.uint8).reshape(5, 13)[:, 1:], img)
