/**
 * Every lesson in the built site: its first slide opens from its link alone, runs its live part
 * (with tiny settings: a slide's own state, fewer steps and samples), shows figures read off that
 * run, and passes axe; each is pictured at desktop and phone width (docs/screenshots/lesson-*.png).
 * Then the presenter flow: slides stepped with the keyboard and a clicker's page keys, each one
 * opening and running its own state, the later ones comparing with the earlier ones' runs, and
 * only the slide's own sections on screen.
 *
 * On WASM, the quickest backend on a machine without a GPU: the lessons are about what the page
 * says, and WebGPU is tested in the page and parity tests.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { LESSONS, lessonById, slideAddress } from '../../src/lessons/lessons.js';
import { axeViolations, waitForState, siteAndBrowser } from './page.js';

const SHOTS = resolve('docs/screenshots');
const siteDir = inject('siteDir');
const hasReference = (dataset: string) => existsSync(join(siteDir, 'reference', dataset, 'index.json'));

/** A slide's address with tiny settings: at most 2 diffusion steps and 2 samples. */
function tinyAddress(id: string, slide: number, extra = ''): string {
  const params = new URLSearchParams(slideAddress(lessonById(id)!, slide, `?backend=wasm${extra}`));
  if (params.has('steps')) params.set('steps', '2');
  if (Number(params.get('count') ?? 1) > 2) params.set('count', '2');
  return `?${params}`;
}

const text = async (page: Page, id: string) => (await page.getByTestId(id).innerText()).replace(/\s+/g, ' ').trim();

