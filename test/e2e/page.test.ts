/**
 * The demo page, built and served from a sub-path, driven in headless Chromium on WebGPU: pick a
 * model, generate, check that the canvases hold samples (not blank, not the starting noise), open
 * the permalink in a fresh page and get the same pixels, cancel a run mid-way, compare the VAE and
 * the diffusion model, and check the main views with axe-core. Screenshots of the main views go to
 * docs/screenshots/.
 *
 * It runs on the shipped generators (models/), each diffusion model side by side with the VAE of
 * the same data; while no diffusion model is shipped, the tiny random-weight fixtures of
 * test/fixtures/tiny-models stand in, offered to the page through its `extra=` parameter.
 * SwiftShader is slow, so every run is one sample, and diffusion takes 2 steps.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { serveStatic } from '../../scripts/static-server.mjs';
import { SHIPPED_MODELS } from '../../src/models/registry.js';
import { launch, openWatched } from './page.js';

const siteDir = inject('siteDir');
const SUB_PATH = '/workshops/medsynth/';
const SHOTS = resolve('docs/screenshots');
const AXE = resolve('node_modules/axe-core/axe.min.js');

interface Generator {
  id: string;
  method: string;
  dataset: string;
}

const shipped: Generator[] = SHIPPED_MODELS.filter((m) => m.method === 'ddpm' || m.method === 'vae');
/** Without a shipped diffusion model, the tiny fixtures stand in, offered through the page's `extra=`. */
const FIXTURE_IDS = shipped.some((m) => m.method === 'ddpm') ? [] : ['tiny-xray-ddpm', 'tiny-xray-vae'];
const fixtures: Generator[] = FIXTURE_IDS.map((id) => JSON.parse(readFileSync(`test/fixtures/tiny-models/${id}/card.json`, 'utf8')) as Generator);
/** The models under test, in the page's catalogue order: shipped first. */
const MODELS = [...shipped, ...fixtures];
const EXTRA = FIXTURE_IDS.length ? `extra=${FIXTURE_IDS.map((id) => `test-models/${id}/`).join(',')}` : '';
if (FIXTURE_IDS.length) {
  console.log(`e2e page: no diffusion model is shipped in models/ yet; adding the fixtures ${FIXTURE_IDS.join(', ')}`);
}
const IMAGE_DATASETS = ['pneumoniamnist'];

type State = 'loading' | 'idle' | 'generating' | 'done' | 'error';

async function waitForState(page: Page, states: State[], timeout = 120_000): Promise<State> {
  await page.waitForFunction(
    (wanted: string[]) => wanted.includes(document.querySelector('msl-app')?.getAttribute('state') ?? ''),
    states,
    { timeout },
  );
  return (await page.locator('msl-app').getAttribute('state')) as State;
}

/** Picks a model card and waits until that model is loaded. */
async function pick(page: Page, id: string): Promise<void> {
  await page.getByTestId(`model-card-${id}`).click();
  const loaded = page.locator(`[data-testid="settings"][data-model="${id}"]`);
  await loaded.or(page.getByTestId('load-error')).waitFor({ timeout: 150_000 });
  expect(await page.getByTestId('load-error').allInnerTexts()).toEqual([]);
  expect(await waitForState(page, ['idle', 'done', 'error'])).not.toBe('error');
}

async function setField(page: Page, testId: string, value: string): Promise<void> {
  const field = page.getByTestId(testId);
  if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
  else await field.fill(value); // fill + change event as a person typing and leaving the field
  await field.dispatchEvent('change');
}

interface CanvasDigest {
  width: number;
  height: number;
  hash: number;
  /** Distinct grey levels (images) and near-black pixels (the ECG trace). */
  levels: number;
  dark: number;
}

/** A digest of every canvas under `scope`, in document order (shadow roots included). */
async function digests(scope: Locator): Promise<CanvasDigest[]> {
  return scope.locator('canvas').evaluateAll((canvases) =>
    (canvases as HTMLCanvasElement[]).map((c) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let hash = 2166136261;
      const levels = new Set<number>();
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) {
        for (let k = 0; k < 4; k++) hash = Math.imul(hash ^ data[i + k]!, 16777619);
        levels.add(data[i]!);
        if (data[i]! < 60 && data[i + 1]! < 60) dark += 1;
      }
      return { width: c.width, height: c.height, hash: hash >>> 0, levels: levels.size, dark };
    }),
  );
}

