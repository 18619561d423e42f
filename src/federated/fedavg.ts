/**
 * Federated averaging (McMahan et al., "Communication-efficient learning of deep networks from
 * decentralized data", 2017) and FedProx (Li et al., "Federated optimization in heterogeneous
 * networks", 2020) for the small networks of src/federated/nets.ts: in each round a seeded fraction of the
 * hospitals start from the global weights, train locally (FedProx adds (mu / 2) ||w - w_global||^2
 * to each local loss), and the global weights become the average of theirs, weighted by how many
 * samples each holds. Plain SGD, so the theory's equalities hold exactly: one hospital is
 * centralised training; equal IID hospitals taking one full-batch step each are one full-batch step
 * on the pooled data (test/unit/federated/fedavg.test.ts). Never leaks a tensor.
 */
import * as tf from '@tensorflow/tfjs';
import { clipScale, noisyMean } from '../privacy/dp-sgd.js';
import { Rng } from '../util/random.js';
import { type TrainableNet, type Weights, layerWidths } from './nets.js';

export type { Weights } from './nets.js';

/** A hospital's data: samples flattened, one after another, and their classes. */
export interface ClientData {
  x: Float32Array;
  labels: ArrayLike<number>;
}

export interface LocalSettings {
  net: TrainableNet;
  learningRate: number;
  /** Passes over the hospital's data per round. */
  epochs: number;
  /** Samples per step; Infinity (or at least the data's size) for full-batch steps. */
  batchSize: number;
  /** FedProx's proximal weight; 0 is FedAvg. */
  mu: number;
  /**
   * 'sgd' (default): plain SGD, for which the theory's equalities hold. 'adam': Adam (Kingma and Ba,
   * 2015) from fresh moments each time a hospital trains (a round's local run), the usual
   * practice in federated learning; it reaches useful models in fewer rounds.
   */
  optimizer?: 'sgd' | 'adam';
  /**
   * DP-SGD (src/privacy/dp-sgd.ts): each example's gradient of its loss clipped to norm `clip`,
   * with `sigma` x clip of Gaussian noise on their sum; absent for plain SGD. Batches are a seeded
   * shuffle, not Poisson samples: the accountant's q = batch / samples is the usual reading.
   */
  dp?: { clip: number; sigma: number } | null;
}

export interface LocalOptions {
  /** Awaited after every step: where a caller yields to the page, pauses, or throws to cancel. */
  afterStep?: () => Promise<void>;
}

/** Steps one hospital of `samples` takes in a round: whole passes of ceil(samples / batch) steps. */
export function localSteps(samples: number, s: Pick<LocalSettings, 'batchSize' | 'epochs'>): number {
  return s.epochs * Math.ceil(samples / Math.min(samples, s.batchSize));
}

/**
 * Trains from `start` on one hospital's data and returns its weights and mean loss: `epochs`
 * passes in a seeded order, plain SGD on the mean loss (plus FedProx's term).
 */
export async function trainLocal(start: Weights, data: ClientData, s: LocalSettings, seed: number, options: LocalOptions = {}): Promise<{ weights: Weights; loss: number }> {
  const { net } = s;
  const n = data.labels.length;
  if (n === 0) throw new Error('a hospital with no samples cannot train');
  if (data.x.length !== n * net.inputSize) throw new Error(`${data.x.length} values for ${n} samples of ${net.inputSize}`);
  const rng = new Rng(seed);
  // DP-SGD's noise and the VAE's codes from streams of their own, so the batches are the same with and without them
  const dpNoise = new Rng(seed ^ 0x5bd1e995);
  const codes = new Rng(seed ^ 0x27d4eb2f);
  const batch = Math.min(n, s.batchSize);
  const variables = start.map((v, i) => {
    const initial = tf.tensor(v, net.shapes[i]);
    try {
      return tf.variable(initial); // the variable holds its own reference to the values
    } finally {
      initial.dispose();
    }
  });
  const anchor = start.map((v, i) => tf.tensor(v, net.shapes[i]));
  const optimizer = s.optimizer === 'adam' ? tf.train.adam(s.learningRate) : null;
  const apply = (grads: tf.NamedTensorMap) => {
    if (optimizer) optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    else variables.forEach((v) => v.assign(tf.sub(v, tf.mul(s.learningRate, grads[v.name]!))));
  };
  let total = 0;
  let steps = 0;
  try {
    for (let epoch = 0; epoch < s.epochs; epoch++) {
      const order = batch === n ? Array.from({ length: n }, (_, i) => i) : rng.permutation(n);
      for (let b = 0; b < n; b += batch) {
        const rows = order.slice(b, b + batch);
        const { x, y, noise } = batchTensors(data, rows, net, codes);
        try {
          const value = s.dp
            ? await privateStep(variables, anchor, x, y, noise, s, s.dp, dpNoise, apply)
            : await plainStep(variables, anchor, x, y, noise, s, apply);
          if (!Number.isFinite(value)) throw new Error(`the local loss became ${value}`);
          total += value;
          steps += 1;
        } finally {
          tf.dispose([x, y, ...(noise ? [noise] : [])]);
        }
        await options.afterStep?.();
      }
    }
    return { weights: await Promise.all(variables.map(async (v) => (await v.data()) as Float32Array)), loss: total / steps };
  } finally {
    optimizer?.dispose();
    tf.dispose([...variables, ...anchor]);
  }
}

