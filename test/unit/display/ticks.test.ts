import { describe, expect, it } from 'vitest';
import { niceTicks } from '../../../src/display/ticks.js';
import { Rng } from '../../../src/util/random.js';

describe('nice axis ticks', () => {
  it('steps by 1, 2 or 5 times a power of ten and covers the range', () => {
    // a two-class cross-entropy starts near ln 2
    expect(niceTicks(0, 0.693, 4)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(0, 2.3)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(niceTicks(0, 8)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-3, 17, 4)).toEqual([-5, 0, 5, 10, 15, 20]);
    expect(niceTicks(0.012, 0.0371, 3)).toEqual([0.01, 0.02, 0.03, 0.04]);
  });

  it('gives at least three evenly spaced ticks, without rounding noise, for any range', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 500; trial++) {
      const scale = 10 ** Math.floor(rng.next() * 8 - 4);
      const lo = (rng.next() - 0.5) * 10 * scale;
      const hi = lo + (0.05 + rng.next()) * scale;
      const count = 3 + Math.floor(rng.next() * 6);
      const ticks = niceTicks(lo, hi, count);
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      expect(ticks[0]!).toBeLessThanOrEqual(lo);
      expect(ticks.at(-1)!).toBeGreaterThanOrEqual(hi);
      const step = ticks[1]! - ticks[0]!;
      const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
      expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-6)).toBe(true);
      ticks.forEach((t, i) => expect(t).toBeCloseTo(ticks[0]! + i * step, 9));
      // printed as short decimals, not 0.30000000000000004
      for (const t of ticks) expect(String(t).replace(/^-/, '').length).toBeLessThan(12);
    }
  });

  it('widens an empty range around its one value', () => {
    expect(niceTicks(0, 0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const one = niceTicks(0.5, 0.5);
    expect(one.length).toBeGreaterThanOrEqual(3);
    expect(one[0]!).toBeLessThanOrEqual(0.5);
    expect(one.at(-1)!).toBeGreaterThanOrEqual(0.5);
    expect(niceTicks(NaN, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});
