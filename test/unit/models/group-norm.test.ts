/**
 * The MslGroupNorm kernel's JavaScript (the CPU and WASM kernels) against the composed tfjs ops
 * and against numbers worked out by hand. test/browser/group-norm.test.ts checks the WebGPU and
 * WASM kernels the same way.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GROUP_NORM_KERNEL, groupNormOp } from '../../../src/models/group-norm.js';
import { gaussian } from '../../../src/util/random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomTensor(shape: number[], seed: number, offset = 0, spread = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(gaussian(seed, n).map((v) => offset + spread * v), shape);
}

describe('MslGroupNorm on the CPU backend', () => {
  it('is registered for the backends that have a fast path', () => {
    for (const backend of ['cpu', 'wasm', 'webgpu']) expect(tf.getKernel(GROUP_NORM_KERNEL, backend), backend).toBeDefined();
    expect(tf.getKernel(GROUP_NORM_KERNEL, 'webgl')).toBeUndefined();
  });

  it('normalises two groups of two channels by hand', () => {
    // One sample, two positions, four channels; group 0 = channels 0-1, group 1 = channels 2-3.
    // Group 0 holds 1, 3, 5, 7: mean 4, variance 5. Group 1 holds 10 everywhere: variance 0.
    const x = tf.tensor3d([[[1, 3, 10, 10], [5, 7, 10, 10]]]);
    const gamma = tf.tensor1d([1, 2, 1, 1]);
    const beta = tf.tensor1d([0, 0, 0.5, -1]);
    const y = groupNormOp(x, gamma, beta, { groups: 2, eps: 1e-5, silu: false });
    const s = Math.sqrt(5 + 1e-5);
    const want = [-3 / s, 2 * (-1 / s), 0.5, -1, 1 / s, 2 * (3 / s), 0.5, -1];
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    tf.dispose([x, gamma, beta, y]);
  });

  it.each([
    ['an image batch, SiLU', [3, 4, 5, 16], 8, true, 0],
    ['a signal batch, no SiLU', [2, 12, 32], 8, false, 0],
    ['one channel per group', [2, 3, 3, 4], 4, true, 0],
    ['values far from zero (a mean 300 times the spread)', [2, 6, 6, 8], 2, false, 300],
  ] as const)('matches the composed ops on %s', (_, shape, groups, silu, offset) => {
    const x = randomTensor([...shape], 1, offset);
    const C = shape[shape.length - 1]!;
    const gamma = randomTensor([C], 2, 1, 0.5);
    const beta = randomTensor([C], 3);
    const attrs = { groups, eps: 1e-5, silu };
    const fast = groupNormOp(x, gamma, beta, attrs);
    const composed = groupNormOp(x, gamma, beta, attrs, 'composed');
    expect(fast.shape).toEqual([...shape]);
    const diff = tf.max(tf.abs(tf.sub(fast, composed))).dataSync()[0]!;
    // The composed ops sum in float32; at a mean of 300 their variance loses ~1e-4 of its digits
    expect(diff).toBeLessThan(offset > 0 ? 1e-3 : 1e-5);
    expect(Array.from(fast.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, gamma, beta, fast, composed]);
  });

  it('applies SiLU inside the kernel when asked to (groupNormOp asks only on WebGPU)', () => {
    const x = randomTensor([2, 3, 3, 8], 4);
    const gamma = randomTensor([8], 5, 1, 0.5);
    const beta = randomTensor([8], 6);
    const attrs = { groups: 4, eps: 1e-5, silu: true };
    const kernel = tf.engine().runKernel(GROUP_NORM_KERNEL, { x: tf.reshape(x, [2, 9, 8]), gamma, beta }, { ...attrs }) as tf.Tensor;
    const composed = groupNormOp(x, gamma, beta, attrs, 'composed');
    expect(tf.max(tf.abs(tf.sub(tf.reshape(kernel, x.shape), composed))).dataSync()[0]!).toBeLessThan(1e-5);
    tf.dispose([x, gamma, beta, kernel, composed]);
  });

  it('refuses channels that do not split into the groups', () => {
    const x = tf.zeros([1, 2, 6]);
    const gamma = tf.ones([6]);
    expect(() => tf.engine().runKernel(GROUP_NORM_KERNEL, { x, gamma, beta: gamma }, { groups: 4, eps: 1e-5, silu: false }))
      .toThrow(/6 channels of affine weights in 4 groups/);
    tf.dispose([x, gamma]);
  });
});
