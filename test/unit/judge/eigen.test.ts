/**
 * The quicker eigendecomposition behind the bootstrap's Frechet distances: the same figure as
 * src/metrics (cyclic Jacobi) and as numpy (test/fixtures/metric-golden.json).
 */
import { describe, expect, it } from 'vitest';
import golden from '../../fixtures/metric-golden.json';
import { frechetDistance } from '../../../src/metrics/frechet.js';
import { type Matrix, covariance, matrix, symmetricEigen } from '../../../src/metrics/linalg.js';
import { frechetDistanceQl, sqrtPsdQl, symmetricEigenQl } from '../../../src/judge/eigen.js';
import { Rng } from '../../../src/judge/random.js';

const rows = (n: number, d: number, seed: number, scale = 1, shift = 0): Matrix => {
  const rng = new Rng(seed);
  return matrix(n, d, Array.from({ length: n * d }, () => shift + scale * rng.normal()));
};

describe('symmetric eigendecomposition by Householder and QL', () => {
  it('finds eigenpairs: A v = lambda v, the same eigenvalues as Jacobi', () => {
    const a = covariance(rows(30, 12, 1));
    const { values, vectors } = symmetricEigenQl(a);
    const n = a.rows;
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a.data[i * n + j]! * vectors![j * n + k]!;
        expect(av).toBeCloseTo(values[k]! * vectors![i * n + k]!, 10);
      }
    }
    const sortedQl = [...values].sort((x, y) => x - y);
    const sortedJacobi = [...symmetricEigen(a).values].sort((x, y) => x - y);
    sortedQl.forEach((v, i) => expect(v).toBeCloseTo(sortedJacobi[i]!, 10));
  });

  it('handles singular and diagonal matrices, and takes square roots', () => {
    const singular = covariance(rows(5, 10, 2)); // rank 4
    const root = sqrtPsdQl(singular);
    const n = 10;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += root.data[i * n + k]! * root.data[k * n + j]!;
      expect(s).toBeCloseTo(singular.data[i * n + j]!, 9);
    }
    expect([...symmetricEigenQl(matrix(3, 3, [2, 0, 0, 0, 5, 0, 0, 0, 1])).values].sort()).toEqual([1, 2, 5]);
  });
});

describe('the quick Frechet distance', () => {
  it('matches numpy on the metric fixtures', () => {
    const real = matrix(golden.real.rows, golden.real.cols, golden.real.data);
    const fake = matrix(golden.fake.rows, golden.fake.cols, golden.fake.data);
    expect(frechetDistanceQl(real, fake)).toBeCloseTo(golden.frechet, 9);
    expect(frechetDistanceQl(real, real)).toBeLessThan(1e-9);
  });

  it('matches the Jacobi version on 64-dimensional features, including rank-deficient sets', () => {
    for (const [n, m, seed] of [[128, 128, 3], [40, 90, 4], [200, 150, 5]] as const) {
      const a = rows(n, 64, seed);
      const b = rows(m, 64, seed + 10, 1.2, 0.1);
      const want = frechetDistance(a, b);
      expect(Math.abs(frechetDistanceQl(a, b) - want) / want).toBeLessThan(1e-8);
    }
  });
});
