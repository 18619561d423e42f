/**
 * Federated averaging where the theory says what it must equal: one hospital over several rounds is
 * centralised training; equal IID hospitals taking one full-batch step each are one full-batch step
 * on the pooled data; FedProx's first step from the global weights is FedAvg's, and later ones stay
 * nearer the global weights. No tensor is leaked, and a cancelled run stops.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ClientData, type LocalSettings, clippedGradientSum, federate, trainLocal, weightedAverage } from '../../../src/federated/fedavg.js';
import { dpSgdGradient } from '../../../src/privacy/dp-sgd.js';
import { classifierNet, vaeNet } from '../../../src/federated/nets.js';
import { Rng } from '../../../src/util/random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Two classes of 8-dimensional Gaussian blobs, `n` samples. */
function blobs(n: number, seed: number): ClientData {
  const rng = new Rng(seed);
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  const x = Float32Array.from({ length: n * 8 }, (_, j) => rng.normal() + (labels[Math.floor(j / 8)]! ? 1 : -1) * (j % 8 < 4 ? 1 : 0));
  return { x, labels };
}

const pooled = blobs(64, 1);
/** The pooled data dealt into 4 equal hospitals of 16. */
const hospitals: ClientData[] = [0, 1, 2, 3].map((h) => ({ x: pooled.x.slice(h * 16 * 8, (h + 1) * 16 * 8), labels: Array.from(pooled.labels).slice(h * 16, (h + 1) * 16) }));
const settings: LocalSettings = { net: classifierNet(8, 2, 6), learningRate: 0.3, epochs: 1, batchSize: Infinity, mu: 0 };
const start = settings.net.init(3);

const maxDifference = (a: Float32Array[], b: Float32Array[]) => Math.max(...a.map((w, i) => Math.max(...w.map((v, j) => Math.abs(v - b[i]![j]!)))));
const distance = (a: Float32Array[], b: Float32Array[]) => Math.sqrt(a.reduce((n, w, i) => n + w.reduce((m, v, j) => m + (v - b[i]![j]!) ** 2, 0), 0));

describe('federated averaging', () => {
  it('with one hospital is centralised training, round after round', async () => {
    const before = tf.memory().numTensors;
    const federated = await federate(start, [pooled], settings, { rounds: 3, fraction: 1, seed: 1 });
    const central = await trainLocal(start, pooled, { ...settings, epochs: 3 }, 0);
    expect(maxDifference(federated, central.weights)).toBeLessThan(1e-6);
    expect(maxDifference(federated, start)).toBeGreaterThan(1e-2); // it did learn
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with equal IID hospitals taking one full-batch step each is one full-batch step on the pooled data', async () => {
    const rounds: number[][] = [];
    const federated = await federate(start, hospitals, settings, { rounds: 1, fraction: 1, seed: 1 }, (r) => { rounds.push(r.clients); });
    const central = await trainLocal(start, pooled, settings, 0);
    expect(rounds).toEqual([[0, 1, 2, 3]]);
    expect(maxDifference(federated, central.weights)).toBeLessThan(1e-5);
    // several local steps are not: client drift
    const drifted = await federate(start, hospitals, { ...settings, epochs: 5 }, { rounds: 1, fraction: 1, seed: 1 });
    const centralFive = await trainLocal(start, pooled, { ...settings, epochs: 5 }, 0);
    expect(maxDifference(drifted, centralFive.weights)).toBeGreaterThan(1e-4);
  });

  it('weights the average by each hospital\'s size', () => {
    const a = [Float32Array.of(0, 10)];
    const b = [Float32Array.of(4, 2)];
    expect(Array.from(weightedAverage([{ weights: a, weight: 1 }, { weights: b, weight: 3 }])[0]!)).toEqual([3, 4]);
  });

  it('FedProx: its first step from the global weights is FedAvg\'s; afterwards it stays nearer them', async () => {
    const one = await trainLocal(start, hospitals[0]!, { ...settings, mu: 1 }, 0);
    const plain = await trainLocal(start, hospitals[0]!, settings, 0);
    expect(maxDifference(one.weights, plain.weights)).toBeLessThan(1e-6);
    const prox = await trainLocal(start, hospitals[0]!, { ...settings, mu: 1, epochs: 20 }, 0);
    const avg = await trainLocal(start, hospitals[0]!, { ...settings, epochs: 20 }, 0);
    expect(distance(prox.weights, start)).toBeLessThan(distance(avg.weights, start));
  });

  it('takes a seeded fraction of the hospitals each round, stops when cancelled, and refuses absurd settings', async () => {
    const taken: number[][] = [];
    await federate(start, hospitals, settings, { rounds: 3, fraction: 0.5, seed: 4 }, (r) => { taken.push(r.clients); });
    expect(taken.every((c) => c.length === 2)).toBe(true);
    const again: number[][] = [];
    await federate(start, hospitals, settings, { rounds: 3, fraction: 0.5, seed: 4 }, (r) => { again.push(r.clients); });
    expect(again).toEqual(taken);
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(federate(start, hospitals, settings, { rounds: 3, fraction: 1, seed: 1 }, undefined, controller.signal)).rejects.toThrow('cancelled');
    await expect(federate(start, hospitals, settings, { rounds: 0, fraction: 1, seed: 1 })).rejects.toThrow('rounds must be a whole number of at least 1, got 0');
    await expect(federate(start, hospitals, settings, { rounds: 1, fraction: 0, seed: 1 })).rejects.toThrow('the fraction of hospitals per round must be in (0, 1], got 0');
    await expect(trainLocal(start, { x: new Float32Array(0), labels: [] }, settings, 0)).rejects.toThrow('a hospital with no samples cannot train');
  });
});

