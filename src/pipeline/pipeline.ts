/**
 * The card-driven pipeline: everything that turns a model card and a few settings into samples,
 * in one place, for the page, the judge, the benchmarks, the thumbnails, the scripts and the
 * tests. The card is the single source of truth: its schedule, sampler defaults and "no class"
 * label are read here and nowhere else (parseCard has already refused values this code cannot
 * honour).
 *
 *   diffusion: x_T = noise(seed) -> denoise() step by step -> x_0, keeping x_t and the x0
 *              prediction of one watched sample at every step
 *   VAE:       z = temperature * N(0, I)(seed) -> decode(z, class)
 *   GAN:       z = N(0, I)(seed), truncated to [-psi, psi] if asked -> generator(z, class)
 *   AR:        tokens drawn one at a time (uniforms(seed), guidance, temperature, top-k, top-p)
 *              -> the VQ decoder
 *
 * What comes back is plain arrays (display units, or network units where a name says so).
 * Every tensor made here is disposed here, also on abort; components never see one.
 */
import * as tf from '@tensorflow/tfjs';
import { type DenoiseOptions, type DenoiseStep, type NoiseSource, denoise, sampleAll } from '../diffusion/denoise.js';
import { type PathMode, interpolate, priorLatents, truncatedLatents } from '../diffusion/latent.js';
import { type TokenSampling, type TokenStep, decodeTokens, sampleTokens } from '../diffusion/tokens.js';
import { batchNoise, streamKey, uniforms } from '../util/random.js';
import { type NoiseSchedule, type SamplerKind, Scheduler } from '../diffusion/schedulers.js';
import { splitSamples } from '../display/convert.js';
import { type ModelCard, type SamplerDefaultsCard, type ScheduleCard } from '../models/card.js';

import type { LoadedModel } from '../models/loader.js';
import { scalingOf } from '../models/scaling.js';
import { nextTask } from '../util/pacing.js';
import type { PassTime } from './estimate.js';
import type { Settings } from './settings.js';

export type DdpmModel = Extract<LoadedModel, { kind: 'ddpm' }>;
export type VaeModel = Extract<LoadedModel, { kind: 'vae' }>;
export type GanModel = Extract<LoadedModel, { kind: 'gan' }>;
/** The models that map a latent z (and a class) to a sample in one pass. */
export type LatentModel = VaeModel | GanModel;
export type ArModel = Extract<LoadedModel, { kind: 'ar' }>;
export type GeneratorModel = DdpmModel | LatentModel | ArModel;

/** How a diffusion model is sampled: the card's samplerDefaults, or a person's choice. */
export interface SamplerSettings {
  sampler: SamplerKind;
  /** Denoising steps, spaced 'trailing' over the trained schedule. */
  steps: number;
  /** DDIM only: 0 deterministic, 1 as noisy as DDPM. */
  eta: number;
  /** Classifier-free guidance: 0 unconditional, 1 conditional, above 1 pushed to the class. */
  guidance: number;
}

function scheduleCard(card: ModelCard): ScheduleCard {
  if (!card.schedule) throw new Error(`${card.id}: the card has no noise schedule (is it a diffusion model?)`);
  return card.schedule;
}

function samplerDefaultsCard(card: ModelCard): SamplerDefaultsCard {
  if (!card.samplerDefaults) throw new Error(`${card.id}: the card has no samplerDefaults (is it a diffusion model?)`);
  return card.samplerDefaults;
}

/** The trained noise schedule, as the Scheduler takes it. */
export function noiseScheduleOf(card: ModelCard): NoiseSchedule {
  const s = scheduleCard(card);
  return { steps: s.steps, beta: s.beta, cosineOffset: s.cosineOffset, maxBeta: s.maxBeta, clipSample: s.clipSample ? s.clipRange : null };
}

/** The sampler the card recommends: the one source of sampler defaults in TypeScript. */
export function samplerDefaultsOf(card: ModelCard): SamplerSettings {
  const d = samplerDefaultsCard(card);
  return { sampler: d.method, steps: d.steps, eta: d.eta, guidance: d.guidance };
}

