/**
 * Runs a loaded model and hands back plain arrays in display units (grey levels or mV): the
 * only place where the page touches tensors. Every tensor made here is disposed here, also on
 * abort; components never see one.
 *
 *   diffusion: x_T = noise(seed) -> denoise() step by step -> x_0, keeping x_t and the x0
 *              prediction of one watched sample at every step
 *   VAE:       z = temperature * N(0, I)(seed) -> decode(z, class)
 */
import * as tf from '@tensorflow/tfjs';
import { denoise } from '../diffusion/denoise.js';
import { interpolate, priorLatents } from '../diffusion/latent.js';
import { batchNoise } from '../diffusion/random.js';
import { Scheduler } from '../diffusion/schedulers.js';
import type { LoadedModel } from '../models/loader.js';
import { scalingOf } from '../models/scaling.js';
import { splitSamples } from './convert.js';
import type { PathMode } from './url-state.js';
import type { Settings } from './settings.js';

export type DdpmModel = Extract<LoadedModel, { kind: 'ddpm' }>;
export type VaeModel = Extract<LoadedModel, { kind: 'vae' }>;

/** One position of the step viewer: the input of a step and the clean sample predicted from it. */
export interface WatchFrame {
  /** The timestep t of x_t; null for the finished sample. */
  timestep: number | null;
  xt: Float32Array;
  /** Null before the model has predicted anything (only for pure noise, never shown so). */
  x0: Float32Array | null;
}

export interface StepReport {
  /** Steps done, of `total`. */
  done: number;
  total: number;
}

export interface RunOutput {
  /** One array per sample, display units. */
  samples: Float32Array[];
  /** Diffusion: steps + 1 frames of the watched sample (x_T ... x_0). */
  frames: WatchFrame[];
  /** VAE: the latent of each sample, for interpolation. */
  latents: Float32Array[];
  /** Diffusion: the trained schedule's alpha-bar (index t) and the timesteps this run took. */
  schedule?: { alphaBar: Float64Array; timesteps: number[] };
}

/** The sampler a card and settings describe: the card's schedule, the settings' method and steps. */
export function schedulerFor(model: DdpmModel, settings: Pick<Settings, 'sampler' | 'steps' | 'eta'>): Scheduler {
  const schedule = model.card.schedule!;
  const clip = schedule.clipSample ? (schedule.clipRange ?? 1) : null;
  return new Scheduler({ steps: schedule.steps, beta: schedule.beta, clipSample: clip }, settings.sampler, settings.steps, settings.sampler === 'ddim' ? settings.eta : 0);
}

/** The class-free index a guided batch uses: the card's, else one past the last class. */
export function nullClassOf(model: DdpmModel): number {
  return model.card.guidance?.nullClass ?? model.card.architecture.numClasses;
}

export async function sampleDiffusion(
  model: DdpmModel,
  settings: Settings,
  options: { watch: number; signal?: AbortSignal; onStep?: (report: StepReport) => void },
): Promise<RunOutput> {
  const shape = model.card.architecture.inputShape;
  const size = shape.reduce((a, b) => a * b, 1);
  const { toDisplay } = scalingOf(model.card);
  const watch = Math.min(options.watch, settings.count - 1);
  const scheduler = schedulerFor(model, settings);
  // x_T of the watched sample, the same numbers denoise() draws first (random.ts streams)
  const noise = batchNoise(settings.seed, watch + 1, size, 0).subarray(watch * size);
  const frames: WatchFrame[] = [{ timestep: scheduler.timesteps[0] ?? null, xt: toDisplay(noise), x0: null }];
  const steps = denoise(model.net, scheduler, {
    sampleShape: shape,
    classes: new Array<number>(settings.count).fill(settings.classIndex),
    nullClass: nullClassOf(model),
    guidance: settings.guidance,
    seed: settings.seed,
    signal: options.signal,
  });
  let final: tf.Tensor | undefined;
  try {
    for (;;) {
      const next = await steps.next();
      if (next.done) {
        final = next.value;
        break;
      }
      const { index, total, sample, predictedClean } = next.value;
      // one read-back per step, of the watched sample only: [x_prev; x0] (2, ...shape)
      const pair = tf.tidy(() => tf.concat([pick(sample, watch), pick(predictedClean, watch)]));
      const values = await pair.data<'float32'>();
      pair.dispose();
      frames[index]!.x0 = toDisplay(values.subarray(size));
      frames.push({ timestep: scheduler.timesteps[index + 1] ?? null, xt: toDisplay(values.subarray(0, size)), x0: null });
      options.onStep?.({ done: index + 1, total });
      // let the page paint and take clicks (Cancel) between steps: on the CPU and WASM backends a
      // read-back resolves at once, and the whole run would otherwise be one long task
      await nextTask();
    }
    const last = frames[frames.length - 1]!;
    last.x0 = last.xt;
    const values = await final.data<'float32'>();
    const schedule = { alphaBar: scheduler.alphaBar, timesteps: scheduler.timesteps };
    return { samples: splitSamples(toDisplay(values), settings.count), frames, latents: [], schedule };
  } finally {
    final?.dispose();
    // an early exit (abort, error) closes the loop, which frees its tensors
    await steps.return(undefined as never).catch(() => undefined);
  }
}

/** Resolves in a new task (MessageChannel: no 4 ms timer clamping). */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

function pick(batch: tf.Tensor, index: number): tf.Tensor {
  const begin = batch.shape.map((_, axis) => (axis === 0 ? index : 0));
  const size = batch.shape.map((n, axis) => (axis === 0 ? 1 : n));
  return tf.slice(batch, begin, size);
}

/** The latents of samples 0..count-1 of a seed: sample i is the same for any count. */
export function vaeLatents(model: VaeModel, settings: Pick<Settings, 'seed' | 'temperature'>, count: number): Float32Array[] {
  const dim = model.card.latent?.dim ?? model.net.architecture.latentDim;
  return splitSamples(priorLatents(settings.seed, count, dim, settings.temperature), count);
}

export async function sampleVae(model: VaeModel, settings: Settings, options: { signal?: AbortSignal; onStep?: (report: StepReport) => void } = {}): Promise<RunOutput> {
  const latents = vaeLatents(model, settings, settings.count);
  options.signal?.throwIfAborted();
  const samples = await decode(model, latents, settings.classIndex);
  options.signal?.throwIfAborted();
  options.onStep?.({ done: 1, total: 1 });
  return { samples, frames: [], latents };
}

/** Decodes `steps` latents on the path from `from` to `to` (inclusive), all of one class. */
export async function decodePath(model: VaeModel, from: Float32Array, to: Float32Array, classIndex: number, steps: number, mode: PathMode): Promise<Float32Array[]> {
  return decode(model, splitSamples(interpolate(from, to, steps, mode), steps), classIndex);
}

async function decode(model: VaeModel, latents: Float32Array[], classIndex: number): Promise<Float32Array[]> {
  const dim = latents[0]?.length ?? 0;
  const flat = new Float32Array(latents.length * dim);
  latents.forEach((z, i) => flat.set(z, i * dim));
  const out = tf.tidy(() => model.net.decode(tf.tensor2d(flat, [latents.length, dim]), new Array<number>(latents.length).fill(classIndex)));
  try {
    return splitSamples(scalingOf(model.card).toDisplay(await out.data<'float32'>()), latents.length);
  } finally {
    out.dispose();
  }
}
