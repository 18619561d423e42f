import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import '../../../src/components/interpolation-strip.js';
import type { InterpolationStrip, PathChangeEvent } from '../../../src/components/interpolation-strip.js';
import '../../../src/components/model-picker.js';
import type { ModelPicker, ModelSelectEvent } from '../../../src/components/model-picker.js';
import '../../../src/components/sample-controls.js';
import type { NewSeedEvent, SampleControls, SettingChangeEvent } from '../../../src/components/sample-controls.js';
import '../../../src/components/progress-bar.js';
import type { ProgressBar } from '../../../src/components/progress-bar.js';
import { DEFAULT_SETTINGS, RANGES } from '../../../src/pipeline/settings.js';
import type { CatalogueEntry } from '../../../src/models/catalogue.js';
import { mount, nextEvent, rgbChannels, settle } from './helpers.js';

afterEach(() => document.body.replaceChildren());

const MODELS: CatalogueEntry[] = [
  { id: 'xray-ddpm', name: 'Chest X-ray DDPM', modality: 'chest X-ray', method: 'ddpm', dataset: 'pneumoniamnist', classes: ['normal', 'pneumonia'], path: 'models/xray-ddpm/', bytes: 1_340_000, licence: 'CC BY 4.0' },
  { id: 'ecg-vae', name: 'ECG VAE', modality: 'ECG', method: 'vae', dataset: 'mitbih', classes: ['N', 'S', 'V', 'F', 'Q'], path: 'models/ecg-vae/', bytes: 90_000, licence: 'ODC-By 1.0' },
];

describe('the model picker', () => {
  it('shows a card per model with modality, method, data, licence and size', async () => {
    const picker = await mount<ModelPicker>('msl-model-picker', { models: MODELS, selected: 'ecg-vae' });
    const card = picker.shadowRoot!.querySelector('[data-testid="model-card-xray-ddpm"]')!;
    const text = card.textContent!.replace(/\s+/g, ' ');
    for (const fact of ['Chest X-ray DDPM', 'Diffusion (DDPM)', 'chest X-ray', 'PneumoniaMNIST', 'CC BY 4.0', '1.3 MB']) expect(text).toContain(fact);
    const radios = picker.shadowRoot!.querySelectorAll('input[type="radio"]');
    expect([...radios].map((r) => (r as HTMLInputElement).checked)).toEqual([false, true]);
  });

  it("shows each model's thumbnail, images with crisp pixels, at the size given", async () => {
    // a 2x2 RGB PNG (red, green / blue, white), as a data URL
    const colours = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR42mP4z8DA8J+BkYHh////DAAe9gT9CzF8CQAAAABJRU5ErkJggg==';
    const models: CatalogueEntry[] = [
      { ...MODELS[0]!, thumbnail: { src: colours, width: 114, height: 114, pixelated: true } },
      { ...MODELS[1]!, thumbnail: { src: colours, width: 129, height: 129, pixelated: false } },
      { ...MODELS[0]!, id: 'other', name: 'No thumbnail' },
    ];
    // a desktop: a phone halves them (model-picker.test.ts)
    await page.viewport(1200, 800);
    const picker = await mount<ModelPicker>('msl-model-picker', { models });
    const images = [...picker.shadowRoot!.querySelectorAll<HTMLImageElement>('img[data-testid="thumbnail"]')];
    expect(images).toHaveLength(2);
    await Promise.all(images.map((img) => img.decode()));
    expect(images.map((img) => img.getBoundingClientRect().width)).toEqual([114, 129]);
    await page.viewport(414, 896);
    expect(images.map((img) => getComputedStyle(img).imageRendering)).toEqual(['pixelated', 'auto']);
    expect(images[0]!.alt).toBe('Samples made by Chest X-ray DDPM');
    expect(picker.shadowRoot!.querySelector('.hint')!.textContent).toContain('four samples the model made itself');
    // the radio's name stays the model's name
    const radio = picker.shadowRoot!.querySelector<HTMLInputElement>('[data-testid="model-card-xray-ddpm"] input')!;
    expect(picker.shadowRoot!.getElementById(radio.getAttribute('aria-labelledby')!)!.textContent).toBe('Chest X-ray DDPM');
  });

  it('asks for the model picked, by pointer or keyboard', async () => {
    const picker = await mount<ModelPicker>('msl-model-picker', { models: MODELS, selected: null });
    const picked = nextEvent<ModelSelectEvent>(picker, 'msl-model-select');
    picker.shadowRoot!.querySelector<HTMLElement>('[data-testid="model-card-ecg-vae"]')!.click();
    expect((await picked).detail.id).toBe('ecg-vae');
  });

  it('says so when no model is shipped', async () => {
    const picker = await mount<ModelPicker>('msl-model-picker', { models: [] });
    expect(picker.shadowRoot!.textContent).toContain('No generative models are shipped');
  });
});

