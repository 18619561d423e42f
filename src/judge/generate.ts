/**
 * Generates the samples the judge measures: many per class, in batches, straight from the
 * diffusion loop, the VAE and GAN priors and the token sampler (src/diffusion), with the sampler (a
 * GAN's truncation, an AR model's token sampling) the model card recommends unless told otherwise.
 * Unconditional samples (for the class mix) come from a learned "no class" label: a diffusion
 * model's with guidance 0, an AR model's as its prompt; a VAE or a GAN is conditional only.
 *
 * Every batch gets its own seed derived from the run's seed, so no two batches share noise. What
 * comes back is plain arrays in display units (grey levels 0..255, or mV); every tensor made here
 * is freed here, also on abort.
 */
import { scalingOf } from '../models/scaling.js';
import { type TokenSampling, decodeTokens, sampleTokens } from '../diffusion/tokens.js';
import {
  type GeneratorModel, type SamplerSettings, cardTruncationOf, decodeLatents, diffusionBatch, isGuidable, priorOf, samplerDefaultsOf,
  tokenSamplingOf, tokenUniformsOf,
} from '../pipeline/pipeline.js';
import { Pacer } from '../util/pacing.js';
import type { TaskOptions } from './tasks.js';

export interface GenerateOptions extends TaskOptions {
  /** The class of each sample to make; null: unconditional (diffusion models with a "no class" label only). */
  classes: readonly (number | null)[];
  seed: number;
  /** Samples per forward pass (default 16). */
  batchSize?: number;
  /** Diffusion: defaults to the card's samplerDefaults. */
  sampler?: Partial<SamplerSettings>;
  /** VAE: the prior's standard deviation (default 1). */
  temperature?: number;
  /** GAN: the |z| bound, 0 for none (default: the card's, what its figures were measured at). */
  truncation?: number;
  /** AR: defaults to the card's tokenSampling. */
  tokenSampling?: Partial<TokenSampling>;
}

/** Whether the model can make unconditional samples (it learned a "no class" label). */
export function canSampleUnconditionally(model: GeneratorModel): boolean {
  return isGuidable(model.card);
}

/** Seed of batch `b` of a run seeded `seed`. */
export function batchSeed(seed: number, b: number): number {
  return (seed ^ Math.imul(b + 1, 0x9e3779b1)) >>> 0;
}

/**
 * Forward passes a run of `classes` takes, for progress bars: steps per batch times batches.
 * Conditional and unconditional samples are batched separately, as generateSamples makes them.
 */
export function generationWork(model: GeneratorModel, classes: readonly (number | null)[], options: Pick<GenerateOptions, 'batchSize' | 'sampler'> = {}): number {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 16));
  const unconditional = classes.filter((c) => c === null).length;
  const batches = Math.ceil((classes.length - unconditional) / batchSize) + Math.ceil(unconditional / batchSize);
  return model.kind === 'ddpm' ? batches * (options.sampler?.steps ?? samplerDefaultsOf(model.card).steps) : batches;
}

export async function generateSamples(model: GeneratorModel, options: GenerateOptions): Promise<Float32Array[]> {
  const { classes, signal } = options;
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 16));
  const { toDisplay } = scalingOf(model.card);
  const shape = model.card.architecture.inputShape;
  const size = shape.reduce((a, b) => a * b, 1);
  const pacer = new Pacer(signal);
  const out: Float32Array[] = new Array<Float32Array>(classes.length);
  const total = generationWork(model, classes, options);
  let done = 0;
  const phase = 'generating samples';
  options.onProgress?.({ phase, done, total });

  // conditional and unconditional samples go in separate batches (their guidance differs)
  const groups = [classes.flatMap((c, i) => (c === null ? [] : [i])), classes.flatMap((c, i) => (c === null ? [i] : []))];
  if (groups[1]!.length && !canSampleUnconditionally(model)) {
    throw new Error(`${model.card.id} cannot make unconditional samples: ${model.kind === 'ddpm' ? 'it never learned a "no class" label' : `a ${model.kind.toUpperCase()} here is conditional only`}`);
  }
  let b = 0;
  for (const rows of groups) {
    for (let start = 0; start < rows.length; start += batchSize, b++) {
      await pacer.yield();
      const batch = rows.slice(start, start + batchSize);
      const seed = batchSeed(options.seed, b);
      let values: Float32Array;
      if (model.kind === 'ddpm') {
        const sampler = { ...samplerDefaultsOf(model.card), ...options.sampler };
        values = await diffusionBatch(model, sampler, { classes: batch.map((i) => classes[i] ?? null), seed, signal }, async () => {
          options.onProgress?.({ phase, done: ++done, total });
          // on CPU backends nothing in the loop waits: hand the thread back between steps
          await pacer.tick();
        });
      } else if (model.kind === 'ar') {
        const unconditional = classes[batch[0]!] === null;
        const sampling = { ...tokenSamplingOf(model.card), ...options.tokenSampling, ...(unconditional ? { guidance: 1 } : {}) };
        const nullClass = model.card.architecture.numClasses;
        const tokens = await sampleTokens(model.net, {
          classes: batch.map((i) => classes[i] ?? nullClass), sampling, signal,
          uniforms: tokenUniformsOf(seed, batch.length, model.net.numTokens),
          onToken: () => pacer.tick(),
        });
        values = await decodeTokens(model.net, tokens);
        options.onProgress?.({ phase, done: ++done, total });
      } else {
        const prior = { seed, temperature: options.temperature ?? 1, truncation: options.truncation ?? cardTruncationOf(model.card) ?? 0 };
        const z = priorOf(model, prior, batch.length);
        values = await decodeLatents(model, z, batch.map((i) => classes[i]!));
        options.onProgress?.({ phase, done: ++done, total });
      }
      const display = toDisplay(values);
      batch.forEach((i, k) => (out[i] = display.slice(k * size, (k + 1) * size)));
    }
  }
  return out;
}

/** `perClass` samples of every class, class by class: [0, 0, ..., 1, 1, ...]. */
export function perClassRequests(numClasses: number, perClass: number): number[] {
  return Array.from({ length: numClasses * perClass }, (_, i) => Math.floor(i / perClass));
}
