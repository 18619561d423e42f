import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCard } from '../../../src/models/card.js';
import { TINY_MODELS, exportedModelDirs, readJson } from './model-folder.js';

/** A fresh copy of a fixture's card.json, to break one field at a time. */
function card(fixture: string): Record<string, unknown> & { architecture: Record<string, unknown> } {
  return readJson(join(TINY_MODELS, fixture, 'card.json')) as Record<string, unknown> & { architecture: Record<string, unknown> };
}

describe('parseCard', () => {
  it('accepts every card the Python export wrote', () => {
    for (const dir of exportedModelDirs(TINY_MODELS)) {
      const parsed = parseCard(readJson(join(dir, 'card.json')));
      expect(parsed.architecture.numClasses).toBe(parsed.classes.length);
    }
  });

  it('reads the UNet config fields the builder needs', () => {
    const c = parseCard(card('tiny-ecg-ddpm'));
    expect(c.method).toBe('ddpm');
    expect(c.architecture).toMatchObject({
      type: 'unet', dims: 1, inChannels: 1, size: 256, baseChannels: 8, channelMult: [1, 2], blocksPerLevel: 1,
      attentionLevels: [], midAttention: true, groups: 4, numClasses: 5, timeEmbedDim: 16,
    });
    expect(c.schedule?.steps).toBe(1000);
  });

  it('refuses an unknown method', () => {
    const c = card('tiny-xray-vae');
    c.method = 'flow';
    expect(() => parseCard(c)).toThrow("card for tiny-xray-vae: unknown method 'flow'");
    c.method = 'toString';  // not a method, though every object has one by that name
    expect(() => parseCard(c)).toThrow("card for tiny-xray-vae: unknown method 'toString'");
  });

  it('names a missing architecture field by its card and PyTorch names', () => {
    const c = card('tiny-xray-ddpm');
    delete c.architecture.channelMult;
    expect(() => parseCard(c)).toThrow('card for tiny-xray-ddpm: architecture is missing channelMult (channel_mult in the PyTorch config)');
  });

  it('names a field of the wrong kind', () => {
    const c = card('tiny-ecg-vae');
    c.architecture.kernel = 4;
    expect(() => parseCard(c)).toThrow('card for tiny-ecg-vae: architecture.kernel must be an odd positive integer, got 4');
  });

  it('refuses an architecture of another method', () => {
    const c = card('tiny-xray-classifier');
    c.method = 'vae';
    expect(() => parseCard(c)).toThrow("architecture.type 'cnn-classifier' does not match method 'vae'");
  });

  it('refuses a class count that disagrees with the class names', () => {
    const c = card('tiny-ecg-classifier');
    c.classes = ['N', 'S'];
    expect(() => parseCard(c)).toThrow('architecture.numClasses 5 does not match the 2 class names');
  });

  it('refuses a diffusion model without its noise schedule', () => {
    const c = card('tiny-ecg-ddpm');
    delete c.schedule;
    expect(() => parseCard(c)).toThrow('card for tiny-ecg-ddpm: schedule is missing');
  });

  // Every field the sampler depends on is either used (src/pipeline/pipeline.ts) or refused here:
  // a card that says something this site cannot do must not be sampled as if it said the default.
  it.each([
    ['schedule', 'beta', 'sigmoid', 'schedule.beta must be "cosine" or "linear", got "sigmoid"'],
    ['schedule', 'cosineOffset', -0.1, 'schedule.cosineOffset must be a number of at least 0, got -0.1'],
    ['schedule', 'maxBeta', 1, 'schedule.maxBeta must be a number between 0 and 1, got 1'],
    ['schedule', 'prediction', 'v', 'schedule.prediction must be "epsilon" (this site samples noise-predicting models only), got "v"'],
    ['schedule', 'clipRange', null, 'schedule.clipRange must be a positive number when clipSample is true, got null'],
    ['schedule', 'timestepInput', 't/T in [0, 1]', 'schedule.timestepInput must be "integer t in 0..steps-1, as float"'],
    ['samplerDefaults', 'method', 'euler', 'samplerDefaults.method must be "ddim" or "ddpm", got "euler"'],
    ['samplerDefaults', 'spacing', 'leading', 'samplerDefaults.spacing must be "trailing" (the only spacing implemented here), got "leading"'],
    ['samplerDefaults', 'steps', 1001, 'samplerDefaults.steps must be a whole number from 1 to 1000, got 1001'],
    ['samplerDefaults', 'eta', 1.5, 'samplerDefaults.eta must be a number from 0 to 1, got 1.5'],
    ['samplerDefaults', 'guidance', -1, 'samplerDefaults.guidance must be a number of at least 0, got -1'],
    ['guidance', 'nullClass', 0, 'guidance.nullClass must be 2 (the UNet\'s "no class" row), got 0'],
    ['guidance', 'trainedDropout', 0, 'samplerDefaults.guidance 2 needs the "no class" label trained (guidance.trainedDropout above 0)'],
  ])('refuses a diffusion card whose %s.%s it cannot honour (%s)', (section, key, value, message) => {
    const c = card('tiny-xray-ddpm');
    (c[section] as Record<string, unknown>)[key] = value;
    expect(() => parseCard(c)).toThrow(`card for tiny-xray-ddpm: ${message}`);
  });

  it('refuses a diffusion card without sampler defaults, and a VAE card whose prior is not the one sampled', () => {
    const c = card('tiny-xray-ddpm');
    delete c.samplerDefaults;
    expect(() => parseCard(c)).toThrow('card for tiny-xray-ddpm: samplerDefaults is missing');
    const v = card('tiny-xray-vae');
    v.latent = { dim: 16, prior: 'N(0, I)' };
    expect(() => parseCard(v)).toThrow('card for tiny-xray-vae: latent must be {"dim": 4, "prior": "N(0, I)"}');
    v.latent = { dim: 4, prior: 'uniform' };
    expect(() => parseCard(v)).toThrow('card for tiny-xray-vae: latent must be');
  });

  it('refuses what is not a card', () => {
    expect(() => parseCard(null)).toThrow('card: expected a JSON object');
    expect(() => parseCard({ method: 'vae' })).toThrow('card for (no id): id is missing');
    const c = card('tiny-xray-vae');
    delete (c as Record<string, unknown>).architecture;
    expect(() => parseCard(c)).toThrow('card for tiny-xray-vae: architecture is missing');
  });

  it("checks an autoregressive card's architecture, token sampling and 'no class' row", () => {
    const ar = () => card('tiny-xray-ar') as Record<string, any>;
    expect(parseCard(ar()).tokenSampling).toEqual({ guidance: 1, temperature: 1, topK: 0, topP: 1 });
    const c = ar();
    delete c.tokenSampling;
    expect(() => parseCard(c)).toThrow('card for tiny-xray-ar: tokenSampling is missing');
    const heads = ar();
    heads.architecture.heads = 3;
    expect(() => parseCard(heads)).toThrow(`architecture.width ${heads.architecture.width} does not split into 3 heads`);
    const topP = ar();
    topP.tokenSampling.topP = 0;
    expect(() => parseCard(topP)).toThrow('tokenSampling.topP must be a number above 0 and at most 1, got 0');
    const untrained = ar();
    untrained.tokenSampling.guidance = 2;
    untrained.guidance.trainedDropout = 0;
    expect(() => parseCard(untrained)).toThrow('tokenSampling.guidance 2 needs the "no class" label trained');
    const row = ar();
    row.guidance.nullClass = 0;
    expect(() => parseCard(row)).toThrow(`guidance.nullClass must be 2 (the transformer's "no class" row), got 0`);
  });
});
