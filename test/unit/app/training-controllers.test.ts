/**
 * The page's training runs, in Node on the CPU backend with the repository's packs and shipped
 * evaluators: a run goes to the end and shows every round; settings out of range are refused with
 * their reason; a paused run holds still and can be cancelled; and however a run ends, the
 * evaluator it loaded is freed and no tensor is left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FederatedController, FeedbackController, type TrainingOptions, trainDatasets } from '../../../src/app/training-controllers.js';
import { DEFAULT_EXPERIMENT } from '../../../src/federated/experiment.js';
import { DEFAULT_FEEDBACK } from '../../../src/federated/feedback.js';
import { loadModel } from '../../../src/models/loader.js';
import { fakeHost, repoFetch } from './fixture-fetch.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Loads from the repository, counting the models loaded and freed. */
function counting() {
  const counts = { loaded: 0, freed: 0 };
  const options: TrainingOptions = {
    fetch: repoFetch,
    load: async (path, o) => {
      const model = await loadModel(path, { ...o, fetch: repoFetch });
      counts.loaded += 1;
      const dispose = model.dispose.bind(model);
      model.dispose = () => {
        counts.freed += 1;
        dispose();
      };
      return model;
    },
  };
  return { counts, options };
}

const breast = trainDatasets().find((d) => d.dataset === 'breastmnist')!;
const tiny = { ...DEFAULT_EXPERIMENT, hospitals: 2, trainSize: 20, rounds: 2, batchSize: 10, judgePerClass: 1 };

describe('the training runs of the page', () => {
  it('offers the datasets whose evaluators ship and whose samples a dense network can take', () => {
    expect(trainDatasets().map((d) => d.dataset).sort()).toEqual(['breastmnist', 'mitbih', 'pneumoniamnist', 'retinamnist']);
    expect(trainDatasets().filter((d) => d.patients).map((d) => d.dataset)).toEqual(['mitbih']);
  });

  it('runs the hospitals to the end, refuses settings out of range, and frees the evaluator each time', { timeout: 240_000 }, async () => {
    const before = tf.memory().numTensors;
    const { counts, options } = counting();
    const host = fakeHost();
    const run = new FederatedController(host, options);
    await run.start(breast, tiny);
    expect(run.status).toBe('done');
    expect(run.rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(run.hospitals!.members.flat()).toHaveLength(20);
    expect(run.membership).toHaveLength(4);
    expect(run.toDisplay!(Float32Array.of(-1, 1))).toEqual(Float32Array.of(0, 255));
    expect(host.updates).toBeGreaterThan(3);
    await run.start(breast, { ...tiny, rounds: 0 });
    expect([run.status, run.message]).toEqual(['error', 'Not run: rounds must be a whole number from 1 to 200, got 0.']);
    expect(counts).toEqual({ loaded: 2, freed: 2 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('holds still while paused, and cancels while paused, keeping the rounds done', { timeout: 240_000 }, async () => {
    const before = tf.memory().numTensors;
    const { counts, options } = counting();
    const run = new FederatedController(fakeHost(), options);
    const running = run.start(breast, { ...tiny, rounds: 50 });
    await expect.poll(() => run.rounds.length, { timeout: 180_000 }).toBeGreaterThanOrEqual(1);
    run.pause();
    expect(run.status).toBe('paused');
    const held = run.rounds.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(run.rounds.length).toBeLessThanOrEqual(held + 1); // at most the round whose step was in flight
    const settled = run.rounds.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(run.rounds.length).toBe(settled);
    await run.cancel();
    await running;
    expect(run.status).toBe('cancelled');
    expect(run.message).toBe(`Cancelled after ${settled} of 50 rounds; the rounds done stay on show.`);
    expect(counts).toEqual({ loaded: 1, freed: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs the feedback loop, generation by generation', { timeout: 240_000 }, async () => {
    const { counts, options } = counting();
    const run = new FeedbackController(fakeHost(), options);
    await run.start(breast, { ...DEFAULT_FEEDBACK, trainSize: 10, generations: 1, epochs: 1, batchSize: 10 });
    expect(run.status).toBe('done');
    expect(run.generations.map((g) => g.generation)).toEqual([0, 1]);
    expect(run.generations[1]!.seenCounts!.reduce((a, b) => a + b, 0)).toBe(10);
    expect(counts).toEqual({ loaded: 1, freed: 1 });
  });
});
