/**
 * The demo page, built and served from a sub-path, driven in headless Chromium on WebGPU (asked for
 * with `?backend=webgpu`, which the permalinks keep): pick a model, generate, check that the
 * canvases hold samples (not blank, not the starting noise), open the permalink in a fresh page and
 * get the same pixels, cancel a run mid-way, compare the VAE and the diffusion model, and check the
 * main views with axe-core. Grey and RGB images, 28x28 and 64x64, and ECG beats: every canvas must
 * hold a picture (not blank, not the starting noise), in colour for RGB models, synthetic and real
 * alike. Screenshots of the main views go to
 * docs/screenshots/.
 *
 * It runs on the shipped generators (models/), each diffusion model side by side with the VAE of
 * the same data; while no diffusion model is shipped, the tiny random-weight fixtures of
 * test/fixtures/tiny-models stand in, offered to the page through its `extra=` parameter.
 * SwiftShader is slow, so every run is one sample, and diffusion takes 2 steps; the models are
 * picked one after another in one page, as a person would; the showcase (the chest X-ray models)
 * goes through everything, the other groups through what differs for them.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { serveStatic } from '../../scripts/static-server.mjs';
import { type ModelCard, tokenCountOf } from '../../src/models/card.js';
import { SHIPPED_MODELS } from '../../src/models/registry.js';
import { SUB_PATH, type Served, axeViolations, launch, openWatched, pickModel as pick, setField, waitForState } from './page.js';

const siteDir = inject('siteDir');
const SHOTS = resolve('docs/screenshots');

interface Generator {
  id: string;
  method: string;
  dataset: string;
  /** One sample, channels-last: [H, W, C] for an image (C = 1 grey, 3 RGB), [L, C] for a signal. */
  shape: number[];
}

/** A model folder's generator, from its card. */
function generatorAt(folder: string): Generator {
  const card = JSON.parse(readFileSync(join(folder, 'card.json'), 'utf8')) as Omit<Generator, 'shape'> & { architecture: { inputShape: number[] } };
  return { id: card.id, method: card.method, dataset: card.dataset, shape: card.architecture.inputShape };
}

const shipped: Generator[] = SHIPPED_MODELS.filter((m) => ['ddpm', 'vae', 'gan', 'ar'].includes(m.method)).map((m) => generatorAt(m.path));
/** Without a shipped diffusion model, the tiny fixtures stand in, offered through the page's `extra=`. */
const FIXTURE_IDS = shipped.some((m) => m.method === 'ddpm') ? [] : ['tiny-xray-ddpm', 'tiny-xray-vae'];
const fixtures: Generator[] = FIXTURE_IDS.map((id) => generatorAt(`test/fixtures/tiny-models/${id}`));
/** The models under test, in the page's catalogue order: shipped first. */
const MODELS = [...shipped, ...fixtures];
const EXTRA = FIXTURE_IDS.length ? `extra=${FIXTURE_IDS.map((id) => `test-models/${id}/`).join(',')}` : '';
if (FIXTURE_IDS.length) {
  console.log(`e2e page: no diffusion model is shipped in models/ yet; adding the fixtures ${FIXTURE_IDS.join(', ')}`);
}
const isImage = (g: Generator) => g.shape.length === 3;
const isRgb = (g: Generator) => isImage(g) && g.shape[2] === 3;
const size = (g: Generator) => g.shape.reduce((a, b) => a * b, 1);

interface CanvasDigest {
  width: number;
  height: number;
  hash: number;
  /** Distinct red levels (images) and near-black pixels (the ECG trace). */
  levels: number;
  dark: number;
  /** The most that red, green and blue differ in any pixel: 0 for grey. */
  chroma: number;
  /** Mean absolute difference of horizontally neighbouring pixels, over red, green and blue: noise is rough. */
  roughness: number;
}

/** A digest of every canvas under `scope`, in document order (shadow roots included). */
async function digests(scope: Locator): Promise<CanvasDigest[]> {
  return scope.locator('canvas').evaluateAll((canvases) =>
    (canvases as HTMLCanvasElement[]).map((c) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let hash = 2166136261;
      const levels = new Set<number>();
      let dark = 0;
      let chroma = 0;
      let rough = 0;
      for (let i = 0; i < data.length; i += 4) {
        if ((i / 4) % c.width > 0) for (let k = 0; k < 3; k++) rough += Math.abs(data[i + k]! - data[i + k - 4]!);
        for (let k = 0; k < 4; k++) hash = Math.imul(hash ^ data[i + k]!, 16777619);
        levels.add(data[i]!);
        if (data[i]! < 60 && data[i + 1]! < 60) dark += 1;
        const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
        chroma = Math.max(chroma, Math.max(r, g, b) - Math.min(r, g, b));
      }
      const roughness = rough / (3 * (c.width - 1) * c.height);
      return { width: c.width, height: c.height, hash: hash >>> 0, levels: levels.size, dark, chroma, roughness };
    }),
  );
}

