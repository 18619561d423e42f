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
