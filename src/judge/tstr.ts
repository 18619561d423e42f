/**
 * Usefulness: train on synthetic, test on real (TSTR). A small classifier is trained in the browser
 * on generated samples only and tested on real held-out samples; the same classifier trained on
 * real training data (as many per class as the synthetic set has) is the yardstick.
 *
 *   images  [H, W, C]: conv 3x3 (16, stride 2, ReLU) -> conv 3x3 (32, stride 2, ReLU) -> flatten -> dense
 *   signals [L, C]:    conv1d k7 (16, stride 2, ReLU) -> conv1d k5 (32, stride 2, ReLU) -> flatten -> dense
 *   fallback:          flatten -> dense 64, ReLU -> dense (a multilayer perceptron on the pixels)
 *
 * Adam, softmax cross-entropy, seeded initialisation and shuffling. A backend that cannot train
 * convolutions (tfjs's WASM backend has no Conv2DBackpropFilter kernel) gets the fallback, and the
 * report says so and why; so does a backend whose first convolutional training step fails.
 * Every batch reads its loss back (the live curve) and yields to the event loop; an abort signal
 * stops training between batches, and every tensor and variable is freed however it ends.
 */
import * as tf from '@tensorflow/tfjs';
import { Pacer, isAbort } from '../util/pacing.js';
import { classFaithfulness, confusionMatrix } from './faithfulness.js';
import { Rng } from '../util/random.js';
import { heUniformValues } from '../federated/nets.js';
import type { TaskOptions } from './tasks.js';

export interface TstrSet {
  /** One array per sample, in network units, of `shape`. */
  samples: readonly ArrayLike<number>[];
  labels: ArrayLike<number>;
}

export type TrainingSet = 'synthetic' | 'real';
export type TstrModelKind = 'conv' | 'dense';

export interface BatchReport {
  run: TrainingSet;
  epoch: number;
  /** Batch index within the epoch, and batches per epoch. */
  batch: number;
  batches: number;
  loss: number;
}

export interface EpochReport {
  run: TrainingSet;
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
}

export interface TstrOptions extends TaskOptions {
  /** One sample's shape, channels-last: [H, W, C] for images, [L, C] or [L] for signals. */
  shape: readonly number[];
  numClasses: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** 'auto' (default): convolutions where the backend can train them, else the dense fallback. */
  model?: 'auto' | TstrModelKind;
  /** Defaults to tf.getBackend(). */
  backend?: string;
  onBatch?: (report: BatchReport) => void;
  onEpoch?: (report: EpochReport) => void;
}

export interface TstrRun {
  run: TrainingSet;
  trainSize: number;
  /** Mean loss of each epoch, and every batch's loss in order. */
  epochLosses: number[];
  batchLosses: number[];
  /** On the real held-out test set. */
  accuracy: number;
  /** Mean of the per-class recalls over classes present in the test set. */
  balancedAccuracy: number;
  perClassRecall: (number | null)[];
  /** Rows: true class; columns: predicted class. */
  confusion: number[][];
}

export interface TstrReport {
  backend: string;
  model: {
    kind: TstrModelKind;
    description: string;
    /** Why the convolutional model was not used; null when it was (or the dense one was asked for). */
    fallback: string | null;
  };
  testSize: number;
  synthetic: TstrRun;
  real: TstrRun | null;
}

const DESCRIPTIONS: Record<TstrModelKind, (image: boolean) => string> = {
  conv: (image) =>
    image
      ? 'two 3x3 convolutions (16 and 32 filters, stride 2, ReLU) and a dense layer'
      : 'two 1-D convolutions (kernels 7 and 5, 16 and 32 filters, stride 2, ReLU) and a dense layer',
  dense: () => 'a multilayer perceptron on the pixels (one hidden layer of 64 ReLU units)',
};

/** The kernels that training a convolution needs and `backend` lacks. */
export function missingTrainingKernels(backend: string = tf.getBackend()): string[] {
  return ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'].filter((kernel) => !tf.getKernel(kernel, backend));
}

