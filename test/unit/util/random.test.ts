/**
 * The seeded generators. The noise streams are pinned bit for bit: the picker's thumbnails, the
 * pixel goldens and the parity tests are made from them. The judge's sequence is pinned too: the
 * bootstrap intervals and training figures in docs/judge/audit.md were measured with it.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Rng, batchNoise, gaussian, streamKey } from '../../../src/util/random.js';

const sha256 = (a: Float32Array | Float64Array) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

function moments(values: ArrayLike<number>) {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    squares += values[i]! ** 2;
  }
  const mean = sum / values.length;
  return { mean, variance: squares / values.length - mean ** 2 };
}

describe('the diffusion noise streams', () => {
  it('give the same numbers as when the thumbnails and goldens were made', () => {
    expect([streamKey(0, 0, 0), streamKey(42, 3, 7), streamKey(0xffffffff, 63, 999)]).toEqual([2057843174, 1714356349, 3272527913]);
    expect([...gaussian(streamKey(42, 0, 0), 5)]).toEqual([0.8412202000617981, -1.3729143142700195, -0.08149562776088715, 0.701991617679596, -0.490692138671875]);
    expect(sha256(batchNoise(42, 8, 784, 3))).toBe('604667006730fb7363d9faddc5c3b07f9254c89f6d7ed6f1ea92ea4982da267d');
    expect(sha256(batchNoise(1, 3, 257, 0))).toBe('b6218c3c042ed3454a132ac3c2bfdbac66c1dbf6ab76615412979a3abdaaee45');
  });

  it('give sample i the same noise whatever the batch size, and each step new noise', () => {
    const four = batchNoise(5, 4, 10, 2);
    for (let i = 0; i < 4; i++) expect(four.subarray(i * 10, (i + 1) * 10)).toEqual(gaussian(streamKey(5, i, 2), 10));
    expect(batchNoise(5, 1, 10, 2)).toEqual(four.subarray(0, 10));
    expect(batchNoise(5, 1, 10, 3)).not.toEqual(four.subarray(0, 10));
  });

  it('an odd count is the start of the next even one', () => {
    expect(gaussian(99, 5)).toEqual(gaussian(99, 6).subarray(0, 5));
  });

  it('are standard normal', () => {
    const { mean, variance } = moments(gaussian(streamKey(3, 0, 0), 100_000));
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  });
});

describe("the judge's generator", () => {
  it('gives the sequence the committed audit figures were measured with', () => {
    const rng = new Rng(1);
    const seq = Float64Array.from({ length: 1000 }, () => rng.next());
    expect([...seq.subarray(0, 5)]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522, 0.9810509674716741, 0.9683778982143849]);
    expect(sha256(seq)).toBe('fd7bec27ffadf1e2a6e445020b899b86cf5fcbcbc859d4d012b75e7ff8295278');
    const r = new Rng(7);
    expect([r.normal(), r.normal()]).toEqual([0.14197043782155663, -0.8642530248729361]);
    expect([r.int(10), r.int(1000)]).toEqual([5, 405]);
    expect(r.permutation(8)).toEqual([2, 4, 0, 6, 5, 7, 1, 3]);
    expect(r.choose(10, 3)).toEqual([6, 4, 0]);
  });

  it('repeats itself for a seed, and differs between seeds', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 8 }, () => rng.next());
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });

  it('draws integers in range, orders and picks without repeats', () => {
    const rng = new Rng(11);
    const ints = Array.from({ length: 1000 }, () => rng.int(7));
    expect(Math.min(...ints)).toBe(0);
    expect(Math.max(...ints)).toBe(6);
    expect(rng.permutation(50).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const picked = rng.choose(20, 20);
    expect(new Set(picked).size).toBe(20);
    expect(rng.choose(5, 0)).toEqual([]);
    expect(() => rng.choose(3, 4)).toThrow('cannot choose 4 of 3');
  });

  it('draws standard normals', () => {
    const rng = new Rng(2);
    const { mean, variance } = moments(Float64Array.from({ length: 100_000 }, () => rng.normal()));
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  });
});