/** The sampler a card and settings describe: the card's schedule, the settings' method and steps. */
export function schedulerFor(card: ModelCard, settings: Pick<SamplerSettings, 'sampler' | 'steps' | 'eta'>): Scheduler {
  return new Scheduler(noiseScheduleOf(card), settings.sampler, settings.steps, settings.sampler === 'ddim' ? settings.eta : 0);
}

/** The learned "no class" label a guided batch uses (the UNet's last class row). */
export function nullClassOf(card: ModelCard): number {
  const nullClass = card.guidance?.nullClass;
  if (nullClass === undefined || nullClass === null) throw new Error(`${card.id}: the card names no "no class" label`);
  return nullClass;
}

/** Whether guidance other than 1 means anything: the "no class" label was trained (labels were dropped). */
export function isGuidable(card: ModelCard): boolean {
  return (card.method === 'ddpm' || card.method === 'ar') && (card.guidance?.nullClass ?? null) !== null && (card.guidance?.trainedDropout ?? 0) > 0;
}

/** The token sampler an AR card's figures were measured with: the page's starting point. */
export function tokenSamplingOf(card: ModelCard): TokenSampling {
  if (!card.tokenSampling) throw new Error(`${card.id}: the card has no tokenSampling (is it an autoregressive model?)`);
  return { ...card.tokenSampling };
}

/** The uniform numbers sample i of a seed draws its tokens with: the same for any count. */
export function tokenUniformsOf(seed: number, count: number, tokens: number): Float64Array[] {
  return Array.from({ length: count }, (_, i) => uniforms(streamKey(seed, i, 0), tokens));
}

/** The denoising loop's options for a batch of `classes` at a guidance scale. */
export function denoiseOptionsFor(
  card: ModelCard,
  run: { classes: readonly number[]; guidance: number; seed: number; signal?: AbortSignal; noise?: DenoiseOptions['noise'] },
): DenoiseOptions {
  if (run.guidance !== 1 && !isGuidable(card)) throw new Error(`${card.id} never learned a "no class" label, so it samples with guidance 1 only`);
  return {
    sampleShape: card.architecture.inputShape,
    classes: [...run.classes],
    nullClass: nullClassOf(card),
    guidance: run.guidance,
    seed: run.seed,
    signal: run.signal,
    noise: run.noise,
  };
}

/**
 * A whole diffusion run of one batch, read back: the final samples in network units, one flat
 * array. A class of null asks for an unconditional sample (the "no class" label, guidance 0);
 * a batch is all conditional or all unconditional, since the two take different guidance.
 * `onStep` runs after every step (it may throw to stop the run; the loop then frees its tensors).
 */
export async function diffusionBatch(
  model: DdpmModel,
  sampler: SamplerSettings,
  run: { classes: readonly (number | null)[]; seed: number; signal?: AbortSignal },
  onStep?: (step: DenoiseStep) => void | Promise<void>,
): Promise<Float32Array> {
  const unconditional = run.classes.every((c) => c === null);
  if (!unconditional && run.classes.some((c) => c === null)) throw new Error('a batch is either all conditional or all unconditional');
  const classes = run.classes.map((c) => c ?? nullClassOf(model.card));
  const options = denoiseOptionsFor(model.card, { classes, guidance: unconditional ? 0 : sampler.guidance, seed: run.seed, signal: run.signal });
  const final = await sampleAll(model.net, schedulerFor(model.card, sampler), options, onStep);
  try {
    return await final.data<'float32'>();
  } finally {
    final.dispose();
  }
}

export function latentDimOf(model: LatentModel): number {
  return model.net.architecture.latentDim;
}

/** The truncation a GAN's card was measured at and the page starts at; null: none. */
export function cardTruncationOf(card: ModelCard): number | null {
  return card.method === 'gan' ? card.latent?.truncation ?? null : null;
}

/**
 * The latents of samples 0..count-1 of a seed, back to back: sample i is the same for any count.
 * A VAE scales the prior by the temperature; a GAN truncates it (truncation 0: not truncated).
 */