/**
 * Indices of `labels` with, per class c, min(available, counts[c]) samples (seeded choice): a real
 * training set the same size and class mix as a synthetic one, for a fair comparison.
 */
export function matchClassCounts(labels: ArrayLike<number>, counts: readonly number[], seed = 0): number[] {
  const rng = new Rng(seed);
  const out: number[] = [];
  counts.forEach((want, c) => {
    const rows: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) rows.push(i);
    out.push(...rng.choose(rows.length, Math.min(want, rows.length)).map((i) => rows[i]!));
  });
  return out;
}

interface Net {
  variables: tf.Variable[];
  /** (B, ...shape) -> (B, classes) logits, inside the caller's tidy. */
  logits(x: tf.Tensor): tf.Tensor2D;
}

function heUniform(rng: Rng, fanIn: number, shape: number[]): tf.Variable {
  return variableOf(tf.tensor(heUniformValues(rng, fanIn, shape.reduce((a, b) => a * b, 1)), shape));
}

function zeros(shape: number[]): tf.Variable {
  return variableOf(tf.zeros(shape));
}

/** A trainable variable holding `initial`, which is freed (the variable keeps its own copy). */
function variableOf(initial: tf.Tensor): tf.Variable {
  try {
    return tf.variable(initial, true);
  } finally {
    initial.dispose();
  }
}

/** Spatial size after a 'same' convolution of stride 2. */
const half = (n: number) => Math.ceil(n / 2);

function buildNet(kind: TstrModelKind, shape: readonly number[], numClasses: number, rng: Rng): Net {
  const variables: tf.Variable[] = [];
  const keep = (v: tf.Variable) => {
    variables.push(v);
    return v;
  };
  try {
    if (kind === 'dense') {
      const size = shape.reduce((a, b) => a * b, 1);
      const w1 = keep(heUniform(rng, size, [size, 64]));
      const b1 = keep(zeros([64]));
      const w2 = keep(heUniform(rng, 64, [64, numClasses]));
      const b2 = keep(zeros([numClasses]));
      return {
        variables,
        logits: (x) => {
          const flat = tf.reshape(x, [x.shape[0]!, size]);
          return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(flat, w1), b1)), w2), b2) as tf.Tensor2D;
        },
      };
    }
    if (shape.length === 3) {
      const [h, w, c] = shape as [number, number, number];
      const k1 = keep(heUniform(rng, 9 * c, [3, 3, c, 16]));
      const c1 = keep(zeros([16]));
      const k2 = keep(heUniform(rng, 9 * 16, [3, 3, 16, 32]));
      const c2 = keep(zeros([32]));
      const flat = half(half(h)) * half(half(w)) * 32;
      const wd = keep(heUniform(rng, flat, [flat, numClasses]));
      const bd = keep(zeros([numClasses]));
      return {
        variables,
        logits: (x) => {
          const y1 = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, k1 as tf.Tensor4D, 2, 'same'), c1)) as tf.Tensor4D;
          const y = tf.relu(tf.add(tf.conv2d(y1, k2 as tf.Tensor4D, 2, 'same'), c2));
          return tf.add(tf.matMul(tf.reshape(y, [x.shape[0]!, flat]), wd), bd) as tf.Tensor2D;
        },
      };
    }
    const [l, c = 1] = shape as [number, number?];
    const k1 = keep(heUniform(rng, 7 * c, [7, c, 16]));
    const c1 = keep(zeros([16]));
    const k2 = keep(heUniform(rng, 5 * 16, [5, 16, 32]));
    const c2 = keep(zeros([32]));
    const flat = half(half(l)) * 32;
    const wd = keep(heUniform(rng, flat, [flat, numClasses]));
    const bd = keep(zeros([numClasses]));
    return {
      variables,
      logits: (x) => {
        const x3 = tf.reshape(x, [x.shape[0]!, l, c]) as tf.Tensor3D;
        const y1 = tf.relu(tf.add(tf.conv1d(x3, k1 as tf.Tensor3D, 2, 'same'), c1)) as tf.Tensor3D;
        const y = tf.relu(tf.add(tf.conv1d(y1, k2 as tf.Tensor3D, 2, 'same'), c2));
        return tf.add(tf.matMul(tf.reshape(y, [x.shape[0]!, flat]), wd), bd) as tf.Tensor2D;
      },
    };
  } catch (error) {
    tf.dispose(variables);
    throw error;
  }
}

