/**
 * Summaries of repeated timings: the median, and the spread as both the range (min-max) and the
 * interquartile range. Pure functions over plain arrays.
 */
import { quantileSorted } from '../util/stats.js';

export interface Spread {
  /** How many measurements. */
  n: number;
  median: number;
  min: number;
  max: number;
  /** First and third quartiles (linear interpolation between order statistics, as numpy.quantile). */
  q1: number;
  q3: number;
  /** The measurements, in the order they were taken. */
  values: number[];
}

/** The summary of `values`; throws on an empty list or a value that is not a finite number. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('no measurements to summarise');
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new Error(`measurement ${bad} is not a finite number`);
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: values.length,
    median: quantileSorted(sorted, 0.5),
    min: sorted[0]!,
    max: sorted.at(-1)!,
    q1: quantileSorted(sorted, 0.25),
    q3: quantileSorted(sorted, 0.75),
    values: [...values],
  };
}
