/**
 * Train on synthetic, test on real, on toy sets a small classifier can separate: images (which half
 * is bright) and signals (where the bump is), on the tfjs CPU backend. It must learn them, report its
 * losses live, free every tensor (also when cancelled), and fall back, saying so, where a backend
 * cannot train convolutions (tfjs's WASM backend has no Conv2DBackpropFilter kernel).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/random.js';
import { type TstrSet, matchClassCounts, missingTrainingKernels, trainOnSyntheticTestOnReal } from '../../../src/judge/tstr.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 8x8 images: class 0 bright on the left, class 1 on the right, plus noise. */
function halves(perClass: number, seed: number): TstrSet {
  const rng = new Rng(seed);
  const samples: Float32Array[] = [];
  const labels: number[] = [];
  for (let c = 0; c < 2; c++) {
    for (let n = 0; n < perClass; n++) {
      samples.push(Float32Array.from({ length: 64 }, (_, i) => ((i % 8 < 4) === (c === 0) ? 0.8 : -0.8) + 0.5 * rng.normal()));
      labels.push(c);
    }
  }
  return { samples, labels };
}

/** 32-sample signals with a bump at 8, 16 or 24 (three classes), plus noise. */
function bumps(perClass: number, seed: number): TstrSet {
  const rng = new Rng(seed);
  const samples: Float32Array[] = [];
  const labels: number[] = [];
  for (let c = 0; c < 3; c++) {
    for (let n = 0; n < perClass; n++) {
      samples.push(Float32Array.from({ length: 32 }, (_, i) => Math.exp(-(((i - 8 - 8 * c) / 2) ** 2)) + 0.2 * rng.normal()));
      labels.push(c);
    }
  }
  return { samples, labels };
}

describe('train on synthetic, test on real', () => {
  it('learns a separable image set with two convolutions, reports every batch and epoch, and frees everything', async () => {
    const before = tf.memory().numTensors;
    const batches: number[] = [];
    const epochs: { run: string; loss: number }[] = [];
    const progress: number[] = [];
    const report = await trainOnSyntheticTestOnReal(
      { synthetic: halves(24, 1), real: halves(24, 2), test: halves(20, 3) },
      {
        shape: [8, 8, 1],
        numClasses: 2,
        epochs: 4,
        batchSize: 16,
        learningRate: 3e-3,
        seed: 7,
        onBatch: (b) => batches.push(b.loss),
        onEpoch: (e) => epochs.push(e),
        onProgress: (p) => progress.push(p.done),
      },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(report.model.kind).toBe('conv');
    expect(report.model.fallback).toBeNull();
    expect(report.backend).toBe('cpu');
    expect(report.synthetic.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(report.real!.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(report.synthetic.balancedAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(report.synthetic.confusion.flat().reduce((a, b) => a + b, 0)).toBe(40);
    expect(report.synthetic.epochLosses).toHaveLength(4);
    expect(report.synthetic.batchLosses).toHaveLength(12);
    expect(report.synthetic.epochLosses.at(-1)).toBeLessThan(report.synthetic.epochLosses[0]!);
    expect(batches).toHaveLength(24);
    expect(epochs.map((e) => e.run)).toEqual([...new Array(4).fill('synthetic'), ...new Array(4).fill('real')]);
    expect(progress.at(-1)).toBe(24);
    console.log(`TSTR toy images: synthetic-trained accuracy ${report.synthetic.accuracy}, real-trained ${report.real!.accuracy}; losses ${report.synthetic.epochLosses.map((l) => l.toFixed(3)).join(' ')}`);
  });

  it('learns a separable signal set with 1-D convolutions, and is deterministic for a seed', async () => {
    const options = { shape: [32, 1], numClasses: 3, epochs: 5, batchSize: 16, learningRate: 5e-3, seed: 3 };
    const sets = { synthetic: bumps(16, 4), test: bumps(15, 5) };
    const first = await trainOnSyntheticTestOnReal(sets, options);
    expect(first.model.kind).toBe('conv');
    expect(first.synthetic.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(first.real).toBeNull();
    const again = await trainOnSyntheticTestOnReal(sets, options);
    expect(again.synthetic.batchLosses).toEqual(first.synthetic.batchLosses);
    console.log(`TSTR toy signals: accuracy ${first.synthetic.accuracy}`);
  });

  it('falls back to a dense model, and says why, where the backend cannot train convolutions', async () => {
    expect(missingTrainingKernels('cpu')).toEqual([]);
    expect(missingTrainingKernels('wasm')).toEqual(['Conv2DBackpropFilter']);
    const report = await trainOnSyntheticTestOnReal(
      { synthetic: halves(32, 1), test: halves(20, 3) },
      { shape: [8, 8, 1], numClasses: 2, epochs: 6, batchSize: 16, learningRate: 3e-3, backend: 'wasm' },
    );
    expect(report.model.kind).toBe('dense');
    expect(report.model.fallback).toBe(
      'The wasm backend cannot train convolutions (it has no Conv2DBackpropFilter kernel), so a multilayer perceptron on the pixels (one hidden layer of 64 ReLU units) was trained instead.',
    );
    expect(report.synthetic.accuracy).toBeGreaterThanOrEqual(0.9);
    await expect(trainOnSyntheticTestOnReal({ synthetic: halves(4, 1), test: halves(2, 3) }, { shape: [8, 8, 1], numClasses: 2, backend: 'wasm', model: 'conv' }))
      .rejects.toThrow('the wasm backend cannot train convolutions: it has no Conv2DBackpropFilter kernel');
  });

  it('stops between batches when cancelled, freeing the model and the optimiser', async () => {
    const before = tf.memory().numTensors;
    const abort = new AbortController();
    let seen = 0;
    const run = trainOnSyntheticTestOnReal(
      { synthetic: halves(32, 1), real: halves(32, 2), test: halves(10, 3) },
      { shape: [8, 8, 1], numClasses: 2, epochs: 20, batchSize: 8, signal: abort.signal, onBatch: () => ++seen === 5 && abort.abort() },
    );
    await expect(run).rejects.toThrow(/abort/i);
    expect(seen).toBe(5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('matches a real training set to the synthetic class counts', () => {
    const labels = [0, 0, 0, 1, 1, 2, 0, 1];
    const rows = matchClassCounts(labels, [2, 5, 0], 1);
    expect(rows.filter((i) => labels[i] === 0)).toHaveLength(2);
    expect(rows.filter((i) => labels[i] === 1)).toHaveLength(3);
    expect(rows.filter((i) => labels[i] === 2)).toHaveLength(0);
    expect(new Set(rows).size).toBe(rows.length);
  });
});