describe('the lessons, in the built page', () => {
  const site = siteAndBrowser();
  beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

  for (const lesson of LESSONS) {
    it(`${lesson.id}: opens from its link, runs, states its figures, passes axe`, { timeout: 300_000 }, async () => {
      // axe is injected as a script tag, which the page's CSP would refuse
      const context = await site.browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${site.server.url}${tinyAddress(lesson.id, 0)}`);
      expect(await waitForState(page, ['done', 'error'])).toBe('done');
      const slide = lesson.slides[0]!;
      expect(await text(page, 'lesson-title')).toBe(slide.title);
      expect(await text(page, 'lesson-try')).toBe(`Try this: ${slide.try}`);
      expect(page.url()).toContain(`lesson=${lesson.id}`);
      if (slide.show.includes('game') && hasReference('pneumoniamnist')) {
        // the game is the live part: a round of 8, answered all "real"
        const game = page.getByTestId('game');
        await game.getByTestId('game-size').selectOption('8');
        await game.getByTestId('game-deal').click();
        await game.getByTestId('game-play').waitFor({ timeout: 60_000 });
        for (let i = 0; i < 8; i++) await game.getByTestId('game-real').click();
        await expect.poll(() => text(page, 'lesson-live')).toMatch(/^Your round: 4 of 8 right \(50%; 95% interval 22% to 78%\)\.$/);
      } else if (slide.live && !slide.show.every((part) => part === 'judge')) {
        // the figures are of this run: the sentences the slide's own function makes of it are on the page
        // (a slide about the judge has figures only once the judge has run: its figures are tested in judge-audit)
        await expect.poll(() => text(page, 'lesson-live'), { timeout: 10_000 }).not.toBe('');
        const live = await text(page, 'lesson-live');
        if (/This run made/.test(live)) expect(live).toMatch(/This run made [12] samples? in [\d.]+ (s|ms) on WASM\./);
        expect(live).not.toMatch(/NaN|undefined|–/);
      }
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `lesson-${lesson.id}.png`) });
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, 'nothing wider than a phone').toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SHOTS, `lesson-${lesson.id}-phone.png`) });
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('steps through a lesson with the keyboard in presenter mode, each slide running its own state', { timeout: 300_000 }, async () => {
    const context = await site.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const lesson = lessonById('latent-space')!;
    await page.goto(`${site.server.url}?backend=wasm&lesson=latent-space&presenter=1`);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    expect(await text(page, 'lesson-title')).toBe(lesson.slides[0]!.title);
    // presenter mode shows the slide's sections only: no model picker, no judge
    expect(await page.getByTestId('model-picker').count()).toBe(0);
    expect(await page.getByTestId('judge-section').count()).toBe(0);
    expect(await page.getByTestId('sample-grid').count()).toBe(1);
    // the slide's settings in a line, the form folded under it: the samples are on screen without scrolling
    expect(await text(page, 'slide-settings')).toBe('pneumonia, 8 samples, seed 3; temperature 1 (open to change them)');
    const grid = await page.getByTestId('sample-grid').boundingBox();
    expect(grid!.y + Math.min(grid!.height, 200), 'the samples start on screen').toBeLessThan(800);
    await page.screenshot({ path: join(SHOTS, 'lesson-presenter.png') });

    // next, as a clicker sends it: slide 2 opens at its own temperature, and compares with slide 1's run
    await page.keyboard.press('PageDown');
    await expect.poll(() => text(page, 'lesson-title')).toBe(lesson.slides[1]!.title);
    await expect.poll(() => new URL(page.url()).searchParams.get('slide')).toBe('2');
    expect(new URL(page.url()).searchParams.get('temperature')).toBe('0.3');
    expect(new URL(page.url()).searchParams.get('presenter')).toBe('1');
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    await expect.poll(() => text(page, 'lesson-live')).toMatch(/^The 8 samples differ by [\d.]+ levels per pixel .* at temperature 0\.3; earlier slides: [\d.]+ at temperature 1\./);
    const live = await text(page, 'lesson-live');
    const [now, before] = [...live.matchAll(/([\d.]+) (?:levels per pixel \(standard deviation across samples\) )?at temperature/g)].map((m) => Number(m[1]));
    expect(now, 'a cooler prior makes samples more alike').toBeLessThan(before!);

    // the arrow keys too: the encoder and decoder, drawn from the network itself
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => text(page, 'lesson-title')).toBe(lesson.slides[2]!.title);
    await expect.poll(() => page.getByTestId('architecture-part').locator('h3').allInnerTexts()).toEqual(['Encoder', 'Decoder']);
    await expect.poll(() => text(page, 'lesson-live')).toMatch(/^[\d,]+ learned parameters in all\. Encoder: from 28 × 28 × 3 to \d+ in \d+ stages/);

    // the latent map's slide, where the map keeps the arrows for its own pointer
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => text(page, 'lesson-title')).toBe(lesson.slides[3]!.title);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    expect(await page.getByTestId('latent').count()).toBe(1);
    expect(await page.getByTestId('sample-grid').count()).toBe(0);
    if (hasReference('pneumoniamnist')) {
      const latent = page.getByTestId('latent');
      await latent.getByTestId('latent-run').click();
      await expect.poll(() => latent.getByTestId('latent-status').innerText(), { timeout: 60_000 })
        .toMatch(/^\d+ real samples; the map's two axes hold \d+% and \d+% of the variance of their latent means\.$/);
      const map = latent.getByTestId('latent-map');
      await map.focus();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowUp');
      await latent.getByTestId('latent-under').waitFor();
      expect(await latent.getByTestId('latent-under').locator('figcaption').innerText()).toMatch(/^Decoded at the pointer \(-?[\d.]+, -?[\d.]+\), as pneumonia\.$/);
      expect(await text(page, 'lesson-title'), 'the arrows moved the pointer, not the slide').toBe(lesson.slides[3]!.title);
      await page.keyboard.press('Enter');
      await latent.getByTestId('latent-inspected').waitFor();
      expect(await latent.getByTestId('latent-inspected').locator('msl-sample-view').count()).toBe(6);
      await expect.poll(() => text(page, 'lesson-live')).toMatch(/The chosen X-ray's neighbouring pixels differ by [\d.]+ levels on average, its reconstruction's by [\d.]+; the encoder's spread averages [\d.]+ against the prior's 1\.$/);
      await page.screenshot({ path: join(SHOTS, 'lesson-latent-map.png') });
      await page.getByTestId('lesson-next').focus();
    }
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => text(page, 'lesson-title')).toBe(lesson.slides[4]!.title);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    expect(await page.getByTestId('interpolation').count()).toBe(1);
    expect(await page.getByTestId('lesson-next-lesson').getAttribute('href')).toBe('?lesson=four-families&backend=wasm&presenter=1');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => text(page, 'lesson-title')).toBe(lesson.slides[3]!.title);
    await page.keyboard.press('PageUp');
    await expect.poll(() => text(page, 'lesson-title')).toBe(lesson.slides[2]!.title);
    await page.keyboard.press('PageUp');
    await expect.poll(() => text(page, 'lesson-title')).toBe(lesson.slides[1]!.title);
    await page.keyboard.press('PageUp');
    await expect.poll(() => text(page, 'lesson-title')).toBe(lesson.slides[0]!.title);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('runs a row of guidance scales from one seed, and the slide reads its figures off it', { timeout: 300_000 }, async () => {
    const page = await site.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${site.server.url}${tinyAddress('guidance', 3)}`);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    const sweep = page.getByTestId('sweep');
    expect(await sweep.getByTestId('sweep-knob').inputValue()).toBe('guidance');
    await sweep.getByTestId('sweep-run').click();
    await expect.poll(() => sweep.getByTestId('sweep-status').innerText(), { timeout: 120_000 }).toBe('Seed 11, 5 values of guidance scale.');
    expect(await sweep.getByTestId('sweep-cells').locator('figcaption').allInnerTexts()).toEqual(
      [0, 1, 2, 4, 8].map((g) => expect.stringMatching(new RegExp(`^guidance ${g}\\n[\\d.]+ (ms|s)$`))),
    );
    await expect.poll(() => text(page, 'lesson-live')).toMatch(/^In the row, the sample moved by [\d.]+ \(guidance 0 to guidance 1\), .* levels per pixel; [\d.]+ from the first value to the last\. Time here: .* at guidance 0, .* at guidance 8\.$/);
    await page.screenshot({ path: join(SHOTS, 'lesson-sweep.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sets a real X-ray noised to each step\'s t beside the model\'s x_t, and asks the model about a step', { timeout: 300_000 }, async ({ skip }) => {
    if (!hasReference('pneumoniamnist')) skip('the site was built without the pneumoniamnist reference pack (run `npm run data`)');
    const page = await site.browser.newPage();
    await page.goto(`${site.server.url}${tinyAddress('noise-to-xray', 1)}`);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    const viewer = page.locator('msl-diffusion-viewer');
    const forward = viewer.getByTestId('forward');
    // the slide opens on step 2 of 2; scaled like x_t, to its own range
    expect(await forward.locator('figcaption').innerText()).toMatch(/^a real held-out pneumonia sample noised to t = 499, with this run's noise, grey from −[\d.]+ to [\d.]+$/);
    await page.getByTestId('scrubber').focus();
    await page.keyboard.press('End');
    expect(await forward.locator('figcaption').innerText()).toBe('a real held-out pneumonia sample, clean');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    // asked again about this step: the noise it predicts, and what guidance scales up
    await viewer.getByTestId('predict').click();
    await viewer.getByTestId('guidance-difference').waitFor({ timeout: 30_000 });
    expect(await viewer.getByTestId('predicted-noise').locator('figcaption').innerText()).toBe('ε̂: the noise it predicts (guidance 2), grey from −3 (black) to 3 (white)');
    expect(await viewer.getByTestId('guidance-difference').locator('figcaption').innerText())
      .toMatch(/^ε̂\(class\) − ε̂\(no class\): what guidance scales up, grey from −[\d.]+ to [\d.]+, its largest value$/);
    // x_t scaled to its own range by default; clipped to the image's, another picture of the same step
    expect(await viewer.locator('figcaption').first().innerText()).toMatch(/^xt: what the model is given, grey from −[\d.]+ to [\d.]+$/);
    const [scaled] = await viewer.locator('canvas').evaluateAll((cs) => cs.map((c) => (c as HTMLCanvasElement).toDataURL()));
    await viewer.getByTestId('xt-scaled').uncheck();
    await expect.poll(async () => (await viewer.locator('canvas').evaluateAll((cs) => cs.map((c) => (c as HTMLCanvasElement).toDataURL())))[0]).not.toBe(scaled);
    expect(await viewer.locator('figcaption').first().innerText()).toBe('xt: what the model is given');
    await viewer.getByTestId('xt-scaled').check();
    await page.locator('section', { has: viewer }).screenshot({ path: join(SHOTS, 'lesson-forward.png') });
    await page.close();
  });

  it('draws each network stage by stage from the model itself, on a slide and in the full lab', { timeout: 300_000 }, async () => {
    const context = await site.browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const slide = lessonById('noise-to-xray')!.slides.findIndex((s) => s.show.includes('network'));
    await page.goto(`${site.server.url}${tinyAddress('noise-to-xray', slide)}`);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    const view = page.getByTestId('architecture');
    // xray-ddpm's UNet: 20 stages, from x_t to the predicted noise, 668,417 parameters as its card says
    await expect.poll(() => view.getByTestId('architecture-stage').count()).toBe(20);
    expect(await view.getByTestId('architecture-stage').first().innerText()).toMatch(/^28 × 28 × 1\s+x_t, the noisy sample$/);
    expect(await view.getByTestId('architecture-stage').last().innerText()).toMatch(/^28 × 28 × 1\s+GroupNorm, SiLU, conv: the predicted noise ε · [\d.]+k? parameters$/);
    expect(await text(page, 'architecture-total')).toMatch(/^668,417 parameters in all\./);
    await expect.poll(() => text(page, 'lesson-live')).toBe(
      '668,417 learned parameters in all. UNet: from 28 × 28 × 1 to 28 × 28 × 1 in 19 stages, 668,417 parameters. '
      + 'At its deepest the image is 7 × 7 × 64; t and the class enter every ResBlock as 128 numbers.');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'lesson-network.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'lesson-network-phone.png'), fullPage: true });

    // the full lab folds it away until asked; the autoregressive model draws three networks
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.goto(`${site.server.url}?backend=wasm&model=xray-ar&count=1`);
    expect(await waitForState(page, ['idle', 'done', 'error'])).not.toBe('error');
    const section = page.locator('section', { has: page.locator('#network-heading') });
    expect(await section.getByTestId('architecture').count()).toBe(0);
    await section.locator('summary').click();
    await expect.poll(() => section.getByTestId('architecture-part').locator('h3').allInnerTexts()).toEqual(['VQ encoder', 'Transformer', 'VQ decoder']);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says what went wrong with a slide\'s model even though the slide hides the model picker', { timeout: 120_000 }, async () => {
    const page = await site.browser.newPage();
    await page.goto(`${site.server.url}?backend=wasm&lesson=noise-to-xray&model=no-such-model`);
    const problem = page.getByTestId('problem');
    await problem.first().waitFor({ timeout: 60_000 });
    expect(await problem.first().innerText()).toContain('no-such-model');
    expect(await page.getByTestId('model-picker').count()).toBe(0);
    await page.close();
  });

  it('lists every lesson on the start page', async () => {
    const page = await site.browser.newPage();
    await page.goto(`${site.server.url}?backend=wasm`);
    expect(await waitForState(page, ['idle', 'error'])).toBe('idle');
    const links = await page.getByTestId('lesson-list').locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(LESSONS.map((l) => `?lesson=${l.id}`));
    await page.close();
  });
});
