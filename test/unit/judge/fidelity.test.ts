/**
 * Fidelity figures: the class-balanced mix of training/evaluate.py, seeded bootstrap intervals
 * (the same seed, the same interval), the too-small warning, and real-vs-real for scale.
 * The distances themselves are checked against numpy in test/unit/metrics.
 */
import { describe, expect, it } from 'vitest';
import { frechetDistance, kernelDistance } from '../../../src/metrics/frechet.js';
import { type Matrix, matrix } from '../../../src/metrics/linalg.js';
import { selectRows } from '../../../src/judge/features.js';
import { MIN_CLASS_COUNT, balancedSelection, compareSets, fidelity, minTrustedSamples } from '../../../src/judge/fidelity.js';
import { Rng } from '../../../src/util/random.js';

/** n rows of d features around `shift`, seeded. */
function gaussian(n: number, d: number, seed: number, shift = 0, scale = 1): Matrix {
  const rng = new Rng(seed);
  return matrix(n, d, Array.from({ length: n * d }, () => shift + scale * rng.normal()));
}

const labelsOf = (counts: number[]) => counts.flatMap((n, c) => new Array<number>(n).fill(c));

describe('the class-balanced mix', () => {
  it('takes, per class, as many of each set as the smallest has, and leaves out classes that are too rare', () => {
    const pick = balancedSelection({ generated: labelsOf([30, 30, 30]), heldout: labelsOf([25, 40, 5]), train: labelsOf([100, 22, 100]) }, 3, 4);
    expect(pick.classes).toEqual([0, 1]);
    expect(pick.perClass).toEqual([25, 22]);
    for (const rows of [pick.generated, pick.heldout, pick.train]) expect(rows).toHaveLength(47);
    expect(new Set(pick.heldout).size).toBe(47); // without replacement
    expect(pick.generated.slice(0, 25).every((i) => i < 30)).toBe(true);
    expect(MIN_CLASS_COUNT).toBe(20);
  });

  it('keeps small classes when fewer than 20 were generated per class (as the Python evaluation does)', () => {
    const pick = balancedSelection({ generated: labelsOf([4, 4]), heldout: labelsOf([6, 6]) }, 2, 0);
    expect(pick.perClass).toEqual([4, 4]);
  });

  it('is seeded: the same seed picks the same rows', () => {
    const sets = { generated: labelsOf([30, 30]), heldout: labelsOf([40, 40]), train: labelsOf([50, 50]) };
    expect(balancedSelection(sets, 2, 9)).toEqual(balancedSelection(sets, 2, 9));
    expect(balancedSelection(sets, 2, 9).heldout).not.toEqual(balancedSelection(sets, 2, 10).heldout);
  });
});

