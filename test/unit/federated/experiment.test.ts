/**
 * The page's federated experiment on a tiny dataset: with one hospital every strategy is the same
 * run (the theory's equality, end to end); the figures are reproducible from the seed; DP-SGD's
 * epsilon grows round by round exactly as the accountant says; the membership test reports an AUC
 * with its interval; absurd settings are refused before any work; cancelling stops it; nothing leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT, type ExperimentData, type ExperimentSettings, type RoundUpdate, runExperiment } from '../../../src/federated/experiment.js';
import { dpSgdEpsilon } from '../../../src/privacy/accountant.js';
import { Rng } from '../../../src/util/random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Three classes of 12-value Gaussian blobs, patients of 4 samples each. */
function blobs(n: number, seed: number) {
  const rng = new Rng(seed);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
  const samples = Array.from(labels, (c) => Float32Array.from({ length: 12 }, (_, j) => 0.3 * rng.normal() + (j % 3 === c ? 1 : 0)));
  return { samples, labels, patients: Uint16Array.from({ length: n }, (_, i) => Math.floor(i / 4)) };
}

const data: ExperimentData = { train: blobs(48, 1), heldout: blobs(24, 2), classes: ['a', 'b', 'c'] };
const tiny: ExperimentSettings = { ...DEFAULT_EXPERIMENT, split: 'skew', hospitals: 3, alpha: 1, trainSize: 36, rounds: 2, batchSize: 12, learningRate: 0.01, seed: 3 };

