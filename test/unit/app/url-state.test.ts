import { describe, expect, it } from 'vitest';
import type { GeneratorMethod } from '../../../src/models/card.js';
import { DEFAULT_SETTINGS, type ModelLimits } from '../../../src/pipeline/settings.js';
import { type PageState, isSafeModelFolder, readAddress, resolveState, writeAddress } from '../../../src/app/url-state.js';

const CLASSES = ['normal', 'pneumonia'];
const LIMITS: ModelLimits = { classes: CLASSES, trainingSteps: 1000, guidable: true };

const STATE: PageState = {
  model: 'xray-ddpm',
  extra: [],
  settings: { classIndex: 1, count: 12, seed: 4021, sampler: 'ddpm', steps: 30, eta: 0, guidance: 3.5, temperature: 1, truncation: 0, topK: 0, topP: 1 },
  watch: 3,
  frame: 7,
  selected: 2,
  path: { from: 0, to: 1, mode: 'spherical' },
  compare: false,
  presenter: true,
};

function roundTrip(state: PageState, methods: GeneratorMethod[], current = '') {
  const query = writeAddress(state, methods, CLASSES, current);
  return { query, ...resolveState(readAddress(query), LIMITS, DEFAULT_SETTINGS) };
}

describe('the page state in the address', () => {
  it('round-trips a diffusion model, every control and the seed', () => {
    const { query, state, notes } = roundTrip(STATE, ['ddpm']);
    expect(query).toBe('?model=xray-ddpm&class=pneumonia&count=12&seed=4021&sampler=ddpm&steps=30&eta=0&guidance=3.5'
      + '&watch=3&frame=7&selected=2&presenter=1');
    expect(state).toEqual(STATE);
    expect(notes).toEqual([]);
  });

  it('round-trips a VAE with its temperature and interpolation path, and a compare view', () => {
    const vae: PageState = {
      ...STATE, model: 'xray-vae', frame: null, selected: null, watch: 0, compare: true, presenter: false,
      settings: { ...DEFAULT_SETTINGS, classIndex: 0, seed: 99, temperature: 0.7 },
      path: { from: 2, to: 5, mode: 'linear' },
    };
    const { query, state } = roundTrip(vae, ['vae']);
    expect(query).toBe('?model=xray-vae&class=normal&count=8&seed=99&temperature=0.7&from=2&to=5&path=linear&compare=1');
    expect(state).toEqual(vae);
  });

  it('round-trips a GAN with its truncation and latent walk, and leaves the other families\' knobs out', () => {
    const gan: PageState = {
      ...STATE, model: 'xray-gan', frame: null, selected: 1, watch: 0, presenter: false,
      settings: { ...DEFAULT_SETTINGS, classIndex: 1, seed: 5, truncation: 0.6 },
      path: { from: 0, to: 3, mode: 'spherical' },
    };
    const { query, state } = roundTrip(gan, ['gan']);
    expect(query).toBe('?model=xray-gan&class=pneumonia&count=8&seed=5&truncation=0.6&selected=1&from=0&to=3&path=spherical');
    expect(state).toEqual(gan);
  });

  it('writes both methods\' settings when comparing', () => {
    const query = writeAddress({ ...STATE, compare: true }, ['ddpm', 'vae'], CLASSES);
    for (const name of ['sampler=', 'steps=', 'guidance=', 'temperature=', 'from=', 'compare=1']) expect(query).toContain(name);
  });

  it('keeps ?backend= and other parameters it does not own, and replaces its own', () => {
    const query = writeAddress(STATE, ['ddpm'], CLASSES, '?backend=wasm&seed=1&utm=x');
    const params = new URLSearchParams(query);
    expect(params.get('backend')).toBe('wasm');
    expect(params.get('utm')).toBe('x');
    expect(params.getAll('seed')).toEqual(['4021']);
  });

  it('writes nothing but kept parameters before a model is chosen', () => {
    const none: PageState = { ...STATE, model: null, presenter: false };
    expect(writeAddress(none, [], CLASSES, '')).toBe('');
    expect(writeAddress(none, [], CLASSES, '?backend=webgl')).toBe('?backend=webgl');
  });

  it('clamps what a hand-edited address gets wrong, with notes, and never throws', () => {
    const { state, notes } = resolveState(
      readAddress('?model=m&class=bogus&count=500&seed=abc&steps=0&eta=7&watch=99&frame=9999&selected=-4&from=77&path=zigzag'),
      LIMITS,
      DEFAULT_SETTINGS,
    );
    expect(state.settings).toMatchObject({ classIndex: 0, count: 64, seed: DEFAULT_SETTINGS.seed, steps: 1, eta: 1 });
    expect(state.watch).toBe(63);
    expect(state.frame).toBe(1);
    expect(state.selected).toBe(0);
    expect(state.path).toEqual({ from: 63, to: 1, mode: 'spherical' });
    expect(notes.map((n) => n.field)).toEqual(['classIndex', 'count', 'seed', 'steps', 'eta']);
  });

  it('reads presenter and compare flags in the usual spellings', () => {
    expect(readAddress('?presenter').presenter).toBe(true);
    expect(readAddress('?presenter=true&compare=yes')).toMatchObject({ presenter: true, compare: true });
    expect(readAddress('?presenter=0&compare=off')).toMatchObject({ presenter: false, compare: false });
  });

  it('offers extra model folders of this site only', () => {
    expect(readAddress('?extra=test-models/a/,/models/b/').extra).toEqual(['test-models/a/', '/models/b/']);
    for (const ok of ['models/x/', '/a/b-c/', 'test-models/tiny.v2/']) expect(isSafeModelFolder(ok), ok).toBe(true);
    for (const bad of ['https://evil.example/m/', '//evil.example/m/', '../secret/', 'a/../../b/', 'models/x', 'javascript:alert(1)/']) {
      expect(isSafeModelFolder(bad), bad).toBe(false);
    }
    const { state } = resolveState(readAddress('?extra=ok/,https://evil.example/m/'), LIMITS, DEFAULT_SETTINGS);
    expect(state.extra).toEqual(['ok/']);
  });
});
