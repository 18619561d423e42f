/**
 * Spot the fake works with every shipped generator: in the built site, each model opened from its
 * link with tiny settings, a round of 8 dealt (4 of its samples, 4 real held-out ones), answered
 * "real" throughout, and scored: exactly the 4 real samples are right, whatever the model.
 *
 * On WASM, the quickest backend without a GPU; the full game (fixed answers by key, the reveal
 * read back) is played on WebGPU in page.test.ts with a GAN of an image and of a beat.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { SHIPPED_MODELS } from '../../src/models/registry.js';
import { siteAndBrowser, waitForState } from './page.js';

const siteDir = inject('siteDir');
const generators = SHIPPED_MODELS.filter((m) => ['ddpm', 'vae', 'gan', 'ar'].includes(m.method));

describe('spot the fake, with every shipped generator', () => {
  const site = siteAndBrowser();

  it('has a generator of every family for every dataset', () => {
    expect(generators.length).toBeGreaterThanOrEqual(20);
  });

  for (const model of generators) {
    it(`${model.id}: deals a round of its samples and real ones, and scores it`, { timeout: 300_000 }, async ({ skip }) => {
      if (!existsSync(join(siteDir, 'reference', model.dataset, 'index.json'))) {
        skip(`the site was built without the ${model.dataset} reference pack (run \`npm run data\`)`);
      }
      const page = await site.browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${site.server.url}?backend=wasm&model=${model.id}&count=1&steps=2`);
      expect(await waitForState(page, ['idle', 'done', 'error'])).not.toBe('error');
      const game = page.getByTestId('game');
      await game.getByTestId('game-size').selectOption('8');
      await game.getByTestId('game-deal').click();
      await game.getByTestId('game-play').waitFor({ timeout: 240_000 });
      for (let i = 0; i < 8; i++) await game.getByTestId('game-real').click();
      const score = game.getByTestId('game-score');
      await score.waitFor();
      expect([await score.getAttribute('data-correct'), await score.getAttribute('data-total')]).toEqual(['4', '8']);
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