describe('the federated experiment', () => {
  it('with one hospital runs every strategy as the same run, reproducibly, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const updates: RoundUpdate[] = [];
    const one = await runExperiment(data, { ...tiny, hospitals: 1, mu: 0 }, { onRound: (u) => { updates.push(u); } });
    expect(updates.map((u) => u.round)).toEqual([1, 2]);
    for (const round of one.rounds) {
      const pooled = round.figures.find((f) => f.strategy === 'pooled')!;
      for (const f of round.figures) {
        expect(f.accuracy).toBeCloseTo(pooled.accuracy, 6);
        expect(f.vaeLoss).toBeCloseTo(pooled.vaeLoss, 5);
      }
    }
    const last = one.rounds.at(-1)!.figures[0]!;
    expect(last.accuracy).toBeGreaterThan(0.6); // the blobs are easy
    expect(last.vaeLoss).toBeLessThan(one.rounds[0]!.figures[0]!.vaeLoss);
    expect(one.rounds[0]!.samples.fedavg).toHaveLength(3); // one per class
    const again = await runExperiment(data, { ...tiny, hospitals: 1, mu: 0 });
    expect(again.rounds.map((r) => r.figures)).toEqual(one.rounds.map((r) => r.figures));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('deals skewed hospitals, measures faithfulness with the evaluator given, and tests membership', async () => {
    const asked: number[] = [];
    const result = await runExperiment(data, { ...tiny, judgePerClass: 2 }, { classify: async (samples) => { asked.push(samples.length); return samples.map(() => 0); } });
    expect(result.hospitals.members.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 36 }, (_, i) => i));
    expect(asked).toEqual(Array(2 * 4).fill(6)); // 2 rounds x 4 strategies, 2 samples of each of 3 classes
    // the stand-in evaluator says "class a" to everything: a third of the classes are served
    for (const f of result.rounds[0]!.figures) expect(f.faithfulness).toBeCloseTo(1 / 3, 9);
    // every other round, and the last
    const sparse: number[] = [];
    const three = await runExperiment(data, { ...tiny, rounds: 3, judgePerClass: 1, judgeEvery: 2 }, { classify: async (samples) => { sparse.push(samples.length); return samples.map(() => 1); } });
    expect(three.rounds.map((r) => r.figures[0]!.faithfulness)).toEqual([null, 1 / 3, 1 / 3]);
    expect(sparse).toEqual(Array(2 * 4).fill(3));
    const alone = result.rounds[1]!.figures.find((f) => f.strategy === 'alone')!;
    expect(alone.worstAccuracy).toBeLessThanOrEqual(alone.accuracy);
    expect(result.membership.map((m) => m.strategy)).toEqual(['pooled', 'fedavg', 'fedprox', 'alone']);
    for (const m of result.membership) {
      expect(m.auc.low).toBeLessThanOrEqual(m.auc.auc);
      expect(m.auc.high).toBeGreaterThanOrEqual(m.auc.auc);
      // the copy check: as many samples as the records the AUC was taken on, flagged against the held-out 1st percentile
      expect(m.copies.samples).toBe(m.auc.n.train);
      expect(m.copies.threshold).toBeGreaterThan(0);
      expect(m.copies.fraction * m.copies.samples).toBeCloseTo(Math.round(m.copies.fraction * m.copies.samples), 9);
      for (const share of [m.copies.fraction, m.copies.lone.generated, m.copies.lone.heldout]) {
        expect(share).toBeGreaterThanOrEqual(0);
        expect(share).toBeLessThanOrEqual(1);
      }
    }
    expect(result.membership[0]!.copies.samples).toBe(36); // pooled: all 36 records
    expect(result.membership[3]!.copies.samples).toBe(result.hospitals.members[0]!.length); // alone: hospital 1's
  });

  it('accounts the epsilon of DP-SGD round by round as the accountant does', async () => {
    const dp = { clip: 1, sigma: 1.1, delta: 1e-5 };
    const result = await runExperiment(data, { ...tiny, hospitals: 2, rounds: 2, dp });
    const pooled = result.rounds.map((r) => r.figures.find((f) => f.strategy === 'pooled')!.epsilon);
    // 36 records in batches of 12: 3 steps a round at q = 1/3
    expect(pooled[0]).toBeCloseTo(dpSgdEpsilon(12 / 36, 1.1, 3, 1e-5).epsilon, 12);
    expect(pooled[1]).toBeCloseTo(dpSgdEpsilon(12 / 36, 1.1, 6, 1e-5).epsilon, 12);
    // both networks released: the classifier's 6 steps and the VAE's on the same records, RDP added
    expect(result.rounds[1]!.figures.find((f) => f.strategy === 'pooled')!.epsilonBoth).toBeCloseTo(dpSgdEpsilon(12 / 36, 1.1, 12, 1e-5).epsilon, 12);
    const sizes = result.hospitals.members.map((m) => m.length);
    const worst = Math.max(...sizes.map((n) => dpSgdEpsilon(Math.min(n, 12) / n, 1.1, 2 * Math.ceil(n / Math.min(n, 12)), 1e-5).epsilon));
    expect(result.rounds[1]!.figures.find((f) => f.strategy === 'fedavg')!.epsilon).toBeCloseTo(worst, 12);
    expect(result.rounds[1]!.figures.find((f) => f.strategy === 'alone')!.epsilon).toBeCloseTo(worst, 12);
  });

  it('refuses absurd settings before any work, and stops when cancelled', async () => {
    await expect(runExperiment(data, { ...tiny, hospitals: 0 })).rejects.toThrow('hospitals must be a whole number from 1 to 16, got 0');
    await expect(runExperiment(data, { ...tiny, rounds: 2.5 })).rejects.toThrow('rounds must be a whole number from 1 to 200, got 2.5');
    await expect(runExperiment(data, { ...tiny, trainSize: 4000 })).rejects.toThrow('training samples must be a whole number from 6 to 48, got 4000');
    await expect(runExperiment(data, { ...tiny, learningRate: -1 })).rejects.toThrow('the learning rate must be in (0, 10], got -1');
    await expect(runExperiment(data, { ...tiny, alpha: 0 })).rejects.toThrow('the concentration must be in (0, 10000], got 0');
    await expect(runExperiment(data, { ...tiny, judgeEvery: 0 })).rejects.toThrow('rounds between the evaluator\'s checks must be a whole number from 1 to 200, got 0');
    await expect(runExperiment(data, { ...tiny, dp: { clip: 1, sigma: 0, delta: 1e-5 } })).rejects.toThrow('the noise multiplier must be in (0, 100], got 0');
    await expect(runExperiment({ ...data, train: { ...data.train, patients: null } }, { ...tiny, split: 'patient' })).rejects.toThrow('this dataset has no patients to split by');
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = runExperiment(data, { ...tiny, rounds: 5 }, { onRound: () => controller.abort(new Error('cancelled')), signal: controller.signal });
    await expect(run).rejects.toThrow('cancelled');
    expect(tf.memory().numTensors).toBe(before);
  });
});
