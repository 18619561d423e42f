/**
 * What the page's training views measure of the networks of src/federated/nets.ts, on plain
 * arrays in network units: held-out accuracy, the VAE's per-sample loss, its samples, and how often
 * an evaluator sees them as the class asked for. Every tensor is freed.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/random.js';
import type { ClientData } from './fedavg.js';
import type { ClassifierNet, VaeNet, Weights } from './nets.js';

/** The samples at `indices`, one after another, with their classes. */
export function clientOf(samples: readonly Float32Array[], labels: ArrayLike<number>, indices: readonly number[], size: number): ClientData {
  const x = new Float32Array(indices.length * size);
  indices.forEach((i, k) => x.set(samples[i]!, k * size));
  return { x, labels: indices.map((i) => labels[i]!) };
}

/** The rows `indices` of `data`, whose rows hold `size` values each. */
export function subsetOf(data: ClientData, indices: readonly number[], size: number): ClientData {
  const x = new Float32Array(indices.length * size);
  indices.forEach((i, k) => x.set(data.x.subarray(i * size, (i + 1) * size), k * size));
  return { x, labels: indices.map((i) => data.labels[i]!) };
}

/** A network's weights as tensors, for `use`, freed after. */
function withWeights<T extends tf.TensorContainer>(weights: Weights, shapes: readonly number[][], use: (w: tf.Tensor[]) => T): T {
  return tf.tidy(() => use(weights.map((v, i) => tf.tensor(v, shapes[i]))));
}

/** Held-out accuracy and balanced accuracy (mean recall over the classes present). */
export async function classifierFigures(net: ClassifierNet, weights: Weights, heldout: ClientData): Promise<{ accuracy: number; balanced: number }> {
  const n = heldout.labels.length;
  const predicted = withWeights(weights, net.shapes, (w) => tf.argMax(net.logits(w, tf.tensor2d(heldout.x, [n, net.inputSize])), 1));
  const p = await predicted.data();
  predicted.dispose();
  const hits = new Array<number>(net.numClasses).fill(0);
  const counts = new Array<number>(net.numClasses).fill(0);
  for (let i = 0; i < n; i++) {
    counts[heldout.labels[i]!]! += 1;
    if (p[i] === heldout.labels[i]) hits[heldout.labels[i]!]! += 1;
  }
  const present = counts.map((c, k) => (c ? hits[k]! / c : null)).filter((r): r is number => r !== null);
  return { accuracy: hits.reduce((a, b) => a + b, 0) / n, balanced: present.reduce((a, b) => a + b, 0) / present.length };
}

/** Per sample, the VAE's loss on `data` with codes drawn from `seed`. */
export async function vaeLosses(net: VaeNet, weights: Weights, data: ClientData, seed: number): Promise<Float32Array> {
  const n = data.labels.length;
  const rng = new Rng(seed);
  const noise = Float32Array.from({ length: n * net.latent }, () => rng.normal());
  const losses = withWeights(weights, net.shapes, (w) => net.losses(w, tf.tensor2d(data.x, [n, net.inputSize]),
    tf.oneHot(tf.tensor1d(Array.from(data.labels), 'int32'), net.numClasses).toFloat() as tf.Tensor2D, tf.tensor2d(noise, [n, net.latent])));
  const values = (await losses.data()) as Float32Array;
  losses.dispose();
  return values;
}

/** A sample of each class in `classes` from codes drawn from `seed` (the same seed, the same codes), network units. */
export async function decodeSamples(net: VaeNet, weights: Weights, classes: readonly number[], seed: number): Promise<Float32Array[]> {
  const rng = new Rng(seed);
  const codes = Float32Array.from({ length: classes.length * net.latent }, () => rng.normal());
  const out = withWeights(weights, net.shapes, (w) => net.decode(w, tf.tensor2d(codes, [classes.length, net.latent]),
    tf.oneHot(tf.tensor1d(classes as number[], 'int32'), net.numClasses).toFloat() as tf.Tensor2D));
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return classes.map((_, i) => values.slice(i * net.inputSize, (i + 1) * net.inputSize));
}

/** Share classified as asked, averaged over classes. */
export function balancedFaithfulness(requested: readonly number[], predicted: ArrayLike<number>, classes: number): number {
  const hits = new Array<number>(classes).fill(0);
  const counts = new Array<number>(classes).fill(0);
  requested.forEach((c, i) => {
    counts[c]! += 1;
    if (predicted[i] === c) hits[c]! += 1;
  });
  return hits.reduce((sum, h, c) => sum + h / counts[c]!, 0) / classes;
}
