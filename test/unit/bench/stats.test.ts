/**
 * Medians and spreads of repeated timings, against numpy.quantile's default (linear, type 7); the
 * quantile itself is tested in test/unit/util/stats.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { spread } from '../../../src/bench/stats.js';

describe('summarising repeated timings', () => {
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
  });
});
