/**
 * The family comparison's view: one column per family with its samples drawn, the cost measured,
 * the evaluator's count beside real data's rate, and the card's distance as a ratio; the run and
 * cancel buttons, and why a run cannot start now.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FamilyRow } from '../../../src/app/family-compare.js';
import '../../../src/components/family-compare.js';
import type { FamilyCompareView } from '../../../src/components/family-compare.js';
import type { CardFigures } from '../../../src/judge/view.js';
import { deepAll, mount, nextEvent, redChannel, settle } from './helpers.js';

afterEach(() => document.body.replaceChildren());

const card = (frechet: number, real: number): CardFigures => ({
  samplesPerClass: 200, frechetGenerated: null, frechetReal: null, classifiedAsRequested: null,
  realHeldOutClassifiedAsLabelled: { normal: 0.69, pneumonia: 1 }, memorisationFraction: 0, memorisationMedianGenerated: 4.1,
  memorisationMedianHeldOut: 4.3, membership: null, surround: null,
  independent: { extractor: 'features-grey28', frechetGenerated: frechet, frechetReal: real, infinityGenerated: null, infinityReal: null,
    frechetIntervalGenerated: null, frechetIntervalReal: null, n: 400 },
});

const image = (level: number) => new Float32Array(28 * 28).map((_, i) => (i % 28 < 14 ? level : 255 - level));
const row = (method: 'ddpm' | 'vae' | 'gan' | 'ar', patch: Partial<FamilyRow>): FamilyRow => ({
  model: { id: `xray-${method}`, name: `X-ray ${method}`, modality: '', method, dataset: 'pneumoniamnist', classes: ['normal', 'pneumonia'],
    path: '', bytes: 1, licence: '' },
  method, status: 'done', samples: [image(40), image(90)], shape: [28, 28, 1], sampleRateHz: 360, how: '',
  msPerSample: 12.5, passesPerSample: 1, recognised: { hits: 2, of: 2 }, nearest: null, card: card(10.2, 7.59), ...patch,
});

describe('the family comparison', () => {
  it('lays out each family with its samples, cost, recognition and distance', async () => {
    const view = await mount<FamilyCompareView>('msl-family-compare', {
      rows: [
        row('ddpm', { how: 'DDIM 50 steps, eta 1, guidance 2', msPerSample: 2400, passesPerSample: 100 }),
        row('vae', { how: 'temperature 1', recognised: { hits: 1, of: 2 } }),
        row('gan', { how: 'no truncation', card: card(8.73, 7.59), nearest: { generated: 3.456, heldOut: 4.02, train: 4708 } }),
        row('ar', { how: 'guidance 1, temperature 1', msPerSample: 24_000, passesPerSample: 49 }),
      ],
      status: 'done', className: 'normal', families: 4,
    });
    await settle(view.shadowRoot!);
    const text = (id: string) => view.shadowRoot!.querySelector(`[data-testid="${id}"]`)!.textContent!.replace(/\s+/g, ' ');
    expect(text('family-ddpm')).toContain('Diffusion (DDPM): X-ray ddpm');
    expect(text('family-ddpm')).toContain('here DDIM 50 steps, eta 1, guidance 2');
    expect(text('family-ddpm-figures')).toContain('Time here2.4 s per sample');
    expect(text('family-ddpm-figures')).toContain('Network passes100 per sample');
    expect(text('family-vae-figures')).toContain('Seen as normal1 of 2 (evaluator); real held-out: 69%');
    expect(text('family-gan-figures')).toContain('Distance to real1.2× real-vs-real (card: Frechet 8.73 against 7.59 in features-grey28, 400 a side)');
    expect(text('family-vae-figures')).toContain('median 4.10 (real held-out: 4.30; card)');
    expect(text('family-gan-figures')).toContain('median 3.46 (real held-out normal: 4.02), among 4,708 training samples');
    // each family says how it makes a sample, then how it was set here
    expect(text('family-ar')).toContain('codes drawn one at a time, each given those before it');
    expect(text('family-ar')).toContain('usual failing; here guidance 1, temperature 1.');
    expect(text('family-ar-figures')).toContain('Network passes49 per sample');
    expect(text('family-status')).toBe('Ran 4 of 4 families.');
    // every family's samples drawn: both halves of each image, the level asked for
    for (const method of ['ddpm', 'vae', 'gan', 'ar']) {
      const grid = view.shadowRoot!.querySelector(`[data-testid="family-${method}-grid"]`)!;
      const canvases = deepAll<HTMLCanvasElement>(grid.shadowRoot!, 'canvas');
      expect(canvases.length, method).toBeGreaterThanOrEqual(2);
      const red = redChannel(canvases[0]!);
      expect([red[0], red[20]]).toEqual([40, 215]);
    }
  });

  it('asks for a run and a cancel, says what it is doing, and why it cannot start', async () => {
    const view = await mount<FamilyCompareView>('msl-family-compare', {
      rows: [row('ddpm', { status: 'running', samples: [], msPerSample: null }), row('gan', { status: 'waiting', samples: [] })],
      status: 'running', className: 'pneumonia', families: 2,
    });
    const button = (id: string) => view.shadowRoot!.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`)!;
    const status = () => view.shadowRoot!.querySelector('[data-testid="family-status"]')!.textContent;
    expect(status()).toBe('Running the Diffusion (DDPM)…');
    expect([button('family-run').disabled, button('family-cancel').disabled]).toEqual([true, false]);
    const cancel = nextEvent(view, 'msl-family-cancel');
    button('family-cancel').click();
    await cancel;
    view.status = 'idle';
    view.rows = [];
    view.disabled = true;
    view.reason = 'Wait for the run above to finish.';
    await view.updateComplete;
    expect(button('family-run').disabled).toBe(true);
    expect(status()).toBe('Wait for the run above to finish.');
    view.disabled = false;
    await view.updateComplete;
    const run = nextEvent(view, 'msl-family-run');
    button('family-run').click();
    await run;
    view.rows = [row('vae', { status: 'error', samples: [], message: 'VAE: the weights are not the published file' })];
    view.status = 'done';
    await view.updateComplete;
    expect(view.shadowRoot!.querySelector('[role="alert"]')!.textContent).toBe('VAE: the weights are not the published file');
    expect(status()).toBe('Ran 0 of 1 families.');
  });
});
