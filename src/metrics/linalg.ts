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

/** Eigenvalues and eigenvectors (columns of `vectors`) of a symmetric matrix. */
export function symmetricEigen(a: Matrix, sweeps = 100): { values: Float64Array; vectors: Matrix } {
  const n = a.rows;
  const m = Float64Array.from(a.data);
  const v = matrix(n, n);
  for (let i = 0; i < n; i++) v.data[i * n + i] = 1;
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! ** 2;
    if (off < 1e-22 * (1 + trace({ rows: n, cols: n, data: m.map((x) => x * x) }))) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        // Rotation that zeroes m[p][q] (Golub and Van Loan, algorithm 8.4.2).
        const theta = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p]!;
          const mkq = m[k * n + q]!;
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k]!;
          const mqk = m[q * n + k]!;
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v.data[k * n + p]!;
          const vkq = v.data[k * n + q]!;
          v.data[k * n + p] = c * vkp - s * vkq;
          v.data[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => m[i * n + i]!), vectors: v };
}

/** The symmetric positive semi-definite square root; tiny negative eigenvalues (rounding) count as 0. */
export function sqrtPsd(a: Matrix): Matrix {
  const { values, vectors } = symmetricEigen(a);
  const n = a.rows;
  const out = matrix(n, n);
  for (let k = 0; k < n; k++) {
    const root = Math.sqrt(Math.max(values[k]!, 0));
    if (root === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors.data[i * n + k]! * root;
      for (let j = 0; j < n; j++) out.data[i * n + j]! += vik * vectors.data[j * n + k]!;
    }
  }
  return out;
}
