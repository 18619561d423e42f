import { describe, expect, it } from 'vitest';
import {
  buildCatalogue, fastestFirst, formatBytes, isGenerator, partnerOf, passesPerSample, sampleWork, suggestedStart, thumbnailOf,
  trainingRecord,
} from '../../../src/models/catalogue.js';
import type { ModelCard, SamplerDefaultsCard } from '../../../src/models/card.js';
import { SHIPPED_MODELS, type ModelSummary } from '../../../src/models/registry.js';
import { FIXTURES, repoFetch } from '../app/fixture-fetch.js';

const model = (id: string, method: string, dataset: string): ModelSummary => ({
  id, name: id, modality: '', method, dataset, classes: ['a'], path: `models/${id}/`, bytes: 1, licence: 'x',
});

const SHIPPED = [
  model('xray-ddpm', 'ddpm', 'pneumoniamnist'),
  model('xray-vae', 'vae', 'pneumoniamnist'),
  model('xray-classifier', 'classifier', 'pneumoniamnist'),
  model('ecg-ddpm', 'ddpm', 'mitbih'),
];

describe('how far training went, from the card', () => {
  it('says steps, batch, hardware and time, and for a fine-tuned run both runs and what was left out', () => {
    const first = { steps: 9241, batch: 128, wallSeconds: 900, hardware: 'NVIDIA H100 80GB HBM3' };
    expect(trainingRecord(first)).toBe('9,241 steps of 128 (NVIDIA H100 80GB HBM3, 15 min)');
    expect(trainingRecord({
      steps: 2000, batch: 64, wallSeconds: 3000, hardware: 'CPU (x86_64, 2 threads)',
      initFrom: { model: 'retina-ddpm', training: first },
      leftOut: { count: 16, rule: 'unusual surround' },
    })).toBe('9,241 steps of 128 (NVIDIA H100 80GB HBM3, 15 min), then 2,000 steps of 64 (CPU (x86_64, 2 threads), 50 min) '
      + 'starting from those weights; 16 training samples left out (unusual surround)');
    expect(trainingRecord({})).toBe('? steps');
  });
});

describe('the catalogue of models', () => {
  it('offers generators only', async () => {
    const { models } = await buildCatalogue(SHIPPED, []);
    expect(models.map((m) => m.id)).toEqual(['xray-ddpm', 'xray-vae', 'ecg-ddpm']);
  });

  it("pairs a model with the other method's model of the same data, if there is one", () => {
    expect(partnerOf(SHIPPED[0]!, SHIPPED)?.id).toBe('xray-vae');
    expect(partnerOf(SHIPPED[1]!, SHIPPED)?.id).toBe('xray-ddpm');
    expect(partnerOf(SHIPPED[3]!, SHIPPED)).toBeNull();
  });

  it('pairs a GAN with the diffusion model, and a diffusion model with the VAE first, else the GAN', () => {
    const all = [model('d', 'ddpm', 'x'), model('g', 'gan', 'x'), model('v', 'vae', 'x'), model('c', 'classifier', 'x')];
    expect(partnerOf(all[1]!, all)?.id).toBe('d');
    expect(partnerOf(all[0]!, all)?.id).toBe('v');
    expect(partnerOf(all[0]!, all.filter((m) => m.id !== 'v'))?.id).toBe('g');
    expect(partnerOf(all[1]!, all.filter((m) => m.id !== 'd'))).toBeNull();   // a GAN is compared with diffusion only
    expect(partnerOf(all[3]!, all)).toBeNull();
    expect(all.filter(isGenerator).map((m) => m.id)).toEqual(['d', 'g', 'v']);
  });

  it('summarises an extra folder from its card, as the build does for shipped ones', async () => {
    const { models, problems } = await buildCatalogue([], [`${FIXTURES}tiny-xray-vae/`], repoFetch);
    expect(problems).toEqual([]);
    expect(models).toEqual([{
      id: 'tiny-xray-vae',
      name: expect.stringContaining('VAE'),
      modality: 'fake chest X-ray (random pixels)',
      method: 'vae',
      dataset: 'pneumoniamnist',
      classes: ['normal', 'pneumonia'],
      path: `${FIXTURES}tiny-xray-vae/`,
      bytes: 31666,
      licence: 'none (synthetic noise)',
      inputShape: [28, 28, 1],
      passesPerSample: 1,
    }]);
  });

  it('shows image thumbnails enlarged by a whole factor, ECG charts at half their pixels', () => {
    const image = { architecture: { dims: 2 } } as Pick<ModelCard, 'architecture'>;
    const signal = { architecture: { dims: 1 } } as Pick<ModelCard, 'architecture'>;
    expect(thumbnailOf(image, 'a.png', { width: 57, height: 57 })).toEqual({ src: 'a.png', width: 114, height: 114, pixelated: true });
    expect(thumbnailOf(image, 'b.png', { width: 129, height: 129 })).toEqual({ src: 'b.png', width: 129, height: 129, pixelated: true });
    expect(thumbnailOf(signal, 'c.png', { width: 258, height: 258 })).toEqual({ src: 'c.png', width: 129, height: 129, pixelated: false });
  });

  it('writes download sizes for people', () => {
    expect([formatBytes(900), formatBytes(76962), formatBytes(2_700_000)]).toEqual(['900 B', '75 kB', '2.6 MB']);
  });
});

