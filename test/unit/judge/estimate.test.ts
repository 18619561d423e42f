/**
 * The time estimate the judge panel shows before an audit: the last audit's measured seconds of
 * each part, scaled by that part's work under the new settings, with the work on the real samples
 * (the evaluator's outputs, the real-vs-real comparison) counted only where it is not kept.
 */
import { describe, expect, it } from 'vitest';
import { type AuditTiming, auditWork, estimateAudit, estimateLine, formatDuration } from '../../../src/judge/estimate.js';

/** What the first audit of breast-vae measured (scripts/judge-timing.ts, WASM backend, 16 per class). */
const FIRST: AuditTiming = {
  model: 'breast-vae',
  backend: 'wasm',
  generator: { classes: 2, unconditional: false, defaultSteps: null },
  real: { heldout: 106, train: 546, kept: { outputs: false, comparison: false, nearest: false } },
  settings: { perClass: 16, unconditional: 64, resamples: 100, steps: null, seed: 1 },
  seconds: { generate: 0.23, evaluate: 4.72, distances: 1.3, memorisation: 0.17 },
};
const total = (t: AuditTiming) => Object.values(t.seconds).reduce((a, b) => a + b, 0);

describe('the audit time estimate', () => {
  it('counts the work of each part: samples, evaluator passes, resamples, nearest-neighbour rows', () => {
    // the bootstrap twice: generated vs held-out, and real training vs held-out
    expect(auditWork(FIRST.generator, FIRST.real, FIRST.settings)).toEqual({ generate: 32, evaluate: 32 + 652, distances: 2 * 101, memorisation: 32 + 106 });
    // kept real outputs are not scored again, a kept comparison not bootstrapped again, kept neighbours
    // not searched again; a VAE makes no unconditional samples
    const kept = auditWork(FIRST.generator, { ...FIRST.real, kept: { outputs: true, comparison: true, nearest: true } }, FIRST.settings);
    expect(kept).toEqual({ generate: 32, evaluate: 32, distances: 101, memorisation: 32 });
    expect(auditWork(FIRST.generator, { ...FIRST.real, train: 0 }, FIRST.settings).distances).toBe(101);
    // a diffusion model: every sample takes its steps, the card's unless set
    const ddpm = { classes: 2, unconditional: true, defaultSteps: 50 };
    expect(auditWork(ddpm, FIRST.real, { ...FIRST.settings, unconditional: 8 }).generate).toBe(40 * 50);
    expect(auditWork(ddpm, FIRST.real, { ...FIRST.settings, unconditional: 8, steps: 20 }).generate).toBe(40 * 20);
  });

  it('after a first audit, estimates a repeat without the work on the real samples', () => {
    const next = estimateAudit(FIRST, FIRST.settings);
    // the evaluator's rate is per sample, measured over generated and real samples together
    expect(next.parts.evaluate).toBeCloseTo((4.72 * 32) / 684, 9);
    expect(next.parts.generate).toBeCloseTo(0.23, 9);
    expect(next.parts.distances).toBeCloseTo(1.3 / 2, 9);
    expect(next.parts.memorisation).toBeCloseTo((0.17 * 32) / 138, 9);
    expect(next.total).toBeCloseTo(0.23 + (4.72 * 32) / 684 + 0.65 + (0.17 * 32) / 138, 9);
    expect(next.total).toBeLessThan(total(FIRST) / 3);
    // another seed selects other real rows: their comparison is bootstrapped again
    expect(estimateAudit(FIRST, { ...FIRST.settings, seed: 2 }).parts.distances).toBeCloseTo(1.3, 9);
  });

  it('scales each part by its work under the new settings', () => {
    const more = estimateAudit(FIRST, { ...FIRST.settings, perClass: 64, resamples: 0 });
    expect(more.parts.generate).toBeCloseTo(0.23 * 4, 9);
    expect(more.parts.evaluate).toBeCloseTo((4.72 * 128) / 684, 9);
    expect(more.parts.distances).toBeCloseTo(1.3 / 101, 9); // both comparisons, 1 instead of 101 each
    expect(more.parts.memorisation).toBeCloseTo((0.17 * 128) / 138, 9);
    // a second audit's figures (real outputs kept then) give the evaluator's rate on generated samples alone
    const second: AuditTiming = { ...FIRST, real: { ...FIRST.real, kept: { outputs: true, comparison: true, nearest: true } }, seconds: { ...FIRST.seconds, evaluate: 0.32, distances: 0.6 } };
    expect(estimateAudit(second, FIRST.settings).parts.evaluate).toBeCloseTo(0.32, 9);
    expect(estimateAudit(second, FIRST.settings).parts.distances).toBeCloseTo(0.6, 9);
  });

  it('says so when nothing has been measured yet, and otherwise gives the figure and where it comes from', () => {
    expect(estimateLine(null, FIRST.settings)).toBe('First audit of this model: the time is unknown until one has been measured on this machine.');
    const line = estimateLine(FIRST, FIRST.settings);
    expect(line).toContain('About 1.1 s');
    expect(line).toContain('wasm');
    expect(line).toContain('652 real samples');
  });

  it('writes durations the way a person reads them', () => {
    expect(formatDuration(0.4)).toBe('under 1 s');
    expect(formatDuration(1.92)).toBe('1.9 s');
    expect(formatDuration(42.3)).toBe('42 s');
    expect(formatDuration(130)).toBe('2.2 min');
    expect(formatDuration(887)).toBe('15 min');
    expect(formatDuration(NaN)).toBe('unknown');
  });
});
