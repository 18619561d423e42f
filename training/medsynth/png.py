"""Minimal PNG writer (zlib + struct, no PIL) and sample grids for images and ECG beats."""
import struct
import zlib

import numpy as np


def write_png(path, img):
    """img: uint8 (H, W) greyscale or (H, W, 3) RGB."""
    img = np.ascontiguousarray(img, dtype=np.uint8)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    h, w = img.shape[:2]
    color = 0 if img.ndim == 2 else 2
    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(h))   # filter type 0 per row

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def image_grid(images, rows, scale=2, pad=2):
    """images: uint8 (N, H, W, C) -> one uint8 grid, `rows` rows, each image upscaled `scale`x."""
    n, h, w, c = images.shape
    cols = -(-n // rows)
    images = images.repeat(scale, axis=1).repeat(scale, axis=2)
    H, W = h * scale + pad, w * scale + pad
    grid = np.full((rows * H + pad, cols * W + pad, c), 255, np.uint8)
    for i in range(n):
        r, q = divmod(i, cols)
        grid[pad + r * H: pad + r * H + h * scale, pad + q * W: pad + q * W + w * scale] = images[i]
    return grid


def signal_grid(signals, rows, height=64, mv_range=(-1.5, 2.5)):
    """signals: float (N, L) in mV -> greyscale raster plot, one beat per cell, clipped to mv_range."""
    n, L = signals.shape
    cols = -(-n // rows)
    pad = 4
    grid = np.full((rows * (height + pad) + pad, cols * (L + pad) + pad), 255, np.uint8)
    lo, hi = mv_range
    for i in range(n):
        r, q = divmod(i, cols)
        y0, x0 = pad + r * (height + pad), pad + q * (L + pad)
        cell = grid[y0:y0 + height, x0:x0 + L]
        cell[:] = 240
        zero = int(round((hi - 0.0) / (hi - lo) * (height - 1)))
        cell[zero, :] = 200                                          # 0 mV line
        ys = np.clip(np.round((hi - signals[i]) / (hi - lo) * (height - 1)), 0, height - 1).astype(int)
        for j in range(L):                                           # connect consecutive points
            a, b = (ys[j], ys[j + 1]) if j + 1 < L else (ys[j], ys[j])
            cell[min(a, b):max(a, b) + 1, j] = 0
    return grid
