/**
 * The small networks the page trains itself (federated, privately, or generation after generation):
 * dense only, so they train on every backend, WASM included (which cannot train convolutions).
 * A network is its weights' shapes, a seeded initialisation and a loss over a batch; its weights
 * live as plain arrays between rounds, so averaging them (FedAvg) is plain arithmetic.
 *
 *   classifier: x -> dense(hidden), ReLU -> dense(classes)            softmax cross-entropy
 *   vae:        [x, onehot(y)] -> dense(hidden), ReLU -> (mu, log var) of z   (encoder)
 *               [z, onehot(y)] -> dense(hidden), ReLU -> x^                   (decoder)
 *               loss = (||x - x^||^2 / (2 sigma^2) + KL(N(mu, var) || N(0, I))) / D, per sample
 *
 * The VAE's loss is the negative ELBO (up to the Gaussian's constant) divided by D, the values per
 * sample: the same optimum, with gradients whose size does not grow with the sample's length, so one
 * learning rate suits an ECG beat and an image. *
 * The VAE is class-conditional (Kingma et al., "Semi-supervised learning with deep generative
 * models", 2014, model M2's generative half): a class is asked for, as the site's own models take
 * one. Its reparameterisation noise comes in as a tensor, so a seeded run is reproducible.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/random.js';

/** A network's weights, as plain arrays in the order of its `shapes`. */
export type Weights = Float32Array[];

export interface TrainableNet {
  readonly kind: 'classifier' | 'vae';
  /** Values per sample. */
  readonly inputSize: number;
  readonly numClasses: number;
  readonly shapes: readonly number[][];
  /** Standard normal values the loss takes per sample (the VAE's reparameterisation noise; 0 for the classifier). */
  readonly noisePerSample: number;
  /** He-uniform weight matrices and zero biases from `seed`: every strategy starts from the same weights. */
  init(seed: number): Weights;
  /**
   * Per sample, the loss of rows `x` (B, inputSize) with one-hot classes `y` (B, classes); noise
   * (B, noisePerSample) or null. Call inside a tidy: what `taps` records is freed with it.
   */
  losses(w: readonly tf.Tensor[], x: tf.Tensor2D, y: tf.Tensor2D, noise: tf.Tensor2D | null, taps?: Taps): tf.Tensor1D;
}

/**
 * Where DP-SGD looks inside a network (src/federated/fedavg.ts): every dense layer, in the order of
 * its weight matrix in `shapes`, records its input rows and adds an offset (B, out) to its output
 * before the activation. The gradient of the summed loss with respect to a zero offset is each
 * sample's gradient at that layer's output; with the layer's input it gives the norm of the sample's
 * gradient of that layer's weights, without making the gradient itself (each layer is used once per sample).
 */
export interface Taps {
  inputs?: tf.Tensor2D[];
  offsets?: readonly tf.Tensor[];
}

/** The dense layers' output sizes, in the order the taps see them. */
export function layerWidths(net: TrainableNet): number[] {
  return net.shapes.filter((s) => s.length === 2).map((s) => s[1]!);
}

/** `n` values uniform in +-sqrt(6 / fanIn) (He et al., 2015): the one He-uniform draw of the page's training code. */
export function heUniformValues(rng: Rng, fanIn: number, n: number): Float32Array {
  const limit = Math.sqrt(6 / fanIn);
  return Float32Array.from({ length: n }, () => (2 * rng.next() - 1) * limit);
}

/** Dense layer: x (B, in) @ w (in, out) + b; the `layer`-th, for the taps. */
function dense(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor, layer: number, taps?: Taps): tf.Tensor2D {
  taps?.inputs?.push(x);
  const z = tf.add(tf.matMul(x, w as tf.Tensor2D), b) as tf.Tensor2D;
  return taps?.offsets ? (tf.add(z, taps.offsets[layer]!) as tf.Tensor2D) : z;
}

/**
 * Weights for `shapes`: every matrix He-uniform over its fan-in (times its `scale`, default 1),
 * every vector zero.
 */
function initialise(shapes: readonly number[][], seed: number, scale: readonly number[] = []): Weights {
  const rng = new Rng(seed);
  return shapes.map((s, i) => {
    if (s.length !== 2) return new Float32Array(s[0]!);
    const w = heUniformValues(rng, s[0]!, s[0]! * s[1]!);
    return scale[i] === undefined ? w : w.map((v) => v * scale[i]!);
  });
}

