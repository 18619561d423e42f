/**
 * Distances between two sets of samples in a feature space (the evaluator's
 * penultimate layer): the Frechet distance (Heusel et al. 2017, "FID") and
 * the kernel inception distance (Binkowski et al. 2018, "KID"), each
 * computed as the papers define them, for any feature extractor.
 */
import { eigenvalues, sqrtPsd } from './eigen.js';
import { type Matrix, covariance, mean, multiply, trace } from './linalg.js';

/**
 * d^2 = |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a^1/2 S_b S_a^1/2)^1/2),
 * the symmetric form of tr((S_a S_b)^1/2), which has the same eigenvalues.
 */
export function frechetDistance(a: Matrix, b: Matrix): number {
  if (a.cols !== b.cols) throw new Error(`feature sizes differ: ${a.cols} and ${b.cols}`);
  const muA = mean(a);
  const muB = mean(b);
  const sA = covariance(a);
  const sB = covariance(b);
  const rootA = sqrtPsd(sA);
  const m = multiply(multiply(rootA, sB), rootA);
  const n = m.rows;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      // symmetric in exact arithmetic: average away the rounding before the eigenvalues
      const avg = (m.data[i * n + j]! + m.data[j * n + i]!) / 2;
      m.data[i * n + j] = avg;
      m.data[j * n + i] = avg;
    }
  }
  let cross = 0; // tr(M^1/2) = sum of the square roots of M's eigenvalues
  for (const v of eigenvalues(m)) cross += Math.sqrt(Math.max(v, 0));
  let meanTerm = 0;
  for (let i = 0; i < a.cols; i++) meanTerm += (muA[i]! - muB[i]!) ** 2;
  return Math.max(meanTerm + trace(sA) + trace(sB) - 2 * cross, 0);
}

/**
 * Unbiased squared MMD with the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3,
 * as in Binkowski et al. (2018). Unlike the Frechet distance it is unbiased
 * for small samples, so it is the one to trust with tens of samples.
 */
export function kernelDistance(a: Matrix, b: Matrix): number {
  if (a.cols !== b.cols) throw new Error(`feature sizes differ: ${a.cols} and ${b.cols}`);
  if (a.rows < 2 || b.rows < 2) throw new Error('the kernel distance needs at least two samples in each set');
  const d = a.cols;
  const kernel = (x: Matrix, i: number, y: Matrix, j: number) => {
    let dot = 0;
    for (let k = 0; k < d; k++) dot += x.data[i * d + k]! * y.data[j * d + k]!;
    return (dot / d + 1) ** 3;
  };
  const within = (x: Matrix) => {
    let sum = 0;
    for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.rows; j++) if (i !== j) sum += kernel(x, i, x, j);
    return sum / (x.rows * (x.rows - 1));
  };
  let across = 0;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < b.rows; j++) across += kernel(a, i, b, j);
  return within(a) + within(b) - (2 * across) / (a.rows * b.rows);
}

export interface ExtrapolatedFrechet {
  /** Rows of each set the distance was measured on, and the distance at each. */
  sizes: number[];
  values: number[];
  /** The intercept of FD = FD_inf + slope / N, least squares over the sizes: the distance at infinite N. */
  infinity: number;
  slope: number;
}

/**
 * The Frechet distance's bias removed by extrapolation (Chong & Forsyth 2020, "Effectively unbiased
 * FID"): the bias of FD grows like 1 / N, so FD is measured on the first n rows of both sets for
 * each n of `sizes` and a line in 1 / N is fitted; its intercept is FD at infinite N. The rows must
 * be in random order (the caller shuffles). training/medsynth/evaluate.py frechet_extrapolated is
 * the same.
 */
export function frechetExtrapolated(a: Matrix, b: Matrix, sizes: readonly number[]): ExtrapolatedFrechet {
  if (sizes.length < 2) throw new Error('extrapolation needs at least two sizes');
  const prefix = (m: Matrix, n: number): Matrix => {
    if (!(n >= 2 && n <= m.rows)) throw new Error(`cannot take ${n} of ${m.rows} rows`);
    return { rows: n, cols: m.cols, data: m.data.subarray(0, n * m.cols) };
  };
  const values = sizes.map((n) => frechetDistance(prefix(a, n), prefix(b, n)));
  const xs = sizes.map((n) => 1 / n);
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = values.reduce((s, y) => s + y, 0) / values.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (values[i]! - my);
    sxx += (x - mx) ** 2;
  });
  const slope = sxy / sxx;
  return { sizes: [...sizes], values, infinity: my - slope * mx, slope };
}

/** Five sizes from half of n to n, evenly spaced: the sizes the judge extrapolates over. */
export function extrapolationSizes(n: number, count = 5): number[] {
  const low = Math.max(2, Math.floor(n / 2));
  const out = Array.from({ length: count }, (_, i) => Math.round(low + ((n - low) * i) / (count - 1)));
  return [...new Set(out)];
}
