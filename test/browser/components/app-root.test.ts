/**
 * The whole page element with the tiny fixture models, on the tfjs CPU backend (`?backend=cpu`:
 * WebGPU on SwiftShader is the end-to-end tests' job, and slow): an address with a model runs it
 * and keeps every control in the address; picking another model, cancelling and presenter mode.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../../../src/components/app-root.js';
import type { AppRoot } from '../../../src/components/app-root.js';
import type { LabOptions } from '../../../src/app/lab-controller.js';
import { GLOSSARY } from '../../../src/lessons/glossary.js';
import { deepAll, settle } from './helpers.js';

const FIXTURES = '/test/fixtures/tiny-models/';
const EXTRA = `extra=${FIXTURES}tiny-ecg-ddpm/,${FIXTURES}tiny-ecg-vae/`;
let original = '';

beforeEach(() => {
  original = location.href;
});
afterEach(() => {
  document.body.replaceChildren();
  history.replaceState(history.state, '', original);
});

async function open(query: string): Promise<AppRoot> {
  history.replaceState(history.state, '', `${location.pathname}${query}`);
  const app = document.createElement('msl-app');
  document.body.append(app);
  return app;
}

async function until(app: AppRoot, states: string[], timeout = 30_000): Promise<string> {
  await expect.poll(() => app.state, { timeout, interval: 20 }).toSatisfy((s: string) => states.includes(s));
  await settle(app);
  return app.state;
}

const byTestId = <E extends Element = HTMLElement>(app: AppRoot, id: string) => deepAll<E>(app.shadowRoot!, `[data-testid="${id}"]`)[0];

/** A field of the form changed, as a person typing and leaving it does. */
function set(app: AppRoot, id: string, value: string): void {
  const field = byTestId<HTMLInputElement>(app, id)!;
  field.value = value;
  field.dispatchEvent(new Event('change'));
}

/**
 * The page with `model` picked (nothing run), its lab playing a device on which every pass and
 * every run reads as `ms` milliseconds (its options are read when a model loads and runs).
 */
async function openTimed(model: string, ms: number): Promise<AppRoot> {
  const app = await open(`?backend=cpu&${EXTRA}`);
  expect(await until(app, ['idle', 'error'])).toBe('idle');
  let clock = 0;
  const options = (app as unknown as { lab: { options: LabOptions } }).lab.options;
  Object.assign(options, { timePass: async (_model: unknown, rows: number) => ({ rows, ms }), now: () => (clock += ms) });
  byTestId(app, `model-card-${model}`)!.querySelector('input')!.click();
  await expect.poll(() => byTestId(app, 'generate'), { timeout: 30_000 }).toBeDefined();
  expect(await until(app, ['idle', 'error'])).toBe('idle');
  return app;
}

