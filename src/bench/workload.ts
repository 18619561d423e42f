/**
 * What one benchmark run does with a loaded model, through the product's own code: a DDPM makes a
 * batch with `denoise` (DDIM, eta = 0, classifier-free guidance), a VAE or GAN decodes a batch of
 * prior latents, a transformer samples its tokens (the card's sampling) and decodes them. Every
 * timing here stops only after the backend has finished (see `settle`).
 */
import * as tf from '@tensorflow/tfjs';
import { denoise, guidedNoise } from '../diffusion/denoise.js';
import { priorLatents } from '../diffusion/latent.js';
import { sampleTokens } from '../diffusion/tokens.js';
import type { Ar, ArCache } from '../models/ar.js';
import { planDispatches } from '../models/gpu-plan.js';
import type { LoadedModel } from '../models/loader.js';
import { batchNoise } from '../util/random.js';
import { denoiseOptionsFor, latentDimOf, nullClassOf, samplerDefaultsOf, schedulerFor, tokenSamplingOf, tokenUniformsOf } from '../pipeline/pipeline.js';
import type { MemorySnapshot } from './result.js';

/** Between two steps of a run: `signal` is honoured, and `betweenSteps` may throw to stop the run. */
export interface RunControl {
  signal?: AbortSignal;
  /**
   * Called after every step. A run on the CPU backends never returns to the event loop (each
   * step awaits only promises that are already settled), so a timer cannot stop it: a time limit
   * is checked here instead.
   */
  betweenSteps?: () => void;
}

export interface Workload {
  batch: number;
  /** DDIM steps; 1 for a VAE (one decode). */
  steps: number;
  /** Guidance weight (DDPM), or null (VAE). */
  guidance: number | null;
  seed: number;
}

/** The guidance weight a DDPM samples with by default: the card's. */
export function defaultGuidance(model: LoadedModel): number {
  return samplerDefaultsOf(model.card).guidance;
}

/**
 * Waits until the backend has computed `t`. On WebGPU and WebGL an op only queues work and returns
 * at once, so a clock read straight after a step measures the JavaScript, not the GPU. Reading back
 * one value of `t` resolves only after the GPU has run every command queued before it (the queue
 * runs in order), so this is where a timing may stop. It costs one small kernel and a 4-byte copy
 * (measured: 0.03 ms on WASM, about 4 ms on SwiftShader, where every dispatch is slow).
 */
export async function settle(t: tf.Tensor): Promise<void> {
  const one = tf.slice(t, new Array<number>(t.rank).fill(0), new Array<number>(t.rank).fill(1));
  try {
    await one.data();
  } finally {
    one.dispose();
  }
}

/**
 * One full run as the product makes it, read back whole (the page draws every sample):
 * milliseconds from the first noise to the samples in JavaScript memory.
 */
export async function fullRun(model: LoadedModel, work: Workload, control: RunControl = {}): Promise<number> {
  const started = performance.now();
  const out = await makeSamples(model, work, control);
  try {
    await out.data();
  } finally {
    out.dispose();
  }
  return performance.now() - started;
}

/**
 * DDPM: the first `count` steps of a full run, each waited for before the next is taken
 * (milliseconds per step; the loop is then stopped, which frees its tensors).
 * Transformer: the first `count` tokens of a run (each a cached step, its logits read back and drawn from).
 * VAE, GAN: `count` decodes of the batch, each read back.
 */
export async function timedSteps(model: LoadedModel, work: Workload, count: number, control: RunControl = {}): Promise<number[]> {
  const times: number[] = [];
  if (model.kind === 'ar') {
    const stop = new AbortController();
    let last = performance.now();
    try {
      await sampleTokens(model.net, {
        ...tokenWork(model, work), signal: control.signal ? AbortSignal.any([control.signal, stop.signal]) : stop.signal,
        onToken: () => {
          const now = performance.now();
          times.push(now - last);
          last = now;
          if (times.length >= count) stop.abort();
          else control.betweenSteps?.();
        },
      });
    } catch (error) {
      if (!stop.signal.aborted || control.signal?.aborted) throw error;
    }
    return times;
  }
  if (model.kind !== 'ddpm') {
    for (let i = 0; i < count; i++) {
      control.signal?.throwIfAborted();
      times.push(await fullRun(model, work, control));
      control.betweenSteps?.();
    }
    return times;
  }
  let last = performance.now();
  for await (const step of denoise(model.net, scheduler(model, work), ddpmOptions(model, work, control.signal))) {
    await settle(step.sample);
    const now = performance.now();
    times.push(now - last);
    last = now;
    if (times.length >= Math.min(count, work.steps)) break; // leaving the loop stops the generator
    control.betweenSteps?.();
  }
  return times;
}