describe('DP-SGD in local training', () => {
  it('without noise and with a clip no gradient reaches, is plain SGD', async () => {
    const before = tf.memory().numTensors;
    const plain = await trainLocal(start, hospitals[0]!, { ...settings, epochs: 3, batchSize: 4 }, 5);
    const dp = await trainLocal(start, hospitals[0]!, { ...settings, epochs: 3, batchSize: 4, dp: { clip: 1e6, sigma: 0 } }, 5);
    expect(maxDifference(dp.weights, plain.weights)).toBeLessThan(1e-5);
    expect(Math.abs(dp.loss - plain.loss)).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('moves the weights at most learning rate x clip a step without noise, and by more with it, reproducibly', async () => {
    const dp = { ...settings, batchSize: 16, dp: { clip: 0.01, sigma: 0 } };
    const clipped = await trainLocal(start, hospitals[0]!, dp, 5);
    expect(distance(clipped.weights, start)).toBeLessThanOrEqual(settings.learningRate * 0.01 * (1 + 1e-4));
    expect(distance(clipped.weights, start)).toBeGreaterThan(0);
    const noisy = { ...dp, dp: { clip: 0.01, sigma: 1 } };
    const a = await trainLocal(start, hospitals[0]!, noisy, 5);
    expect(distance(a.weights, start)).toBeGreaterThan(distance(clipped.weights, start));
    expect(maxDifference(a.weights, (await trainLocal(start, hospitals[0]!, noisy, 5)).weights)).toBe(0);
  });
});

describe('the class-conditional VAE', () => {
  const vae = vaeNet(8, 2, 6, 3, 0.5);
  const vaeSettings: LocalSettings = { ...settings, net: vae, learningRate: 0.02, batchSize: 8 };

  it('scores a sample as squared error over 2 sigma^2 plus the KL term, per value', () => {
    // all weights zero but the output bias: the code is N(0, I) exactly (KL 0) and every output is the bias
    const weights = vae.init(1).map((w, i) => (i === 9 ? Float32Array.from(w.map((_, j) => j / 8)) : new Float32Array(w.length)));
    const x = Float32Array.from({ length: 8 }, (_, j) => j / 8 + (j === 2 ? 1 : 0));
    const losses = tf.tidy(() => vae.losses(weights.map((w, i) => tf.tensor(w, vae.shapes[i])), tf.tensor2d(x, [1, 8]), tf.tensor2d([[0, 1]]), tf.ones([1, 3])).arraySync());
    expect(losses[0]).toBeCloseTo(1 / (2 * 0.25) / 8, 6);
    // a code away from the prior costs its KL: mu = b_mu = 1 in each of 3 dimensions, var 1: 3 x 0.5
    const shifted = weights.map((w, i) => (i === 3 ? new Float32Array([1, 1, 1]) : w));
    const at = tf.tidy(() => vae.losses(shifted.map((w, i) => tf.tensor(w, vae.shapes[i])), tf.tensor2d(x, [1, 8]), tf.tensor2d([[0, 1]]), null).arraySync());
    expect(at[0]! - losses[0]!).toBeCloseTo(1.5 / 8, 6);
  });

  it('learns, federates as it trains alone with one hospital, and takes DP-SGD exactly as plain SGD when no clip or noise bites', async () => {
    const before = tf.memory().numTensors;
    const start = vae.init(2);
    const central = await trainLocal(start, pooled, { ...vaeSettings, epochs: 3 }, 0);
    // minibatches and codes are drawn from the local seed, which a round derives as seed x 1000 + round x 64 + hospital
    const federated = await federate(start, [pooled], vaeSettings, { rounds: 1, fraction: 1, seed: 1 });
    expect(maxDifference(federated, (await trainLocal(start, pooled, vaeSettings, 1000)).weights)).toBeLessThan(1e-6);
    const first = await trainLocal(start, pooled, { ...vaeSettings, epochs: 1 }, 0);
    const later = await trainLocal(central.weights, pooled, { ...vaeSettings, epochs: 1 }, 0);
    expect(later.loss).toBeLessThan(first.loss);
    const dp = await trainLocal(start, hospitals[0]!, { ...vaeSettings, batchSize: 4, dp: { clip: 1e6, sigma: 0 } }, 5);
    const plain = await trainLocal(start, hospitals[0]!, { ...vaeSettings, batchSize: 4 }, 5);
    expect(maxDifference(dp.weights, plain.weights)).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the clipped gradient sum, from the taps', () => {
  it('equals clipping each example\'s own gradient (dpSgdGradient without noise), for both networks', async () => {
    const before = tf.memory().numTensors;
    for (const net of [classifierNet(8, 2, 6), vaeNet(8, 2, 6, 3, 0.5)]) {
      const weights = net.init(4).map((w, i) => tf.tensor(w, net.shapes[i]));
      const rows = 6;
      const x = tf.tensor2d(pooled.x.slice(0, rows * 8), [rows, 8]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(pooled.labels).slice(0, rows), 'int32'), 2).toFloat() as tf.Tensor2D);
      const noise = net.noisePerSample ? tf.randomNormal([rows, net.noisePerSample], 0, 1, 'float32', 9) as tf.Tensor2D : null;
      // the reference: every example's gradient made on its own
      const perExample = tf.tidy(() => Array.from({ length: rows }, (_, r) => {
        const row = (t: tf.Tensor2D) => tf.slice(t, [r, 0], [1, -1]);
        const grads = tf.grads((...w: tf.Tensor[]) => tf.sum(net.losses(w, row(x), row(y), noise ? row(noise) : null)) as tf.Scalar)(weights);
        return tf.concat(grads.map((g) => tf.reshape(g, [-1]))).dataSync() as Float32Array;
      }));
      const size = perExample[0]!.length;
      const norms = perExample.map((g) => Math.hypot(...g)).sort((a, b) => a - b);
      const clip = norms[2]!; // half the examples are clipped
      const expected = dpSgdGradient(perExample, clip, 0, new Float32Array(size), 1);
      const { sum } = await clippedGradientSum(net, weights, x, y, noise, clip);
      expect(sum.length).toBe(size);
      const scale = Math.max(...expected.map(Math.abs));
      expect(Math.max(...sum.map((v, j) => Math.abs(v - expected[j]!))) / scale, net.kind).toBeLessThan(1e-5);
      tf.dispose([...weights, x, y, ...(noise ? [noise] : [])]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
