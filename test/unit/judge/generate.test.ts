/**
 * The judge's sampler with the tiny fixture diffusion model on the tfjs CPU backend: its progress
 * counts every forward pass it makes, conditional and unconditional batches apart, so the bar ends
 * at its total (the audit of bccd-ddpm once read "generating samples 60 of 40").
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSamples, generationWork } from '../../../src/judge/generate.js';
import { loadModel } from '../../../src/models/loader.js';
import { FIXTURES, repoFetch } from '../app/fixture-fetch.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the judge sampler', () => {
  it('counts the conditional and the unconditional batches apart, and its progress ends at its total', async () => {
    const model = await loadModel(`${FIXTURES}tiny-xray-ddpm/`, { fetch: repoFetch });
    if (model.kind !== 'ddpm') throw new Error('expected a diffusion model');
    const classes = [0, 0, 1, null];
    const options = { batchSize: 2, sampler: { steps: 2 } };
    // two conditional batches (0, 0 | 1) and one unconditional (null): 3 batches of 2 steps
    expect(generationWork(model, classes, options)).toBe(6);
    const progress: [number, number][] = [];
    const before = tf.memory().numTensors;
    const samples = await generateSamples(model, { ...options, classes, seed: 3, onProgress: (p) => progress.push([p.done, p.total]) });
    expect(samples).toHaveLength(4);
    expect(progress.at(-1)).toEqual([6, 6]);
    expect(progress.every(([done, total]) => done <= total)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
