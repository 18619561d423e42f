/**
 * Quantiles, percentiles, medians and means against numpy: np.quantile and np.percentile's default
 * (linear, Hyndman & Fan type 7), to the last bit. The judge's golden fixture checks the same
 * functions on more values (test/unit/judge/golden.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { meanOf, median, normalQuantile, percentile, quantileSorted, standardDeviation } from '../../../src/util/stats.js';

describe('quantiles, as numpy computes them', () => {
  it('take the middle value of an odd count and the mean of the middle two of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('interpolate linearly between the nearest order statistics', () => {
    // numpy.quantile([1, 2, 3, 4], [0.25, 0.75]) -> [1.75, 3.25]; [10, 20, 30, 40, 50] -> [20, 40]
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantileSorted([1, 2, 3, 4], 0.75)).toBe(3.25);
    expect(quantileSorted([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect(quantileSorted([10, 20, 30, 40, 50], 0.75)).toBe(40);
    expect(quantileSorted([10, 20], 0)).toBe(10);
    expect(quantileSorted([10, 20], 1)).toBe(20);
    expect([0, 50, 100].map((p) => percentile([3, 1, 2], p))).toEqual([1, 2, 3]);
  });

  it('round as numpy does: from the nearer end, and percentiles divided by 100 first', () => {
    // a + (b - a) * t alone gives 0.49999999999999994 and 0.8499999999999999 here
    expect(quantileSorted([0.2, 0.7], 0.6)).toBe(0.5); // np.quantile([0.2, 0.7], 0.6)
    expect(quantileSorted([0.1, 1.1], 0.75)).toBe(0.8500000000000001);
    expect(quantileSorted([0.1, 0.3], 0.9)).toBe(0.27999999999999997);
    expect(percentile([0.2, 0.7, 0.1, 1.1], 60)).toBe(0.5999999999999999);
    // ((n - 1) * p) / 100 would give 0.0075
    expect(percentile([0, 0.1, 0.2, 0.3], 2.5)).toBe(0.0075000000000000015);
  });

  it('sort what they are given, and leave it as it was', () => {
    const values = [3, 1, 2];
    expect(percentile(values, 25)).toBe(1.5);
    expect(values).toEqual([3, 1, 2]);
    expect(median(Float32Array.of(4, 2))).toBe(3);
  });

  it('say NaN for no values where a figure may have none, and refuse what is not a quantile', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(median([])).toBeNaN();
    expect(meanOf([])).toBeNaN();
    expect(() => quantileSorted([], 0.5)).toThrow('a quantile of no values');
    expect(() => quantileSorted([1], 1.5)).toThrow('quantile must be between 0 and 1, got 1.5');
    expect(() => percentile([1], 101)).toThrow('a percentile is between 0 and 100, not 101');
    expect(() => percentile([1], Number.NaN)).toThrow('a percentile is between 0 and 100, not NaN');
  });
});

describe('means', () => {
  it('average any array of numbers', () => {
    expect(meanOf([1, 2, 3, 4])).toBe(2.5);
    expect(meanOf(Float32Array.of(0.5, 1.5))).toBe(1);
  });
});

describe('the spread of resamples', () => {
  it('takes the sample standard deviation and the normal quantiles Python\'s statistics.NormalDist gives', () => {
    expect(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935299395, 12);
    expect(standardDeviation([1])).toBeNaN();
    // statistics.NormalDist().inv_cdf(p) for p = 0.975, 0.5, 0.01, 0.999
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 8);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232306167813, 8);
    expect(() => normalQuantile(1)).toThrow('0 < p < 1');
  });
});
