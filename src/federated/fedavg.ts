/**
 * Federated averaging (McMahan et al., "Communication-efficient learning of deep networks from
 * decentralized data", 2017) and FedProx (Li et al., "Federated optimization in heterogeneous
 * networks", 2020) for a small classifier in the browser: in each round a seeded fraction of the
 * hospitals start from the global weights, train locally (FedProx adds (mu / 2) ||w - w_global||^2
 * to each local loss), and the global weights become the average of theirs, weighted by how many
 * samples each holds. Plain SGD, so the theory's equalities hold exactly: one hospital is
 * centralised training; equal IID hospitals taking one full-batch step each are one full-batch step
 * on the pooled data (test/unit/federated/fedavg.test.ts). Never leaks a tensor.
 */
import * as tf from '@tensorflow/tfjs';
import { dpSgdGradient } from '../privacy/dp-sgd.js';
import { Rng } from '../util/random.js';

/** A hospital's data: samples flattened, one after another, and their classes. */
export interface ClientData {
  x: Float32Array;
  labels: ArrayLike<number>;
}

export interface LocalSettings {
  /** Values per sample. */
  inputSize: number;
  numClasses: number;
  hidden: number;
  learningRate: number;
  /** Passes over the hospital's data per round. */
  epochs: number;
  /** Samples per step; Infinity (or at least the data's size) for full-batch steps. */
  batchSize: number;
  /** FedProx's proximal weight; 0 is FedAvg. */
  mu: number;
  /**
   * DP-SGD (src/privacy/dp-sgd.ts): each example's gradient of the cross-entropy clipped to norm
   * `clip`, with `sigma` x clip of Gaussian noise on their sum; absent for plain SGD. Batches are a
   * seeded shuffle, not Poisson samples: the accountant's q = batch / samples is the usual reading.
   */
  dp?: { clip: number; sigma: number } | null;
}

/** The classifier's weights, as plain arrays: [w1, b1, w2, b2] of a one-hidden-layer ReLU network. */
export type Weights = Float32Array[];

/** He-uniform first layer, zero biases, from a seed: every strategy starts from the same weights. */
export function initialWeights(s: Pick<LocalSettings, 'inputSize' | 'numClasses' | 'hidden'>, seed: number): Weights {
  const rng = new Rng(seed);
  const uniform = (n: number, fanIn: number) => {
    const limit = Math.sqrt(6 / fanIn);
    return Float32Array.from({ length: n }, () => (2 * rng.next() - 1) * limit);
  };
  return [uniform(s.inputSize * s.hidden, s.inputSize), new Float32Array(s.hidden), uniform(s.hidden * s.numClasses, s.hidden), new Float32Array(s.numClasses)];
}

function shapes(s: LocalSettings): number[][] {
  return [[s.inputSize, s.hidden], [s.hidden], [s.hidden, s.numClasses], [s.numClasses]];
}

/** The network's logits for a batch; `w` are tensors of the four weights. */
function logits(w: tf.Tensor[], x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w[0] as tf.Tensor2D), w[1]!)), w[2] as tf.Tensor2D), w[3]!) as tf.Tensor2D;
}

/**
 * Trains from `start` on one hospital's data and returns its weights and mean loss: `epochs`
 * passes in a seeded order, plain SGD on the mean cross-entropy (plus FedProx's term).
 */
