/**
 * The judge's deterministic parts against values computed independently with numpy
 * (test/fixtures/make-judge-golden.py): percentiles and histograms, nearest training samples,
 * the memorisation audit's distances, threshold, flags and histograms, and class faithfulness.
 */
import { describe, expect, it } from 'vitest';
import golden from '../../fixtures/judge-golden.json';
import { matrix } from '../../../src/metrics/linalg.js';
import { nearest } from '../../../src/metrics/neighbours.js';
import { classFaithfulness, classMix } from '../../../src/judge/faithfulness.js';
import { LONE_RATIO, loneShare, loneVerdict, memorisationAudit, nearestRows } from '../../../src/judge/memorisation.js';
import { histogram, overlaidHistograms } from '../../../src/judge/histograms.js';
import { median, percentile } from '../../../src/util/stats.js';

const m = golden.memorisation;
const asMatrix = (s: { rows: number; cols: number; data: number[] }) => matrix(s.rows, s.cols, s.data);
const close = (got: ArrayLike<number>, want: ArrayLike<number>, digits = 10) => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, digits);
};

describe('order statistics, as numpy computes them', () => {
  it('percentiles interpolate linearly between closest ranks (np.percentile), to the last bit', () => {
    for (const [q, want] of Object.entries(golden.stats.percentiles)) expect(percentile(golden.stats.values, Number(q))).toBe(want);
    expect(median(golden.stats.values)).toBeCloseTo(golden.stats.median, 12);
    expect(percentile([], 50)).toBeNaN();
  });

  it('histograms count left-closed bins, the last closed on both sides (np.histogram), values on edges included', () => {
    expect(histogram(golden.stats.values, golden.stats.edges)).toEqual(golden.stats.histogram);
    expect(histogram([0, 1, 2, 3, -0.1, 3.1], [0, 1, 2, 3])).toEqual([1, 1, 2]);
  });

  it('overlays sets of different sizes as fractions over shared edges', () => {
    const h = overlaidHistograms([[0, 1, 1, 2], [2, 2]], 2);
    expect(h.edges).toEqual([0, 1, 2]);
    expect(h.counts).toEqual([[1, 3], [0, 2]]);
    expect(h.fractions).toEqual([[0.25, 0.75], [0, 1]]);
    expect(h.totals).toEqual([4, 2]);
    const clipped = overlaidHistograms([[0, 1, 2, 3, 100]], 4, { clip: 10 });
    expect(clipped.edges[0]).toBeCloseTo(percentile([0, 1, 2, 3, 100], 10), 12);
    expect(clipped.edges.at(-1)).toBeCloseTo(percentile([0, 1, 2, 3, 100], 90), 12);
  });
});

describe('nearest training samples', () => {
  it('finds the k nearest rows and their distances, ties to the lower index, like numpy', async () => {
    const got = await nearestRows(asMatrix(m.generated), asMatrix(m.train), 3);
    expect([...got.indices]).toEqual(m.nearestIndices.flat());
    close(got.distances, m.nearestDistances.flat());
    expect(got.indices[0]).toBe(5); // the exact copy
    expect(got.distances[0]).toBe(0);
    expect([...got.indices.subarray(9, 11)]).toEqual([3, 30]); // a duplicated training row
  });

  it('agrees with the metrics module, on Float32 rows as well', async () => {
    const q = asMatrix(m.heldout);
    const r = asMatrix(m.train);
    const mine = await nearestRows({ rows: q.rows, cols: q.cols, data: Float32Array.from(q.data) }, { rows: r.rows, cols: r.cols, data: Float32Array.from(r.data) }, 2);
    const theirs = nearest(q, r, 2);
    theirs.forEach((row, i) => row.forEach((n, j) => {
      expect(mine.indices[i * 2 + j]).toBe(n.index);
      expect(mine.distances[i * 2 + j]).toBeCloseTo(n.distance, 5);
    }));
  });
});

