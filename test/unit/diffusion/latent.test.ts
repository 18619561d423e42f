/**
 * Latents of the VAE and the GAN: the truncation rule against the hand-written golden case that the
 * Python side checks too (test/fixtures/truncation-golden.json), and the seeded truncated draw
 * against golden numbers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { priorLatents, truncated, truncatedLatents } from '../../../src/diffusion/latent.js';
import { gaussian, streamKey } from '../../../src/util/random.js';

const GOLDEN = JSON.parse(readFileSync('test/fixtures/truncation-golden.json', 'utf8')) as {
  cases: { psi: number; stream: number[]; kept: number[] }[];
};

describe('truncation', () => {
  it.each(GOLDEN.cases)('keeps the values within ±$psi in order, the bound included (golden, shared with Python)', ({ psi, stream, kept }) => {
    expect(truncated(stream, psi)).toEqual(Float32Array.from(kept));
  });

  it('refuses a bound that is not a positive number', () => {
    for (const psi of [0, -1, Number.NaN]) expect(() => truncated([0.1], psi)).toThrow(/positive number/);
  });
});

describe('truncated latents', () => {
  it('are the seed\'s golden numbers at psi 0.5', () => {
    expect(truncatedLatents(7, 2, 3, 0.5)).toEqual(Float32Array.from([
      0.0074311187490820885, 0.46110689640045166, -0.14654771983623505,
      0.3271486759185791, -0.18106144666671753, -0.3286608159542084,
    ]));
  });

  it('are the first values within the bound of sample i\'s own stream, whatever the count', () => {
    const dim = 16;
    const many = truncatedLatents(3, 5, dim, 0.8);
    for (let i = 0; i < 5; i++) {
      const row = many.subarray(i * dim, (i + 1) * dim);
      expect(row).toEqual(truncated(gaussian(streamKey(3, i, 0), 400), 0.8).subarray(0, dim));
      for (const v of row) expect(Math.abs(v)).toBeLessThanOrEqual(0.8);
    }
    expect(truncatedLatents(3, 2, dim, 0.8)).toEqual(many.subarray(0, 2 * dim));
  });

  it('are the plain prior draw when not truncated, and nearly always when the bound is wide', () => {
    expect(truncatedLatents(9, 3, 8, null)).toEqual(priorLatents(9, 3, 8));
    const prior = priorLatents(9, 3, 8);
    expect(Math.max(...prior.map(Math.abs))).toBeLessThan(3);        // this seed's draw has no value beyond 3...
    expect(truncatedLatents(9, 3, 8, 3)).toEqual(prior);              // ...so a bound of 3 keeps it whole
  });

  it('refuses a bound so small that the draw would run long', () => {
    expect(() => truncatedLatents(1, 1, 4, 0.01)).toThrow('truncation must be at least 0.05, got 0.01');
  });
});
