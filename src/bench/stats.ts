/**
 * Summaries of repeated timings: the median, and the spread as both the range (min-max) and the
 * interquartile range. Pure functions over plain arrays.
 */

export interface Spread {
  /** How many measurements. */
  n: number;
  median: number;
  min: number;
  max: number;
  /** First and third quartiles (linear interpolation between order statistics). */
  q1: number;
  q3: number;
  /** The measurements, in the order they were taken. */
  values: number[];
}

/**
 * The q-quantile of already sorted values, interpolating linearly between the two nearest order
 * statistics (Hyndman & Fan type 7, as numpy.quantile and R's default).
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('a quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile must be between 0 and 1, got ${q}`);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below]!;
  return low + (sorted[above]! - low) * (position - below);
}

export function median(values: readonly number[]): number {
  return quantileSorted([...values].sort((a, b) => a - b), 0.5);
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