/**
 * What one step (DDPM: guidedNoise and the scheduler's update at the run's first timestep, as
 * denoise takes them; transformer: one token through the key/value cache, two rows a sample when
 * guided) or one decode (VAE, GAN) costs the CPU: the JavaScript until its work is queued, `count`
 * times after one unmeasured call (each result waited for outside the clock), and on WebGPU the
 * compute dispatches it records. A transformer's steps run from position 1 on; where the positions
 * run out, a new cache starts (that step's time includes starting it).
 */
export async function encodeCost(model: LoadedModel, work: Workload, count: number, control: RunControl = {}): Promise<{ ms: number[]; dispatches: number | null } | null> {
  let once: () => tf.Tensor;
  const classes = classesFor(model, work.batch);
  let inputs: { dispose(): void };
  if (model.kind === 'ddpm') {
    const sampler = scheduler(model, work);
    const shape = model.card.architecture.inputShape;
    const x = tf.tensor(batchNoise(work.seed, work.batch, shape.reduce((a, b) => a * b, 1), 0), [work.batch, ...shape]);
    inputs = x;
    const t = sampler.timesteps[0]!;
    const guidance = work.guidance ?? defaultGuidance(model);
    once = () => {
      const eps = guidedNoise(model.net, x, t, classes, nullClassOf(model.card), guidance);
      const { prevSample, predictedClean } = sampler.step(0, x, eps);
      tf.dispose([eps, predictedClean]);
      return prevSample;
    };
  } else if (model.kind === 'vae' || model.kind === 'gan') {
    const dim = latentDimOf(model);
    const z = tf.tensor2d(priorLatents(work.seed, work.batch, dim), [work.batch, dim]);
    inputs = z;
    once = () => model.net.decode(z, classes);
  } else if (model.kind === 'ar') {
    const nullClass = model.net.architecture.numClasses;
    const steps = tokenSteps(model.net, tokenSamplingOf(model.card).guidance === 1 ? classes : [...classes, ...classes.map(() => nullClass)]);
    inputs = steps;
    once = steps.step;
  } else return null;
  try {
    const ms = await encodeTimes(once, count, control);
    return { ms, dispatches: tf.getBackend() === 'webgpu' ? await countDispatches(once) : null };
  } finally {
    inputs.dispose();
  }
}

/**
 * Cached token steps of `net` for rows of `classes`, one a call from position 1 on (each row's
 * previous code a fixed one). The cache starts here, with position 0; where the positions run out,
 * a call starts a new one (and takes its position 0 too). The caller disposes each logits tensor,
 * and `dispose` frees the cache.
 */
export function tokenSteps(net: Ar, classes: readonly number[]): { step: () => tf.Tensor; dispose(): void } {
  let cache: ArCache;
  const start = () => {
    cache = net.startCache(classes);
    tf.dispose(net.next(cache, null));
  };
  start();
  return {
    step() {
      if (cache.position >= net.numTokens) {
        cache.dispose();
        start();
      }
      return net.next(cache, classes.map((_, r) => r % net.architecture.codebookSize));
    },
    dispose: () => cache.dispose(),
  };
}

/**
 * The JavaScript of `f` alone: milliseconds until it returns (its work queued), `count` times
 * after one unmeasured call, each result waited for outside the clock and freed.
 */
export async function encodeTimes(f: () => tf.Tensor, count: number, control: RunControl = {}): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i <= count; i++) {
    control.signal?.throwIfAborted();
    const started = performance.now();
    const out = f();
    const elapsed = performance.now() - started;
    await settle(out);
    out.dispose();
    if (i > 0) ms.push(elapsed);
    control.betweenSteps?.();
  }
  return ms;
}

