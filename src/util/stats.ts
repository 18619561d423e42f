/**
 * Order statistics and means over plain arrays, with numpy's default definitions so that the
 * benchmarks' medians, the judge's figures and the Python evaluation agree. The quantile is
 * numpy's 'linear' method (Hyndman & Fan type 7, also R's default), computed in numpy's order of
 * operations, so that it matches np.quantile and np.percentile bit for bit on float64 values.
 */

/**
 * The q-quantile (q in 0..1) of already sorted values: linear interpolation between the two
 * nearest order statistics, as np.quantile(values, q). Throws on no values.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new Error('a quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile must be between 0 and 1, got ${q}`);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const a = sorted[below]!;
  const b = sorted[Math.ceil(position)]!;
  const t = position - below;
  // numpy's lerp: from the nearer end, so that t = 1 gives b exactly and the result stays in [a, b]
  return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t);
}

/** np.percentile(values, p), p in 0..100: the (p / 100)-quantile, linear. NaN for no values. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new Error(`a percentile is between 0 and 100, not ${p}`);
  if (values.length === 0) return NaN;
  return quantileSorted(Float64Array.from(values).sort(), p / 100); // np.percentile divides first, too
}

/** np.percentile(values, 50). NaN for no values. */
export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

/** The arithmetic mean; NaN for no values. */
export function meanOf(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

/** Sample standard deviation (n - 1 in the denominator, as np.std(ddof=1)); NaN below two values. */
export function standardDeviation(values: ArrayLike<number>): number {
  if (values.length < 2) return NaN;
  const m = meanOf(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i]! - m) ** 2;
  return Math.sqrt(s / (values.length - 1));
}

/**
 * The standard normal quantile (inverse CDF) at p in (0, 1), by Acklam's rational approximation
 * (relative error below 1.2e-9): normalQuantile(0.975) = 1.95996...
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`a quantile needs 0 < p < 1, got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) => (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