describe('bootstrap intervals', () => {
  const a = gaussian(60, 4, 1, 0.3);
  const b = gaussian(70, 4, 2);

  it('brackets the full-sample estimate, which is the metric itself, and repeats exactly with the same seed', async () => {
    const first = await compareSets(a, b, { resamples: 60, seed: 5 });
    expect(first.frechet.estimate).toBeCloseTo(frechetDistance(a, b), 10);
    expect(first.kid.estimate).toBeCloseTo(kernelDistance(a, b), 12);
    expect(first.frechet.low).toBeLessThan(first.frechet.high);
    expect(first.frechet.low).toBeLessThanOrEqual(first.frechet.estimate * 1.5);
    expect(first.kid.low).toBeLessThan(first.kid.high);
    expect(first.frechet).toMatchObject({ resamples: 60, level: 0.95 });
    const again = await compareSets(a, b, { resamples: 60, seed: 5 });
    expect(again).toEqual(first);
    const other = await compareSets(a, b, { resamples: 60, seed: 6 });
    expect(other.frechet.low).not.toBe(first.frechet.low);
    expect(other.frechet.estimate).toBe(first.frechet.estimate);
  });

  it('extrapolates FD to infinite N over random prefixes of both sets, ending at the smaller set size', async () => {
    const out = await compareSets(a, b, { resamples: 0, seed: 5 });
    const fit = out.frechetInfinity!;
    expect(fit.sizes).toEqual([30, 38, 45, 53, 60]);
    // 60 of a's 60 rows in another order: the same set, the same distance
    expect(fit.values.at(-1)).not.toBe(frechetDistance(a, b)); // b has 70 rows, only 60 of them are used
    const again = await compareSets(a, a, { resamples: 0, seed: 5 });
    expect(again.frechetInfinity!.values.at(-1)).toBeCloseTo(0, 9);
    expect(Number.isFinite(fit.infinity)).toBe(true);
    expect((await compareSets(gaussian(7, 4, 3), b, { resamples: 0 })).frechetInfinity).toBeNull();
  });

  it('computes PRDC with held-out as the real set, and flags sets below the trusted size', async () => {
    const out = await compareSets(a, b, { resamples: 0 });
    expect(out.frechet.low).toBeNaN();
    expect(out.prdc).not.toBeNull();
    expect(out.tooSmall).toBe(false); // 60 >= max(50, 2 * 4)
    expect(minTrustedSamples(64)).toBe(128);
    const small = await compareSets(gaussian(10, 4, 3), b, { resamples: 0 });
    expect(small.tooSmall).toBe(true);
    expect((await compareSets(gaussian(5, 4, 3), b, { resamples: 0 })).prdc).toBeNull();
  });

  it('reports progress, and stops on abort', async () => {
    const seen: number[] = [];
    const abort = new AbortController();
    const run = compareSets(a, b, {
      resamples: 50,
      signal: abort.signal,
      onProgress: (p) => {
        seen.push(p.done);
        if (p.done === 3) abort.abort();
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(seen.slice(0, 4)).toEqual([0, 1, 2, 3]);
  });
});

describe('generated vs held-out, beside real training vs held-out', () => {
  it('measures both on the same balanced mix; a shifted generator is further than real data', async () => {
    const held = gaussian(60, 6, 10);
    const train = gaussian(90, 6, 11);
    const generated = gaussian(60, 6, 12, 0.8);
    const report = await fidelity(
      {
        generated: { features: generated, labels: labelsOf([30, 30]) },
        heldout: { features: held, labels: labelsOf([30, 30]) },
        train: { features: train, labels: labelsOf([45, 45]) },
      },
      { classes: ['a', 'b'], resamples: 20, seed: 3 },
    );
    expect(report.classes).toEqual(['a', 'b']);
    expect(report.perClass).toEqual([30, 30]);
    expect(report.generatedVsHeldOut.sizes).toEqual({ a: 60, b: 60 });
    expect(report.generatedVsHeldOut.frechet.estimate).toBeGreaterThan(report.trainVsHeldOut!.frechet.estimate * 2);
    const pick = balancedSelection({ generated: labelsOf([30, 30]), heldout: labelsOf([30, 30]), train: labelsOf([45, 45]) }, 2, 3);
    expect(report.trainVsHeldOut!.frechet.estimate).toBeCloseTo(frechetDistance(selectRows(train, pick.train), selectRows(held, pick.heldout)), 10);
    expect(report.warnings).toEqual([]);
  });

  it('reuses a real-vs-real comparison made on the same rows with the same settings, and only then', async () => {
    const held = gaussian(60, 6, 10);
    const train = gaussian(90, 6, 11);
    const sets = (shift: number) => ({
      generated: { features: gaussian(60, 6, 12, shift), labels: labelsOf([30, 30]) },
      heldout: { features: held, labels: labelsOf([30, 30]) },
      train: { features: train, labels: labelsOf([45, 45]) },
    });
    const kept = new Map();
    const options = { classes: ['a', 'b'], resamples: 20, seed: 3, realComparisons: kept };
    const first = await fidelity(sets(0.8), options);
    expect(kept.size).toBe(1);
    // another generator, the same real rows: the real figure is not bootstrapped again
    let progress = 0;
    const again = await fidelity(sets(0.3), { ...options, onProgress: () => progress++ });
    expect(again.trainVsHeldOut).toBe(first.trainVsHeldOut);
    expect(again.generatedVsHeldOut.frechet.estimate).not.toBe(first.generatedVsHeldOut.frechet.estimate);
    expect(progress).toBeLessThanOrEqual(21);
    // other resamples or another seed: measured afresh, and kept beside
    const other = await fidelity(sets(0.8), { ...options, resamples: 10 });
    expect(other.trainVsHeldOut).not.toBe(first.trainVsHeldOut);
    expect(other.trainVsHeldOut!.frechet.resamples).toBe(10);
    expect(kept.size).toBe(2);
    const fresh = await fidelity(sets(0.8), { classes: ['a', 'b'], resamples: 20, seed: 3 });
    expect(fresh.trainVsHeldOut).toEqual(first.trainVsHeldOut);
  });

  it('warns when the sets are too small to trust, and names the classes it left out', async () => {
    const report = await fidelity(
      {
        generated: { features: gaussian(40, 32, 1), labels: labelsOf([20, 20]) },
        heldout: { features: gaussian(30, 32, 2), labels: labelsOf([25, 5]) },
      },
      { classes: ['common', 'rare'], resamples: 5 },
    );
    expect(report.generatedVsHeldOut.tooSmall).toBe(true);
    expect(report.trainVsHeldOut).toBeNull();
    expect(report.warnings[0]).toContain('Only 20 samples per set');
    expect(report.warnings[1]).toBe('Left out (too few samples in some set): rare.');
  });
});

describe('the bootstrap kernel distance', () => {
  it('from precomputed kernels equals the kernel distance of the resampled sets, repeated rows and all', async () => {
    const { kidOfResample, polynomialKernel } = await import('../../../src/judge/fidelity.js');
    const a = gaussian(20, 5, 1);
    const b = gaussian(15, 5, 2, 0.2);
    const rng = new Rng(3);
    for (let r = 0; r < 5; r++) {
      const ia = Array.from({ length: 20 }, () => rng.int(20));
      const ib = Array.from({ length: 15 }, () => rng.int(15));
      const want = kernelDistance(selectRows(a, ia), selectRows(b, ib));
      const got = kidOfResample(polynomialKernel(a, a), polynomialKernel(b, b), polynomialKernel(a, b), 20, 15, ia, ib);
      expect(got).toBeCloseTo(want, 12);
    }
  });
});
