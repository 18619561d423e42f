/**
 * The building blocks on hand-checkable numbers (the parity tests check them in whole networks).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Weights, avgPool2x, channelsLastFlatten, channelsLastUnflatten, groupCount, groupNorm, timestepEmbedding, upsample2x,
} from '../../../src/models/layers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = (t: tf.Tensor) => {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};

describe('nearest upsampling x2', () => {
  it('repeats each value of a signal twice, per channel', () => {
    const x = tf.tensor3d([[[1, 10], [2, 20], [3, 30]]]);               // (1, L=3, C=2)
    const up = upsample2x(x, 1);
    expect(up.shape).toEqual([1, 6, 2]);
    expect(values(up)).toEqual([1, 10, 1, 10, 2, 20, 2, 20, 3, 30, 3, 30]);
    x.dispose();
  });

  it('repeats each pixel of an image into a 2x2 block', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);           // (1, H=2, W=3, C=1)
    const up = upsample2x(x, 2);
    expect(up.shape).toEqual([1, 4, 6, 1]);
    expect(values(up)).toEqual([
      1, 1, 2, 2, 3, 3,
      1, 1, 2, 2, 3, 3,
      4, 4, 5, 5, 6, 6,
      4, 4, 5, 5, 6, 6,
    ]);
    x.dispose();
  });
});

describe('average pooling /2', () => {
  it('averages pairs of a signal and drops an odd last sample, as PyTorch', () => {
    const x = tf.tensor3d([1, 3, 5, 7, 9], [1, 5, 1]);
    expect(values(avgPool2x(x, 1))).toEqual([2, 6]);
    x.dispose();
  });

  it('averages 2x2 blocks of an image', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 4, 1]);
    expect(values(avgPool2x(x, 2))).toEqual([3.5, 5.5]);
    x.dispose();
  });
});

describe('GroupNorm', () => {
  it('normalises consecutive channels together over all positions, biased variance, eps inside the root', () => {
    // 2 positions x 4 channels, 2 groups: group 0 = channels 0-1, group 1 = channels 2-3
    const x = tf.tensor3d([[[1, 2, 10, 30], [3, 4, 20, 40]]]);          // (1, L=2, C=4)
    const gamma = tf.tensor1d([1, 2, 1, 1]);
    const beta = tf.tensor1d([0, 0, 0, 5]);
    const w = new Weights({ 'n.weight': gamma, 'n.bias': beta }, 'test');
    const y = values(groupNorm(w, 'n', 4, 2)(x));
    const expected = (v: number, mean: number, variance: number) => (v - mean) / Math.sqrt(variance + 1e-5);
    // group 0: values 1, 2, 3, 4 -> mean 2.5, biased variance 1.25; group 1: 10..40 -> 25, 125
    const want = [
      expected(1, 2.5, 1.25), 2 * expected(2, 2.5, 1.25), expected(10, 25, 125), expected(30, 25, 125) + 5,
      expected(3, 2.5, 1.25), 2 * expected(4, 2.5, 1.25), expected(20, 25, 125), expected(40, 25, 125) + 5,
    ];
    y.forEach((v, i) => expect(v).toBeCloseTo(want[i] ?? NaN, 5));
    w.dispose();
    x.dispose();
  });

  it('uses min(groups, channels) groups, and refuses channels that do not split', () => {
    expect(groupCount(4, 8)).toBe(4);
    expect(groupCount(16, 8)).toBe(8);
    expect(() => groupCount(12, 8)).toThrow('12 channels do not split into 8 groups');
  });
});

describe('sinusoidal timestep embedding', () => {
  it('is [sin | cos] of t * exp(-ln(10000) i / half)', () => {
    const e = values(timestepEmbedding([1], 4));                          // half 2: freqs 1, 0.01
    const want = [Math.sin(1), Math.sin(0.01), Math.cos(1), Math.cos(0.01)];
    e.forEach((v, i) => expect(v).toBeCloseTo(want[i] ?? NaN, 6));
  });

  it('gives the same numbers from a tensor of timesteps (on the CPU backend)', () => {
    const t = tf.tensor1d([999, 10, 0]);
    const fromTensor = values(timestepEmbedding(t, 16));
    const fromNumbers = values(timestepEmbedding([999, 10, 0], 16));
    fromTensor.forEach((v, i) => expect(v).toBeCloseTo(fromNumbers[i] ?? NaN, 5));
    t.dispose();
  });
});

describe('channels-last flatten', () => {
  it('is position-major, channel-minor, and unflatten inverts it', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);      // (1, H, W, C=2)
    const flat = channelsLastFlatten(x);
    expect(flat.shape).toEqual([1, 8]);
    const back = channelsLastUnflatten(flat, [2, 2], 2);
    expect(back.shape).toEqual([1, 2, 2, 2]);
    expect(values(back)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    flat.dispose();
    x.dispose();
  });
});

describe('Weights', () => {
  it('names a missing weight and the shape it should have had', () => {
    const w = new Weights({}, 'UNet test');
    expect(() => w.get('down.0.0.conv1.weight', [3, 3, 8, 8]))
      .toThrow("UNet test: weight 'down.0.0.conv1.weight' [3, 3, 8, 8] is missing");
  });

  it('names a weight whose shape does not fit the architecture', () => {
    const t = tf.zeros([3, 3, 8, 16]);
    const w = new Weights({ 'in_conv.weight': t }, 'UNet test');
    expect(() => w.get('in_conv.weight', [3, 3, 1, 16]))
      .toThrow("UNet test: weight 'in_conv.weight' has shape [3, 3, 8, 16], the architecture needs [3, 3, 1, 16]");
    w.dispose();
    expect(t.isDisposed).toBe(true);
  });

  it('reports weights the architecture never asked for', () => {
    const w = new Weights({ a: tf.zeros([1]), b: tf.zeros([1]) }, 'VAE test');
    w.get('a', [1]);
    expect(() => w.assertAllUsed()).toThrow('VAE test: 1 weight(s) not used by the architecture: b');
    w.dispose();
  });
});