describe('the order of the models', () => {
  const sampler = (steps: number, guidance: number) => ({ method: 'ddim', steps, spacing: 'trailing', eta: 1, guidance }) as SamplerDefaultsCard;
  const sized = (id: string, method: string, inputShape: number[], passesPerSample: number, bytes = 1000): ModelSummary => ({
    ...model(id, method, 'd'), inputShape, passesPerSample, bytes,
  });

  it('counts a pass per sampler step, twice under guidance, one for a VAE or a GAN', () => {
    expect(passesPerSample({ method: 'ddpm', samplerDefaults: sampler(50, 2) })).toBe(100);
    expect(passesPerSample({ method: 'ddpm', samplerDefaults: sampler(50, 1) })).toBe(50);
    expect(passesPerSample({ method: 'ddpm', samplerDefaults: sampler(20, 0) })).toBe(20);
    expect(passesPerSample({ method: 'vae' })).toBe(1);
    expect(passesPerSample({ method: 'gan' })).toBe(1);
  });

  it('weighs passes, weights, positions and kernel taps', () => {
    expect(sampleWork(sized('image', 'ddpm', [28, 28, 1], 100))).toBe(100 * 1000 * 784 * 9);
    expect(sampleWork(sized('signal', 'vae', [256, 1], 1))).toBe(1000 * 256 * 3);
    expect(sampleWork(model('hand-written', 'vae', 'd'))).toBeNull();
  });

  it('puts the shipped generators fastest first, the 64x64 RGB models last', () => {
    // one pass (GANs, VAEs; signals before images, small before large) before many steps or many
    // tokens; a token is counted as a pass over the image (see sampleWork), two when guided (breast-ar, bccd-ar)
    expect(fastestFirst(SHIPPED_MODELS.filter(isGenerator)).map((m) => m.id)).toEqual([
      'ecg-gan', 'ecg-vae-dp1', 'ecg-vae-dp10', 'ecg-vae-nodp', 'ecg-vae', 'breast-gan', 'xray-gan', 'retina-gan', 'breast-vae', 'xray-vae', 'retina-vae', 'bccd-gan', 'ecg-ar', 'bccd-vae',
      'ecg-ddpm', 'xray-ar', 'retina-ar', 'breast-ddpm', 'breast-ddpm-memorised', 'xray-ddpm', 'retina-ddpm', 'breast-ar', 'bccd-ddpm', 'bccd-ar',
    ]);
  });

  it('keeps the order of equal or unknown work, unknown last', () => {
    const models = [model('unknown', 'vae', 'd'), sized('b', 'vae', [8, 1], 1), sized('a', 'vae', [8, 1], 1), sized('fast', 'vae', [4, 1], 1)];
    expect(fastestFirst(models).map((m) => m.id)).toEqual(['fast', 'b', 'a', 'unknown']);
  });

  it('suggests the chest X-ray DDPM, else the fastest diffusion model, else the fastest model', () => {
    const xray = sized('xray-ddpm', 'ddpm', [28, 28, 1], 100);
    const ecg = sized('ecg-ddpm', 'ddpm', [256, 1], 100);
    const bccd = sized('bccd-ddpm', 'ddpm', [64, 64, 3], 100);
    const vae = sized('ecg-vae', 'vae', [256, 1], 1);
    const slowVae = sized('bccd-vae', 'vae', [64, 64, 3], 1);
    expect(suggestedStart([vae, bccd, ecg, xray])).toBe('xray-ddpm');
    expect(suggestedStart([vae, bccd, ecg])).toBe('ecg-ddpm');
    expect(suggestedStart([slowVae, vae])).toBe('ecg-vae');
    expect(suggestedStart([])).toBeNull();
  });
});