function checkSizes(inputSize: number, numClasses: number, hidden: number): void {
  for (const [name, v] of [['inputSize', inputSize], ['numClasses', numClasses], ['hidden', hidden]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a whole number of at least 1, got ${v}`);
  }
}

export interface ClassifierNet extends TrainableNet {
  readonly kind: 'classifier';
  /** (B, inputSize) -> (B, classes) logits. */
  logits(w: readonly tf.Tensor[], x: tf.Tensor2D): tf.Tensor2D;
}

/** A one-hidden-layer ReLU classifier: weights [w1 (in, hidden), b1, w2 (hidden, classes), b2]. */
export function classifierNet(inputSize: number, numClasses: number, hidden: number): ClassifierNet {
  checkSizes(inputSize, numClasses, hidden);
  const shapes = [[inputSize, hidden], [hidden], [hidden, numClasses], [numClasses]];
  const forward = (w: readonly tf.Tensor[], x: tf.Tensor2D, taps?: Taps) => dense(tf.relu(dense(x, w[0]!, w[1]!, 0, taps)), w[2]!, w[3]!, 1, taps);
  return {
    kind: 'classifier', inputSize, numClasses, shapes, noisePerSample: 0,
    logits: (w, x) => forward(w, x),
    init: (seed) => initialise(shapes, seed),
    losses: (w, x, y, _noise, taps) => tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(forward(w, x, taps))), 1)) as tf.Tensor1D,
  };
}

export interface VaeNet extends TrainableNet {
  readonly kind: 'vae';
  readonly latent: number;
  /** (B, latent) codes and (B, classes) one-hot classes -> (B, inputSize) samples. */
  decode(w: readonly tf.Tensor[], z: tf.Tensor2D, y: tf.Tensor2D, taps?: Taps): tf.Tensor2D;
}

/**
 * A class-conditional dense VAE. Weights: encoder [we (in + classes, hidden), be, wm (hidden,
 * latent), bm, wv (hidden, latent), bv], decoder [wd (latent + classes, hidden), bd, wo (hidden,
 * in), bo]. `sigma` is the decoder's fixed output standard deviation in input units: smaller
 * weighs reconstruction more against the prior.
 */
export function vaeNet(inputSize: number, numClasses: number, hidden: number, latent: number, sigma: number): VaeNet {
  checkSizes(inputSize, numClasses, hidden);
  if (!Number.isInteger(latent) || latent < 1) throw new RangeError(`latent must be a whole number of at least 1, got ${latent}`);
  if (!(sigma > 0)) throw new RangeError(`the output standard deviation must be positive, got ${sigma}`);
  const shapes = [
    [inputSize + numClasses, hidden], [hidden], [hidden, latent], [latent], [hidden, latent], [latent],
    [latent + numClasses, hidden], [hidden], [hidden, inputSize], [inputSize],
  ];
  const decode = (w: readonly tf.Tensor[], z: tf.Tensor2D, y: tf.Tensor2D, taps?: Taps) =>
    dense(tf.relu(dense(tf.concat([z, y], 1), w[6]!, w[7]!, 3, taps)), w[8]!, w[9]!, 4, taps);
  return {
    kind: 'vae', inputSize, numClasses, latent, shapes, noisePerSample: latent, decode,
    // the code's heads start small, so the first codes are near the prior and their variances near 1;
    // so does the output layer, so the first samples are flat rather than pixel noise a few hundred
    // steps do not smooth away (on the chest X-rays, 8 rounds: held-out loss 0.38 against 0.59)
    init: (seed) => initialise(shapes, seed, [1, 1, 0.1, 1, 0.1, 1, 1, 1, 0.1]),
    losses: (w, x, y, noise, taps) => {
      const h = tf.relu(dense(tf.concat([x, y], 1), w[0]!, w[1]!, 0, taps));
      const mu = dense(h, w[2]!, w[3]!, 1, taps);
      const logVar = dense(h, w[4]!, w[5]!, 2, taps);
      // z = mu + sigma_z * eps; with no noise, the mean code (a deterministic score)
      const z = noise ? tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logVar)), noise)) : mu;
      const reconstruction = tf.div(tf.sum(tf.square(tf.sub(x, decode(w, z as tf.Tensor2D, y, taps))), 1), 2 * sigma * sigma);
      const kl = tf.mul(0.5, tf.sum(tf.sub(tf.add(tf.exp(logVar), tf.square(mu)), tf.add(1, logVar)), 1));
      return tf.div(tf.add(reconstruction, kl), inputSize) as tf.Tensor1D;
    },
  };
}