/** The batch of `rows`: inputs, one-hot classes and the network's noise (null if it takes none). */
function batchTensors(data: ClientData, rows: readonly number[], net: TrainableNet, codes: Rng): { x: tf.Tensor2D; y: tf.Tensor2D; noise: tf.Tensor2D | null } {
  const size = net.inputSize;
  const values = new Float32Array(rows.length * size);
  rows.forEach((r, i) => values.set(data.x.subarray(r * size, (r + 1) * size), i * size));
  const noise = net.noisePerSample ? tf.tensor2d(Float32Array.from({ length: rows.length * net.noisePerSample }, () => codes.normal()), [rows.length, net.noisePerSample]) : null;
  const { x, y } = tf.tidy(() => ({
    x: tf.tensor2d(values, [rows.length, size]),
    y: tf.oneHot(tf.tensor1d(rows.map((r) => data.labels[r]!), 'int32'), net.numClasses).toFloat() as tf.Tensor2D,
  }));
  return { x, y, noise };
}

/** FedProx's term, (mu / 2) ||w - w_global||^2. */
function proximal(variables: readonly tf.Variable[], anchor: readonly tf.Tensor[], mu: number): tf.Scalar {
  return tf.mul(mu / 2, tf.addN(variables.map((v, i) => tf.sum(tf.square(tf.sub(v, anchor[i]!)))))) as tf.Scalar;
}

/** Applies gradients, by name of variable, to the variables (inside the caller's tidy). */
type Apply = (grads: tf.NamedTensorMap) => void;

/** One step on the batch's mean loss; returns that loss (before the step). */
async function plainStep(variables: tf.Variable[], anchor: tf.Tensor[], x: tf.Tensor2D, y: tf.Tensor2D, noise: tf.Tensor2D | null, s: LocalSettings, apply: Apply): Promise<number> {
  const loss = tf.tidy(() => {
    const f = () => {
      const mean = tf.mean(s.net.losses(variables, x, y, noise)) as tf.Scalar;
      return s.mu === 0 ? mean : (tf.add(mean, proximal(variables, anchor, s.mu)) as tf.Scalar);
    };
    const { value, grads } = tf.variableGrads(f, variables);
    apply(grads);
    return value;
  });
  try {
    return (await loss.data())[0]!;
  } finally {
    loss.dispose();
  }
}

/**
 * The sum over a batch of each example's gradient clipped to norm `clip` (flattened in the order of
 * `weights`), and the batch's mean loss, without making any example's gradient: each example's
 * gradient norm comes from the taps of src/federated/nets.ts (for a dense layer used once per
 * example, the norm of its weight gradient is ||input|| x ||gradient at its output||, plus
 * ||gradient at its output|| for its bias: Goodfellow, "Efficient per-example gradient
 * computations", 2015); the clipped sum is then the gradient of the losses each weighted by its
 * clipScale. Three passes however large the batch; equal to summing dpSgdGradient's clipped
 * gradients (test/unit/federated/fedavg.test.ts).
 */
export async function clippedGradientSum(
  net: TrainableNet, weights: readonly tf.Tensor[], x: tf.Tensor2D, y: tf.Tensor2D, noise: tf.Tensor2D | null, clip: number,
): Promise<{ sum: Float32Array; loss: number }> {
  const rows = x.shape[0];
  const squaredNorms = tf.tidy(() => {
    const inputs: tf.Tensor2D[] = [];
    net.losses(weights, x, y, noise, { inputs });
    const offsets = layerWidths(net).map((width) => tf.zeros([rows, width]));
    const atOutputs = tf.grads((...o: tf.Tensor[]) => tf.sum(net.losses(weights, x, y, noise, { offsets: o })) as tf.Scalar)(offsets);
    const rowSquares = (t: tf.Tensor) => tf.sum(tf.square(t), 1);
    return tf.addN(atOutputs.map((d, l) => tf.mul(rowSquares(d), tf.add(rowSquares(inputs[l]!), 1)))) as tf.Tensor1D;
  });
  let norms: Float32Array;
  try {
    norms = (await squaredNorms.data()) as Float32Array;
  } finally {
    squaredNorms.dispose();
  }
  const scales = tf.tensor1d(Array.from(norms, (n) => clipScale(Math.sqrt(Math.max(n, 0)), clip)));
  const [loss, clipped] = tf.tidy(() => {
    const grads = tf.grads((...w: tf.Tensor[]) => tf.sum(tf.mul(scales, net.losses(w, x, y, noise))) as tf.Scalar)([...weights]);
    return [tf.mean(net.losses(weights, x, y, noise)), tf.concat(grads.map((g) => tf.reshape(g, [-1])))] as const;
  });
  try {
    return { sum: (await clipped.data()) as Float32Array, loss: (await loss.data())[0]! };
  } finally {
    tf.dispose([loss, clipped, scales]);
  }
}

