"""The browser computes channels-last with tfjs layouts: check that the converted weights give the
same numbers as PyTorch when the convolution, dense layer and GroupNorm are done in plain numpy."""
import numpy as np
import torch
import torch.nn as nn

from training.medsynth.export import decode, encode, manifest, tfjs_layout, tfjs_weights
from training.medsynth.layers import channels_last_flatten, channels_last_unflatten, timestep_embedding


def conv2d_nhwc_same(x, w, b):
    """x (B, H, W, Cin), w (kh, kw, Cin, Cout) as tfjs, stride 1, symmetric 'same' padding."""
    kh, kw = w.shape[:2]
    xp = np.pad(x, ((0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    H, W = x.shape[1:3]
    out = np.zeros((x.shape[0], H, W, w.shape[3]))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("bhwc,co->bhwo", xp[:, i:i + H, j:j + W], w[i, j])
    return out + b


def test_conv2d_weights_in_tfjs_layout_reproduce_pytorch_in_nhwc():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 5, 3, padding=1)
    x = torch.randn(2, 3, 7, 6)
    want = conv(x).detach().permute(0, 2, 3, 1).numpy()               # (B, H, W, Cout)
    w = tfjs_layout(conv, conv.weight.detach().numpy())
    assert w.shape == (3, 3, 3, 5)                                    # (kh, kw, in, out)
    got = conv2d_nhwc_same(x.permute(0, 2, 3, 1).numpy(), w, conv.bias.detach().numpy())
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_conv1d_and_linear_layouts():
    torch.manual_seed(1)
    conv = nn.Conv1d(2, 4, 5, padding=2)
    x = torch.randn(3, 2, 11)
    w = tfjs_layout(conv, conv.weight.detach().numpy())               # (k, in, out)
    assert w.shape == (5, 2, 4)
    got = conv2d_nhwc_same(x.permute(0, 2, 1).numpy()[:, :, None, :], w[:, None], conv.bias.detach().numpy())
    np.testing.assert_allclose(got[:, :, 0], conv(x).detach().permute(0, 2, 1).numpy(), atol=1e-5)
    lin = nn.Linear(6, 3)
    v = torch.randn(4, 6)
    wl = tfjs_layout(lin, lin.weight.detach().numpy())                # (in, out)
    np.testing.assert_allclose(v.numpy() @ wl + lin.bias.detach().numpy(), lin(v).detach().numpy(), atol=1e-6)


def test_group_norm_as_moments_over_reshaped_groups_matches_pytorch():
    torch.manual_seed(2)
    gn = nn.GroupNorm(4, 8, eps=1e-5)
    nn.init.normal_(gn.weight), nn.init.normal_(gn.bias)
    x = torch.randn(2, 8, 5, 5) * 3 + 1
    want = gn(x).detach().permute(0, 2, 3, 1).numpy()
    xh = x.permute(0, 2, 3, 1).numpy().astype(np.float64)            # NHWC, as in the browser
    g = xh.reshape(2, 5, 5, 4, 2)                                     # (B, H, W, groups, C/groups)
    mean = g.mean(axis=(1, 2, 4), keepdims=True)
    var = g.var(axis=(1, 2, 4), keepdims=True)                        # biased
    y = ((g - mean) / np.sqrt(var + 1e-5)).reshape(2, 5, 5, 8)
    np.testing.assert_allclose(y * gn.weight.detach().numpy() + gn.bias.detach().numpy(), want, atol=1e-5)


def test_timestep_embedding_is_sin_then_cos_with_geometric_frequencies():
    e = timestep_embedding(torch.tensor([0.0, 10.0]), 8)
    np.testing.assert_allclose(e[0].numpy(), [0, 0, 0, 0, 1, 1, 1, 1])
    freqs = np.exp(-np.log(10000.0) * np.arange(4) / 4)
    np.testing.assert_allclose(e[1].numpy(), np.concatenate([np.sin(10 * freqs), np.cos(10 * freqs)]), atol=1e-6)


def test_channels_last_flatten_matches_nhwc_reshape():
    h = torch.randn(2, 3, 4, 5)
    flat = channels_last_flatten(h)
    np.testing.assert_array_equal(flat.numpy(), h.permute(0, 2, 3, 1).reshape(2, -1).numpy())
    np.testing.assert_array_equal(channels_last_unflatten(flat, 3, (4, 5)).numpy(), h.numpy())


def test_float16_shard_is_ieee_half_little_endian_in_manifest_order():
    data, entries = encode([("a.weight", np.array([[1.0, -2.0]], np.float32)),
                            ("a.bias", np.array([0.5], np.float32))], "float16")
    assert data == bytes([0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38])      # 1.0, -2.0, 0.5 as binary16 LE
    assert manifest(entries) == [{"paths": ["weights.bin"], "weights": [
        {"name": "a.weight", "shape": [1, 2], "dtype": "float32", "quantization": {"dtype": "float16"}},
        {"name": "a.bias", "shape": [1], "dtype": "float32", "quantization": {"dtype": "float16"}}]}]
    assert decode(data, entries)["a.weight"].tolist() == [[1.0, -2.0]]
    data32, entries32 = encode([("b", np.array([1.5], np.float32))], "float32")
    assert data32 == np.array([1.5], "<f4").tobytes() and "quantization" not in entries32[0]


def test_weights_are_named_by_module_path():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.SiLU(), nn.Linear(2, 2))
    names = [n for n, _ in tfjs_weights(model)]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