/** Canvases that hold `model`'s samples: images at its size, not blank, in colour when it is RGB; traces. */
function expectSamples(canvases: CanvasDigest[], model: Generator): void {
  expect(canvases.length).toBeGreaterThan(0);
  for (const c of canvases) {
    if (!isImage(model)) {
      expect(c.dark, 'an ECG chart without a trace is blank').toBeGreaterThan(0);
      continue;
    }
    expect([c.width, c.height], 'one canvas pixel per image pixel').toEqual([model.shape[1], model.shape[0]]);
    expect(c.levels, 'an image of one level is blank').toBeGreaterThan(1);
    if (isRgb(model)) expect(c.chroma, 'an RGB image with no colour in it').toBeGreaterThan(8);
    else expect(c.chroma, 'a grey image is grey').toBe(0);
  }
}

/** Generates with the settings on the page and returns the digests of the synthetic grid. */
async function generate(page: Page, timeout?: number): Promise<CanvasDigest[]> {
  await page.getByTestId('generate').click();
  expect(await waitForState(page, ['done', 'error'], timeout)).toBe('done');
  return digests(page.getByTestId('sample-grid'));
}

/**
 * What one test covers: a diffusion model with the VAE of the same data (run side by side), a GAN
 * or an autoregressive transformer with the diffusion model (as the page pairs them), or a model without a partner. The tests pick their models one after the other in one page, as a
 * person would: shaders compile on a software GPU slowly, and a model whose layers another has
 * already compiled (the 28x28 UNets share most) loads in seconds rather than half a minute.
 */
interface Group {
  lead: Generator;
  partner: Generator | undefined;
}

/**
 * One transformer beside its diffusion model: on a software GPU a transformer's run, a cached position
 * per token (49 for a 28x28 image), takes a minute or more, so the others are left to the parity
 * tests (Node, and Chromium on WebGPU, WebGL and WASM) and the family comparison of the showcase.
 */
const TRANSFORMER = MODELS.find((m) => m.id === 'xray-ar') ?? MODELS.find((m) => m.method === 'ar');
const PAIRS: Group[] = [...MODELS.filter((m) => m.method === 'ddpm' || m.method === 'gan'), ...(TRANSFORMER ? [TRANSFORMER] : [])]
  .map((lead) => ({ lead, partner: partnerOf(lead) }));
/** The group that goes through everything: the chest X-ray models (small and quick), else the first. */
const SHOWCASE_ID = MODELS.some((m) => m.id === 'xray-ddpm') ? 'xray-ddpm' : undefined;
const GROUPS: Group[] = [
  ...PAIRS,
  ...MODELS.filter((m) => m.method === 'vae' && !PAIRS.some((p) => p.partner === m)).map((lead) => ({ lead, partner: undefined })),
].sort((a, b) => rank(a) - rank(b));
const SHOWCASE = GROUPS.find((g) => g.lead.id === SHOWCASE_ID) ?? GROUPS[0];
/** The RGB group with the largest images, pictured whole beside the showcase (docs/screenshots/page-<id>.png). */
const RGB_PICTURED = GROUPS.filter((g) => isRgb(g.lead)).sort((a, b) => size(b.lead) - size(a.lead))[0];