describe('the memorisation audit', () => {
  it('measures distances to the closest record, the held-out 1st percentile, flags and histograms as numpy does', async () => {
    const f = m.features;
    const report = await memorisationAudit(
      { generated: asMatrix(m.generated), heldout: asMatrix(m.heldout), train: asMatrix(m.train) },
      { generated: asMatrix(f.generated), heldout: asMatrix(f.heldout), train: asMatrix(f.train) },
      { k: 3, bins: 20 },
    );
    const p = report.pixel;
    close(p.generatedDcr, m.generatedDcr);
    close(p.heldoutDcr, m.heldoutDcr);
    expect(p.threshold).toBeCloseTo(m.threshold, 12);
    expect(p.flagged).toEqual(m.flagged);
    expect(report.flagged).toEqual(m.flagged);
    expect(p.fractionFlagged).toBeCloseTo(m.fractionFlagged, 12);
    expect(p.medianGenerated).toBeCloseTo(m.medianGenerated, 12);
    expect(p.medianHeldOut).toBeCloseTo(m.medianHeldOut, 12);
    close(p.histogram.edges, m.histogramEdges);
    expect(p.histogram.counts).toEqual([m.histogramGenerated, m.histogramHeldOut]);
    expect(p.neighbours[1]!.map((n) => n.index)).toEqual(m.nearestIndices[1]);
    expect(report.feature!.neighbours.map((row) => row.map((n) => n.index))).toEqual(f.nearestIndices);
    expect(report.feature!.threshold).toBeCloseTo(f.threshold, 12);
    expect(report.feature!.flagged).toEqual(f.flagged);
  });

  it('counts lone matches (closest under half the second closest) with two neighbours searched even when one is shown', async () => {
    expect(LONE_RATIO).toBe(0.5);
    expect(loneShare({ k: 2, indices: Int32Array.of(0, 1, 2, 3, 4, 5), distances: Float64Array.of(1, 3, 2, 3, 0, 0) })).toBeCloseTo(1 / 3, 12);
    expect(loneShare({ k: 1, indices: Int32Array.of(0), distances: Float64Array.of(1) })).toBeNaN();
    expect([loneVerdict({ generated: 0.3, heldout: 0.05 }), loneVerdict({ generated: 0.19, heldout: 0.31 }), loneVerdict({ generated: 0.06, heldout: 0.04 })]).toEqual(['more', 'blind', 'alike']);
    const sets = { generated: asMatrix(m.generated), heldout: asMatrix(m.heldout), train: asMatrix(m.train) };
    const report = await memorisationAudit(sets, null, { k: 1 });
    expect(report.pixel.neighbours.every((row) => row.length === 1)).toBe(true);
    const byHand = async (query: typeof sets.generated) => loneShare(await nearestRows(query, sets.train, 2));
    expect(report.pixel.lone).toEqual({ generated: await byHand(sets.generated), heldout: await byHand(sets.heldout) });
  });

  it('keeps the nearest training samples of the held-out samples for the next audit, per space and pixel units', async () => {
    const f = m.features;
    const sets = { generated: asMatrix(m.generated), heldout: asMatrix(m.heldout), train: asMatrix(m.train) };
    const features = { generated: asMatrix(f.generated), heldout: asMatrix(f.heldout), train: asMatrix(f.train) };
    const nearest = new Map();
    const phases = (log: string[]) => (p: { phase: string }) => log.push(p.phase);
    const first: string[] = [];
    const fresh = await memorisationAudit(sets, features, { k: 3, heldout: { nearest, pixelUnits: 'x/127.5-1' }, onProgress: phases(first) });
    expect([...nearest.keys()]).toEqual(['pixel, x/127.5-1', 'feature']);
    const again: string[] = [];
    const kept = await memorisationAudit(sets, features, { k: 3, heldout: { nearest, pixelUnits: 'x/127.5-1' }, onProgress: phases(again) });
    expect(kept).toEqual(fresh);
    expect(first.some((p) => p.includes('held-out'))).toBe(true);
    expect(again.some((p) => p.includes('held-out'))).toBe(false);
    // rows in other units are other rows: searched afresh
    await memorisationAudit(sets, null, { heldout: { nearest, pixelUnits: 'mV/0.5' } });
    expect(nearest.size).toBe(3);
  });

  it('reports progress, yields, and stops on abort', async () => {
    const phases = new Set<string>();
    const abort = new AbortController();
    const sets = { generated: asMatrix(m.generated), heldout: asMatrix(m.heldout), train: asMatrix(m.train) };
    const run = memorisationAudit(sets, null, {
      signal: abort.signal,
      onProgress: (p) => {
        phases.add(p.phase);
        if (p.done === 5) abort.abort();
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect([...phases][0]).toContain('generated samples, pixel space');
  });
});

describe('class faithfulness and balance', () => {
  const g = golden.faithfulness;
  it('per-class share classified as requested, overall, and the confusion matrix match numpy', () => {
    const f = classFaithfulness(g.requested, g.predicted, g.classes);
    f.perClass.forEach((r, c) => expect(r.rate).toBeCloseTo(g.rates[c]!, 12));
    expect(f.perClass.map((r) => r.count)).toEqual([10, 8, 6]);
    expect(f.overall).toBeCloseTo(g.overall, 12);
    expect(f.confusion).toEqual(g.confusion);
  });

  it('the class mix of unconditional samples against the training mix, and their total variation distance', () => {
    const mix = classMix(g.unconditionalPredicted, g.trainCounts, g.classes);
    mix.perClass.forEach((r, c) => {
      expect(r.fraction).toBeCloseTo(g.mix[c]!, 12);
      expect(r.trainFraction).toBeCloseTo(g.trainMix[c]!, 12);
    });
    expect(mix.totalVariation).toBeCloseTo(g.totalVariation, 12);
    expect(mix.total).toBe(40);
  });

  it('says null for a class never asked for, and refuses classes out of range', () => {
    const f = classFaithfulness([0, 0], [0, 1], ['a', 'b']);
    expect(f.perClass[1]!.rate).toBeNull();
    expect(f.perClass[0]!.rate).toBe(0.5);
    expect(() => classFaithfulness([0, 2], [0, 0], ['a', 'b'])).toThrow('outside 0..1');
  });
});