export async function trainLocal(start: Weights, data: ClientData, s: LocalSettings, seed: number): Promise<{ weights: Weights; loss: number }> {
  const n = data.labels.length;
  if (n === 0) throw new Error('a hospital with no samples cannot train');
  if (data.x.length !== n * s.inputSize) throw new Error(`${data.x.length} values for ${n} samples of ${s.inputSize}`);
  const rng = new Rng(seed);
  // DP-SGD's noise from a stream of its own, so the batches are the same with and without it
  const noiseRng = new Rng(seed ^ 0x5bd1e995);
  const batch = Math.min(n, s.batchSize);
  const variables = start.map((v, i) => {
    const initial = tf.tensor(v, shapes(s)[i]!);
    try {
      return tf.variable(initial); // the variable holds its own reference to the values
    } finally {
      initial.dispose();
    }
  });
  const anchor = start.map((v, i) => tf.tensor(v, shapes(s)[i]!));
  let total = 0;
  let steps = 0;
  try {
    for (let epoch = 0; epoch < s.epochs; epoch++) {
      const order = batch === n ? Array.from({ length: n }, (_, i) => i) : rng.permutation(n);
      for (let b = 0; b < n; b += batch) {
        const rows = order.slice(b, b + batch);
        const loss = tf.tidy(() => {
          const x = tf.tensor2d(Float32Array.from(rows.flatMap((r) => Array.from(data.x.subarray(r * s.inputSize, (r + 1) * s.inputSize)))), [rows.length, s.inputSize]);
          const y = tf.oneHot(tf.tensor1d(rows.map((r) => data.labels[r]!), 'int32'), s.numClasses).toFloat();
          const f = () => {
            const ce = tf.losses.softmaxCrossEntropy(y, logits(variables, x)) as tf.Scalar;
            if (s.mu === 0) return ce;
            const proximal = tf.addN(variables.map((v, i) => tf.sum(tf.square(tf.sub(v, anchor[i]!)))));
            return tf.add(ce, tf.mul(s.mu / 2, proximal)) as tf.Scalar;
          };
          if (s.dp) return privateStep(variables, anchor, x, y, s, s.dp, noiseRng);
          const { value, grads } = tf.variableGrads(f, variables);
          variables.forEach((v) => v.assign(tf.sub(v, tf.mul(s.learningRate, grads[v.name]!))));
          return value;
        });
        const value = (await loss.data())[0]!;
        loss.dispose();
        if (!Number.isFinite(value)) throw new Error(`the local loss became ${value}`);
        total += value;
        steps += 1;
      }
    }
    return { weights: await Promise.all(variables.map(async (v) => (await v.data()) as Float32Array)), loss: total / steps };
  } finally {
    tf.dispose([...variables, ...anchor]);
  }
}

/**
 * One DP-SGD step inside the caller's tidy: every example's cross-entropy gradient, flattened, read
 * back, clipped and noised by dpSgdGradient, then FedProx's data-free term added; returns the batch loss.
 */
function privateStep(variables: tf.Variable[], anchor: tf.Tensor[], x: tf.Tensor2D, y: tf.Tensor, s: LocalSettings, dp: { clip: number; sigma: number }, rng: Rng): tf.Scalar {
  const rows = x.shape[0];
  const loss = tf.losses.softmaxCrossEntropy(y, logits(variables, x)) as tf.Scalar; // before the step, as the plain path reports
  const perExample = Array.from({ length: rows }, (_, r) => {
    const xr = tf.slice(x, [r, 0], [1, -1]);
    const yr = tf.slice(y, [r, 0], [1, -1]);
    const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(yr, logits(variables, xr)) as tf.Scalar, variables);
    return tf.concat(variables.map((v) => tf.reshape(grads[v.name]!, [-1]))).dataSync() as Float32Array;
  });
  const noise = Float32Array.from({ length: perExample[0]!.length }, () => rng.normal());
  const flat = tf.tensor1d(dpSgdGradient(perExample, dp.clip, dp.sigma, noise, rows));
  let offset = 0;
  variables.forEach((v, i) => {
    const g = tf.reshape(tf.slice(flat, [offset], [v.size]), v.shape);
    offset += v.size;
    const proximal = s.mu === 0 ? g : tf.add(g, tf.mul(s.mu, tf.sub(v, anchor[i]!)));
    v.assign(tf.sub(v, tf.mul(s.learningRate, proximal)));
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

/** Rounds of FedAvg (mu 0) or FedProx from `start`; `onRound` sees each round's global weights. */
export async function federate(
  start: Weights, clients: readonly ClientData[], local: LocalSettings, settings: FederatedSettings,
  onRound?: (report: RoundReport) => void | Promise<void>, signal?: AbortSignal,
): Promise<Weights> {
  if (!Number.isInteger(settings.rounds) || settings.rounds < 1) throw new RangeError(`rounds must be a whole number of at least 1, got ${settings.rounds}`);
  if (!(settings.fraction > 0 && settings.fraction <= 1)) throw new RangeError(`the fraction of hospitals per round must be in (0, 1], got ${settings.fraction}`);
  const rng = new Rng(settings.seed);
  let global = start;
  for (let round = 0; round < settings.rounds; round++) {
    signal?.throwIfAborted();
    const take = Math.max(1, Math.round(settings.fraction * clients.length));
    const chosen = rng.choose(clients.length, take).sort((a, b) => a - b);
    const updates: { weights: Weights; weight: number; loss: number }[] = [];
    for (const c of chosen) {
      const { weights, loss } = await trainLocal(global, clients[c]!, local, settings.seed * 1000 + round * 64 + c);
      updates.push({ weights, weight: clients[c]!.labels.length, loss });
    }
    global = weightedAverage(updates);
    const size = updates.reduce((n, u) => n + u.weight, 0);
    await onRound?.({ round, clients: chosen, weights: global, loss: updates.reduce((n, u) => n + (u.weight / size) * u.loss, 0) });
  }
  return global;
}