describe('the sample controls', () => {
  const field = (el: SampleControls, id: string) => el.shadowRoot!.querySelector<HTMLInputElement>(`[data-testid="${id}"]`);

  it("shows a diffusion model's knobs, or a VAE's", async () => {
    const el = await mount<SampleControls>('msl-sample-controls', { settings: DEFAULT_SETTINGS, classes: ['normal', 'pneumonia'], methods: ['ddpm'] });
    for (const id of ['class', 'count', 'seed', 'sampler', 'steps', 'eta', 'guidance']) expect(field(el, id), id).not.toBeNull();
    expect(field(el, 'temperature')).toBeNull();
    el.methods = ['vae'];
    await el.updateComplete;
    expect(field(el, 'temperature')).not.toBeNull();
    expect(field(el, 'steps')).toBeNull();
    el.methods = ['ddpm'];
    el.settings = { ...DEFAULT_SETTINGS, sampler: 'ddpm' };
    await el.updateComplete;
    expect(field(el, 'eta'), 'eta is a DDIM knob').toBeNull();
  });

  it("shows a GAN's truncation, saying what 0 and a bound mean, and hands on a new bound", async () => {
    const el = await mount<SampleControls>('msl-sample-controls', { settings: DEFAULT_SETTINGS, classes: ['normal', 'pneumonia'], methods: ['gan'] });
    const truncation = field(el, 'truncation')!;
    expect([field(el, 'temperature'), field(el, 'steps')]).toEqual([null, null]);
    expect(truncation.labels?.[0]?.textContent).toBe('Truncation');
    expect([truncation.value, truncation.min, truncation.max]).toEqual(['0', '0', '3']);
    const hint = () => el.shadowRoot!.getElementById('hint-truncation')!.textContent;
    expect(hint()).toBe('0: z not truncated (full variety)');
    el.settings = { ...DEFAULT_SETTINGS, truncation: 0.7 };
    await el.updateComplete;
    expect(hint()).toBe('z cut to ±0.7: smaller is more typical, less varied');
    truncation.value = '0.4';
    const changed = nextEvent<SettingChangeEvent>(el, 'msl-setting-change');
    truncation.dispatchEvent(new Event('change'));
    expect((await changed).detail).toEqual({ field: 'truncation', value: '0.4', live: false });
  });

  it("shows a transformer's token sampling, without a second guidance field beside diffusion's", async () => {
    const el = await mount<SampleControls>('msl-sample-controls', { settings: { ...DEFAULT_SETTINGS, guidance: 2, topK: 0, topP: 1 }, classes: ['N', 'V'], methods: ['ar'] });
    expect(['guidance', 'temperature', 'topK', 'topP'].map((f) => field(el, f)?.labels?.[0]?.textContent)).toEqual(['Guidance scale', 'Temperature', 'Top-k', 'Top-p']);
    expect([field(el, 'truncation'), field(el, 'steps')]).toEqual([null, null]);
    const hint = (f: string) => el.shadowRoot!.getElementById(`hint-${f}`)!.textContent;
    expect([hint('topK'), hint('topP')]).toEqual(['0: every code', '1: every code']);
    el.settings = { ...DEFAULT_SETTINGS, topK: 40, topP: 0.9 };
    await el.updateComplete;
    expect([hint('topK'), hint('topP')]).toEqual(['only the 40 likeliest codes', 'the likeliest codes up to 0.9 of the probability']);
    const topK = field(el, 'topK')!;
    topK.value = '5';
    const changed = nextEvent<SettingChangeEvent>(el, 'msl-setting-change');
    topK.dispatchEvent(new Event('change'));
    expect((await changed).detail).toEqual({ field: 'topK', value: '5', live: false });
    // beside a diffusion model (a compare), one guidance field serves both
    el.methods = ['ar', 'ddpm'];
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('#field-guidance')).toHaveLength(1);
    expect(field(el, 'topK')).not.toBeNull();
  });

  it('hands on what was typed, shows the clamping notes, and shows the clamped value', async () => {
    const el = await mount<SampleControls>('msl-sample-controls', { settings: DEFAULT_SETTINGS, classes: ['a'], methods: ['ddpm'] });
    const count = field(el, 'count')!;
    expect(count.labels?.[0]?.textContent).toBe('Samples');
    count.value = '100';
    const changed = nextEvent<SettingChangeEvent>(el, 'msl-setting-change');
    count.dispatchEvent(new Event('change'));
    expect((await changed).detail).toEqual({ field: 'count', value: '100', live: false });
    // the page clamps to 64 and hands the settings back
    el.settings = { ...DEFAULT_SETTINGS, count: 64 };
    el.notes = [{ field: 'count', message: 'Samples: 100 is more than the maximum 64; using 64.' }];
    await el.updateComplete;
    expect(count.value).toBe('64');
    expect(el.shadowRoot!.querySelector('[data-testid="clamp-notes"]')!.textContent).toContain('using 64');
    // typed again past the limit: the same clamped settings still reset the field
    count.value = '99';
    el.settings = { ...DEFAULT_SETTINGS, count: 64 };
    await el.updateComplete;
    expect(count.value).toBe('64');
  });

  it('generates on Enter in any field, handing the number typed on first', async () => {
    const el = await mount<SampleControls>('msl-sample-controls', { settings: DEFAULT_SETTINGS, classes: ['a', 'b'], methods: ['ddpm'] });
    const seen: string[] = [];
    el.addEventListener('msl-setting-change', (e) => seen.push(`${e.detail.field}=${e.detail.value}`));
    el.addEventListener('msl-generate', () => seen.push('generate'));
    const enter = (target: Element) => target.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }));
    const count = field(el, 'count')!;
    count.value = '5';
    enter(count);
    expect(seen).toEqual(['count=5', 'generate']);
    seen.length = 0;
    for (const id of ['class', 'seed', 'sampler', 'steps', 'eta', 'guidance']) enter(field(el, id)!);
    expect(seen.filter((s) => s === 'generate')).toHaveLength(6);
    expect(seen.filter((s) => s !== 'generate')).toEqual([`seed=${DEFAULT_SETTINGS.seed}`, `steps=${DEFAULT_SETTINGS.steps}`, `eta=${DEFAULT_SETTINGS.eta}`, `guidance=${DEFAULT_SETTINGS.guidance}`]);
    // not a button's Enter (that presses it), nor another key
    seen.length = 0;
    enter(field(el, 'new-seed')!);
    count.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true, composed: true }));
    expect(seen).toEqual([]);
  });

  it('locks every field while a run is in flight, Enter included', async () => {
    const el = await mount<SampleControls>('msl-sample-controls', { settings: DEFAULT_SETTINGS, classes: ['a', 'b'], methods: ['ddpm', 'vae'], disabled: true });
    const ids = ['class', 'count', 'seed', 'new-seed', 'sampler', 'steps', 'eta', 'guidance', 'temperature'];
    expect(ids.filter((id) => !field(el, id)!.matches(':disabled'))).toEqual([]);
    let asked = 0;
    el.addEventListener('msl-generate', () => asked++);
    field(el, 'count')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    expect(asked).toBe(0);
    el.disabled = false;
    await el.updateComplete;
    expect(ids.filter((id) => field(el, id)!.matches(':disabled'))).toEqual([]);
  });

  it('asks for a new seed', async () => {
    const el = await mount<SampleControls>('msl-sample-controls', { settings: DEFAULT_SETTINGS, classes: ['a'], methods: ['vae'] });
    const asked = nextEvent<NewSeedEvent>(el, 'msl-new-seed');
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="new-seed"]')!.click();
    expect((await asked).live).toBe(false);
  });

  it('live (runs take a tenth of a second here): sliders, and every value handed on as it moves', async () => {
    const el = await mount<SampleControls>('msl-sample-controls', { settings: DEFAULT_SETTINGS, classes: ['a', 'b'], methods: ['ddpm'] });
    const seen: { field: string; value: string; live: boolean }[] = [];
    el.addEventListener('msl-setting-change', (e) => seen.push((e as SettingChangeEvent).detail));
    const move = (input: HTMLInputElement, value: string) => {
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    };
    // not live: no sliders, and a value moving is not handed on until it is committed
    expect(field(el, 'guidance-slider')).toBeNull();
    expect(field(el, 'live-note')).toBeNull();
    move(field(el, 'guidance') as HTMLInputElement, '4');
    expect(seen).toEqual([]);

    el.live = true;
    await el.updateComplete;
    expect(field(el, 'live-note')!.textContent).toContain('samples change as you change a value');
    expect(['steps', 'eta', 'guidance'].filter((id) => field(el, `${id}-slider`) === null)).toEqual([]);
    const slider = field(el, 'guidance-slider') as HTMLInputElement;
    expect([slider.min, slider.max, slider.step, slider.value]).toEqual(['0', String(RANGES.guidance.max), '0.5', String(DEFAULT_SETTINGS.guidance)]);
    move(slider, '3.5');
    move(field(el, 'eta') as HTMLInputElement, '0.3');
    // half-typed or out of range: waits for the change event, which the page clamps
    move(field(el, 'steps') as HTMLInputElement, '');
    move(field(el, 'steps') as HTMLInputElement, '-4');
    expect(seen).toEqual([{ field: 'guidance', value: '3.5', live: true }, { field: 'eta', value: '0.3', live: true }]);
    // a menu's choice regenerates; a field's change of the value it already handed on does not again
    seen.length = 0;
    const sampler = field(el, 'sampler') as unknown as HTMLSelectElement;
    sampler.value = 'ddpm';
    sampler.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
    const count = field(el, 'count') as HTMLInputElement;
    count.value = String(DEFAULT_SETTINGS.count);
    count.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
    expect(seen).toEqual([{ field: 'sampler', value: 'ddpm', live: true }, { field: 'count', value: String(DEFAULT_SETTINGS.count), live: false }]);
    const asked = nextEvent<NewSeedEvent>(el, 'msl-new-seed');
    (field(el, 'new-seed') as unknown as HTMLButtonElement).click();
    expect((await asked).live).toBe(true);
  });
});

