/**
 * Offline use in the built site: nothing is saved and no service worker runs until asked; saved,
 * the site and a chosen model (with its data) open and run after the server is gone, and a model
 * not saved says what to do. The page's Content-Security-Policy is the one it always has (a
 * violation would be reported), and the weights are checked as always (a corrupt copy is refused
 * in loader.test.ts; offline changes nothing in the loader).
 */
import { describe, expect, inject, it } from 'vitest';
import { serveStatic } from '../../scripts/static-server.mjs';
import { OFFLINE_CACHE } from '../../src/app/offline.js';
import { SUB_PATH, launch, waitForState } from './page.js';
import { readFileSync } from 'node:fs';

const siteDir = inject('siteDir');

describe('offline use', () => {
  it('the service worker answers from the same cache the page saves into', () => {
    expect(readFileSync('src/offline/sw.ts', 'utf8')).toContain(`const CACHE = '${OFFLINE_CACHE}';`);
  });

  it('saves the site and a model, then opens and runs them with the server gone', { timeout: 300_000 }, async () => {
    const server = await serveStatic(siteDir, { prefix: SUB_PATH });
    const browser = await launch();
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const violations: string[] = [];
      await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
      await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { reportViolation: (v: string) => void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`)));
      await page.goto(`${server.url}?backend=wasm`);
      expect(await waitForState(page, ['idle', 'error'])).toBe('idle');
      const section = page.getByTestId('offline');
      await section.locator('summary').click();
      const panel = section.locator('msl-offline-panel');
      await panel.getByTestId('offline-save').waitFor();
      expect(await panel.getByTestId('offline-status').innerText()).toBe('Nothing of this site is saved in this browser.');
      expect(await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length)), 'no service worker until asked').toBe(0);
      await panel.locator('input[data-model="xray-vae"]').check();
      // the size before anything is saved
      expect(await panel.getByTestId('offline-save').innerText()).toMatch(/^Save for offline use \([\d.]+ MB\)$/);
      await panel.getByTestId('offline-save').click();
      await expect.poll(() => panel.getByTestId('offline-status').innerText(), { timeout: 120_000 })
        .toMatch(/^Saved for offline use: the site and 1 model with their data \([\d.]+ MB\)\. Until cleared, this browser opens them without a network\.$/);
      expect(await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length))).toBe(1);

      // the network gone: the saved model opens, runs, and has its real samples beside it
      await server.close();
      await page.goto(`${server.url}?backend=wasm&model=xray-vae&count=2&seed=3`);
      expect(await waitForState(page, ['done', 'error'])).toBe('done');
      expect(await page.getByTestId('sample-grid').count()).toBe(1);
      await page.getByTestId('real-grid').waitFor({ timeout: 30_000 });
      // one not saved says why it cannot open, and what would have helped
      await page.goto(`${server.url}?backend=wasm&model=retina-gan`);
      expect(await waitForState(page, ['idle', 'error'])).toBe('error');
      expect(await page.getByTestId('load-error').innerText()).toMatch(/could not fetch .*retina-gan.*Is the network down\? A model saved for offline use/);
      // what is saved, as the panel says offline; then cleared, with the service worker
      await page.getByTestId('offline').locator('summary').click();
      const again = page.getByTestId('offline').locator('msl-offline-panel');
      await expect.poll(() => again.getByTestId('offline-status').innerText()).toBe('Saved here: the site and 1 model.');
      await again.getByTestId('offline-clear').click();
      await expect.poll(() => again.getByTestId('offline-status').innerText()).toBe('Cleared: nothing of this site is kept for offline use.');
      expect(await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length))).toBe(0);
      expect(violations).toEqual([]);
      await context.close();
    } finally {
      await browser.close();
      await server.close().catch(() => undefined);
    }
  });
});