describe('the demo page', () => {
  let browser: Browser;
  let context: BrowserContext;
  let server: Served;
  let served: string;
  /** The page the tests share, with the uncaught errors it has thrown; null until opened, or after a test failed in it. */
  let shared: { page: Page; errors: string[] } | null = null;

  async function sharedPage(): Promise<{ page: Page; errors: string[] }> {
    if (shared) return shared;
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // WebGPU asked for by name: on a software GPU the page would pick WASM by itself
    await page.goto(`${server.url}?backend=webgpu${EXTRA ? `&${EXTRA}` : ''}`);
    expect(await waitForState(page, ['idle', 'error'])).toBe('idle');
    expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe('webgpu');
    shared = { page, errors };
    return shared;
  }

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
    await shared?.page.close();
    await browser?.close();
    await server?.close();
    if (served) rmSync(served, { recursive: true, force: true });
  });

  for (const group of GROUPS) {
    const { lead, partner } = group;
    const diffusion = lead.method === 'ddpm';
    const showcase = group === SHOWCASE;
    const image = isImage(lead);
    const rgb = isRgb(lead);
    const name = [
      `${lead.id}${partner ? ` and ${partner.id} side by side` : ''}: generate on WebGPU${rgb ? ' in colour' : ''}`,
      ...(showcase || rgb ? ['pass axe'] : []),
      ...(showcase ? ['reproduce from their link', ...(diffusion ? ['cancel mid-way'] : []), 'present', 'fit a phone'] : []),
    ].join(', ');
    // a model new to the page compiles its shaders on a software GPU: half a minute or more for a real one
    // a transformer's run on a software GPU takes a minute or more: its group, and the showcase's family run, take longer
    it(name, { timeout: lead.method === 'ar' || showcase ? 600_000 : 300_000 }, async ({ onTestFailed }) => {
      // a failure may leave the page anywhere: the next test starts a fresh one
      onTestFailed(async () => {
        const failed = shared;
        shared = null;
        await failed?.page.close();
      });
      const clock = phases(lead.id);
      const { page, errors } = await sharedPage();
      clock('page ready');
      await pick(page, lead.id);
      await setField(page, 'count', '1');
      await setField(page, 'seed', '2024');
      clock(`${lead.id} loaded`);
      if (partner) {
        // the other method's model of the same data beside it, from the first run: same class, same seed
        // (once on, the page keeps comparing, and loads the partner of every model picked)
        await page.getByTestId('compare').check();
        expect(await waitForState(page, ['idle', 'done', 'error'])).not.toBe('error');
        expect(page.url()).toContain('compare=1');
        clock(`${partner.id} loaded`);
      } else if ((await page.getByTestId('compare').count()) && (await page.getByTestId('compare').isChecked())) {
        // a model tested alone (the DP variants of the ECG VAE): the comparison an earlier group left on is turned off
        await page.getByTestId('compare').uncheck();
        expect(await waitForState(page, ['idle', 'done', 'error'])).not.toBe('error');
        expect(page.url()).not.toContain('compare=1');
      }
      if ([lead, partner].some((m) => m?.method === 'ddpm')) {
        // two deterministic DDIM steps: t = 999, then 499 (a single step only divides noise by sqrt(alpha-bar));
        // the fields are there once a diffusion model is (a GAN's partner comes with the compare)
        await setField(page, 'steps', '2');
        await setField(page, 'eta', '0');
      }

      // a transformer's run is a cached position per token: slow on a software GPU
      const grid = await generate(page, lead.method === 'ar' ? 240_000 : undefined);
      clock(`made a sample${partner ? ' with each' : ''}`);
      expectSamples(grid, lead);
      expect(grid).toHaveLength(2); // the cell and the large view
      if (image && existsSync(join(served, 'reference', lead.dataset, 'index.json'))) {
        // real held-out samples of the class beside them, at the same size (RGB packs in colour)
        const real = page.getByTestId('real-grid');
        await real.waitFor({ timeout: 30_000 });
        expectSamples(await digests(real), lead);
      } else if (image) {
        // a site built where `npm run data` never ran (a clean clone in CI) says so instead
        const missing = page.getByTestId('real-missing');
        await expect.poll(() => missing.innerText(), { timeout: 30_000 }).toContain('npm run data');
      }
      expect(await page.getByTestId('run-status').innerText()).toMatch(/^Made 1 sample in/);
      // the judge (its figures are tested in test/browser/judge.test.ts) is ready for this model
      await expect.poll(() => page.getByTestId('judge-run').isEnabled(), { timeout: 30_000 }).toBe(true);
      expect(await progressText(page)).toMatch(/step (\d+) of \1, [\d.]+ steps\/s/);

      const models = [lead, ...(partner ? [partner] : [])];
      const ddpm = models.find((m) => m.method === 'ddpm');
      // the model with a latent space: a VAE or a GAN
      const latent = models.find((m) => m.method === 'vae' || m.method === 'gan');
      if (ddpm) {
        // the step viewer: from x_T, the run's own noise, to the finished sample
        const viewer = page.locator('msl-diffusion-viewer');
        // x_t in the image's own range (the viewer scales it to its own by default), as the sample is drawn
        const scaled = viewer.getByTestId('xt-scaled');
        if (await scaled.count()) await scaled.uncheck();
        await page.getByTestId('scrubber').focus();
        await page.keyboard.press('Home');
        const [noise] = await digests(viewer);
        await page.keyboard.press('End');
        const [finished, predicted] = await digests(viewer);
        expect(finished!.hash, 'the sample is not the noise it started from').not.toBe(noise!.hash);
        if (image && ddpm === lead) expect(finished!.hash).toBe(grid[0]!.hash);
        expectSamples([noise!, finished!, predicted!], ddpm);
        if (image) {
          // and no longer looks like it: neighbouring pixels are far closer than in the noise
          console.log(`e2e page: ${ddpm.id}: roughness ${noise!.roughness.toFixed(1)} in the noise, ${finished!.roughness.toFixed(1)} in the sample`);
          expect(finished!.roughness, 'the sample is as rough as noise').toBeLessThan(noise!.roughness * 0.7);
        }
        expect(await page.getByTestId('schedule-chart').locator('p').innerText()).toContain('Finished');
      }
      if (latent) {
        // the latent walk of the VAE or GAN, decoded
        const path = await digests(page.getByTestId('interpolation'));
        expect(path).toHaveLength(8);
        expectSamples(path, latent);
      }
      if (lead.method === 'gan') {
        // its own knob, truncation (starting at the card's): cut harder, z and the sample change; back, the first returns
        const card = await page.getByTestId('truncation').inputValue();
        await setField(page, 'truncation', '0.3');
        const cut = await generate(page);
        expectSamples(cut, lead);
        expect(cut[0]!.hash, 'a truncated z makes another sample').not.toBe(grid[0]!.hash);
        expect(page.url()).toContain('truncation=0.3');
        await setField(page, 'truncation', card);
        expect((await generate(page))[0]!.hash).toBe(grid[0]!.hash);
      }
      if (lead.method === 'gan' && (lead.id === 'xray-gan' || !image) && existsSync(join(served, 'reference', lead.dataset, 'index.json'))) {
        // spot the fake with a one-pass generator, an image and a beat: a round dealt, answered and scored
        await playTheGame(page, lead);
        clock('played a round of spot the fake');
        expect(await axeViolations(page)).toEqual([]);
      }
      if (lead.method === 'ar') {
        // the token viewer: from the first token, decoded with the codebook's mean elsewhere, to the finished sample
        const viewer = page.getByTestId('token-viewer');
        await page.getByTestId('token-scrubber').focus();
        await page.keyboard.press('Home');
        const [first] = await digests(viewer);
        expect(await viewer.getByTestId('token-status').innerText()).toBe(`Token 1 of ${tokenCount(lead)}`);
        await page.keyboard.press('End');
        const [finished] = await digests(viewer);
        expect(first!.hash, 'one token is not the whole sample').not.toBe(finished!.hash);
        if (image) expect(finished!.hash, 'all tokens decoded are the sample in the grid').toBe(grid[0]!.hash);
        expectSamples([first!, finished!], lead);
        const codes = await viewer.getByTestId('token-grid').locator('span').allInnerTexts();
        expect(codes).toHaveLength(tokenCount(lead));
        expect(codes.every((c) => /^\d+$/.test(c)), 'every position has its code').toBe(true);
        expect(await viewer.getByTestId('next-token').locator('tbody tr').count()).toBeGreaterThan(0);
        await page.keyboard.press('Home');
        for (let i = 0; i < 17; i++) await page.keyboard.press('ArrowRight');
        await page.locator('section', { has: viewer }).screenshot({ path: join(SHOTS, 'tokens.png') });
        // its own knobs, from the card: the likeliest code alone makes another sample
        const topK = await page.getByTestId('topK').inputValue();
        await setField(page, 'topK', '1');
        const greedy = await generate(page, 240_000);
        expectSamples(greedy, lead);
        expect(greedy[0]!.hash, 'top-k 1 makes another sample').not.toBe(grid[0]!.hash);
        expect(page.url()).toContain('topk=1');
        // back to the card's top-k, the first sample returns (and the compare below shows it again)
        await setField(page, 'topK', topK);
        expect((await generate(page, 240_000))[0]!.hash).toBe(grid[0]!.hash);
      }
      // the family a compare shows beside diffusion: a VAE, a GAN or a transformer
      const other = models.find((m) => m.method !== 'ddpm');
      let otherSide: CanvasDigest[] = [];
      if (partner) {
        otherSide = await digests(page.getByTestId(`compare-${other!.method}`));
        const ddpmSide = await digests(page.getByTestId('compare-ddpm'));
        // an image is drawn the same in both panels; a beat's volt scale is each panel's own
        if (image) expect(lead.method === 'ddpm' ? ddpmSide : otherSide, "the lead's side is its grid above").toEqual(grid);
        expectSamples(otherSide, other!);
        expectSamples(ddpmSide, ddpm!);
        expect(otherSide[0]!.hash).not.toBe(ddpmSide[0]!.hash);
      }

      if (showcase) {
        // the permalink, in a fresh page that enforces the CSP: the same pixels
        const link = page.url();
        expect(link).toContain('seed=2024');
        const fresh = await openWatched(browser, link);
        expect(await waitForState(fresh.page, ['done', 'error'])).toBe('done');
        expect(await digests(fresh.page.getByTestId('sample-grid'))).toEqual(grid);
        if (partner) expect(await digests(fresh.page.getByTestId(`compare-${other!.method}`))).toEqual(otherSide);
        expect(fresh.cspViolations).toEqual([]);
        expect(fresh.pageErrors).toEqual([]);
        await fresh.page.close();
        clock('reproduced from the link');
      }

      if (showcase) {
        // every family of this data side by side, same class and seed, with the cost measured here
        const families = MODELS.filter((m) => m.dataset === lead.dataset && ['ddpm', 'vae', 'gan', 'ar'].includes(m.method));
        const section = page.getByTestId('family-compare');
        await section.getByTestId('family-run').click();
        await expect.poll(() => section.getByTestId('family-status').innerText(), { timeout: 360_000 })
          .toBe(`Ran ${families.length} of ${families.length} families.`);
        for (const family of families) {
          const column = section.getByTestId(`family-${family.method}`);
          expectSamples(await digests(column.getByTestId(`family-${family.method}-grid`)), family);
          const figures = await column.getByTestId(`family-${family.method}-figures`).innerText();
          expect(figures).toMatch(/Time here\s+[\d.]+ (ms|s) per sample/);
          expect(figures).toMatch(new RegExp(`Network passes\\s+${passesOf(family)} per sample`));
          expect(figures).toMatch(/Seen as \w+\s+[01] of 1 \(evaluator\)/);
          expect(figures).toMatch(/Distance to real\s+[\d.]+× real-vs-real/);
        }
        await page.locator('section', { has: section }).screenshot({ path: join(SHOTS, 'families.png') });
        clock('ran every family');
      }

      if (showcase || rgb) expect(await axeViolations(page)).toEqual([]);
      if (showcase || group === RGB_PICTURED) await page.screenshot({ path: join(SHOTS, `page-${lead.id}.png`), fullPage: true });
      if (showcase) await showcaseViews(page, diffusion);
      clock('checked and pictured');
      expect(errors).toEqual([]);
    });
  }
});

