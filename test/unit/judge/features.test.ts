/**
 * Running an evaluator over plain arrays: the same numbers as one direct forward pass, in any
 * batch size, from display units through the card's scaling, and no tensor left behind (also on
 * abort). The tiny fixture classifier, on the tfjs CPU backend.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Classifier } from '../../../src/models/classifier.js';
import { scalingOf } from '../../../src/models/scaling.js';
import { argmaxRows, evaluateSamples, rowsOf, selectRows } from '../../../src/judge/features.js';
import { Rng } from '../../../src/util/random.js';
import { TINY_MODELS, loadModel } from '../models/model-folder.js';

let classifier: Classifier;
const rng = new Rng(4);
/** Grey levels 0..255, as the page holds samples. */
const samples = Array.from({ length: 7 }, () => Float32Array.from({ length: 784 }, () => Math.round(255 * rng.next())));

beforeAll(async () => {
  await tf.setBackend('cpu');
  const loaded = loadModel(`${TINY_MODELS}/tiny-xray-classifier`);
  if (loaded.method !== 'classifier') throw new Error('expected a classifier');
  classifier = loaded.model;
});
afterAll(() => classifier.dispose());

describe('running the evaluator on plain arrays', () => {
  it('gives the features and probabilities of one direct pass, for any batch size, and frees its tensors', async () => {
    const toNetwork = scalingOf(classifier.card).toNetwork;
    const direct = tf.tidy(() => {
      const x = tf.tensor(samples.flatMap((s) => [...toNetwork(s)]), [7, 28, 28, 1]);
      return [classifier.features(x).arraySync(), classifier.probabilities(x).arraySync()];
    }) as [number[][], number[][]];
    const before = tf.memory().numTensors;
    for (const batchSize of [1, 3, 32]) {
      const progress: number[] = [];
      const out = await evaluateSamples(classifier, samples, { toNetwork, batchSize, onProgress: (p) => progress.push(p.done) });
      expect(tf.memory().numTensors).toBe(before);
      expect(out.features.rows).toBe(7);
      expect(out.features.cols).toBe(classifier.architecture.featureDim);
      direct[0].forEach((row, i) => row.forEach((v, j) => expect(out.features.data[i * out.features.cols + j]).toBeCloseTo(v, 5)));
      direct[1].forEach((row, i) => row.forEach((v, j) => expect(out.probabilities.data[i * 2 + j]).toBeCloseTo(v, 5)));
      expect([...out.predicted]).toEqual(direct[1].map((row) => (row[1]! > row[0]! ? 1 : 0)));
      expect(progress.at(-1)).toBe(7);
      expect(progress[0]).toBe(0);
    }
  });

  it('stops on abort with nothing left on the backend, and says which sample does not fit', async () => {
    const before = tf.memory().numTensors;
    const abort = new AbortController();
    const run = evaluateSamples(classifier, samples, {
      batchSize: 2,
      signal: abort.signal,
      onProgress: (p) => p.done === 2 && abort.abort(),
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(tf.memory().numTensors).toBe(before);
    await expect(evaluateSamples(classifier, [new Float32Array(10)])).rejects.toThrow('sample 0 has 10 values; the evaluator takes 28x28x1 = 784');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('row helpers: arg max, row selection with repeats, samples as rows', () => {
    const m = rowsOf([[1, 5, 2], [7, 0, 7], [0, 0, 1]]);
    expect([...argmaxRows(m)]).toEqual([1, 0, 2]);
    expect([...selectRows(m, [2, 2, 0]).data]).toEqual([0, 0, 1, 0, 0, 1, 1, 5, 2]);
    expect(() => selectRows(m, [3])).toThrow('row 3 is outside the 3 rows');
    expect(() => rowsOf([[1, 2], [3]])).toThrow('sample 1 has 1 values, not 2');
  });
});
