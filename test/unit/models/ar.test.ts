/**
 * The autoregressive model's tfjs port beyond parity (parity.test.ts): the key/value cache gives the
 * whole causal pass's logits position by position, a partly filled grid decodes with the codebook's
 * mean where no code is chosen yet, bad calls are refused, and nothing is left on the backend.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ar } from '../../../src/models/ar.js';
import { TINY_MODELS, loadModel } from './model-folder.js';

let xray: Ar;
let ecg: Ar;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const open = (id: string) => {
    const m = loadModel(`${TINY_MODELS}/${id}`);
    if (m.method !== 'ar') throw new Error(`${id} is not an AR fixture`);
    return m.model;
  };
  xray = open('tiny-xray-ar');
  ecg = open('tiny-ecg-ar');
});

afterAll(() => {
  xray.dispose();
  ecg.dispose();
});

/** Max |a - b| of two tensors' values. */
async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = [await a.data<'float32'>(), await b.data<'float32'>()];
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - (y[i] ?? NaN))), 0);
}

describe.each([['tiny-xray-ar', () => xray], ['tiny-ecg-ar', () => ecg]] as const)('%s', (_id, net) => {
  it('gives, one cached position at a time, the logits of the whole causal pass', async () => {
    const ar = net();
    const T = Math.min(ar.numTokens, 6);
    const codes = [[3, 1, 4, 1, 5, 9], [2, 6, 5, 3, 5, 8]].map((r) => r.map((c) => c % ar.architecture.codebookSize));
    const y = [1, ar.architecture.numClasses];                       // a class, then the null class
    const inputs = tf.tensor2d(codes.map((r) => [0, ...r.slice(0, T - 1)]), undefined, 'int32');
    const whole = ar.logits(inputs, y);                              // (2, T, K)
    const before = tf.memory().numTensors;
    const cache = ar.startCache(y);
    const steps: tf.Tensor[] = [];
    for (let p = 0; p < T; p++) steps.push(ar.next(cache, p === 0 ? null : codes.map((r) => r[p - 1]!)));
    expect(cache.position).toBe(T);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before + T);                 // only the logits handed back
    const stacked = tf.stack(steps, 1);
    expect(await maxDiff(stacked, whole)).toBeLessThan(1e-5);
    tf.dispose([...steps, stacked, whole, inputs]);
  });

  it('decodes a partly filled grid with the codebook mean where no code is chosen yet', async () => {
    const ar = net();
    const N = ar.numTokens;
    const a = tf.tensor2d([Array.from({ length: N }, (_, i) => i % 7)], undefined, 'int32');
    const b = tf.tensor2d([Array.from({ length: N }, (_, i) => (i < 5 ? i % 7 : (i * 3) % 11))], undefined, 'int32');
    const [full, part, partOther, none] = [ar.decode(a), ar.decode(a, 5), ar.decode(b, 5), ar.decode(a, 0)];
    expect(await maxDiff(part, partOther)).toBe(0);                  // only the first 5 codes count
    expect(await maxDiff(full, part)).toBeGreaterThan(1e-6);               // the tiny decoder is nearly flat
    expect(await maxDiff(ar.decode(a, N), full)).toBe(0);
    expect(none.shape).toEqual([1, ...ar.card.architecture.inputShape]);
    tf.dispose([a, b, full, part, partOther, none]);
  });

  it('refuses tokens of the wrong shape, codes out of range and a cache used up or freed', () => {
    const ar = net();
    const N = ar.numTokens;
    const before = tf.memory().numTensors;
    const short = tf.tensor2d([[0, 1]], undefined, 'int32');
    expect(() => ar.decode(short)).toThrow(`expected ${N} tokens a sample, got 2`);
    const floats = tf.zeros([1, N]) as tf.Tensor2D;
    expect(() => ar.decode(floats)).toThrow('expected int32 tokens');
    tf.dispose([short, floats]);
    const cache = ar.startCache([0]);
    tf.dispose(ar.next(cache, null));
    expect(() => ar.next(cache, null)).toThrow('position 1 needs the 1 codes chosen before it');
    expect(() => ar.next(cache, [ar.architecture.codebookSize])).toThrow(`each in 0..${ar.architecture.codebookSize - 1}`);
    for (let p = 1; p < N; p++) tf.dispose(ar.next(cache, [0]));
    expect(() => ar.next(cache, [0])).toThrow(`all ${N} positions are sampled`);
    cache.dispose();
    expect(() => ar.next(cache, [0])).toThrow('the cache has been disposed');
    expect(() => ar.startCache([ar.architecture.numClasses + 1])).toThrow('class id');
    expect(tf.memory().numTensors).toBe(before);
  });
});
