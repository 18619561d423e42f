/**
 * Beat features recovered from synthetic beats whose R amplitude, QRS onset and offset and ST level
 * are known by construction (test/fixtures/make-judge-golden.py), with and without noise.
 */
import { describe, expect, it } from 'vitest';
import golden from '../../fixtures/judge-golden.json';
import { FEATURE_NAMES, beatFeatures, compareBeatFeatures } from '../../../src/judge/ecg-features.js';

const { cases, sampleRateHz, rIndex } = golden.ecg;
const samplePeriodMs = 1000 / sampleRateHz;

describe('heart-rate-independent beat features', () => {
  for (const [k, c] of cases.entries()) {
    it(`recovers R amplitude, QRS width and ST level of beat ${k + 1} (${c.qrsWidthMs.toFixed(0)} ms QRS, noise ${c.noise} mV)`, () => {
      const f = beatFeatures(c.beat, { sampleRateHz, rIndex });
      const amp = c.noise ? 3 * c.noise + 0.01 : 1e-9;
      expect(Math.abs(f.baselineMv - c.baselineMv)).toBeLessThanOrEqual(amp + 1e-9);
      expect(Math.abs(f.rAmplitudeMv - c.rAmplitudeMv)).toBeLessThanOrEqual(2 * amp + 1e-9);
      // onset and offset within two samples (5.6 ms) each, so the width within four (11 ms): smoothing rounds the corners
      expect(Math.abs(f.onset - c.onset)).toBeLessThanOrEqual(2);
      expect(Math.abs(f.offset - c.offset)).toBeLessThanOrEqual(2);
      expect(Math.abs(f.qrsWidthMs - c.qrsWidthMs)).toBeLessThanOrEqual(4 * samplePeriodMs + 1e-9);
      expect(Math.abs(f.stLevelMv - c.stLevelMv)).toBeLessThanOrEqual(2 * amp + 1e-9);
    });
  }

  it('is unchanged by a constant offset and scales with the amplitude (no heart-rate input at all)', () => {
    const beat = cases[1]!.beat;
    const a = beatFeatures(beat);
    const shifted = beatFeatures(beat.map((v) => v + 0.4));
    expect(shifted.rAmplitudeMv).toBeCloseTo(a.rAmplitudeMv, 12);
    expect(shifted.qrsWidthMs).toBe(a.qrsWidthMs);
    expect(shifted.stLevelMv).toBeCloseTo(a.stLevelMv, 12);
    const doubled = beatFeatures(beat.map((v) => 2 * v));
    expect(doubled.rAmplitudeMv).toBeCloseTo(2 * a.rAmplitudeMv, 12);
    expect(doubled.qrsWidthMs).toBe(a.qrsWidthMs);
  });

  it('sets generated beats against real ones, feature by feature, as overlaid histograms on shared edges', () => {
    const generated = cases.slice(0, 3).map((c) => c.beat);
    const real = cases.slice(3).map((c) => c.beat);
    const out = compareBeatFeatures(generated, real, { bins: 8 });
    expect(out.map((f) => f.name)).toEqual([...FEATURE_NAMES]);
    for (const f of out) {
      expect(f.histogram.edges).toHaveLength(9);
      expect(f.histogram.totals).toEqual([3, 3]);
      for (const fractions of f.histogram.fractions) expect(fractions.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-12);
    }
    expect(out[0]!.medians.generated).toBeCloseTo(1.2, 6);
    expect(out[0]!.unit).toBe('mV');
  });
});
