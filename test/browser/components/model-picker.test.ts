import { afterEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import '../../../src/components/model-picker.js';
import { type ModelPicker, type ModelSelectEvent, SETTLE_MS } from '../../../src/components/model-picker.js';
import { type CatalogueEntry, isGenerator } from '../../../src/models/catalogue.js';
import { SHIPPED_MODELS } from '../../../src/models/registry.js';
import { mount } from './helpers.js';

afterEach(() => document.body.replaceChildren());

/** A generator whose one sample costs `passes` passes over `length` positions: the order sorts by it. */
const model = (id: string, method: 'ddpm' | 'vae', passes: number, length = 256): CatalogueEntry => ({
  id, name: id, modality: 'ECG', method, dataset: 'mitbih', classes: ['N'], path: `models/${id}/`, bytes: 1000, licence: 'x',
  inputShape: [length, 1], passesPerSample: passes,
});
// in registry order; fastest first is a, b, c, d
const MODELS = [model('d', 'ddpm', 100, 1024), model('a', 'vae', 1), model('c', 'ddpm', 100), model('b', 'vae', 1, 512)];

const cardIds = (picker: ModelPicker) =>
  [...picker.shadowRoot!.querySelectorAll('[part="card"]')].map((c) => c.getAttribute('data-testid')!.replace('model-card-', ''));
const radio = (picker: ModelPicker, id: string) => picker.shadowRoot!.querySelector<HTMLInputElement>(`[data-testid="model-card-${id}"] input`)!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every msl-model-select the picker fires, by model id. */
function selections(picker: ModelPicker): string[] {
  const ids: string[] = [];
  picker.addEventListener('msl-model-select', (e: ModelSelectEvent) => ids.push(e.detail.id));
  return ids;
}

describe('the model picker', () => {
  it('loads the card the arrow keys rest on, not every card they pass', async () => {
    const picker = await mount<ModelPicker>('msl-model-picker', { models: MODELS, selected: 'a' });
    const picked = selections(picker);
    radio(picker, 'a').focus();
    await userEvent.keyboard('{ArrowRight}{ArrowRight}{ArrowRight}');
    await picker.updateComplete;
    expect(picked, 'nothing while the keys move').toEqual([]);
    // the radio group follows the keys at once
    expect(radio(picker, 'd').checked).toBe(true);
    expect(picker.shadowRoot!.querySelector('.chosen')!.getAttribute('data-testid')).toBe('model-card-d');
    await sleep(SETTLE_MS + 300);
    expect(picked).toEqual(['d']);
  });

  it('loads at once on Enter after the arrows, or on a click; nothing when the arrows come back', async () => {
    const picker = await mount<ModelPicker>('msl-model-picker', { models: MODELS, selected: 'a' });
    const picked = selections(picker);
    radio(picker, 'a').focus();
    await userEvent.keyboard('{ArrowRight}{Enter}');
    expect(picked).toEqual(['b']);
    picker.selected = 'b';
    await picker.updateComplete;
    await userEvent.keyboard('{ArrowRight}{ArrowLeft}');
    await sleep(SETTLE_MS + 300);
    expect(picked, 'back on the chosen model').toEqual(['b']);
    picker.shadowRoot!.querySelector<HTMLElement>('[data-testid="model-card-c"]')!.click();
    expect(picked).toEqual(['b', 'c']);
  });

  it('offers the fastest first and badges the suggested start', async () => {
    const picker = await mount<ModelPicker>('msl-model-picker', { models: MODELS, suggested: 'c' });
    expect(cardIds(picker)).toEqual(['a', 'b', 'c', 'd']);
    expect(picker.shadowRoot!.querySelector('.hint')!.textContent).toContain('Fastest first.');
    const badges = [...picker.shadowRoot!.querySelectorAll('[data-testid="suggested"]')];
    expect(badges.map((b) => b.closest('[part="card"]')!.getAttribute('data-testid'))).toEqual(['model-card-c']);
    expect(badges[0]!.textContent).toBe('Suggested start');
    expect(radio(picker, 'c').getAttribute('aria-describedby')).toContain(badges[0]!.id);
  });

  it('is one short row of small cards on a phone, with the facts on a desktop', async () => {
    await page.viewport(375, 800);
    try {
      const picker = await mount<ModelPicker>('msl-model-picker', { models: [...SHIPPED_MODELS], selected: null });
      expect(picker.getBoundingClientRect().height).toBeLessThan(400);
      expect(picker.shadowRoot!.querySelector('dl')!.checkVisibility()).toBe(false);
      await page.viewport(1200, 800);
      expect(picker.shadowRoot!.querySelector('dl')!.checkVisibility()).toBe(true);
      expect(picker.getBoundingClientRect().height).toBeGreaterThan(400);
    } finally {
      await page.viewport(414, 896);
    }
  });

  it('shows the chosen card alone when collapsed, and all of them on request', async () => {
    const models = SHIPPED_MODELS.filter(isGenerator);
    const picker = await mount<ModelPicker>('msl-model-picker', { models, selected: 'xray-ddpm', collapsed: true });
    expect(cardIds(picker)).toEqual(['xray-ddpm']);
    const showAll = picker.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="show-all-models"]')!;
    expect(showAll.textContent).toBe(`Show all ${models.length} models`);
    showAll.click();
    await picker.updateComplete;
    expect(cardIds(picker)).toHaveLength(models.length);
    expect(picker.shadowRoot!.querySelector('[data-testid="show-all-models"]')).toBeNull();
    // a new choice folds the cards again
    picker.selected = 'ecg-vae';
    await picker.updateComplete;
    expect(cardIds(picker)).toEqual(['ecg-vae']);
    // nothing chosen yet: every card
    picker.selected = null;
    await picker.updateComplete;
    expect(cardIds(picker)).toHaveLength(models.length);
  });
});