function batchTensors(set: TstrSet, rows: readonly number[], shape: readonly number[], numClasses: number): { x: tf.Tensor; y: tf.Tensor2D } {
  const size = shape.reduce((a, b) => a * b, 1);
  const flat = new Float32Array(rows.length * size);
  const labels = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    const sample = set.samples[r]!;
    if (sample.length !== size) throw new Error(`sample ${r} has ${sample.length} values, not ${size} (${shape.join('x')})`);
    flat.set(sample, i * size);
    const label = set.labels[r]!;
    if (!(label >= 0 && label < numClasses)) throw new Error(`label ${label} is outside 0..${numClasses - 1}`);
    labels[i] = label;
  });
  return tf.tidy(() => ({ x: tf.tensor(flat, [rows.length, ...shape]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses).toFloat() as tf.Tensor2D }));
}

/** Trains `net` on `set`; resolves with the per-epoch and per-batch losses. */
async function train(net: Net, set: TstrSet, run: TrainingSet, options: TstrOptions, rng: Rng, pacer: Pacer, progress: () => void) {
  const epochs = options.epochs ?? 8;
  const batchSize = options.batchSize ?? 32;
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const n = set.samples.length;
  const batches = Math.ceil(n / batchSize);
  const epochLosses: number[] = [];
  const batchLosses: number[] = [];
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = rng.permutation(n);
      let sum = 0;
      for (let b = 0; b < batches; b++) {
        await pacer.yield();
        const { x, y } = batchTensors(set, order.slice(b * batchSize, (b + 1) * batchSize), options.shape, options.numClasses);
        let lossTensor: tf.Scalar | null = null;
        try {
          lossTensor = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, net.logits(x)) as tf.Scalar, true, net.variables);
          const loss = (await lossTensor!.data())[0]!;
          if (!Number.isFinite(loss)) throw new Error(`the training loss became ${loss} (epoch ${epoch + 1}, batch ${b + 1})`);
          sum += loss;
          batchLosses.push(loss);
          options.onBatch?.({ run, epoch, batch: b, batches, loss });
        } finally {
          tf.dispose([x, y]);
          lossTensor?.dispose();
        }
        progress();
      }
      const loss = sum / batches;
      epochLosses.push(loss);
      options.onEpoch?.({ run, epoch, loss });
    }
  } finally {
    optimizer.dispose();
  }
  return { epochLosses, batchLosses };
}

async function predict(net: Net, set: TstrSet, options: TstrOptions, pacer: Pacer): Promise<Int32Array> {
  const out = new Int32Array(set.samples.length);
  const rows = Array.from({ length: set.samples.length }, (_, i) => i);
  for (let start = 0; start < rows.length; start += 64) {
    await pacer.tick();
    const { x, y } = batchTensors(set, rows.slice(start, start + 64), options.shape, options.numClasses);
    const classes = tf.tidy(() => tf.argMax(net.logits(x), 1));
    try {
      out.set(await classes.data<'int32'>(), start);
    } finally {
      tf.dispose([x, y, classes]);
    }
  }
  return out;
}