export function priorOf(model: LatentModel, settings: Pick<Settings, 'seed' | 'temperature' | 'truncation'>, count: number): Float32Array {
  const dim = latentDimOf(model);
  if (model.kind === 'gan') return truncatedLatents(settings.seed, count, dim, settings.truncation > 0 ? settings.truncation : null);
  return priorLatents(settings.seed, count, dim, settings.temperature);
}

/** Decodes latents (flat, one row of latentDim per class given): network units, one flat array. */
export async function decodeLatents(model: LatentModel, latents: Float32Array, classes: readonly number[]): Promise<Float32Array> {
  const out = tf.tidy(() => model.net.decode(tf.tensor2d(latents, [classes.length, latentDimOf(model)]), [...classes]));
  try {
    return await out.data<'float32'>();
  } finally {
    out.dispose();
  }
}

/** One position of the step viewer: the input of a step and the clean sample predicted from it. */
export interface WatchFrame {
  /** The timestep t of x_t; null for the finished sample. */
  timestep: number | null;
  xt: Float32Array;
  /** x_t as the network is given it (network units, not clipped): for asking the model about this step again. */
  xtNetwork: Float32Array;
  /** Null before the model has predicted anything (only for pure noise, never shown so). */
  x0: Float32Array | null;
}

export interface StepReport {
  /** Steps done, of `total`. */
  done: number;
  total: number;
  /** Diffusion: the watched sample's predicted clean sample at this step (display units), to show it forming. */
  preview?: Float32Array;
}

export interface RunOutput {
  /** One array per sample, display units. */
  samples: Float32Array[];
  /** Diffusion: steps + 1 frames of the watched sample (x_T ... x_0). */
  frames: WatchFrame[];
  /** VAE and GAN: the latent of each sample, for interpolation. */
  latents: Float32Array[];
  /** AR: the codes of each sample, raster order. */
  tokens?: Int32Array[];
  /** AR, when asked for (ArRunOptions.frames): one frame per position of the watched sample. */
  tokenFrames?: TokenFrame[];
  /** Diffusion: the trained schedule's alpha-bar (index t) and the timesteps this run took. */
  schedule?: { alphaBar: Float64Array; timesteps: number[] };
  /** Diffusion: the watched sample's starting noise x_T, in network units. */
  watchNoise?: Float32Array;
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
  const scheduler = schedulerFor(model.card, settings);
  // x_T of the watched sample, the same numbers denoise() draws first (random.ts streams)
  const noise = batchNoise(settings.seed, watch + 1, size, 0).subarray(watch * size);
  const frames: WatchFrame[] = [{ timestep: scheduler.timesteps[0] ?? null, xt: toDisplay(noise), xtNetwork: Float32Array.from(noise), x0: null }];
  const classes = new Array<number>(settings.count).fill(settings.classIndex);
  const steps = denoise(model.net, scheduler, denoiseOptionsFor(model.card, { classes, guidance: settings.guidance, seed: settings.seed, signal: options.signal }));
  const final = await watchSteps(steps, watch, frames, scheduler.timesteps, toDisplay, options.onStep);
  try {
    const values = await final.data<'float32'>();
    const schedule = { alphaBar: scheduler.alphaBar, timesteps: scheduler.timesteps };
    return { samples: splitSamples(toDisplay(values), settings.count), frames, latents: [], schedule, watchNoise: Float32Array.from(noise) };
  } finally {
    final.dispose();
  }
}

/**
 * Drains a denoising loop, adding sample `watch`'s frames to `frames` (which holds the first
 * step's input): after each step its x0 to the last frame and its output as the next, the finished
 * sample's x0 being itself. Returns the final batch (the caller disposes it); an early exit (abort,
 * error) closes the loop, which frees its tensors.
 */
