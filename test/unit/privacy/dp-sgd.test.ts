/**
 * DP-SGD's private gradient against the PyTorch side's (training/medsynth/privacy.py, through
 * test/fixtures/privacy-golden.json), and what clipping must do: a short gradient is kept, a long
 * one scaled to the clipping norm, and the noise is sigma x C standard normal draws.
 */
import { describe, expect, it } from 'vitest';
import golden from '../../fixtures/privacy-golden.json';
import { dpSgdGradient } from '../../../src/privacy/dp-sgd.js';

const perExample = golden.dpSgd.perExample.map((row) => Float32Array.from(row));
const noise = Float32Array.from(golden.dpSgd.noise);

describe("DP-SGD's private gradient", () => {
  it('is the PyTorch side\'s, clip by clip and noise by noise', () => {
    expect(golden.dpSgd.cases).toHaveLength(4);
    for (const c of golden.dpSgd.cases) {
      const got = dpSgdGradient(perExample, c.clip, c.sigma, noise, c.lotSize);
      c.gradient.forEach((v, j) => expect(Math.abs(got[j]! - v), `clip ${c.clip} sigma ${c.sigma} [${j}]`).toBeLessThan(1e-6 * Math.max(1, Math.abs(v))));
    }
  });

  it('keeps a gradient within the clipping norm, scales a longer one to it, and adds sigma x C of noise', () => {
    const zero = new Float32Array(2);
    expect(Array.from(dpSgdGradient([Float32Array.of(0.3, 0.4)], 1, 0, zero, 1))).toEqual([Math.fround(0.3), Math.fround(0.4)]);
    expect(Array.from(dpSgdGradient([Float32Array.of(3, 4)], 1, 0, zero, 1))).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(dpSgdGradient([Float32Array.of(3, 4), Float32Array.of(0, 0)], 1, 2, Float32Array.of(1, -0.5), 2)))
      .toEqual([Math.fround((0.6 + 2) / 2), Math.fround((0.8 - 1) / 2)]);
  });

  it('refuses absurd settings', () => {
    expect(() => dpSgdGradient(perExample, 0, 1, noise, 6)).toThrow('the clipping norm must be positive, got 0');
    expect(() => dpSgdGradient(perExample, 1, -1, noise, 6)).toThrow('the noise multiplier must be at least 0, got -1');
    expect(() => dpSgdGradient(perExample, 1, 1, noise, 0)).toThrow('the lot size must be positive, got 0');
    expect(() => dpSgdGradient([new Float32Array(3)], 1, 1, noise, 6)).toThrow('a per-example gradient has 3 values, the noise 10');
  });
});