function score(run: TrainingSet, trainSize: number, losses: { epochLosses: number[]; batchLosses: number[] }, test: TstrSet, predicted: Int32Array, numClasses: number): TstrRun {
  const names = Array.from({ length: numClasses }, (_, c) => String(c));
  const f = classFaithfulness(test.labels, predicted, names);
  const recalls = f.perClass.map((r) => r.rate);
  const present = recalls.filter((r): r is number => r !== null);
  return {
    run,
    trainSize,
    ...losses,
    accuracy: f.overall ?? NaN,
    balancedAccuracy: present.length ? present.reduce((a, b) => a + b, 0) / present.length : NaN,
    perClassRecall: recalls,
    confusion: confusionMatrix(test.labels, predicted, numClasses),
  };
}

/** One training run and its test: builds, trains, predicts and frees the net. */
async function trainAndTest(kind: TstrModelKind, set: TstrSet, run: TrainingSet, test: TstrSet, options: TstrOptions, seed: number, pacer: Pacer, progress: () => void): Promise<TstrRun> {
  const rng = new Rng(seed);
  const net = buildNet(kind, options.shape, options.numClasses, rng);
  try {
    const losses = await train(net, set, run, options, rng, pacer, progress);
    const predicted = await predict(net, test, options, pacer);
    return score(run, set.samples.length, losses, test, predicted, options.numClasses);
  } finally {
    tf.dispose(net.variables);
  }
}

/**
 * Trains on `synthetic` (and, given `real`, separately on real training data), tests each on `test`.
 * Progress counts batches over both runs.
 */
export async function trainOnSyntheticTestOnReal(sets: { synthetic: TstrSet; real?: TstrSet | null; test: TstrSet }, options: TstrOptions): Promise<TstrReport> {
  const backend = options.backend ?? tf.getBackend();
  const image = options.shape.length === 3;
  const epochs = options.epochs ?? 8;
  const batchSize = options.batchSize ?? 32;
  const seed = options.seed ?? 0;
  if (sets.synthetic.samples.length === 0) throw new Error('there are no synthetic samples to train on');
  if (sets.test.samples.length === 0) throw new Error('there are no real samples to test on');
  const pacer = new Pacer(options.signal);
  const batchesOf = (s: TstrSet | null | undefined) => (s ? Math.ceil(s.samples.length / batchSize) * epochs : 0);
  const total = batchesOf(sets.synthetic) + batchesOf(sets.real);
  let done = 0;
  const progress = () => options.onProgress?.({ phase: 'training', done: ++done, total });
  options.onProgress?.({ phase: 'training', done: 0, total });

  let kind: TstrModelKind = options.model === 'dense' ? 'dense' : 'conv';
  let fallback: string | null = null;
  if (options.model !== 'dense') {
    const missing = missingTrainingKernels(backend);
    if (missing.length) {
      if (options.model === 'conv') throw new Error(`the ${backend} backend cannot train convolutions: it has no ${missing.join(', ')} kernel`);
      kind = 'dense';
      fallback = `The ${backend} backend cannot train convolutions (it has no ${missing.join(' or ')} kernel), so ${DESCRIPTIONS.dense(image)} was trained instead.`;
    }
  }

  let synthetic: TstrRun;
  try {
    synthetic = await trainAndTest(kind, sets.synthetic, 'synthetic', sets.test, options, seed, pacer, progress);
  } catch (error) {
    if (kind !== 'conv' || options.model === 'conv' || isAbort(error, options.signal)) throw error;
    // the kernels are there but training failed (a driver, a buffer limit): say so, and carry on
    kind = 'dense';
    fallback = `Training the convolutional model failed on the ${backend} backend (${(error as Error).message}), so ${DESCRIPTIONS.dense(image)} was trained instead.`;
    done = 0;
    synthetic = await trainAndTest(kind, sets.synthetic, 'synthetic', sets.test, options, seed, pacer, progress);
  }
  const real = sets.real && sets.real.samples.length ? await trainAndTest(kind, sets.real, 'real', sets.test, options, seed, pacer, progress) : null;
  return {
    backend,
    model: { kind, description: DESCRIPTIONS[kind](image), fallback },
    testSize: sets.test.samples.length,
    synthetic,
    real,
  };
}