async function watchSteps(
  steps: AsyncGenerator<DenoiseStep, tf.Tensor, void>, watch: number, frames: WatchFrame[], timesteps: readonly number[],
  toDisplay: (network: Float32Array) => Float32Array, onStep?: (report: StepReport) => void,
): Promise<tf.Tensor> {
  try {
    for (;;) {
      const next = await steps.next();
      if (next.done) {
        const last = frames[frames.length - 1]!;
        last.x0 = last.xt;
        return next.value;
      }
      const { index, total, sample, predictedClean } = next.value;
      // one read-back per step, of the watched sample only: [x_prev; x0] (2, ...shape)
      const pair = tf.tidy(() => tf.concat([pick(sample, watch), pick(predictedClean, watch)]));
      const values = await pair.data<'float32'>();
      pair.dispose();
      const size = values.length / 2;
      const x0 = toDisplay(values.subarray(size));
      frames[frames.length - 1]!.x0 = x0;
      frames.push({ timestep: timesteps[index + 1] ?? null, xt: toDisplay(values.subarray(0, size)), xtNetwork: values.slice(0, size), x0: null });
      onStep?.({ done: index + 1, total, preview: x0 });
      // let the page paint and take clicks (Cancel) between steps: on the CPU and WASM backends a
      // read-back resolves at once, and the whole run would otherwise be one long task
      await nextTask();
    }
  } finally {
    await steps.return(undefined as never).catch(() => undefined);
  }
}

/**
 * The watched sample of a diffusion run made again from frame `from` (its x_t, in network units)
 * to the end, with the run's own class, sampler and steps (`run`), and the guidance, eta and seed
 * of `now`: the frames from `from` on, the last the new finished sample. With nothing changed it
 * ends where the run did (the fresh noise of each step is the watched sample's own stream), so
 * what changes is what the steps after `from` decided: the step viewer's "re-run from here".
 */
export async function rerunFrom(
  model: DdpmModel,
  run: Settings,
  now: Pick<Settings, 'guidance' | 'eta' | 'seed'>,
  watch: number,
  from: { index: number; xt: Float32Array },
  options: { signal?: AbortSignal } = {},
): Promise<WatchFrame[]> {
  const shape = model.card.architecture.inputShape;
  const size = shape.reduce((a, b) => a * b, 1);
  const { toDisplay } = scalingOf(model.card);
  const scheduler = schedulerFor(model.card, { ...run, eta: now.eta });
  // sample `watch`'s own noise stream, as in the run of the whole batch
  const noise: NoiseSource = (draw) => batchNoise(now.seed, watch + 1, size, draw).slice(watch * size);
  const frames: WatchFrame[] = [{ timestep: scheduler.timesteps[from.index] ?? null, xt: toDisplay(from.xt), xtNetwork: Float32Array.from(from.xt), x0: null }];
  const start = { index: from.index, x: from.xt };
  const steps = denoise(model.net, scheduler, {
    ...denoiseOptionsFor(model.card, { classes: [run.classIndex], guidance: now.guidance, seed: now.seed, signal: options.signal, noise }), from: start,
  });
  (await watchSteps(steps, 0, frames, scheduler.timesteps, toDisplay)).dispose();
  return frames;
}

function pick(batch: tf.Tensor, index: number): tf.Tensor {
  const begin = batch.shape.map((_, axis) => (axis === 0 ? index : 0));
  const size = batch.shape.map((n, axis) => (axis === 0 ? 1 : n));
  return tf.slice(batch, begin, size);
}

/** What the model predicts from one x_t: the noise told the class, told "no class", and as guidance mixes them. */
export interface NoisePrediction {
  conditional: Float32Array;
  unconditional: Float32Array;
  /** u + w (c - u), the noise the step removes. */
  guided: Float32Array;
  /** c - u: what guidance scales up. */
  difference: Float32Array;
}

/**
 * Asks a diffusion model about one step again: its noise prediction for `xt` (network units) at
 * timestep `t`, told class `classIndex` and told "no class", in one batch of two; network units.
 */
