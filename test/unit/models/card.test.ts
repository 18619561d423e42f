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
    c.method = 'gan';
    expect(() => parseCard(c)).toThrow("card for tiny-xray-vae: unknown method 'gan'");
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
    expect(() => parseCard(c)).toThrow('card for tiny-ecg-ddpm: schedule (steps, beta) is missing');
  });

  it('refuses what is not a card', () => {
    expect(() => parseCard(null)).toThrow('card: expected a JSON object');
    expect(() => parseCard({ method: 'vae' })).toThrow('card for (no id): id is missing');
    const c = card('tiny-xray-vae');
    delete (c as Record<string, unknown>).architecture;
    expect(() => parseCard(c)).toThrow('card for tiny-xray-vae: architecture is missing');
  });
});