/**
 * Compute dispatches recorded while `f` runs and its result is read: tfjs's WebGPU backend's (its
 * recordAndSubmit calls) and the compiled plans' (src/models/gpu-plan.ts).
 */
export async function countDispatches(f: () => tf.Tensor): Promise<number> {
  const backend = tf.backend() as unknown as { recordAndSubmit: (...args: unknown[]) => unknown };
  const record = backend.recordAndSubmit;
  let count = -planDispatches.count;
  backend.recordAndSubmit = function (this: unknown, ...args: unknown[]) {
    count += 1;
    return record.apply(this, args);
  };
  try {
    const out = f();
    await out.data();
    out.dispose();
  } finally {
    backend.recordAndSubmit = record;
  }
  return count + planDispatches.count;
}

/**
 * The final samples of one run; the caller disposes them. A DDPM run drains `denoise` as
 * `sampleAll` does, with `betweenSteps` called after each step.
 */
async function makeSamples(model: LoadedModel, work: Workload, control: RunControl): Promise<tf.Tensor> {
  const classes = classesFor(model, work.batch);
  switch (model.kind) {
    case 'ddpm': {
      const steps = denoise(model.net, scheduler(model, work), ddpmOptions(model, work, control.signal));
      for (;;) {
        const next = await steps.next();
        if (next.done) return next.value;
        try {
          control.betweenSteps?.();
        } catch (error) {
          await steps.throw(error); // raised at the loop's yield: it frees its tensors and rethrows
        }
      }
    }
    case 'vae':
    case 'gan': {
      control.signal?.throwIfAborted();
      const dim = latentDimOf(model);
      const z = priorLatents(work.seed, work.batch, dim);
      return tf.tidy(() => model.net.decode(tf.tensor2d(z, [work.batch, dim]), classes));
    }
    case 'ar': {
      // the card's token sampling, every token through the key/value cache, then one decode
      const tokens = await sampleTokens(model.net, { ...tokenWork(model, work), signal: control.signal, onToken: () => control.betweenSteps?.() });
      return tf.tidy(() => model.net.decode(tf.tensor2d(tokens.flatMap((t) => [...t]), [work.batch, model.net.numTokens], 'int32')));
    }
    case 'classifier':
      throw new Error(`${model.card.id} is a classifier, not a generator`);
  }
}

/** The benchmark's sampler: deterministic DDIM (eta 0), so every run does the same work. */
function scheduler(model: LoadedModel, work: Workload) {
  return schedulerFor(model.card, { sampler: 'ddim', steps: work.steps, eta: 0 });
}

function ddpmOptions(model: LoadedModel, work: Workload, signal?: AbortSignal) {
  return denoiseOptionsFor(model.card, { classes: classesFor(model, work.batch), guidance: work.guidance ?? defaultGuidance(model), seed: work.seed, signal });
}

/** A transformer's sampling run for the workload: every class in turn, the card's sampling, the seed's uniform numbers. */
function tokenWork(model: Extract<LoadedModel, { kind: 'ar' }>, work: Workload) {
  return { classes: classesFor(model, work.batch), sampling: tokenSamplingOf(model.card), uniforms: tokenUniformsOf(work.seed, work.batch, model.net.numTokens) };
}

/** Every class in turn, as a page asking for a mixed batch would. */
function classesFor(model: LoadedModel, batch: number): number[] {
  const numClasses = model.card.architecture.numClasses;
  return Array.from({ length: batch }, (_, i) => i % numClasses);
}

export function memorySnapshot(): MemorySnapshot {
  const m = tf.memory() as tf.MemoryInfo & Record<string, unknown>;
  const number = (key: string) => (typeof m[key] === 'number' ? (m[key] as number) : null);
  return {
    numTensors: m.numTensors,
    numBytes: m.numBytes,
    numBytesInGPU: number('numBytesInGPU'),
    // WebGPU calls it numBytesAllocatedInGPU, WebGL numBytesInGPUAllocated.
    numBytesInGPUAllocated: number('numBytesAllocatedInGPU') ?? number('numBytesInGPUAllocated'),
  };
}
