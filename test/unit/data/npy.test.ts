import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { labelsToInt32, parseNpy, readNpz, type NpyArray } from '../../../src/data/npy.js';
import { mirrorHas, readMirror } from './mirror.js';

interface NpyOptions {
  version?: 1 | 2 | 3;
  fortran?: boolean;
  /** Pad the header so the data starts on a 64-byte boundary, as numpy does. */
  align?: boolean;
}

/** Writes an NPY file the way numpy.lib.format does: magic, version, header length, dict, data. */
function npy(descr: string, shape: number[], data: Uint8Array, options: NpyOptions = {}): Uint8Array {
  const { version = 1, fortran = false, align = true } = options;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  if (align) header = header.padEnd(Math.ceil((prefix + header.length + 1) / 64) * 64 - prefix - 1, ' ');
  header += '\n';
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(prefix + headerBytes.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerBytes.length, true);
  else view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, prefix);
  out.set(data, prefix + headerBytes.length);
  return out;
}

/** The elements of an array as plain numbers or bigints, in order. */
const values = (a: NpyArray): (number | bigint)[] => [...a.data];

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('parseNpy', () => {
  it('reads a version 1.0 float32 matrix with its shape and values', () => {
    const input = new Float32Array([1.5, -2, 0.25, 3e-8, 65504, -0]);
    const a = parseNpy(npy('<f4', [2, 3], bytesOf(input)));
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2, 3]);
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(values(a)).toEqual(Array.from(input));
  });

  it('reads version 2.0 (32-bit header length) and 3.0 (UTF-8 header) files', () => {
    const input = new Int16Array([-32768, 0, 32767]);
    for (const version of [2, 3] as const) {
      const a = parseNpy(npy('<i2', [3], bytesOf(input), { version }));
      expect(a).toMatchObject({ dtype: 'int16', shape: [3] });
      expect(values(a)).toEqual([-32768, 0, 32767]);
    }
  });

  const cases: [string, string, ArrayBufferView & ArrayLike<number | bigint>][] = [
    ['|u1', 'uint8', new Uint8Array([0, 1, 128, 255])],
    ['|i1', 'int8', new Int8Array([-128, -1, 0, 127])],
    ['<i2', 'int16', new Int16Array([-32768, -1, 1, 32767])],
    ['<u2', 'uint16', new Uint16Array([0, 1, 40000, 65535])],
    ['<i4', 'int32', new Int32Array([-2147483648, -1, 7, 2147483647])],
    ['<u4', 'uint32', new Uint32Array([0, 1, 3000000000, 4294967295])],
    ['<f4', 'float32', new Float32Array([0.5, -1.25, 1e30, -0.0625])],
    ['<f8', 'float64', new Float64Array([Math.PI, -Math.E, 1e-300, 2 ** 53])],
    ['<i8', 'int64', new BigInt64Array([-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n])],
    ['<u8', 'uint64', new BigUint64Array([0n, 1n, 2n ** 53n + 1n, 2n ** 64n - 1n])],
  ];
  it.each(cases)('reads dtype %s as %s with exact values', (descr, dtype, input) => {
    const a = parseNpy(npy(descr, [2, 2], bytesOf(input)));
    expect(a.dtype).toBe(dtype);
    expect(a.shape).toEqual([2, 2]);
    expect(a.data.constructor).toBe(input.constructor);
    expect(values(a)).toEqual(Array.from(input));
  });

  it('reads |b1 booleans as 0/1 bytes in a Uint8Array', () => {
    const a = parseNpy(npy('|b1', [3], new Uint8Array([1, 0, 1])));
    expect(a.dtype).toBe('bool');
    expect(a.data).toBeInstanceOf(Uint8Array);
    expect(values(a)).toEqual([1, 0, 1]);
  });

  it('reads a 0-d array as one element with an empty shape', () => {
    const a = parseNpy(npy('<f8', [], bytesOf(new Float64Array([42.5]))));
    expect(a.shape).toEqual([]);
    expect(values(a)).toEqual([42.5]);
  });

  it('copies data that starts at an odd offset into an aligned array', () => {
    const file = npy('<f8', [2], bytesOf(new Float64Array([1.25, -7])), { align: false });
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1); // the file itself starts at byte 1 of its buffer
    const a = parseNpy(shifted.subarray(1));
    expect(a.data.byteOffset).toBe(0);
    expect(values(a)).toEqual([1.25, -7]);
  });

  it('ignores bytes after the data', () => {
    const file = npy('|u1', [2], new Uint8Array([9, 8, 7, 6]));
    expect(values(parseNpy(file))).toEqual([9, 8]);
  });

  it('names the array and the problem when it refuses a file', () => {
    const good = npy('<f4', [2, 3], new Uint8Array(24));
    const bad = good.slice();
    bad[1] = 0x00;
    expect(() => parseNpy(bad, 'images')).toThrow("npy 'images': bad magic");
    const v4 = good.slice();
    v4[6] = 4;
    expect(() => parseNpy(v4, 'images')).toThrow("npy 'images': unsupported NPY format version 4.0");
    expect(() => parseNpy(npy('>f4', [1], new Uint8Array(4)), 'x')).toThrow("npy 'x': big-endian dtype '>f4'");
    expect(() => parseNpy(npy('<c8', [1], new Uint8Array(8)), 'x')).toThrow("npy 'x': unsupported dtype '<c8'");
    expect(() => parseNpy(npy('|O', [1], new Uint8Array(8)), 'x')).toThrow("npy 'x': object arrays (dtype '|O')");
    expect(() => parseNpy(npy('<f4', [2, 3], new Uint8Array(24), { fortran: true }), 'x')).toThrow(
      "npy 'x': fortran_order is True",
    );
  });

  it('reports truncated data with the expected and found byte counts', () => {
    const file = npy('<f4', [2, 3], new Uint8Array(20));
    expect(() => parseNpy(file, 'images')).toThrow("npy 'images': truncated: expected 24 bytes of data, found 20");
    expect(() => parseNpy(file.subarray(0, 30))).toThrow("npy 'array': truncated: the header needs");
    expect(() => parseNpy(file.subarray(0, 9))).toThrow("npy 'array': truncated: the file ends inside the version");
  });
});

