/**
 * The little linear algebra the sample-quality metrics need, over plain
 * float64 arrays: means and covariances of feature rows, and the symmetric
 * eigendecomposition (cyclic Jacobi) behind matrix square roots. Feature
 * spaces here are small (64 dimensions), where Jacobi is exact and quick.
 */

/** Row-major matrix of `rows` x `cols` values. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function matrix(rows: number, cols: number, values?: ArrayLike<number>): Matrix {
  if (values && values.length !== rows * cols) throw new Error(`expected ${rows * cols} values, got ${values.length}`);
  return { rows, cols, data: values ? Float64Array.from(values) : new Float64Array(rows * cols) };
}

export function mean(x: Matrix): Float64Array {
  const out = new Float64Array(x.cols);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) out[j]! += x.data[i * x.cols + j]!;
  return out.map((v) => v / x.rows);
}

/** Unbiased sample covariance (divides by n - 1, as numpy's np.cov). */
export function covariance(x: Matrix): Matrix {
  if (x.rows < 2) throw new Error('a covariance needs at least two samples');
  const mu = mean(x);
  const d = x.cols;
  const out = matrix(d, d);
  for (let i = 0; i < x.rows; i++) {
    for (let a = 0; a < d; a++) {
      const da = x.data[i * d + a]! - mu[a]!;
      for (let b = a; b < d; b++) out.data[a * d + b]! += da * (x.data[i * d + b]! - mu[b]!);
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = out.data[a * d + b]! / (x.rows - 1);
      out.data[a * d + b] = v;
      out.data[b * d + a] = v;
    }
  }
  return out;
}

export function multiply(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`cannot multiply ${a.rows}x${a.cols} by ${b.rows}x${b.cols}`);
  const out = matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const v = a.data[i * a.cols + k]!;
      if (v === 0) continue;
      for (let j = 0; j < b.cols; j++) out.data[i * b.cols + j]! += v * b.data[k * b.cols + j]!;
    }
  }
  return out;
}

export function trace(a: Matrix): number {
  let t = 0;
  for (let i = 0; i < Math.min(a.rows, a.cols); i++) t += a.data[i * a.cols + i]!;
  return t;
}
