import struct
import zlib

import numpy as np
import pytest
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


def test_flip_augmentations_are_orientation_changes_of_each_image_only():
    x = torch.randn(64, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    g = torch.Generator().manual_seed(0)
    mirrored = augment(x, {"hflip": True}, g)
    is_flip = [torch.equal(o, i.flip(-1)) for o, i in zip(mirrored, x)]
    assert all(f or torch.equal(o, i) for f, o, i in zip(is_flip, mirrored, x))
    assert 16 < sum(is_flip) < 48                                          # about half are mirrored
    turned = augment(x, {"dihedral": True}, g)
    seen = set()
    for o, i in zip(turned, x):
        variants = [torch.rot90(i.flip(-1) if f else i, k, dims=(-2, -1)) for f in (False, True) for k in range(4)]
        match = [n for n, v in enumerate(variants) if torch.equal(o, v)]
        assert match, "each output must be one of the 8 flips/turns of its own input"
        seen.add(match[0])
    assert len(seen) == 8


def test_set_overrides_a_run_setting_and_refuses_unknown_or_structural_keys():
    from training.configs import get_config
    from training.train import apply_overrides
    cfg = apply_overrides(get_config("xray-ddpm"), ["batch_size=128", "ema_decay=0.9995", "lr_decay=cosine-time"])
    assert (cfg.batch_size, cfg.ema_decay, cfg.lr_decay) == (128, 0.9995, "cosine-time")
    for bad in ["batchsize=1", "arch=1", "batch_size"]:
        with pytest.raises(SystemExit):
            apply_overrides(cfg, [bad])


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