describe('the progress bar', () => {
  const bar = (el: ProgressBar) => el.shadowRoot!.querySelector('progress')!;

  it('is empty and still until something runs, indeterminate while the amount is unknown, then counts', async () => {
    const el = await mount<ProgressBar>('msl-progress', { label: 'Last run', idle: true, detail: 'not run yet' });
    // position -1 is the moving, indeterminate bar
    expect(bar(el).position).toBe(0);
    el.idle = false;
    await el.updateComplete;
    expect(bar(el).position).toBe(-1);
    el.max = 4;
    el.value = 1;
    await el.updateComplete;
    expect(bar(el).position).toBe(0.25);
  });
});

describe('the interpolation strip', () => {
  it('lays the decoded path out from one end to the other and asks for other ends', async () => {
    const samples = Array.from({ length: 8 }, (_, i) => new Float32Array(4).fill(i * 30));
    const el = await mount<InterpolationStrip>('msl-interpolation-strip', { samples, shape: [2, 2, 1], count: 4, path: { from: 0, to: 3, mode: 'linear' } });
    const labels = [...el.shadowRoot!.querySelectorAll('li span')].map((s) => s.textContent);
    expect(labels).toEqual(['sample 1', '14%', '29%', '43%', '57%', '71%', '86%', 'sample 4']);
    const [from, , mode] = el.shadowRoot!.querySelectorAll('select');
    const asked = nextEvent<PathChangeEvent>(el, 'msl-path-change');
    from!.value = '2';
    from!.dispatchEvent(new Event('change'));
    expect((await asked).detail).toEqual({ from: 2, to: 3, mode: 'linear' });
    expect(mode!.value).toBe('linear');
  });

  it('draws an RGB path in colour', async () => {
    const samples = Array.from({ length: 8 }, (_, i) => Float32Array.of(i * 30, 255 - i * 30, 100, 0, 0, 0, 1, 2, 3, 250, 250, 0));
    const el = await mount<InterpolationStrip>('msl-interpolation-strip', { samples, shape: [2, 2, 3], count: 2 });
    await settle(el);
    const canvases = [...el.shadowRoot!.querySelectorAll('msl-sample-view')].map((v) => v.shadowRoot!.querySelector('canvas')!);
    expect(canvases.map((c) => rgbChannels(c))).toEqual(samples.map((s) => [...s]));
  });
});
