/**
 * The bias feedback loop on a tiny dataset: generation 0 learns from the real subset, every later
 * one from as many synthetic records as the one before made; each is measured by the evaluator
 * given and on real held-out records; a class drawn zero times never comes back; reproducible from
 * the seed; absurd settings refused; nothing leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentData } from '../../../src/federated/experiment.js';
import { DEFAULT_FEEDBACK, type FeedbackSettings, runFeedbackLoop } from '../../../src/federated/feedback.js';
import { Rng } from '../../../src/util/random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Three classes of 12-value blobs, the third rare (1 in 12). */
function blobs(n: number, seed: number) {
  const rng = new Rng(seed);
  const labels = Uint8Array.from({ length: n }, (_, i) => (i % 12 === 11 ? 2 : i % 2));
  const samples = Array.from(labels, (c) => Float32Array.from({ length: 12 }, (_, j) => 0.3 * rng.normal() + (j % 3 === c ? 1 : 0)));
  return { samples, labels };
}

const data: ExperimentData = { train: blobs(48, 1), heldout: blobs(24, 2), classes: ['a', 'b', 'rare'] };
const tiny: FeedbackSettings = { ...DEFAULT_FEEDBACK, trainSize: 24, generations: 3, epochs: 2, batchSize: 12, seed: 2 };

describe('the bias feedback loop', () => {
  it('trains each generation on the one before\'s samples, measures each, and loses a class drawn zero times for good', async () => {
    const before = tf.memory().numTensors;
    const asked: number[] = [];
    const reports = await runFeedbackLoop(data, tiny, { classify: async (samples) => { asked.push(samples.length); return samples.map((s) => (s[0]! > s[1]! ? 0 : 1)); } });
    expect(reports.map((r) => r.generation)).toEqual([0, 1, 2, 3]);
    expect(asked).toEqual([24, 24, 24, 24]); // every generation makes as many as it learned from
    for (const r of reports) {
      expect(r.trainCounts.reduce((a, b) => a + b, 0)).toBe(24);
      expect(r.seenCounts!.reduce((a, b) => a + b, 0)).toBe(24);
      expect(r.seenCounts![2]).toBe(0); // the stand-in evaluator never says "rare"
      expect(r.samples).toHaveLength(3);
      r.heldoutLoss.forEach((l) => expect(l).toBeGreaterThan(0));
      // a class it never learned from is never asked for
      expect(r.seenAsAsked.filter((v, c) => r.trainCounts[c] === 0 && v !== null)).toEqual([]);
    }
    // once a class is drawn zero times it is gone for every later generation
    reports.slice(1).forEach((r, g) => r.trainCounts.forEach((n, c) => { if (reports[g]!.trainCounts[c] === 0) expect(n).toBe(0); }));
    const again = await runFeedbackLoop(data, tiny, { classify: async (samples) => samples.map((s) => (s[0]! > s[1]! ? 0 : 1)) });
    expect(again.map((r) => [r.trainCounts, r.seenCounts, r.heldoutLoss])).toEqual(reports.map((r) => [r.trainCounts, r.seenCounts, r.heldoutLoss]));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses absurd settings before any work, and stops when cancelled', async () => {
    await expect(runFeedbackLoop(data, { ...tiny, generations: 0 })).rejects.toThrow('generations must be a whole number from 1 to 20, got 0');
    await expect(runFeedbackLoop(data, { ...tiny, trainSize: 100 })).rejects.toThrow('training records must be a whole number from 2 to 48, got 100');
    await expect(runFeedbackLoop(data, { ...tiny, learningRate: 0 })).rejects.toThrow('the learning rate must be in (0, 10], got 0');
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    await expect(runFeedbackLoop(data, tiny, { signal: controller.signal, onGeneration: () => controller.abort(new Error('cancelled')) })).rejects.toThrow('cancelled');
    expect(tf.memory().numTensors).toBe(before);
  });
});
