/**
 * The judge (section 5 of the page) run whole in the built site, as `npm run audit` runs it for
 * every model but with tiny settings: pick a generator, type the settings into the panel, run the
 * audit, then train on synthetic and test on real, and read every figure off the page
 * (scripts/judge-audit/figures.ts): finite Frechet and kernel distances with intervals, PRDC, a
 * faithfulness row per class, the DCR histograms, the audit grid with its neighbours' distances,
 * the loss curves and confusion matrices that sum to the held-out count, and for ECG the beat
 * features of every class.
 *
 * Both run on WASM, by far the quickest backend on a machine without a GPU (on WebGPU through
 * SwiftShader the evaluator alone takes minutes over ecg-vae's 3,366 real training beats). WASM
 * cannot train convolutions, so the page must say it trains the dense fallback; the convolutional
 * model is trained on WebGPU in test/browser/judge.test.ts.
 * A site built without `npm run data` (a clean clone) has no reference packs: there the page must
 * say so when asked to judge, and the figures are skipped with that reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { describe, expect, inject, it } from 'vitest';
import { type GeneratorCard, judgeModel } from '../../scripts/judge-audit/run.js';
import { clampJudgeSettings } from '../../src/judge/view.js';
import { openWatched, pickModel, settledState, siteAndBrowser } from './page.js';

const siteDir = inject('siteDir');

/** Tiny: 8 samples per class, 4 diffusion steps, 10 resamples, 2 epochs. */
const TINY = clampJudgeSettings({ perClass: 8, unconditional: 8, resamples: 10, seed: 7, neighbours: 2, steps: 4, epochs: 2 });

const BACKEND = 'wasm';
const MODELS = ['breast-ddpm', 'ecg-vae', 'xray-gan'];

const cardOf = (id: string): GeneratorCard => JSON.parse(readFileSync(join('models', id, 'card.json'), 'utf8'));

/** Opens the page on `backend` and checks it started there. */
async function openOn(site: ReturnType<typeof siteAndBrowser>, backend: string): Promise<{ page: Page; pageErrors: string[] }> {
  const { page, pageErrors } = await openWatched(site.browser, `${site.server.url}?backend=${backend}`);
  expect(await settledState(page)).toBe('idle');
  expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe(backend);
  return { page, pageErrors };
}

describe('the judge, run whole in the built page', () => {
  const site = siteAndBrowser();

  for (const id of MODELS) {
    const card = cardOf(id);
    const ecg = card.architecture.inputShape.length !== 3;
    // xray-gan's audit reads 4,836 real training images through two networks: about a minute here,
    // over three on a machine busy with other work; the limit is for a hung page, not for speed
    it(`audits ${id} and trains on its samples: every figure is on the page`, { timeout: 900_000 }, async ({ skip }) => {
      const { page, pageErrors } = await openOn(site, BACKEND);
      if (!existsSync(join(siteDir, 'reference', card.dataset, 'index.json'))) {
        // built where `npm run data` never ran: the judge must say what is missing, not fail silently
        await pickModel(page, id);
        await page.getByTestId('judge-run').click();
        await expect.poll(() => page.getByTestId('judge-status').innerText(), { timeout: 60_000 }).toContain('npm run data');
        await page.close();
        skip(`the site was built without the ${card.dataset} reference pack (run \`npm run data\`): nothing to judge against`);
      }

      const started = Date.now();
      const judged = await judgeModel(page, card, TINY, { log: (line) => console.log(`e2e judge: ${id}: ${line}`) });
      console.log(`e2e judge: ${id} on ${BACKEND}: audit ${judged.seconds.audit.toFixed(0)} s, training ${judged.seconds.tstr.toFixed(0)} s, ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
      const f = judged.figures;
      expect(judged.backend).toBe(BACKEND);
      // every figure there and finite (figures.ts: problemsIn), and the ones that matter most spelled out
      expect(judged.problems).toEqual([]);
      expect(f.status).toMatch(new RegExp(`^Judged ${TINY.perClass * card.classes.length} samples of `));
      expect(Number.isFinite(f.fidelity!.frechet.generated.estimate)).toBe(true);
      expect(Number.isFinite(f.fidelity!.kid.real.high)).toBe(true);
      expect(f.faithfulness!.rows.map((r) => r.name)).toEqual(card.classes);
      expect(f.faithfulness!.rows.every((r) => r.count === TINY.perClass)).toBe(true);
      if (card.method === 'ddpm') expect(f.faithfulness!.mix!.rows.reduce((a, r) => a + (r.count ?? 0), 0)).toBe(TINY.unconditional);
      else expect(f.faithfulness!.mixNote).toContain('conditional only');
      const m = f.memorisation!;
      expect(m.items).toHaveLength(TINY.perClass * card.classes.length);
      expect(m.items[0]!.pixel).toHaveLength(TINY.neighbours);
      expect(m.items[0]!.feature).toHaveLength(TINY.neighbours);
      const distances = m.items.map((i) => i.pixel[0]!.distance!);
      expect(distances, 'the grid is sorted closest first').toEqual([...distances].sort((a, b) => a - b));
      const t = f.tstr!;
      for (const matrix of [t.confusion.synthetic!, t.confusion.real!]) {
        expect(matrix).toHaveLength(card.classes.length);
        expect(matrix.flat().reduce((a, b) => a + b, 0)).toBe(t.testSize);
      }
      expect(t.lossPoints.synthetic).toBe(Math.ceil((TINY.perClass * card.classes.length) / 32) * TINY.epochs);
      expect(t.fallback).toMatch(/wasm backend cannot train convolutions .* multilayer perceptron/);
      if (ecg) {
        expect(f.ecg!.classes.map((c) => c.name)).toEqual(card.classes);
        const charted = f.ecg!.classes.filter((c) => c.features.length === 3);
        expect(charted.length, 'classes with R amplitude, QRS width and ST level charts').toBeGreaterThanOrEqual(3);
      } else {
        expect(f.ecg).toBeNull();
      }
      // the figures taken home: the JSON holds what the page shows, with the settings and the model's weights
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-judge').click()]);
      const saved = JSON.parse(readFileSync((await file.path())!, 'utf8')) as { model: { id: string; weightsSha256: string[] }; settings: { perClass: number }; figures: { fidelity: { perClass: number[] }; memorisation: { items: unknown[] } } };
      expect(file.suggestedFilename()).toBe(`medsynth-judge-${id}.json`);
      expect(saved.model.id).toBe(id);
      expect(saved.model.weightsSha256).toEqual((JSON.parse(readFileSync(join('models', id, 'card.json'), 'utf8')) as { weights: { files: { sha256: string }[] } }).weights.files.map((w) => w.sha256));
      expect(saved.settings.perClass).toBe(TINY.perClass);
      expect(saved.figures.memorisation.items).toHaveLength(m.items.length);
      expect(pageErrors).toEqual([]);
      await page.close();
    });
  }
});