/**
 * Spot the fake with the model on the page: a round of 8 dealt, its first sample drawn, a fixed
 * sequence of answers given by key, and the score read back against what the reveal says each
 * sample was.
 */
async function playTheGame(page: Page, model: Generator): Promise<void> {
  const game = page.getByTestId('game');
  await game.getByTestId('game-size').selectOption('8');
  await game.getByTestId('game-deal').click();
  await game.getByTestId('game-play').waitFor({ timeout: 120_000 });
  expectSamples(await digests(game.getByTestId('game-sample')), model);
  expect(await game.getByTestId('game-status').innerText()).toBe('0 of 8 answered.');
  await page.locator('section', { has: game }).screenshot({ path: join(SHOTS, `game-${model.id}.png`) });
  const sequence = ['real', 'real', 'synthetic', 'real', 'synthetic', 'synthetic', 'real', 'synthetic'];
  await game.getByTestId('game-real').focus();
  for (const answer of sequence) await page.keyboard.press(answer === 'real' ? 'r' : 's');
  const score = game.getByTestId('game-score');
  await score.waitFor();
  // "3. synthetic, normal; right" or "3. synthetic, normal; answered real"
  const reveal = (await game.getByTestId('game-reveal').locator('figcaption').allInnerTexts())
    .map((caption) => /^(\d+)\. (real|synthetic), (.+); (right|answered (real|synthetic))$/.exec(caption.trim()));
  expect(reveal.every((m) => m !== null), 'every sample revealed with its source and the answer').toBe(true);
  expect(reveal.map((m) => (m![4] === 'right' ? m![2] : m![5]))).toEqual(sequence);
  expect(reveal.filter((m) => m![2] === 'real')).toHaveLength(4);
  const correct = reveal.filter((m) => m![4] === 'right').length;
  expect(await score.getAttribute('data-correct')).toBe(String(correct));
  expect(await score.innerText()).toContain(`${correct} of 8 right`);
  await page.locator('section', { has: game }).screenshot({ path: join(SHOTS, `game-${model.id}-score.png`) });
}

