import { describe, expect, it } from 'vitest';
import {
  describeSettings,
  DEFAULT_SETTINGS, type ModelLimits, clampClass, clampNumber, clampSampler, clampSettings, defaultsOf, limitsOf, randomSeed,
} from '../../../src/pipeline/settings.js';
import { MIN_TRUNCATION } from '../../../src/diffusion/latent.js';
import type { ModelCard } from '../../../src/models/card.js';

const LIMITS: ModelLimits = { classes: ['normal', 'pneumonia'], trainingSteps: 1000, guidable: true };

describe('clamping a number', () => {
  const range = { min: 1, max: 64, integer: true };

  it('keeps a value in range and says nothing', () => {
    expect(clampNumber('16', range, 8, 'Samples')).toEqual({ value: 16 });
  });

  it('holds a value above the maximum to it, with a note', () => {
    expect(clampNumber('100', range, 8, 'Samples')).toEqual({
      value: 64, note: 'Samples: 100 is more than the maximum 64; using 64.',
    });
  });

  it('holds a value below the minimum to it, with a note', () => {
    expect(clampNumber(-3, range, 8, 'Samples')).toEqual({ value: 1, note: 'Samples: -3 is less than the minimum 1; using 1.' });
  });

  it('rounds a fraction where only whole numbers make sense', () => {
    expect(clampNumber('2.6', range, 8, 'Samples')).toEqual({ value: 3, note: 'Samples: 2.6 is not a whole number; using 3.' });
  });

  it('falls back on text, NaN and Infinity, and quietly on a blank', () => {
    expect(clampNumber('abc', range, 8, 'Samples')).toEqual({ value: 8, note: 'Samples: "abc" is not a number; using 8.' });
    expect(clampNumber(Number.NaN, range, 8, 'Samples').value).toBe(8);
    expect(clampNumber('Infinity', range, 8, 'Samples').value).toBe(8);
    expect(clampNumber('  ', range, 8, 'Samples')).toEqual({ value: 8 });
    expect(clampNumber(undefined, range, 8, 'Samples')).toEqual({ value: 8 });
  });
});

describe('clamping a class and a sampler', () => {
  it('takes a class by name (any case) or by index', () => {
    expect(clampClass('pneumonia', LIMITS.classes, 0)).toEqual({ value: 1 });
    expect(clampClass('Normal', LIMITS.classes, 1)).toEqual({ value: 0 });
    expect(clampClass('1', LIMITS.classes, 0)).toEqual({ value: 1 });
  });

  it('names the classes there are when given another', () => {
    expect(clampClass('fracture', LIMITS.classes, 0)).toEqual({
      value: 0, note: 'Class: "fracture" is not one of normal, pneumonia; using normal.',
    });
    expect(clampClass('7', LIMITS.classes, 0).value).toBe(0);
  });

  it('knows DDIM and DDPM only', () => {
    expect(clampSampler('DDPM', 'ddim')).toEqual({ value: 'ddpm' });
    expect(clampSampler('euler', 'ddim')).toEqual({ value: 'ddim', note: 'Sampler: "euler" is not DDIM or DDPM; using DDIM.' });
  });
});

describe('clamping every setting for a model', () => {
  it('fills what is missing from the defaults without a note', () => {
    expect(clampSettings({}, LIMITS, DEFAULT_SETTINGS)).toEqual({ settings: DEFAULT_SETTINGS, notes: [] });
  });

  it('clamps every out-of-range value and notes each one, never throwing', () => {
    const { settings, notes } = clampSettings(
      { classIndex: 'x', count: 1000, seed: -1, sampler: 'ddpm', steps: 5000, eta: 2, guidance: -1, temperature: 9, truncation: -2, topK: 2.5, topP: 0 },
      LIMITS,
      DEFAULT_SETTINGS,
    );
    expect(settings).toEqual({
      classIndex: 0, count: 64, seed: 0, sampler: 'ddpm', steps: 1000, eta: 1, guidance: 0, temperature: 2, truncation: 0, topK: 3, topP: 0.01,
    });
    expect(notes.map((n) => n.field)).toEqual(['classIndex', 'count', 'seed', 'steps', 'eta', 'guidance', 'temperature', 'truncation', 'topK', 'topP']);
    expect(notes.at(-1)?.message).toBe('Top-p: 0 is less than the minimum 0.01; using 0.01.');
  });

  it('keeps a truncation bound of 0 (off) or at least the smallest one, and no more than 3', () => {
    const at = (truncation: unknown) => clampSettings({ truncation }, LIMITS, DEFAULT_SETTINGS);
    expect(at(0)).toEqual({ settings: { ...DEFAULT_SETTINGS, truncation: 0 }, notes: [] });
    expect(at('0.7').settings.truncation).toBe(0.7);
    expect(at(0.01).settings.truncation).toBe(MIN_TRUNCATION);
    expect(at(0.01).notes[0]?.message).toBe('Truncation: 0.01 is below the smallest bound 0.05 (0 turns it off); using 0.05.');
    expect(at(50).notes[0]?.message).toBe('Truncation: 50 is more than the maximum 3; using 3.');
  });

  it('holds steps to the trained schedule of the model', () => {
    const { settings, notes } = clampSettings({ steps: 300 }, { ...LIMITS, trainingSteps: 200 }, DEFAULT_SETTINGS);
    expect(settings.steps).toBe(200);
    expect(notes[0]?.message).toBe('Steps: 300 is more than the maximum 200; using 200.');
  });

  it('keeps guidance at 1 for a model that never learned a "no class" label', () => {
    const { settings, notes } = clampSettings({ guidance: 3 }, { ...LIMITS, guidable: false }, DEFAULT_SETTINGS);
    expect(settings.guidance).toBe(1);
    expect(notes[0]?.message).toContain('guidance stays at 1');
  });

  it('accepts the largest seed and refuses one past it', () => {
    expect(clampSettings({ seed: 2 ** 32 - 1 }, LIMITS, DEFAULT_SETTINGS).settings.seed).toBe(4294967295);
    expect(clampSettings({ seed: 2 ** 32 }, LIMITS, DEFAULT_SETTINGS).settings.seed).toBe(4294967295);
  });
});