function expectSamples(canvases: CanvasDigest[], image: boolean): void {
  expect(canvases.length).toBeGreaterThan(0);
  for (const c of canvases) {
    if (image) expect(c.levels, 'an image of one grey level is blank').toBeGreaterThan(1);
    else expect(c.dark, 'an ECG chart without a trace is blank').toBeGreaterThan(0);
  }
}

/** Serious and critical axe-core violations on the page as it is now, as readable lines. */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`);
}

/** Generates with the settings on the page and returns the digests of the synthetic grid. */
async function generate(page: Page): Promise<CanvasDigest[]> {
  await page.getByTestId('generate').click();
  expect(await waitForState(page, ['done', 'error'])).toBe('done');
  return digests(page.getByTestId('sample-grid'));
}

/**
 * What one test covers: a diffusion model with the VAE of the same data (run side by side in one
 * page, so that each fresh page compiles the models' shaders once), or a model without a partner.
 */
interface Group {
  lead: Generator;
  partner: Generator | undefined;
}

const PAIRS: Group[] = MODELS.filter((m) => m.method === 'ddpm').map((lead) => ({ lead, partner: partnerOf(lead) }));
const GROUPS: Group[] = [
  ...PAIRS,
  ...MODELS.filter((m) => m.method === 'vae' && !PAIRS.some((p) => p.partner === m)).map((lead) => ({ lead, partner: undefined })),
].sort((a, b) => rank(a) - rank(b));

describe('the demo page', () => {
  let browser: Browser;
  let context: BrowserContext;
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let served: string;

  beforeAll(async () => {
    // the built site, with the fixture models beside it under test-models/
    served = mkdtempSync(join(tmpdir(), 'medsynth-page-'));
    for (const entry of readdirSync(siteDir)) symlinkSync(join(siteDir, entry), join(served, entry));
    symlinkSync(resolve('test/fixtures/tiny-models'), join(served, 'test-models'));
    server = await serveStatic(served, { prefix: SUB_PATH });
    browser = await launch();
    // axe is injected as a script tag, which the page's CSP would refuse; the permalink pages keep it
    context = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (served) rmSync(served, { recursive: true, force: true });
  });

  for (const { lead, partner } of GROUPS) {
    const diffusion = lead.method === 'ddpm';
    const showcase = lead === GROUPS[0]?.lead;
    const image = IMAGE_DATASETS.includes(lead.dataset);
    const name = [
      `${lead.id}${partner ? ` and ${partner.id} side by side` : ''}: generate on WebGPU, reproduce from their link`,
      ...(showcase ? ['pass axe', ...(diffusion ? ['cancel mid-way'] : []), 'present', 'fit a phone'] : []),
    ].join(', ');
    // each fresh page compiles the models' shaders on a software GPU: a minute for a real model
    it(name, { timeout: 300_000 }, async () => {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${server.url}${EXTRA ? `?${EXTRA}` : ''}`);
      expect(await waitForState(page, ['idle', 'error'])).toBe('idle');
      expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe('webgpu');
      await pick(page, lead.id);
      await setField(page, 'count', '1');
      await setField(page, 'seed', '2024');
      if (diffusion) await setField(page, 'steps', '2');

      const started = Date.now();
      const grid = await generate(page);
      console.log(`e2e page: ${lead.id} made a sample in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      expectSamples(grid, image);
      expect(await page.getByTestId('run-status').innerText()).toMatch(/^Made 1 sample in/);
      expect(await progressText(page)).toMatch(/step (\d+) of \1, [\d.]+ steps\/s/);

      if (diffusion) {
        // the step viewer: from x_T, the run's own noise, to the finished sample
        const viewer = page.locator('msl-diffusion-viewer');
        await page.getByTestId('scrubber').focus();
        await page.keyboard.press('Home');
        const [noise] = await digests(viewer);
        await page.keyboard.press('End');
        const [finished] = await digests(viewer);
        expect(finished!.hash, 'the sample is not the noise it started from').not.toBe(noise!.hash);
        if (image) expect(finished!.hash).toBe(grid[0]!.hash);
        expect(await page.getByTestId('schedule-chart').locator('p').innerText()).toContain('Finished');
      } else {
        expect(await digests(page.getByTestId('interpolation'))).toHaveLength(8);
      }

      let vaeSide: CanvasDigest[] = [];
      if (partner) {
        // the VAE of the same data beside it: same class, same seed
        await page.getByTestId('compare').check();
        expect(await waitForState(page, ['idle', 'done', 'error'])).not.toBe('error');
        await generate(page);
        vaeSide = await digests(page.getByTestId('compare-vae'));
        expect(await digests(page.getByTestId('compare-ddpm')), 'the diffusion side is the run above').toEqual(grid);
        expectSamples(vaeSide, image);
        expect(vaeSide[0]!.hash).not.toBe(grid[0]!.hash);
        expect(await digests(page.getByTestId('interpolation'))).toHaveLength(8);
        expect(page.url()).toContain('compare=1');
      }

      // the permalink, in a fresh page that enforces the CSP: the same pixels
      const link = page.url();
      expect(link).toContain('seed=2024');
      const fresh = await openWatched(browser, link);
      expect(await waitForState(fresh.page, ['done', 'error'])).toBe('done');
      expect(await digests(fresh.page.getByTestId('sample-grid'))).toEqual(grid);
      if (partner) expect(await digests(fresh.page.getByTestId('compare-vae'))).toEqual(vaeSide);
      expect(fresh.cspViolations).toEqual([]);
      await fresh.page.close();

      await page.screenshot({ path: join(SHOTS, `page-${lead.id}.png`), fullPage: true });
      if (showcase) await showcaseViews(page, diffusion);
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});

/**
 * On a page that has just made samples: accessibility, screenshots of the main views, a run
 * cancelled mid-way, presenter mode and a phone's width.
 */
async function showcaseViews(page: Page, diffusion: boolean): Promise<void> {
  expect(await axeViolations(page)).toEqual([]);
  await page.locator('section', { has: page.locator('msl-samples-vs-real') }).screenshot({ path: join(SHOTS, 'synthetic-and-real.png') });
  if (await page.locator('msl-method-compare').count()) {
    await page.locator('section', { has: page.locator('msl-method-compare') }).screenshot({ path: join(SHOTS, 'compare-methods.png') });
  }
  if (diffusion) {
    await page.getByTestId('scrubber').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.locator('section', { has: page.locator('msl-diffusion-viewer') }).screenshot({ path: join(SHOTS, 'watch-a-sample.png') });

    // cancel mid-way: the run stops within a step, says so, and is no error
    await setField(page, 'steps', '12');
    await page.getByTestId('generate').click();
    await expect.poll(() => progressText(page), { timeout: 120_000, interval: 100 }).toMatch(/step [1-9]\d* of 1[2-3]/);
    await page.getByTestId('cancel').click();
    expect(await waitForState(page, ['idle', 'done', 'error'])).toBe('idle');
    expect(await page.getByTestId('run-status').innerText()).toMatch(/^Cancelled after ([1-9]|1[0-2]) of 1[23] steps\.$/);
  }

  await page.getByTestId('presenter').click();
  expect(page.url()).toContain('presenter=1');
  expect(await page.getByTestId('self-check').isVisible()).toBe(false);
  expect(await page.getByTestId('runs-on').innerText()).toMatch(/^Runs on WebGPU, /);
  expect(await axeViolations(page)).toEqual([]);
  await page.screenshot({ path: join(SHOTS, 'presenter.png'), fullPage: true });
  await page.getByTestId('presenter').click();

  await page.setViewportSize({ width: 390, height: 844 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, 'nothing is wider than a phone').toBeLessThanOrEqual(390);
  await page.screenshot({ path: join(SHOTS, 'phone.png'), fullPage: true });
}

/** Diffusion pairs first (the first one shows everything, cancelling included), images before signals. */
function rank({ lead }: Group): number {
  return (lead.method === 'ddpm' ? 0 : 2) + (IMAGE_DATASETS.includes(lead.dataset) ? 0 : 1);
}

/** The other method's generator of the same data, the first in catalogue order, as the page picks it. */
function partnerOf(model: Generator): Generator | undefined {
  return MODELS.find((m) => m.dataset === model.dataset && m.method !== model.method);
}

/** The progress bar's line: step, total and speed. */
function progressText(page: Page): Promise<string> {
  return page.getByTestId('progress').locator('.detail').innerText();
}