export async function predictNoiseAt(model: DdpmModel, xt: Float32Array, t: number, classIndex: number, guidance: number): Promise<NoisePrediction> {
  if (!isGuidable(model.card)) throw new Error(`${model.card.id} never learned a "no class" label: it has no unconditional prediction to show`);
  const shape = model.card.architecture.inputShape;
  const size = xt.length;
  const out = tf.tidy(() => {
    const x = tf.tensor(xt, [1, ...shape]);
    return model.net.predictNoise(tf.concat([x, x]), [t, t], [classIndex, nullClassOf(model.card)]);
  });
  try {
    const values = await out.data<'float32'>();
    const conditional = values.slice(0, size);
    const unconditional = values.slice(size, 2 * size);
    const difference = conditional.map((c, i) => c - unconditional[i]!);
    const guided = unconditional.map((u, i) => u + guidance * difference[i]!);
    return { conditional, unconditional, guided, difference };
  } finally {
    out.dispose();
  }
}

/**
 * Times one forward pass of `rows` batch rows (a model already warmed up, as loadModel leaves it),
 * from the call to the read-back: what src/pipeline/estimate.ts scales to a run.
 */
export async function timePass(model: GeneratorModel, rows: number): Promise<PassTime> {
  const started = performance.now();
  if (model.kind === 'ar') return timeTokenStep(model, rows, started);
  const out = tf.tidy(() => {
    if (model.kind !== 'ddpm') return model.net.decode(tf.randomNormal([rows, latentDimOf(model)], 0, 1, 'float32', 1), new Array<number>(rows).fill(0));
    const x = tf.randomNormal([rows, ...model.card.architecture.inputShape], 0, 1, 'float32', 1);
    return model.net.predictNoise(x, new Array<number>(rows).fill(500), new Array<number>(rows).fill(0));
  });
  try {
    await out.data();
  } finally {
    out.dispose();
  }
  return { rows, ms: performance.now() - started };
}

/** An AR model's pass: one cached position of `rows` rows (what each token of a run costs). */
async function timeTokenStep(model: ArModel, rows: number, started: number): Promise<PassTime> {
  const cache = model.net.startCache(new Array<number>(rows).fill(0));
  try {
    const logits = model.net.next(cache, null);
    await logits.data();
    logits.dispose();
  } finally {
    cache.dispose();
  }
  return { rows, ms: performance.now() - started };
}

/** The latents of samples 0..count-1 of a seed, one array each: sample i is the same for any count. */
export function latentsOf(model: LatentModel, settings: Pick<Settings, 'seed' | 'temperature' | 'truncation'>, count: number): Float32Array[] {
  return splitSamples(priorOf(model, settings, count), count);
}

/** A VAE's or a GAN's run: one pass of the decoder or generator for the whole batch. */
export async function sampleLatentModel(model: LatentModel, settings: Settings, options: { signal?: AbortSignal; onStep?: (report: StepReport) => void } = {}): Promise<RunOutput> {
  const latents = latentsOf(model, settings, settings.count);
  options.signal?.throwIfAborted();
  const samples = await decode(model, latents, settings.classIndex);
  options.signal?.throwIfAborted();
  options.onStep?.({ done: 1, total: 1 });
  return { samples, frames: [], latents };
}

/** Decodes `steps` latents on the path from `from` to `to` (inclusive), all of one class. */
export async function decodePath(model: LatentModel, from: Float32Array, to: Float32Array, classIndex: number, steps: number, mode: PathMode): Promise<Float32Array[]> {
  return decode(model, splitSamples(interpolate(from, to, steps, mode), steps), classIndex);
}

async function decode(model: LatentModel, latents: Float32Array[], classIndex: number): Promise<Float32Array[]> {
  const dim = latentDimOf(model);
  const flat = new Float32Array(latents.length * dim);
  latents.forEach((z, i) => flat.set(z, i * dim));
  const values = await decodeLatents(model, flat, new Array<number>(latents.length).fill(classIndex));
  return splitSamples(scalingOf(model.card).toDisplay(values), latents.length);
}

/** The watched sample of an AR run after one more token: what the token viewer shows. */
export interface TokenFrame {
  position: number;
  /** The code chosen here. */
  chosen: number;
  /** The codes chosen so far (positions 0..position). */
  codes: Int32Array;
  /**
   * The sample decoded from its first `partialFilled` codes (the codebook's mean elsewhere), display
   * units: the latest decode made during the run (previewEvery), not one per token.
   */
  partial: Float32Array;
  partialFilled: number;
  /** The likeliest codes of the distribution drawn from here, most likely first (at most TOP_CODES). */
  top: { code: number; p: number }[];
}

