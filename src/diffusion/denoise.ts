/**
 * The denoising loop, written out in one place:
 *
 *   x = noise(seed)
 *   for each timestep t:  eps = guided(model, x, t, class);  x, x0 = scheduler.step(x, eps)
 *
 * It is an async generator that yields after every step, so a page can show
 * progress and the sample forming. The sample stays on the GPU; a consumer
 * reads back only what it asks for. An abort signal is honoured between
 * steps, and every tensor is freed on abort or when the consumer stops early.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNoise } from '../util/random.js';
import { Scheduler } from './schedulers.js';

export interface NoisePredictor {
  /** eps(x_t, t, y) for a batch; channels-last. Returns a tensor the caller disposes. */
  predictNoise(x: tf.Tensor, t: number[], y: number[]): tf.Tensor;
  /**
   * Where the model can: guidedNoise's result in one fused pass (the UNet's compiled plan), or
   * null to have guidedNoise compose it from predictNoise.
   */
  predictGuided?(x: tf.Tensor, t: number, classes: readonly number[], nullClass: number, guidance: number): tf.Tensor | null;
}

export interface DenoiseOptions {
  /** Shape of one sample, channels-last: [H, W, C] or [L, C]. */
  sampleShape: number[];
  /** The class of each sample in the batch. */
  classes: number[];
  /** The learned "no class" index used for classifier-free guidance. */
  nullClass: number;
  /** 0: unconditional, 1: conditional, above 1: pushed further towards the class. */
  guidance: number;
  seed: number;
  signal?: AbortSignal;
  /**
   * Where the noise comes from: draw 0 is x_T, draw k the fresh noise of step k.
   * Defaults to the seeded per-sample streams; tests inject fixed numbers.
   */
  noise?: NoiseSource;
  /**
   * Start mid-run: at step `index` from x (the batch's x_t there, back to back) instead of at step
   * 0 from draw 0. The steps before it are not taken; fresh noise is still draw k for step k.
   */
  from?: { index: number; x: Float32Array };
}

/** Values for `batch` samples of `size` each, back to back. */
export type NoiseSource = (draw: number, batch: number, size: number) => Float32Array;

export interface DenoiseStep {
  /** 0-based index of the step just taken, of `total`. */
  index: number;
  total: number;
  timestep: number;
  /** x after this step. Owned by the loop: valid until the consumer asks for the next step. */
  sample: tf.Tensor;
  /** The model's clean-sample prediction at this step. Same ownership as `sample`. */
  predictedClean: tf.Tensor;
}

/**
 * eps_u + w (eps_c - eps_u) (Ho & Salimans 2022), with the conditional and
 * unconditional passes in one batch; w = 0 or 1 needs only one of them.
 */
export function guidedNoise(model: NoisePredictor, x: tf.Tensor, t: number, classes: number[], nullClass: number, guidance: number): tf.Tensor {
  const n = classes.length;
  const times = (k: number) => new Array<number>(k).fill(t);
  if (guidance === 1) return model.predictNoise(x, times(n), classes);
  if (guidance === 0) return model.predictNoise(x, times(n), new Array<number>(n).fill(nullClass));
  const fused = model.predictGuided?.(x, t, classes, nullClass, guidance);
  if (fused) return fused;
  return tf.tidy(() => {
    const both = model.predictNoise(tf.concat([x, x]), times(2 * n), [...classes, ...new Array<number>(n).fill(nullClass)]);
    const [conditional, unconditional] = tf.split(both, 2);
    return unconditional!.add(conditional!.sub(unconditional!).mul(guidance));
  });
}

/**
 * Runs the scheduler's steps from seeded noise. Returns the final sample,
 * which the caller owns; throws a DOMException named 'AbortError' on abort.
 */
export async function* denoise(
  model: NoisePredictor,
  scheduler: Scheduler,
  options: DenoiseOptions,
): AsyncGenerator<DenoiseStep, tf.Tensor, void> {
  const { classes, sampleShape, seed, signal } = options;
  const batch = classes.length;
  if (batch < 1) throw new Error('ask for at least one sample');
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const source = options.noise ?? ((draw: number) => batchNoise(seed, batch, size, draw));
  const draw = (k: number) => tf.tensor(source(k, batch, size), [batch, ...sampleShape]);
  const from = options.from;
  if (from && !(Number.isInteger(from.index) && from.index >= 0 && from.index < scheduler.count && from.x.length === batch * size)) {
    throw new Error(`cannot start at step ${from.index} of ${scheduler.count} from ${from.x.length} values (${batch} samples of ${size})`);
  }
  let x: tf.Tensor = from ? tf.tensor(from.x, [batch, ...sampleShape]) : draw(0);
  let x0: tf.Tensor | undefined;
  let finished = false;
  try {
    for (let index = from?.index ?? 0; index < scheduler.count; index++) {
      signal?.throwIfAborted();
      const timestep = scheduler.timesteps[index]!;
      const eps = guidedNoise(model, x, timestep, classes, options.nullClass, options.guidance);
      const noise = scheduler.needsNoise(index) ? draw(index + 1) : undefined;
      const { prevSample, predictedClean } = scheduler.step(index, x, eps, noise);
      tf.dispose([eps, noise, x, x0]);
      x = prevSample;
      x0 = predictedClean;
      yield { index, total: scheduler.count, timestep, sample: x, predictedClean: x0 };
    }
    signal?.throwIfAborted();
    finished = true;
    return x;
  } finally {
    // On abort, an error or an early stop nothing survives; when finished, x goes to the caller.
    tf.dispose(finished ? [x0] : [x, x0]);
  }
}

/** Drains the loop: the final sample (caller disposes). */
export async function sampleAll(
  model: NoisePredictor,
  scheduler: Scheduler,
  options: DenoiseOptions,
  onStep?: (step: DenoiseStep) => void | Promise<void>,
): Promise<tf.Tensor> {
  const steps = denoise(model, scheduler, options);
  try {
    for (;;) {
      const next = await steps.next();
      if (next.done) return next.value;
      await onStep?.(next.value);
    }
  } finally {
    // a throwing onStep leaves the loop mid-run: let it free its tensors (a no-op once done)
    await steps.return(undefined as never).catch(() => undefined);
  }
}
