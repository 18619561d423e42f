/**
 * Embedded views, in a page that is not the site: examples/embed.html, served from another origin,
 * loads the built site's embed.js from the site (which allows it, as static hosts do) and shows two
 * views with one tag each. Both run on one compute runtime, make their samples from the settings in
 * their attributes, read the models and real samples from the site, and leave the course page's
 * address alone; a tag with a view that does not exist says so.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { serveStatic } from '../../scripts/static-server.mjs';
import { SUB_PATH, launch } from './page.js';

const siteDir = inject('siteDir');
const course = mkdtempSync(join(tmpdir(), 'msl-course-'));
afterAll(() => rmSync(course, { recursive: true, force: true }));

describe('views embedded in another page', () => {
  it('a course page on another origin embeds the denoiser, a generator, the judge and the families: all run on one runtime', { timeout: 400_000 }, async () => {
    const site = await serveStatic(siteDir, { prefix: SUB_PATH, cors: true });
    const example = readFileSync('examples/embed.html', 'utf8');
    expect(example).toContain('src="http://localhost:4173/embed.js"');
    // the page as a teacher would host it: the script's address pointed at where the site is
    writeFileSync(join(course, 'index.html'), example.replaceAll('http://localhost:4173/', site.url)
      .replace('</body>', '<medsynth-view id="judge" view="judge" model="xray-vae"></medsynth-view>' +
        '<medsynth-view id="families" view="families" model="xray-vae"></medsynth-view>' +
        '<medsynth-view id="typo" view="denoiserr" model="xray-ddpm"></medsynth-view></body>'));
    const other = await serveStatic(course, { prefix: '/course/' });
    const browser = await launch();
    try {
      expect(new URL(other.url).origin).not.toBe(new URL(site.url).origin);
      const page = await browser.newPage();
      const errors: string[] = [];
      const origins = new Set<string>();
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => origins.add(new URL(r.url()).origin));
      await page.goto(other.url);
      // each view opens its model from its attributes and makes the samples they ask for
      await page.waitForFunction(() => {
        const apps = [...document.querySelectorAll('medsynth-view msl-app')];
        return apps.length === 4 && apps.every((a) => ['done', 'error'].includes(a.getAttribute('state') ?? ''));
      }, null, { timeout: 360_000 });
      for (const id of ['denoiser', 'generator', 'judge', 'families']) expect(await page.locator(`#${id} msl-app`).getAttribute('state'), id).toBe('done');
      expect(await page.evaluate(() => (customElements.get('medsynth-view') as unknown as { runtimesStarted: number }).runtimesStarted)).toBe(1);

      const denoiser = page.locator('#denoiser');
      expect(await denoiser.locator('[data-testid="settings"]').getAttribute('data-model')).toBe('xray-ddpm');
      expect(await denoiser.locator('msl-diffusion-viewer').count()).toBe(1);
      // two samples beside real held-out X-rays read from the site
      expect(await denoiser.getByTestId('sample-grid').locator('canvas').count()).toBeGreaterThanOrEqual(2);
      const link = await denoiser.getByTestId('permalink').getAttribute('href');
      expect(link).toMatch(new RegExp(`^${site.url.replace(/[.?]/g, '\\$&')}\\?model=xray-ddpm&.*class=pneumonia.*&steps=10`));
      const generator = page.locator('#generator');
      expect(await generator.locator('[data-testid="settings"]').getAttribute('data-model')).toBe('xray-vae');
      expect(await generator.locator('msl-diffusion-viewer').count()).toBe(0);
      // the judge and the family comparison, each alone, ready to run on the model their tag names
      const judge = page.locator('#judge');
      await expect.poll(() => judge.getByTestId('judge-run').isEnabled(), { timeout: 30_000 }).toBe(true);
      expect(await judge.getByTestId('sample-grid').count()).toBe(0);
      const families = page.locator('#families');
      await expect.poll(() => families.getByTestId('family-run').isEnabled(), { timeout: 30_000 }).toBe(true);
      expect(await families.getByTestId('judge-panel').count()).toBe(0);
      // only what the tags ask for: no picker, no glossary, no lesson
      expect(await page.getByTestId('model-picker').count()).toBe(0);
      expect(await page.getByTestId('glossary').count()).toBe(0);
      expect(await page.locator('#typo').innerText()).toBe('MedSynth Lab: there is no view "denoiserr"; use one of generator, denoiser, families, judge, game.');

      expect(new URL(page.url()).search, 'the course page\'s address is its own').toBe('');
      expect([...origins].sort()).toEqual([new URL(site.url).origin, new URL(other.url).origin].sort());
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await site.close();
      await other.close();
    }
  });
});
