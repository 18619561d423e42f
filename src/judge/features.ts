/**
 * Runs an evaluator (src/models/classifier.ts) over plain arrays of samples: batches them into
 * tensors, reads back class probabilities and penultimate-layer features, and frees every tensor
 * it made, also on abort or error. What comes back is plain numbers (Matrix rows, one per sample),
 * which is all the rest of the judge works with.
 */
import * as tf from '@tensorflow/tfjs';
import { type Matrix, matrix } from '../metrics/linalg.js';
import { Pacer } from '../util/pacing.js';
import type { TaskOptions } from './tasks.js';

/** What the judge needs of an evaluator: Classifier satisfies it. */
export interface Evaluator {
  readonly architecture: { inputShape: number[]; numClasses: number; featureDim: number };
  /** (B, ...inputShape) -> (B, featureDim); the caller disposes the result. */
  features(x: tf.Tensor): tf.Tensor2D;
  /** (B, ...inputShape) -> (B, numClasses) softmax; the caller disposes the result. */
  probabilities(x: tf.Tensor): tf.Tensor2D;
}

export interface EvaluatorOutput {
  /** One row per sample: the softmax over the evaluator's classes. */
  probabilities: Matrix;
  /** One row per sample: the penultimate-layer features the Frechet distance is measured in. */
  features: Matrix;
  /** The class each sample is assigned to (argmax of its probabilities). */
  predicted: Int32Array;
}

export interface EvaluateOptions extends TaskOptions {
  /** Samples per forward pass (default 32). */
  batchSize?: number;
  /**
   * Turns one sample into the evaluator's input units (for example scalingOf(card).toNetwork,
   * for samples in display units). Default: the samples are in network units already.
   */
  toNetwork?: (sample: ArrayLike<number>) => ArrayLike<number>;
  /** What to call the work in progress reports (default "evaluator"). */
  phase?: string;
}

/** Index of the largest value of each row. */
export function argmaxRows(m: Matrix): Int32Array {
  const out = new Int32Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let best = 0;
    for (let j = 1; j < m.cols; j++) if (m.data[i * m.cols + j]! > m.data[i * m.cols + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/** Rows `indices` of `m`, in that order (indices may repeat: a bootstrap resample). */
export function selectRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = matrix(indices.length, m.cols);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r]!;
    if (!(i >= 0 && i < m.rows)) throw new Error(`row ${i} is outside the ${m.rows} rows`);
    out.data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), r * m.cols);
  }
  return out;
}

/** Samples of equal length as the rows of a Matrix. */
export function rowsOf(samples: readonly ArrayLike<number>[]): Matrix {
  const cols = samples[0]?.length ?? 0;
  const out = matrix(samples.length, cols);
  samples.forEach((s, i) => {
    if (s.length !== cols) throw new Error(`sample ${i} has ${s.length} values, not ${cols} like the first`);
    out.data.set(s, i * cols);
  });
  return out;
}

/**
 * Probabilities and features of every sample, `batchSize` at a time. Each batch is one tidy
 * forward pass and one read-back; between batches the event loop gets the thread.
 */
export async function evaluateSamples(evaluator: Evaluator, samples: readonly ArrayLike<number>[], options: EvaluateOptions = {}): Promise<EvaluatorOutput> {
  const { inputShape, numClasses, featureDim } = evaluator.architecture;
  const size = inputShape.reduce((a, b) => a * b, 1);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 32));
  const phase = options.phase ?? 'evaluator';
  const probabilities = matrix(samples.length, numClasses);
  const features = matrix(samples.length, featureDim);
  const pacer = new Pacer(options.signal);
  options.onProgress?.({ phase, done: 0, total: samples.length });
  for (let start = 0; start < samples.length; start += batchSize) {
    await pacer.tick();
    const count = Math.min(batchSize, samples.length - start);
    const flat = new Float32Array(count * size);
    for (let i = 0; i < count; i++) {
      const sample = samples[start + i]!;
      const values = options.toNetwork ? options.toNetwork(sample) : sample;
      if (values.length !== size) throw new Error(`sample ${start + i} has ${values.length} values; the evaluator takes ${inputShape.join('x')} = ${size}`);
      flat.set(values, i * size);
    }
    const [f, p] = tf.tidy(() => {
      const x = tf.tensor(flat, [count, ...inputShape]);
      return [evaluator.features(x), evaluator.probabilities(x)];
    });
    try {
      const [fv, pv] = await Promise.all([f!.data<'float32'>(), p!.data<'float32'>()]);
      features.data.set(fv, start * featureDim);
      probabilities.data.set(pv, start * numClasses);
    } finally {
      tf.dispose([f!, p!]);
    }
    options.onProgress?.({ phase, done: start + count, total: samples.length });
  }
  return { probabilities, features, predicted: argmaxRows(probabilities) };
}
