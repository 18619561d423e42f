/**
 * The eigendecomposition behind the Frechet distance (Householder + QL): eigenpairs, singular and
 * diagonal matrices, square roots, and Frechet distances against numpy (test/fixtures/metric-golden.json).
 */
import { describe, expect, it } from 'vitest';
import golden from '../../fixtures/metric-golden.json';
import { frechetDistance } from '../../../src/metrics/frechet.js';
import { eigenvalues, sqrtPsd, symmetricEigen } from '../../../src/metrics/eigen.js';
import { type Matrix, covariance, matrix } from '../../../src/metrics/linalg.js';
import { Rng } from '../../../src/util/random.js';

const rows = (n: number, d: number, seed: number, scale = 1, shift = 0): Matrix => {
  const rng = new Rng(seed);
  return matrix(n, d, Array.from({ length: n * d }, () => shift + scale * rng.normal()));
};

describe('symmetric eigendecomposition by Householder and QL', () => {
  it('finds eigenpairs: A v = lambda v, and the same eigenvalues without the vectors', () => {
    const a = covariance(rows(30, 12, 1));
    const { values, vectors } = symmetricEigen(a);
    const n = a.rows;
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a.data[i * n + j]! * vectors.data[j * n + k]!;
        expect(av).toBeCloseTo(values[k]! * vectors.data[i * n + k]!, 10);
      }
    }
    const sorted = [...values].sort((x, y) => x - y);
    const alone = [...eigenvalues(a)].sort((x, y) => x - y);
    sorted.forEach((v, i) => expect(v).toBeCloseTo(alone[i]!, 12));
    expect(sorted.reduce((s, v) => s + v, 0)).toBeCloseTo([...Array(n).keys()].reduce((s, i) => s + a.data[i * n + i]!, 0), 10);
  });

  it('handles singular and diagonal matrices, and takes square roots', () => {
    const singular = covariance(rows(5, 10, 2)); // rank 4
    const root = sqrtPsd(singular);
    const n = 10;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += root.data[i * n + k]! * root.data[k * n + j]!;
      expect(s).toBeCloseTo(singular.data[i * n + j]!, 9);
    }
    expect([...eigenvalues(matrix(3, 3, [2, 0, 0, 0, 5, 0, 0, 0, 1]))].sort()).toEqual([1, 2, 5]);
  });
});

describe('the Frechet distance', () => {
  it('matches numpy on the metric fixtures', () => {
    const real = matrix(golden.real.rows, golden.real.cols, golden.real.data);
    const fake = matrix(golden.fake.rows, golden.fake.cols, golden.fake.data);
    expect(frechetDistance(real, fake)).toBeCloseTo(golden.frechet, 9);
    expect(frechetDistance(real, real)).toBeLessThan(1e-9);
  });

  it('is finite and non-negative on rank-deficient 64-dimensional sets, and zero for a set and itself', () => {
    for (const [n, m, seed] of [[128, 128, 3], [40, 90, 4], [200, 150, 5]] as const) {
      const a = rows(n, 64, seed);
      const b = rows(m, 64, seed + 10, 1.2, 0.1);
      const d = frechetDistance(a, b);
      expect(Number.isFinite(d) && d > 0).toBe(true);
      expect(frechetDistance(a, a)).toBeLessThan(1e-8 * d);
    }
  });
});
