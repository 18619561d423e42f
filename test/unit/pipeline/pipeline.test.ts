/**
 * Running the tiny fixture models (random weights, real formats) on the tfjs CPU backend: what
 * the page gets back is plain arrays in display units, the same seed gives the same samples, the
 * step viewer's frames start at the run's own noise, and nothing is left on the backend.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { alphasCumprod, cosineBetas, linearBetas } from '../../../src/diffusion/schedule.js';
import type { ModelCard } from '../../../src/models/card.js';
import {
  type ArModel, type DdpmModel, type GanModel, type VaeModel, decodeArTokens, decodePath, sampleAr, topCodes, denoiseOptionsFor, diffusionBatch, latentsOf, noiseScheduleOf, nullClassOf,
  predictNoiseAt, rerunFrom, sampleDiffusion, sampleLatentModel, samplerDefaultsOf, schedulerFor,
} from '../../../src/pipeline/pipeline.js';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/pipeline/settings.js';
import { batchNoise } from '../../../src/util/random.js';
import { loadModel } from '../../../src/models/loader.js';
import { scalingOf } from '../../../src/models/scaling.js';
import { FIXTURES, repoFetch } from '../app/fixture-fetch.js';

const SETTINGS: Settings = { ...DEFAULT_SETTINGS, classIndex: 1, count: 2, seed: 7, steps: 3, guidance: 2 };
let xray: DdpmModel;
let ecg: DdpmModel;
let vae: VaeModel;
let gan: GanModel;
let ar: ArModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const open = (id: string) => loadModel(`${FIXTURES}${id}/`, { fetch: repoFetch });
  xray = (await open('tiny-xray-ddpm')) as DdpmModel;
  ecg = (await open('tiny-ecg-ddpm')) as DdpmModel;
  vae = (await open('tiny-xray-vae')) as VaeModel;
  gan = (await open('tiny-xray-gan')) as GanModel;
  ar = (await open('tiny-xray-ar')) as ArModel;
});

/** Runs `work` and checks it left no tensor behind. */
async function noLeak<T>(work: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await work();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

describe('the card -> sampler step', () => {
  /** The fixture's card with some schedule fields changed. */
  const withSchedule = (patch: Partial<NonNullable<ModelCard['schedule']>>): ModelCard => ({ ...xray.card, schedule: { ...xray.card.schedule!, ...patch } });

  it("builds the schedule from every field of the card's, not from the published defaults", () => {
    const card = withSchedule({ cosineOffset: 0.02, maxBeta: 0.5, clipRange: 2.5 });
    const scheduler = schedulerFor(card, { sampler: 'ddim', steps: 4, eta: 0.3 });
    const betas = cosineBetas(1000, { cosineOffset: 0.02, maxBeta: 0.5 });
    expect(Math.max(...betas)).toBe(0.5); // the clip binds near t = T
    expect([...scheduler.alphaBar]).toEqual([...alphasCumprod(betas)]);
    expect([...scheduler.alphaBar]).not.toEqual([...alphasCumprod(cosineBetas(1000))]);
    expect(scheduler.schedule.clipSample).toBe(2.5);
    expect([scheduler.kind, scheduler.eta, scheduler.timesteps]).toEqual(['ddim', 0.3, [999, 749, 499, 249]]);
    expect(noiseScheduleOf(withSchedule({ clipSample: false })).clipSample).toBeNull();
    expect([...schedulerFor(withSchedule({ beta: 'linear' }), { sampler: 'ddpm', steps: 2, eta: 1 }).alphaBar]).toEqual([...alphasCumprod(linearBetas(1000))]);
    // DDPM has no eta: the card's or the person's is not applied to it
    expect(schedulerFor(card, { sampler: 'ddpm', steps: 4, eta: 0.3 }).eta).toBe(0);
  });

  it("takes the sampler defaults and the 'no class' label from the card", () => {
    const d = xray.card.samplerDefaults!;
    expect(samplerDefaultsOf(xray.card)).toEqual({ sampler: d.method, steps: d.steps, eta: d.eta, guidance: d.guidance });
    expect(nullClassOf(xray.card)).toBe(2);
    const options = denoiseOptionsFor(xray.card, { classes: [1, 0], guidance: 2, seed: 3 });
    expect(options).toMatchObject({ sampleShape: [28, 28, 1], classes: [1, 0], nullClass: 2, guidance: 2, seed: 3 });
    const untrained: ModelCard = { ...xray.card, guidance: { nullClass: 2, trainedDropout: 0 } };
    expect(() => denoiseOptionsFor(untrained, { classes: [1], guidance: 2, seed: 3 })).toThrow('tiny-xray-ddpm never learned a "no class" label');
    expect(denoiseOptionsFor(untrained, { classes: [1], guidance: 1, seed: 3 }).guidance).toBe(1);
  });

  it('makes a batch all conditional or all unconditional, the latter with the "no class" label', async () => {
    const sampler = { ...samplerDefaultsOf(xray.card), steps: 2 };
    const unconditional = await noLeak(() => diffusionBatch(xray, sampler, { classes: [null, null], seed: 5 }));
    const byHand = await diffusionBatch(xray, { ...sampler, guidance: 1 }, { classes: [2, 2], seed: 5 }); // label 2 = "no class"
    expect(unconditional).toEqual(byHand);
    await expect(diffusionBatch(xray, sampler, { classes: [0, null], seed: 5 })).rejects.toThrow('either all conditional or all unconditional');
  });
});

describe('a diffusion run', () => {
  it('gives grey levels per sample, frames of the watched sample from x_T to x_0, and frees every tensor', async () => {
    const steps: number[] = [];
    const out = await noLeak(() => sampleDiffusion(xray, SETTINGS, { watch: 1, onStep: (r) => steps.push(r.done) }));
    expect(steps).toEqual([1, 2, 3]);
    expect(out.samples).toHaveLength(2);
    for (const s of out.samples) {
      expect(s).toHaveLength(28 * 28);
      expect(s.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
    }
    expect(out.frames).toHaveLength(4);
    expect(out.frames.map((f) => f.timestep)).toEqual([...out.schedule!.timesteps, null]);
    // x_T is the very noise the loop started from (sample 1's stream of the seed)
    const noise = batchNoise(SETTINGS.seed, 2, 784, 0).subarray(784);
    expect(out.frames[0]!.xt).toEqual(scalingOf(xray.card).toDisplay(noise));
    // and is kept in network units, for a real sample to be noised with it (the step viewer's third picture)
    expect(out.watchNoise).toEqual(Float32Array.from(noise));
    expect(out.frames.slice(0, 3).every((f) => f.x0 !== null)).toBe(true);
    expect(out.frames[3]!.xt).toEqual(out.samples[1]);
    expect(out.frames[3]!.x0).toEqual(out.samples[1]);
    expect(out.frames[3]!.xt).not.toEqual(out.frames[0]!.xt);
  });

  it('answers again for any step: the guided noise it predicts there takes x_t to the next frame\'s', async () => {
    const settings = { ...SETTINGS, sampler: 'ddim' as const, eta: 0, guidance: 2 };
    const out = await sampleDiffusion(xray, settings, { watch: 1 });
    const scheduler = schedulerFor(xray.card, settings);
    for (const k of [0, 1]) {
      const frame = out.frames[k]!;
      const p = await noLeak(() => predictNoiseAt(xray, frame.xtNetwork, frame.timestep!, settings.classIndex, settings.guidance));
      expect(Array.from(p.guided)).toEqual(Array.from(p.unconditional, (u, i) => expect.closeTo(u + 2 * (p.conditional[i]! - u), 5)));
      expect(Array.from(p.difference)).toEqual(Array.from(p.conditional, (c, i) => expect.closeTo(c - p.unconditional[i]!, 6)));
      const next = tf.tidy(() => scheduler.step(k, tf.tensor(frame.xtNetwork, [1, 28, 28, 1]), tf.tensor(p.guided, [1, 28, 28, 1])).prevSample.dataSync());
      const worst = Math.max(...Array.from(next, (v, i) => Math.abs(v - out.frames[k + 1]!.xtNetwork[i]!)));
      // a batch of one against the run's batch of two: the same arithmetic up to float rounding
      expect(worst).toBeLessThan(1e-4);
    }
  });

  it('re-runs the watched sample from any step: as the run did with nothing changed, otherwise only after that step', async () => {
    // DDIM with eta 0.5: every step after the first draws fresh noise, from the watched sample's own stream
    const settings: Settings = { ...SETTINGS, count: 3, steps: 4, sampler: 'ddim', eta: 0.5 };
    const out = await sampleDiffusion(xray, settings, { watch: 1 });
    const from = { index: 2, xt: out.frames[2]!.xtNetwork! };
    const same = await noLeak(() => rerunFrom(xray, settings, settings, 1, from));
    expect(same.map((f) => f.timestep)).toEqual(out.frames.slice(2).map((f) => f.timestep));
    const worst = (a: Float32Array, b: Float32Array) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
    // a batch of one against the run's batch of three: the same arithmetic up to float rounding
    same.forEach((f, k) => expect(worst(f.xtNetwork!, out.frames[2 + k]!.xtNetwork!)).toBeLessThan(1e-4));
    expect(worst(same[2]!.xt, out.samples[1]!)).toBeLessThanOrEqual(1);   // grey levels
    // another seed: the same step 3, other fresh noise after it, another ending
    const other = await rerunFrom(xray, settings, { ...settings, seed: 8 }, 1, from);
    expect(other[0]!.xt).toEqual(out.frames[2]!.xt);
    expect(worst(other[2]!.xtNetwork!, out.frames[4]!.xtNetwork!)).toBeGreaterThan(0.01);
    await expect(rerunFrom(xray, settings, settings, 1, { index: 4, xt: from.xt })).rejects.toThrow('cannot start at step 4 of 4');
  });

  it('makes the same samples from the same seed, and others from another', async () => {
    const a = await sampleDiffusion(ecg, SETTINGS, { watch: 0 });
    const b = await sampleDiffusion(ecg, SETTINGS, { watch: 0 });
    const c = await sampleDiffusion(ecg, { ...SETTINGS, seed: 8 }, { watch: 0 });
    expect(b.samples).toEqual(a.samples);
    expect(c.samples[0]).not.toEqual(a.samples[0]);
  });

  it('gives ECG beats in millivolts with the DDPM sampler', async () => {
    const out = await noLeak(() => sampleDiffusion(ecg, { ...SETTINGS, sampler: 'ddpm', count: 1 }, { watch: 0 }));
    expect(out.samples[0]).toHaveLength(256);
    // the fixture clips x0 at 3 network units = 4.5 mV
    expect(out.frames[1]!.x0!.every((v) => Math.abs(v) <= 4.5 + 1e-5)).toBe(true);
  });

  it('stops before the next step when cancelled, rejecting with AbortError and freeing everything', async () => {
    const abort = new AbortController();
    const before = tf.memory().numTensors;
    const run = sampleDiffusion(ecg, { ...SETTINGS, steps: 20 }, {
      watch: 0, signal: abort.signal, onStep: (r) => r.done === 2 && abort.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('a VAE run', () => {
  it('decodes seeded latents; sample i is the same whatever the count', async () => {
    const two = await noLeak(() => sampleLatentModel(vae, { ...SETTINGS, count: 2 }));
    const three = await sampleLatentModel(vae, { ...SETTINGS, count: 3 });
    expect(two.samples[1]).toEqual(three.samples[1]);
    expect(two.latents[1]).toEqual(latentsOf(vae, SETTINGS, 3)[1]);
    expect(two.frames).toEqual([]);
  });

  it('cools towards the prior mean with the temperature', async () => {
    const cold = await sampleLatentModel(vae, { ...SETTINGS, temperature: 0 });
    expect(cold.samples[1]).toEqual(cold.samples[0]);
  });

  it('walks from one sample to another, ending on both', async () => {
    const { samples, latents } = await sampleLatentModel(vae, SETTINGS);
    for (const mode of ['linear', 'spherical'] as const) {
      const path = await noLeak(() => decodePath(vae, latents[0]!, latents[1]!, SETTINGS.classIndex, 5, mode));
      expect(path).toHaveLength(5);
      expect(path[0]).toEqual(samples[0]);
      expect(path[4]).toEqual(samples[1]);
    }
  });
});

describe('a GAN run', () => {
  it('generates from seeded latents; sample i is the same whatever the count; images stay in range', async () => {
    const two = await noLeak(() => sampleLatentModel(gan, { ...SETTINGS, count: 2 }));
    const three = await sampleLatentModel(gan, { ...SETTINGS, count: 3 });
    expect(two.samples[1]).toEqual(three.samples[1]);
    expect(two.frames).toEqual([]);
    // not truncated (0), z is the plain prior draw of the seed, as a VAE's at temperature 1
    const dim = gan.net.architecture.latentDim;
    const prior = batchNoise(SETTINGS.seed, 2, dim, 0);
    expect(two.latents).toEqual([prior.slice(0, dim), prior.slice(dim)]);
    for (const x of two.samples) for (const v of x) expect(v >= 0 && v <= 255).toBe(true);
  });

  it('truncates z to the bound the settings give, and changes the samples only where it cuts', async () => {
    const free = await sampleLatentModel(gan, SETTINGS);
    const cut = await sampleLatentModel(gan, { ...SETTINGS, truncation: 0.5 });
    for (const z of cut.latents) for (const v of z) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
    expect(cut.samples[0]).not.toEqual(free.samples[0]);
    const loose = await sampleLatentModel(gan, { ...SETTINGS, truncation: 3 });
    expect(free.latents.flatMap((z) => [...z]).every((v) => Math.abs(v) < 3)).toBe(true);  // so a bound of 3 cuts nothing here
    expect(loose.samples).toEqual(free.samples);
  });

  it('walks from one sample to another, ending on both', async () => {
    const { samples, latents } = await sampleLatentModel(gan, SETTINGS);
    const path = await noLeak(() => decodePath(gan, latents[0]!, latents[1]!, SETTINGS.classIndex, 4, 'spherical'));
    expect(path[0]).toEqual(samples[0]);
    expect(path[3]).toEqual(samples[1]);
  });
});

describe('an autoregressive run', () => {
  const AR: Settings = { ...SETTINGS, guidance: 2, temperature: 0.9, topK: 6, topP: 0.95 };

  it('draws tokens from the seed and decodes them; sample i is the same whatever the count', async () => {
    const two = await noLeak(() => sampleAr(ar, { ...AR, count: 2 }));
    const three = await sampleAr(ar, { ...AR, count: 3 });
    expect(two.tokens).toHaveLength(2);
    expect(two.tokens![1]).toEqual(three.tokens![1]);
    expect(two.samples[1]).toEqual(three.samples[1]);
    expect(two.tokenFrames).toEqual([]);                            // frames only when asked for
    expect(await decodeArTokens(ar, two.tokens!)).toEqual(two.samples);
    expect((await sampleAr(ar, { ...AR, seed: 8 })).tokens).not.toEqual(two.tokens);
  });

  it('keeps a frame per token of the watched sample, ending on the sample itself', async () => {
    const previews: number[] = [];
    const out = await noLeak(() => sampleAr(ar, AR, { watch: 1, frames: true, onStep: (r) => r.preview && previews.push(r.done) }));
    const N = ar.net.numTokens;
    expect(out.tokenFrames).toHaveLength(N);
    // a decode after the first token and after each row of the 7x7 grid
    expect(previews).toEqual([1, 7, 14, 21, 28, 35, 42, 49]);
    // each frame shows the latest: frame 9 (10 codes) the first 7 codes decoded alone
    expect(out.tokenFrames!.map((f) => f.partialFilled).slice(0, 15)).toEqual([1, 1, 1, 1, 1, 1, 7, 7, 7, 7, 7, 7, 7, 14, 14]);
    expect(out.tokenFrames![9]!.partial).toEqual((await decodeArTokens(ar, [out.tokens![1]!], 7))[0]);
    const last = out.tokenFrames![N - 1]!;
    expect(last.codes).toEqual(out.tokens![1]);
    expect(last.partial).toEqual(out.samples[1]);
    out.tokenFrames!.forEach((f, p) => {
      expect(f.codes).toEqual(out.tokens![1]!.slice(0, p + 1));
      expect(f.chosen).toBe(out.tokens![1]![p]);
      expect(f.top.length).toBeLessThanOrEqual(6);                  // top-k 6
      expect(f.top.map((c) => c.p)).toEqual([...f.top.map((c) => c.p)].sort((a, b) => b - a));
    });
  });

  it('lists the likeliest codes first, the lower code first among equals', () => {
    expect(topCodes([0.1, 0.4, 0, 0.4, 0.1], 3)).toEqual([{ code: 1, p: 0.4 }, { code: 3, p: 0.4 }, { code: 0, p: 0.1 }]);
  });
});