/** How many of the likeliest next codes a token frame keeps. */
export const TOP_CODES = 8;

export interface ArRunOptions {
  signal?: AbortSignal;
  onStep?: (report: StepReport) => void;
  /** After each token: every sample's codes so far and the watched sample's next-token probabilities. */
  onToken?: (step: TokenStep) => void | Promise<void>;
  /** The sample whose probabilities onToken reports and whose frames are kept. */
  watch?: number;
  /**
   * Keep a TokenFrame per position of the watched sample. The watched sample is decoded after its
   * first token and after each row of the token grid (for a signal, every 8 tokens), not after every
   * token: on a software GPU a decode per token more than doubled a run. onStep previews each decode.
   */
  frames?: boolean;
}

/** Tokens between the previews of a run with frames: a row of an image's grid, 8 of a signal's. */
export function previewEvery(net: { tokenShape: readonly number[] }): number {
  return net.tokenShape.length === 2 ? net.tokenShape[1]! : 8;
}

/** The token sampler of a run's settings (the card's defaults are already in them, settings.ts defaultsOf). */
export function tokenSamplingFor(settings: Pick<Settings, 'guidance' | 'temperature' | 'topK' | 'topP'>): TokenSampling {
  return { guidance: settings.guidance, temperature: settings.temperature, topK: settings.topK, topP: settings.topP };
}

/** An autoregressive model's run: every sample's tokens one position at a time, then one decode. */
export async function sampleAr(model: ArModel, settings: Settings, options: ArRunOptions = {}): Promise<RunOutput> {
  const N = model.net.numTokens;
  const sampling = tokenSamplingFor(settings);
  if (sampling.guidance !== 1 && !isGuidable(model.card)) throw new Error(`${model.card.id} never learned a "no class" label, so it samples with guidance 1 only`);
  const watch = Math.min(options.watch ?? 0, settings.count - 1);
  const tokenFrames: TokenFrame[] = [];
  const every = previewEvery(model.net);
  let latest: { partial: Float32Array; partialFilled: number } | null = null;
  const tokens = await sampleTokens(model.net, {
    classes: new Array<number>(settings.count).fill(settings.classIndex),
    sampling,
    uniforms: tokenUniformsOf(settings.seed, settings.count, N),
    watch,
    signal: options.signal,
    onToken: async (step) => {
      const done = step.position + 1;
      let preview: Float32Array | undefined;
      if (options.frames) {
        const codes = step.tokens[watch]!.slice(0, done);
        if (done === 1 || done % every === 0 || done === N) {
          [preview] = await decodeArTokens(model, [step.tokens[watch]!], done);
          latest = { partial: preview!, partialFilled: done };
        }
        tokenFrames.push({ position: step.position, chosen: codes[step.position]!, codes, top: topCodes(step.probabilities, TOP_CODES), ...latest! });
      }
      options.onStep?.({ done, total: N, preview });
      await options.onToken?.(step);
    },
  });
  options.signal?.throwIfAborted();
  const values = await decodeTokens(model.net, tokens);
  return { samples: splitSamples(scalingOf(model.card).toDisplay(values), settings.count), frames: [], latents: [], tokens, tokenFrames };
}

/** The `n` likeliest codes, most likely first (ties: the lower code). */
export function topCodes(probabilities: ArrayLike<number>, n: number): { code: number; p: number }[] {
  return Array.from(probabilities, (p, code) => ({ code, p }))
    .filter((c) => c.p > 0)
    .sort((a, b) => b.p - a.p || a.code - b.code)
    .slice(0, n);
}

/** Decodes samples' codes (positions from `filled` on: the codebook's mean; one count, or one per sample), display units. */
export async function decodeArTokens(model: ArModel, tokens: readonly Int32Array[], filled?: number | readonly number[]): Promise<Float32Array[]> {
  const values = await decodeTokens(model.net, tokens, filled);
  return splitSamples(scalingOf(model.card).toDisplay(values), tokens.length);
}