describe('labelsToInt32', () => {
  const labels = (descr: string, data: Uint8Array): number[] =>
    Array.from(labelsToInt32(parseNpy(npy(descr, [data.length / (descr === '<i8' ? 8 : 1), 1], data))));

  it('converts uint8, int64 and bool labels, keeping their order', () => {
    expect(labels('|u1', new Uint8Array([0, 1, 255]))).toEqual([0, 1, 255]);
    expect(labels('<i8', bytesOf(new BigInt64Array([4n, -3n, 2147483647n])))).toEqual([4, -3, 2147483647]);
    expect(labels('|b1', new Uint8Array([1, 0]))).toEqual([1, 0]);
  });

  it('refuses float labels and values outside int32', () => {
    expect(() => labelsToInt32(parseNpy(npy('<f4', [1], new Uint8Array(4))))).toThrow(
      'labels must have an integer dtype, got float32',
    );
    const huge = new BigUint64Array([1n, 2n ** 40n]);
    expect(() => labelsToInt32(parseNpy(npy('<u8', [2], bytesOf(huge))))).toThrow(
      'label 1099511627776 at index 1 does not fit in int32',
    );
  });
});

describe('readNpz', () => {
  const images = npy('|u1', [2, 2, 2], new Uint8Array([0, 1, 2, 3, 252, 253, 254, 255]));
  const labels = npy('<i8', [2, 1], bytesOf(new BigInt64Array([1n, 0n])));

  it('reads stored and deflated members, keyed without the .npy suffix', () => {
    for (const level of [0, 6] as const) {
      const zip = zipSync({ 'train_images.npy': images, 'train_labels.npy': labels, 'README.txt': new Uint8Array(3) }, { level });
      const arrays = readNpz(zip, 'toy.npz');
      expect([...arrays.keys()].sort()).toEqual(['train_images', 'train_labels']);
      expect(arrays.get('train_images')).toMatchObject({ dtype: 'uint8', shape: [2, 2, 2] });
      expect(values(arrays.get('train_images')!)).toEqual([0, 1, 2, 3, 252, 253, 254, 255]);
      expect(Array.from(labelsToInt32(arrays.get('train_labels')!))).toEqual([1, 0]);
    }
  });

  it('names the archive when the zip is corrupt or truncated', () => {
    const zip = zipSync({ 'a.npy': images }, { level: 6 });
    expect(() => readNpz(new Uint8Array([1, 2, 3, 4, 5]), 'bad.npz')).toThrow("npz 'bad.npz': not a readable zip archive");
    expect(() => readNpz(zip.subarray(0, zip.length - 30), 'cut.npz')).toThrow("npz 'cut.npz': not a readable zip archive");
  });

  it('names the archive and member when a member is not a valid array', () => {
    const zip = zipSync({ 'a.npy': images.subarray(0, images.length - 1) });
    expect(() => readNpz(zip, 'toy.npz')).toThrow("npy 'toy.npz/a': truncated: expected 8 bytes of data, found 7");
  });
});

const PNEUMONIA = 'medmnist/pneumoniamnist.npz';

describe.skipIf(!mirrorHas(PNEUMONIA))('readNpz on the real PneumoniaMNIST file', () => {
  it('finds uint8 28x28 images, [N, 1] labels and the 4708/524/624 split', () => {
    const arrays = readNpz(readMirror(PNEUMONIA), 'pneumoniamnist.npz');
    expect([...arrays.keys()].sort()).toEqual([
      'test_images', 'test_labels', 'train_images', 'train_labels', 'val_images', 'val_labels',
    ]);
    expect(arrays.get('train_images')).toMatchObject({ dtype: 'uint8', shape: [4708, 28, 28] });
    expect(arrays.get('val_images')!.shape).toEqual([524, 28, 28]);
    expect(arrays.get('test_images')!.shape).toEqual([624, 28, 28]);
    expect(arrays.get('train_labels')!.shape).toEqual([4708, 1]);

    // DATA.md: 1214 normal (0) and 3494 pneumonia (1) training images.
    const labels = labelsToInt32(arrays.get('train_labels')!);
    expect(labels.filter((l) => l === 0).length).toBe(1214);
    expect(labels.filter((l) => l === 1).length).toBe(3494);
  });
});
