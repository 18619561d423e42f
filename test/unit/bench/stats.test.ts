/** Medians and spreads of repeated timings, against numpy.quantile's default (linear, type 7). */
import { describe, expect, it } from 'vitest';
import { median, quantileSorted, spread } from '../../../src/bench/stats.js';

describe('summarising repeated timings', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('gives quartiles as numpy.quantile does', () => {
    // numpy.quantile([1, 2, 3, 4], [0.25, 0.75]) -> [1.75, 3.25]; [10, 20, 30, 40, 50] -> [20, 40]
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantileSorted([1, 2, 3, 4], 0.75)).toBeCloseTo(3.25, 12);
    expect(quantileSorted([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect(quantileSorted([10, 20, 30, 40, 50], 0.75)).toBe(40);
    expect(quantileSorted([10, 20], 0)).toBe(10);
    expect(quantileSorted([10, 20], 1)).toBe(20);
  });

  it('reports the median, the range and the quartiles, and keeps the values in the order measured', () => {
    const s = spread([12, 10, 30, 11]);
    expect(s).toEqual({ n: 4, median: 11.5, min: 10, max: 30, q1: 10.75, q3: 16.5, values: [12, 10, 30, 11] });
  });

  it('a single measurement has no spread', () => {
    expect(spread([42])).toMatchObject({ n: 1, median: 42, min: 42, max: 42, q1: 42, q3: 42 });
  });

  it('refuses no values, a NaN or an infinity instead of summarising them', () => {
    expect(() => spread([])).toThrow('no measurements to summarise');
    expect(() => spread([1, Number.NaN])).toThrow('measurement NaN is not a finite number');
    expect(() => spread([Infinity])).toThrow('measurement Infinity is not a finite number');
    expect(() => quantileSorted([1], 1.5)).toThrow('quantile must be between 0 and 1, got 1.5');
  });
});