describe('limits and defaults from a card', () => {
  const card = {
    id: 'test-ddpm',
    classes: ['N', 'S', 'V', 'F', 'Q'],
    method: 'ddpm',
    schedule: { steps: 1000 },
    guidance: { nullClass: 5, trainedDropout: 0.1 },
    samplerDefaults: { method: 'ddpm', steps: 25, spacing: 'trailing', eta: 0.5, guidance: 3 },
  } as unknown as ModelCard;

  it('reads classes, trained steps and whether guidance works', () => {
    expect(limitsOf(card)).toEqual({ classes: card.classes, trainingSteps: 1000, guidable: true });
    // a "no class" label that was never trained (no label dropout) cannot guide
    expect(limitsOf({ ...card, guidance: { nullClass: 5, trainedDropout: 0 } }).guidable).toBe(false);
    expect(limitsOf({ ...card, method: 'vae', schedule: undefined, guidance: undefined }).guidable).toBe(true);
  });

  it("takes the card's sampler defaults over the page's; other models take the page's", () => {
    expect(defaultsOf(card)).toEqual({ ...DEFAULT_SETTINGS, sampler: 'ddpm', steps: 25, eta: 0.5, guidance: 3 });
    expect(defaultsOf({ ...card, method: 'vae', samplerDefaults: undefined })).toEqual(DEFAULT_SETTINGS);
    expect(defaultsOf(null)).toEqual(DEFAULT_SETTINGS);
  });

  it("takes an autoregressive card's token sampling, and guides it only if its 'no class' row was trained", () => {
    const ar = { ...card, method: 'ar', schedule: undefined, samplerDefaults: undefined, tokenSampling: { guidance: 2, temperature: 0.9, topK: 40, topP: 0.95 } } as unknown as ModelCard;
    expect(defaultsOf(ar)).toEqual({ ...DEFAULT_SETTINGS, guidance: 2, temperature: 0.9, topK: 40, topP: 0.95 });
    expect(limitsOf(ar).guidable).toBe(true);
    const unguided = { ...ar, guidance: { nullClass: 5, trainedDropout: 0 } };
    expect(clampSettings({ guidance: 3 }, limitsOf(unguided), defaultsOf(unguided)).settings.guidance).toBe(1);
  });

  it('draws random seeds inside the seed range', () => {
    expect(randomSeed(() => 0)).toBe(0);
    expect(randomSeed(() => 0.999999999)).toBeLessThanOrEqual(2 ** 32 - 1);
  });
});

describe('the settings in a line', () => {
  it('names the class, count and seed, then each family\'s own knobs once', () => {
    const s = { ...DEFAULT_SETTINGS, classIndex: 1, count: 1, seed: 7, steps: 20 };
    expect(describeSettings(s, ['ddpm'], ['normal', 'pneumonia'])).toBe('pneumonia, 1 sample, seed 7; DDIM 20 steps, eta 0, guidance 2');
    expect(describeSettings({ ...s, sampler: 'ddpm', count: 8 }, ['ddpm'], ['normal', 'pneumonia'])).toBe('pneumonia, 8 samples, seed 7; DDPM 20 steps, guidance 2');
    expect(describeSettings({ ...s, temperature: 0.3 }, ['vae', 'ddpm'], ['normal', 'pneumonia']))
      .toBe('pneumonia, 1 sample, seed 7; temperature 0.3; DDIM 20 steps, eta 0, guidance 2');
    expect(describeSettings(s, ['gan'], ['a'])).toBe('class 1, 1 sample, seed 7; no truncation');
    expect(describeSettings({ ...s, topK: 16 }, ['ar'], ['a', 'b'])).toBe('b, 1 sample, seed 7; guidance 2, temperature 1, top-k 16');
  });
});
