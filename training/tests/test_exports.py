"""The site's exports read back outside the site: the golden files of test/fixtures/exports/
(written by test/fixtures/make-export-fixtures.ts with the site's own exporters) read with numpy,
and with a PNG reader and a WFDB reader written here from the specifications, not from the site's code:

  PNG   ISO/IEC 15948 (W3C PNG 3rd edition): signature, chunks with CRC-32, IHDR, tEXt/iTXt,
        zlib-compressed IDAT of filtered scanlines (filter types 0-4).
  WFDB  PhysioNet's header(5), signal(5) (format 212) and annot(5) (MIT annotation files):
        https://physionet.org/physiotools/wag/
"""
import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

EXPORTS = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "exports"
EXPECTED = json.loads((EXPORTS / "expected.json").read_text())
NOTICE = EXPECTED["provenance"]["grey"]["notice"]


def read_png(data):
    """8-bit grey or RGB PNG -> (H x W x C uint8 array, {keyword: text})."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature"
    pos, idat, text = 8, b"", {}
    while True:
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"CRC of {kind}"
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0 and colour in (0, 2)
            channels = 1 if colour == 0 else 3
        elif kind == b"IDAT":
            idat += body
        elif kind == b"tEXt":
            key, value = body.split(b"\0", 1)
            text[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt":
            key, rest = body.split(b"\0", 1)
            assert rest[0] == 0, "uncompressed iTXt"
            _lang, rest = rest[2:].split(b"\0", 1)
            _translated, value = rest.split(b"\0", 1)
            text[key.decode("latin-1")] = value.decode("utf-8")
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * channels
    out = np.zeros((height, stride), dtype=np.int32)
    for y in range(height):
        kind, row = raw[y * (stride + 1)], raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
        prev = out[y - 1] if y else np.zeros(stride, dtype=np.int32)
        for i in range(stride):
            a = out[y, i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if kind == 0:
                p = 0
            elif kind == 1:
                p = a
            elif kind == 2:
                p = b
            elif kind == 3:
                p = (a + b) // 2
            else:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else b if pb <= pc else c
            out[y, i] = (row[i] + p) % 256
    return out.astype(np.uint8).reshape(height, width, channels), text


def test_png_grid_and_sample():
    grid, text = read_png((EXPORTS / "grid-grey.png").read_bytes())
    cols = EXPECTED["gridColumns"]
    assert grid.shape == (2 * 29 - 1, cols * 29 - 1, 1)
    for i, levels in enumerate(EXPECTED["grey"]):
        y0, x0 = (i // cols) * 29, (i % cols) * 29
        np.testing.assert_array_equal(grid[y0:y0 + 28, x0:x0 + 28, 0], np.array(levels, dtype=np.uint8).reshape(28, 28))
    assert text["Disclaimer"] == NOTICE
    assert json.loads(text["MedSynth provenance"]) == EXPECTED["provenance"]["grey"]
    sample, text = read_png((EXPORTS / "sample-rgb.png").read_bytes())
    np.testing.assert_array_equal(sample, np.array(EXPECTED["rgb"][1], dtype=np.uint8).reshape(8, 8, 3))
    assert json.loads(text["MedSynth provenance"])["synthetic"] is True


def test_npz_is_medmnist_shaped():
    grey = np.load(EXPORTS / "samples-grey.npz")
    real = {  # as in pneumoniamnist.npz: uint8 (N, 28, 28) images, uint8 (N, 1) labels, three splits
        "train_images", "val_images", "test_images", "train_labels", "val_labels", "test_labels"}
    assert real <= set(grey.files)
    assert grey["train_images"].dtype == np.uint8 and grey["train_images"].shape == (3, 28, 28)
    np.testing.assert_array_equal(grey["train_images"].reshape(3, -1), np.array(EXPECTED["grey"], dtype=np.uint8))
    assert grey["train_labels"].dtype == np.uint8 and grey["train_labels"].shape == (3, 1)
    assert grey["train_labels"].ravel().tolist() == [1, 1, 1]
    assert grey["val_images"].shape == (0, 28, 28) and grey["test_labels"].shape == (0, 1)
    assert json.loads(bytes(grey["synthetic_provenance"]).decode("utf-8")) == EXPECTED["provenance"]["grey"]
    rgb = np.load(EXPORTS / "samples-rgb.npz")
    assert rgb["train_images"].shape == (2, 8, 8, 3)
    np.testing.assert_array_equal(rgb["train_images"].reshape(2, -1), np.array(EXPECTED["rgb"], dtype=np.uint8))


def test_csv_beats_with_numpy():
    table = np.loadtxt(EXPORTS / "beats.csv", delimiter=",", comments="#", skiprows=0, dtype=str)
    assert table[0].tolist() == ["time_s", "beat_1_V", "beat_2_V"]
    values = table[1:].astype(np.float64)
    np.testing.assert_array_equal(values[:, 1:].T.astype(np.float32), np.array(EXPECTED["beats"], dtype=np.float32))
    assert values[EXPECTED["window"]["before"], 0] == 0.0
    assert (EXPORTS / "beats.csv").read_text().splitlines()[0] == "# " + NOTICE


def read_wfdb(files, record):
    """header(5), signal(5) format 212 and annot(5), for a one-signal record."""
    lines = files[record + ".hea"].decode("ascii").splitlines()
    comments = [line[1:].strip() for line in lines if line.startswith("#")]
    fields = [line.split() for line in lines if line.strip() and not line.startswith("#")]
    name, n_signals, freq, n_samples = fields[0][0], int(fields[0][1]), float(fields[0][2]), int(fields[0][3])
    sig = fields[1]
    assert name == record and n_signals == 1 and sig[1] == "212"
    gain_field = sig[2]                                   # gain(baseline)/units
    gain = float(gain_field.split("(")[0])
    baseline = int(gain_field.split("(")[1].split(")")[0])
    units = gain_field.split("/")[1]
    initial, checksum = int(sig[5]), int(sig[6])
    raw = files[sig[0]]
    samples = []
    for g in range(0, len(raw) - 1, 3):                   # two 12-bit samples in three bytes
        b0, b1 = raw[g], raw[g + 1]
        samples.append(b0 | ((b1 & 0x0F) << 8))
        if g + 2 < len(raw):
            samples.append(raw[g + 2] | ((b1 & 0xF0) << 4))
    adu = np.array([s - 4096 if s >= 2048 else s for s in samples[:n_samples]])
    annotations, time, pos, atr = [], 0, 0, files[record + ".atr"]
    while pos + 2 <= len(atr):
        (word,) = struct.unpack("<H", atr[pos:pos + 2])
        pos += 2
        code, value = word >> 10, word & 0x3FF
        if word == 0:
            break
        if code == 59:                                    # SKIP: 32 bits, high word first
            high, low = struct.unpack("<HH", atr[pos:pos + 4])
            time += struct.unpack(">i", struct.pack(">HH", high, low))[0]
            pos += 4
        elif code < 59:
            time += value
            annotations.append((time, code))
    return {"freq": freq, "gain": gain, "baseline": baseline, "units": units, "initial": initial,
            "checksum": checksum, "adu": adu, "annotations": annotations, "comments": comments}


def test_wfdb_record_with_an_independent_reader():
    with zipfile.ZipFile(io.BytesIO((EXPORTS / "beats-wfdb.zip").read_bytes())) as z:
        files = {n: z.read(n) for n in z.namelist()}
    w = EXPECTED["wfdb"]
    rec = read_wfdb(files, w["record"])
    assert rec["freq"] == 360 and rec["units"] == "mV" and rec["gain"] == w["gain"] and rec["baseline"] == 0
    assert rec["comments"][0] == NOTICE
    assert rec["initial"] == rec["adu"][0]
    assert ((int(rec["adu"].sum()) + 2 ** 15) % 2 ** 16) - 2 ** 15 == rec["checksum"]
    mv = (rec["adu"] - rec["baseline"]) / rec["gain"]
    beats = np.array(EXPECTED["beats"], dtype=np.float64).ravel()
    assert np.abs(mv - beats).max() <= 0.5 / w["gain"] + 1e-7
    assert rec["annotations"] == [(p, 5) for p in w["peaks"]]   # 5: PVC, 'V' in ecgcodes.h