/** One DP-SGD step: the clipped sum, noised by noisyMean, then FedProx's data-free term; returns the batch's mean loss (before the step). */
async function privateStep(
  variables: tf.Variable[], anchor: tf.Tensor[], x: tf.Tensor2D, y: tf.Tensor2D, noise: tf.Tensor2D | null,
  s: LocalSettings, dp: { clip: number; sigma: number }, rng: Rng, apply: Apply,
): Promise<number> {
  const { sum, loss } = await clippedGradientSum(s.net, variables, x, y, noise, dp.clip);
  const flat = noisyMean(sum, dp.clip, dp.sigma, Float32Array.from({ length: sum.length }, () => rng.normal()), x.shape[0]);
  tf.tidy(() => {
    const g = tf.tensor1d(flat);
    let offset = 0;
    const grads: tf.NamedTensorMap = {};
    variables.forEach((v, i) => {
      const part = tf.reshape(tf.slice(g, [offset], [v.size]), v.shape);
      offset += v.size;
      grads[v.name] = s.mu === 0 ? part : tf.add(part, tf.mul(s.mu, tf.sub(v, anchor[i]!)));
    });
    apply(grads);
  });
  return loss;
}

/** The average of `updates`, each weighted by its weight (a hospital's sample count). */
export function weightedAverage(updates: readonly { weights: Weights; weight: number }[]): Weights {
  const total = updates.reduce((n, u) => n + u.weight, 0);
  if (!(total > 0)) throw new Error('nothing to average');
  return updates[0]!.weights.map((first, i) => {
    const out = new Float64Array(first.length);
    for (const u of updates) {
      const w = u.weights[i]!;
      for (let j = 0; j < out.length; j++) out[j]! += (u.weight / total) * w[j]!;
    }
    return Float32Array.from(out);
  });
}

export interface FederatedSettings {
  rounds: number;
  /** Share of the hospitals taking part in each round (at least one does). */
  fraction: number;
  seed: number;
}

export interface RoundReport {
  round: number;
  /** The hospitals that took part. */
  clients: number[];
  weights: Weights;
  /** Mean local loss, weighted by size. */
  loss: number;
}

/** One round: a seeded `fraction` of the hospitals train from `global`, and their weights are averaged by size. */
export async function federatedRound(
  global: Weights, clients: readonly ClientData[], local: LocalSettings, settings: FederatedSettings, round: number, options: LocalOptions = {},
): Promise<RoundReport> {
  const rng = new Rng(settings.seed * 7919 + round);
  const take = Math.max(1, Math.round(settings.fraction * clients.length));
  const chosen = rng.choose(clients.length, take).sort((a, b) => a - b);
  const updates: { weights: Weights; weight: number; loss: number }[] = [];
  for (const c of chosen) {
    const { weights, loss } = await trainLocal(global, clients[c]!, local, settings.seed * 1000 + round * 64 + c, options);
    updates.push({ weights, weight: clients[c]!.labels.length, loss });
  }
  const size = updates.reduce((n, u) => n + u.weight, 0);
  return { round, clients: chosen, weights: weightedAverage(updates), loss: updates.reduce((n, u) => n + (u.weight / size) * u.loss, 0) };
}

export function checkFederatedSettings(settings: FederatedSettings): void {
  if (!Number.isInteger(settings.rounds) || settings.rounds < 1) throw new RangeError(`rounds must be a whole number of at least 1, got ${settings.rounds}`);
  if (!(settings.fraction > 0 && settings.fraction <= 1)) throw new RangeError(`the fraction of hospitals per round must be in (0, 1], got ${settings.fraction}`);
}

/** Rounds of FedAvg (mu 0) or FedProx from `start`; `onRound` sees each round's global weights. */
export async function federate(
  start: Weights, clients: readonly ClientData[], local: LocalSettings, settings: FederatedSettings,
  onRound?: (report: RoundReport) => void | Promise<void>, signal?: AbortSignal,
): Promise<Weights> {
  checkFederatedSettings(settings);
  let global = start;
  for (let round = 0; round < settings.rounds; round++) {
    signal?.throwIfAborted();
    const report = await federatedRound(global, clients, local, settings, round);
    global = report.weights;
    await onRound?.(report);
  }
  return global;
}
