/**
 * The sample-quality metrics against values computed independently with numpy
 * (test/fixtures/make-metric-golden.py) on fixed feature sets.
 */
import { describe, expect, it } from 'vitest';
import golden from '../../fixtures/metric-golden.json';
import { extrapolationSizes, frechetDistance, frechetExtrapolated, kernelDistance } from '../../../src/metrics/frechet.js';
import { sqrtPsd, symmetricEigen } from '../../../src/metrics/eigen.js';
import { matrix, multiply } from '../../../src/metrics/linalg.js';
import { closestDistances, nearest, prdc } from '../../../src/metrics/neighbours.js';

const real = matrix(golden.real.rows, golden.real.cols, golden.real.data);
const fake = matrix(golden.fake.rows, golden.fake.cols, golden.fake.data);

describe('linear algebra', () => {
  it('decomposes a symmetric matrix into eigenpairs', () => {
    const a = matrix(3, 3, [4, 1, 2, 1, 3, 0, 2, 0, 5]);
    const { values, vectors } = symmetricEigen(a);
    for (let k = 0; k < 3; k++) {
      const v = [0, 1, 2].map((i) => vectors.data[i * 3 + k]!);
      const av = [0, 1, 2].map((i) => [0, 1, 2].reduce((s, j) => s + a.data[i * 3 + j]! * v[j]!, 0));
      av.forEach((x, i) => expect(x).toBeCloseTo(values[k]! * v[i]!, 10));
    }
    expect([...values].reduce((s, x) => s + x, 0)).toBeCloseTo(12, 10);
  });

  it('takes the square root of a positive semi-definite matrix', () => {
    const a = matrix(2, 2, [5, 2, 2, 2]);
    const root = sqrtPsd(a);
    [...multiply(root, root).data].forEach((x, i) => expect(x).toBeCloseTo(a.data[i]!, 10));
  });
});

describe('distances between sample sets', () => {
  it('Frechet distance matches numpy, and is zero between a set and itself', () => {
    expect(frechetDistance(real, fake)).toBeCloseTo(golden.frechet, 9);
    expect(frechetDistance(real, real)).toBeLessThan(1e-9);
  });

  it('kernel distance (KID) matches numpy', () => {
    expect(kernelDistance(real, fake)).toBeCloseTo(golden.kid, 10);
  });

  it('precision, recall, density and coverage match the reference implementation', () => {
    const got = prdc(real, fake, 5);
    expect(got.precision).toBeCloseTo(golden.prdc.precision, 12);
    expect(got.recall).toBeCloseTo(golden.prdc.recall, 12);
    expect(got.density).toBeCloseTo(golden.prdc.density, 12);
    expect(got.coverage).toBeCloseTo(golden.prdc.coverage, 12);
  });

  it('distance to the closest record matches numpy', () => {
    const dcr = closestDistances(fake, real);
    golden.dcr.forEach((d, i) => expect(dcr[i]).toBeCloseTo(d, 10));
  });

  it('finds a copied record at distance zero, and never a row as its own neighbour', () => {
    const copy = matrix(1, 6, golden.real.data.slice(6 * 7, 6 * 8)); // real row 7
    expect(nearest(copy, real, 2)[0]).toEqual([{ index: 7, distance: 0 }, expect.objectContaining({ distance: expect.any(Number) })]);
    expect(nearest(real, real, 1, true).every((row, i) => row[0]!.index !== i)).toBe(true);
  });

  it('refuses sets too small or of different widths, saying why', () => {
    expect(() => kernelDistance(matrix(1, 6, golden.real.data.slice(0, 6)), fake)).toThrow('at least two samples');
    expect(() => frechetDistance(real, matrix(2, 3, [1, 2, 3, 4, 5, 6]))).toThrow('feature sizes differ: 6 and 3');
    expect(() => prdc(matrix(3, 6), fake, 5)).toThrow('need more than 5 samples');
  });
});

describe('the Frechet distance at infinite N', () => {
  it('fits FD against 1 / N over prefixes as numpy does', () => {
    const g = golden.frechetExtrapolated;
    const got = frechetExtrapolated(real, fake, g.sizes);
    got.values.forEach((v, i) => expect(v).toBeCloseTo(g.values[i]!, 9));
    expect(got.infinity).toBeCloseTo(g.infinity, 8);
    expect(got.slope).toBeCloseTo(g.slope, 6);
    expect(() => frechetExtrapolated(real, fake, [20])).toThrow('at least two sizes');
    expect(() => frechetExtrapolated(real, fake, [20, 45])).toThrow('cannot take 45 of 40 rows');
    expect(extrapolationSizes(128)).toEqual([64, 80, 96, 112, 128]);
    expect(extrapolationSizes(5)).toEqual([2, 3, 4, 5]);
  });
});