describe('the page element', () => {
  it('goes live where runs are quick: a slider dragged regenerates, and the fields stay open', async () => {
    const app = await openTimed('tiny-ecg-vae', 1);
    expect(byTestId(app, 'live-note')).toBeDefined();
    const drag = (value: string) => {
      const slider = byTestId<HTMLInputElement>(app, 'temperature-slider')!;
      slider.value = value;
      slider.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    };
    drag('0.5');
    expect(await until(app, ['done', 'error'])).toBe('done');
    expect(byTestId<HTMLAnchorElement>(app, 'permalink')!.getAttribute('href')).toContain('temperature=0.5');
    drag('1.5');
    await expect.poll(() => byTestId<HTMLAnchorElement>(app, 'permalink')?.getAttribute('href'), { timeout: 30_000 }).toContain('temperature=1.5');
    expect(await until(app, ['done', 'error'])).toBe('done');
    // live runs never lock the fields
    expect(byTestId<HTMLInputElement>(app, 'temperature')!.matches(':disabled')).toBe(false);
    expect(new URLSearchParams(location.search).get('temperature')).toBe('1.5');
  });

  it('runs the model an address names, and writes every control back to the address', async () => {
    const app = await open(`?backend=cpu&model=tiny-ecg-vae&class=V&count=3&seed=5&temperature=0.8&${EXTRA}`);
    expect(await until(app, ['done', 'error'])).toBe('done');
    expect(byTestId(app, 'backend-badge')!.dataset.backend).toBe('cpu');
    const grid = byTestId(app, 'sample-grid')!;
    expect(deepAll(grid.shadowRoot!, 'button')).toHaveLength(3);
    expect(byTestId(app, 'interpolation')).toBeDefined();
    const params = new URLSearchParams(location.search);
    expect(Object.fromEntries(params)).toMatchObject({ backend: 'cpu', model: 'tiny-ecg-vae', class: 'V', count: '3', seed: '5', temperature: '0.8' });
    expect(byTestId(app, 'run-status')!.textContent).toMatch(/Made 3 samples in/);
    expect(byTestId<HTMLAnchorElement>(app, 'permalink')!.getAttribute('href')).toContain('seed=5');
  });

  it('makes the watched sample again from a step: as the run did, then with another seed, and back', async () => {
    // a slow device, so that a changed field waits for Generate (not live)
    const app = await openTimed('tiny-ecg-ddpm', 1000);
    expect(byTestId(app, 'live-note')).toBeUndefined();
    set(app, 'count', '1');
    set(app, 'steps', '3');
    set(app, 'seed', '5');
    byTestId<HTMLButtonElement>(app, 'generate')!.click();
    expect(await until(app, ['done', 'error'])).toBe('done');
    const scrub = async (frame: number) => {
      const scrubber = byTestId<HTMLInputElement>(app, 'scrubber')!;
      scrubber.value = String(frame);
      scrubber.dispatchEvent(new Event('input'));
      await settle(app);
    };
    const rerun = async (says: string) => {
      byTestId<HTMLButtonElement>(app, 'rerun')!.click();
      await expect.poll(() => byTestId(app, 'rerun-note')?.textContent?.replace(/\s+/g, ' ') ?? '', { timeout: 30_000 }).toContain(says);
      await settle(app);
    };
    await scrub(1);
    expect(byTestId<HTMLButtonElement>(app, 'rerun')!.disabled).toBe(false);
    await rerun("After step 2, made again with the run's own settings, so it ends as the run did");
    set(app, 'seed', '9');
    await settle(app);
    expect(app.state).toBe('done');                  // not live here: the run on screen stays
    await scrub(1);
    await rerun("After step 2, made again with seed 9 (the run's: 5)");
    byTestId<HTMLButtonElement>(app, 'rerun-back')!.click();
    await settle(app);
    expect(byTestId(app, 'rerun-note')).toBeUndefined();
  });

  it('switches to a diffusion model, generates with the controls, cancels and presents', async () => {
    const app = await open(`?backend=cpu&${EXTRA}`);
    expect(await until(app, ['idle', 'error'])).toBe('idle');
    byTestId(app, 'model-card-tiny-ecg-ddpm')!.querySelector('input')!.click();
    await expect.poll(() => byTestId(app, 'generate'), { timeout: 30_000 }).toBeDefined();
    expect(await until(app, ['idle', 'error'])).toBe('idle');
    // nothing has run: the progress bar is empty and still (position -1 is the moving, indeterminate bar)
    expect(byTestId(app, 'progress')!.shadowRoot!.querySelector('progress')!.position).toBe(0);
    set(app, 'count', '1');
    set(app, 'steps', '2');
    set(app, 'guidance', '50');
    await settle(app);
    expect(byTestId(app, 'clamp-notes')!.textContent).toContain('Guidance scale: 50 is more than the maximum 10; using 10.');
    expect(new URLSearchParams(location.search).get('guidance')).toBe('10');

    byTestId<HTMLButtonElement>(app, 'generate')!.click();
    expect(await until(app, ['done', 'error'])).toBe('done');
    expect(byTestId(app, 'schedule-chart')).toBeDefined();
    expect(byTestId<HTMLInputElement>(app, 'scrubber')!.max).toBe('2');

    set(app, 'steps', '400');
    byTestId<HTMLButtonElement>(app, 'generate')!.click();
    await expect.poll(() => app.state).toBe('generating');
    byTestId<HTMLButtonElement>(app, 'cancel')!.click();
    expect(await until(app, ['idle', 'done', 'error'])).toBe('idle');
    expect(byTestId(app, 'run-status')!.textContent).toMatch(/^\s*Cancelled after \d+ of 400 steps\.\s*$/);

    const presenter = byTestId<HTMLButtonElement>(app, 'presenter')!;
    expect(presenter.getAttribute('aria-pressed')).toBe('false');
    const unpressed = getComputedStyle(presenter).backgroundColor;
    presenter.click();
    await settle(app);
    expect(app.hasAttribute('presenter')).toBe(true);
    // pressed, for screen readers and to the eye
    expect(presenter.getAttribute('aria-pressed')).toBe('true');
    expect(getComputedStyle(presenter).backgroundColor).not.toBe(unpressed);
    expect(new URLSearchParams(location.search).get('presenter')).toBe('1');
    expect(getComputedStyle(byTestId(app, 'self-check')!).display === 'none' || !byTestId(app, 'self-check')!.checkVisibility()).toBe(true);
    presenter.click();
    await settle(app);
    expect(presenter.getAttribute('aria-pressed')).toBe('false');
    expect(getComputedStyle(presenter).backgroundColor).toBe(unpressed);
  });

  it('generates on Enter, locks the fields while it runs, and runs Generate and the judge one at a time', async () => {
    const app = await open(`?backend=cpu&model=tiny-ecg-ddpm&count=1&steps=2&${EXTRA}`);
    expect(await until(app, ['done', 'error'])).toBe('done');
    const enter = (el: Element) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }));
    const generate = () => byTestId<HTMLButtonElement>(app, 'generate')!;
    const steps = byTestId<HTMLInputElement>(app, 'steps')!;
    steps.value = '400';
    enter(steps);
    await expect.poll(() => app.state).toBe('generating');
    await settle(app);
    expect(new URLSearchParams(location.search).get('steps')).toBe('400');
    // the run's fields cannot change under it, and the judge waits
    expect(['class', 'count', 'seed', 'steps', 'compare'].filter((id) => !byTestId(app, id)!.matches(':disabled'))).toEqual([]);
    expect(generate().disabled).toBe(true);
    expect(byTestId<HTMLButtonElement>(app, 'judge-run')!.disabled).toBe(true);
    byTestId<HTMLButtonElement>(app, 'cancel')!.click();
    expect(await until(app, ['idle', 'done', 'error'])).toBe('idle');
    expect(steps.matches(':disabled')).toBe(false);

    // the judge runs: Generate waits, by the button or by Enter
    byTestId<HTMLButtonElement>(app, 'judge-run')!.click();
    await app.updateComplete;
    expect(generate().disabled).toBe(true);
    expect(byTestId(app, 'generate-waits')!.textContent).toContain('waits for the judge');
    enter(steps);
    await app.updateComplete;
    expect(app.state).toBe('idle');
    await settle(app);
    byTestId<HTMLButtonElement>(app, 'judge-cancel')!.click();
    await expect.poll(() => generate().disabled, { timeout: 30_000 }).toBe(false);
  });

  it('starts a first visit from one button, shows the sample forming, numbers its sections in order, and says where a bad address went wrong', { timeout: 240_000 }, async () => {
    // an evaluator named in the address: the message comes first in its section, above the cards
    const app = await open('?backend=cpu&model=xray-classifier');
    expect(await until(app, ['idle', 'error'])).toBe('idle');
    const problem = byTestId(app, 'problem')!;
    expect(problem.textContent).toContain('"xray-classifier" is an evaluator');
    expect(problem.getBoundingClientRect().bottom).toBeLessThanOrEqual(byTestId(app, 'model-picker')!.getBoundingClientRect().top);
    const headings = () => deepAll(app.shadowRoot!, 'h2').map((h) => h.textContent!.trim()).filter((t) => /^\d+\./.test(t));
    // the training sections need no model
    expect(headings()).toEqual(['1. Pick a model', '2. Hospitals training together', '3. Synthetic data feeding on itself']);

    // the start page's one button: the suggested model at its card's defaults, forming on screen
    byTestId<HTMLButtonElement>(app, 'start-button')!.click();
    await expect.poll(() => byTestId(app, 'forming'), { timeout: 120_000, interval: 50 }).toBeDefined();
    expect(byTestId(app, 'settings')!.dataset.model).toBe('xray-ddpm');
    const forming = deepAll<HTMLCanvasElement>(byTestId(app, 'forming')!, 'canvas')[0]!;
    expect([forming.width, forming.height]).toEqual([28, 28]);
    byTestId<HTMLButtonElement>(app, 'cancel')!.click();
    expect(await until(app, ['idle', 'done', 'error'], 120_000)).toBe('idle');
    expect(byTestId(app, 'start')).toBeUndefined();
    // an estimate from the passes timed here, before the next run
    const estimate = () => Number(byTestId(app, 'estimate')!.dataset.ms);
    expect(byTestId(app, 'estimate')!.textContent).toMatch(/Generate takes (about \d+ (s|min)|under a second) on plain JavaScript here/);
    // plain JavaScript is slow at 8 samples x 50 guided steps: smaller settings are offered, and taken
    const before = estimate();
    byTestId<HTMLButtonElement>(app, 'fewer-steps')!.click();
    await settle(app);
    expect(new URLSearchParams(location.search).get('steps')).toBe(byTestId<HTMLInputElement>(app, 'steps')!.value);
    expect(estimate()).toBeCloseTo((before * Number(byTestId<HTMLInputElement>(app, 'steps')!.value)) / 50, 0);
    // no run finished: no results; the network (folded), every family of the data side by side, a row of values, the game, the judge
    // is section 7, then the training sections
    expect(headings()).toEqual([
      '1. Pick a model', '2. Set up and generate', '3. Inside the network', '4. One seed, a row of values', '5. Every family on this data', '6. Spot the fake',
      '7. Judge the synthetic data', '8. Hospitals training together', '9. Synthetic data feeding on itself',
    ]);
    // every numbered section explains itself one tap away, with a term the glossary has
    const tips = deepAll(app.shadowRoot!, 'h2').filter((h) => /^\d+\./.test(h.textContent!.trim())).map((h) => h.nextElementSibling);
    expect(tips.map((t) => t?.tagName)).toEqual(new Array(9).fill('MSL-EXPLAIN'));
    expect(tips.every((t) => GLOSSARY.some((g) => g.id === t!.getAttribute('term')))).toBe(true);

    // presenter mode opens on the chosen model, not the whole grid
    byTestId<HTMLButtonElement>(app, 'presenter')!.click();
    await settle(app);
    const picker = byTestId(app, 'model-picker')!;
    expect(deepAll(picker.shadowRoot!, '[part="card"]').filter((c) => c.checkVisibility())).toHaveLength(1);
    expect(deepAll(picker.shadowRoot!, '[data-testid="show-all-models"]')).toHaveLength(1);
  });
});