/**
 * On a page that has just made samples: accessibility, screenshots of the main views, a run
 * cancelled mid-way, presenter mode and a phone's width.
 */
async function showcaseViews(page: Page, diffusion: boolean): Promise<void> {
  // every section shown is numbered in order, with none skipped
  const numbers = (await page.locator('h2').allInnerTexts()).flatMap((t) => /^(\d+)\./.exec(t.trim())?.[1] ?? []).map(Number);
  expect(numbers.length).toBeGreaterThanOrEqual(4);
  expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  await page.locator('section', { has: page.getByTestId('model-picker') }).screenshot({ path: join(SHOTS, 'model-picker.png') });
  // what the card says, opened: the distance in the independent features leads, beside real-vs-real
  const about = page.locator('msl-model-details details').first();
  await about.locator('summary').click();
  const aboutText = await about.innerText();
  expect(aboutText).toMatch(/in the features of features-\w+, \d+ samples a side/);
  expect(aboutText).toMatch(/× real-vs-real/);
  expect(aboutText).toMatch(/Membership test\s+The model (tells|treats).*AUC 0\.\d{3} \[/);
  await about.screenshot({ path: join(SHOTS, 'model-about.png') });
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
  // the model picker is one row of small cards, not a screenful of them before anything else
  const picker = await page.getByTestId('model-picker').boundingBox();
  expect(picker!.height, 'the picker on a phone').toBeLessThan(400);
  await page.screenshot({ path: join(SHOTS, 'phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1200, height: 900 });
}

/**
 * The showcase first, then diffusion pairs, GAN pairs, transformer pairs, lone models; images before signals, small
 * images before large (so that a 28x28 UNet follows the showcase's and finds most of its shaders
 * compiled).
 */
function rank(group: Group): number {
  if (group.lead.id === SHOWCASE_ID) return -1;
  const family = { ddpm: 0, gan: 2, ar: 3 }[group.lead.method] ?? 5;
  return family + (isImage(group.lead) ? 0 : 1) + size(group.lead) / 1e9;
}

/** Tokens a sample of an autoregressive model (its card's token grid). */
function tokenCount(model: Generator): number {
  return tokenCountOf(JSON.parse(readFileSync(join(SHIPPED_MODELS.find((m) => m.id === model.id)!.path, 'card.json'), 'utf8')) as ModelCard);
}

/**
 * Network passes per sample in the showcase's family run: diffusion at the page's 2 guided steps,
 * a VAE or GAN one, a transformer its card's (its knobs are not on the page): a position per token, two when guided.
 */
function passesOf(model: Generator): number {
  if (model.method === 'ddpm') return 4;
  if (model.method !== 'ar') return 1;
  const card = JSON.parse(readFileSync(join(SHIPPED_MODELS.find((m) => m.id === model.id)!.path, 'card.json'), 'utf8')) as ModelCard;
  return tokenCountOf(card) * (card.tokenSampling?.guidance === 1 ? 1 : 2);
}

/** The generator the page shows beside `model` (src/models/catalogue.ts partnerOf): a VAE for a diffusion model, diffusion for the rest. */
function partnerOf(model: Generator): Generator | undefined {
  const methods = model.method === 'ddpm' ? ['vae', 'gan'] : ['ddpm'];
  for (const method of methods) {
    const partner = MODELS.find((m) => m.dataset === model.dataset && m.method === method);
    if (partner) return partner;
  }
  return undefined;
}

/** Logs how long each phase of a test took, for keeping the suite's time in view. */
function phases(id: string): (what: string) => void {
  let last = Date.now();
  return (what) => {
    const now = Date.now();
    console.log(`e2e page: ${id}: ${what} in ${((now - last) / 1000).toFixed(1)} s`);
    last = now;
  };
}

/** The progress bar's line: step, total and speed. */
function progressText(page: Page): Promise<string> {
  return page.getByTestId('progress').locator('.detail').innerText();
}
