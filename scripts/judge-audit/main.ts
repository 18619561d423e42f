/**
 * `npm run audit`: the judge's full audit and train-on-synthetic-test-on-real, in the built site's
 * page in headless Chromium, for every shipped generator; every figure is read off the page and
 * must be there and finite. Writes audit-results/<id>.json per model and, from every result there,
 * the report docs/judge/audit.md, with screenshots in docs/judge/. Started by
 * scripts/judge-audit.mjs, which sets up the TypeScript loader.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Browser, chromium } from 'playwright';
import { build } from 'vite';
import { type JudgeSettings, clampJudgeSettings } from '../../src/judge/view.js';
import { generatorsIn } from '../bench/models-dir.js';
import { loadAverage, machine } from '../bench/report.js';
import { launchOptions } from '../chromium.mjs';
import { serveStatic } from '../static-server.mjs';
import { waitForState } from '../site-page.js';
import { MEMORISATION_EXHIBIT, PANEL_SHOTS, type SavedResult, writeReport } from './report.js';
import { type GeneratorCard, judgeModel } from './run.js';

const USAGE = `npm run audit -- [flags]

Builds the site, then runs the judge (section 5 of the page) on every shipped generator in headless
Chromium: the audit, then train-on-synthetic-test-on-real; reads every figure off the page and fails
if one is missing or not finite. Writes audit-results/<id>.json and docs/judge/audit.md.

  --models ID,ID     models to audit (default: every generator in models/); the report covers
                     every result in audit-results/, so a long audit can be run in parts
  --backend NAME     the page's backend (?backend=), default wasm: on a machine without a GPU it
                     is by far the fastest for the generators' forward passes (WebGPU and WebGL
                     run on SwiftShader there); TSTR then trains the dense fallback and says so
  --steps N          diffusion steps (default 20; the cards' figures were measured with 50)
  --per-class N      samples per class (default 64, and 16 for bccd-ddpm)
                     (a run with either is saved as a check, <id>.steps-N.json, and reported
                     beside the main result, not instead of it)
  --site DIR         a built site to serve (default: build one into audit-results/site)
  --report-only      write docs/judge/audit.md from audit-results/ without running anything
  --help`;

const OUT = resolve('audit-results');
const DOCS = resolve('docs/judge');
const PREFIX = '/medsynth/';

/**
 * Modest settings, sized for the 2-core machine (all ten models took 20 minutes on WASM there):
 * 64 samples per class (as many as the held-out packs hold per class, so the fidelity mix uses
 * every held-out sample it can) and 64 unconditional ones, 20 steps of the card's diffusion sampler
 * instead of its 50, 50 bootstrap resamples, 8 epochs of training. The 64x64 RGB blood-cell
 * diffusion model costs about seven times more per step than the 28x28 ones, so it makes 16 per
 * class (its Frechet distance then carries the panel's small-sample warning).
 */
const SETTINGS: JudgeSettings = clampJudgeSettings({ perClass: 64, unconditional: 64, resamples: 50, seed: 1, neighbours: 3, steps: 20, epochs: 8 });
const OVERRIDES: Record<string, Partial<JudgeSettings>> = {
  'bccd-ddpm': { perClass: 16, unconditional: 16 },
};
const settingsFor = (id: string, flags: Partial<JudgeSettings>): JudgeSettings => clampJudgeSettings({ ...SETTINGS, ...OVERRIDES[id], ...flags });

const readCard = (id: string): GeneratorCard & { quality?: Record<string, unknown> } =>
  JSON.parse(readFileSync(join('models', id, 'card.json'), 'utf8'));

async function siteDir(given: string | undefined): Promise<string> {
  if (given) return resolve(given);
  const dir = join(OUT, 'site');
  console.log(`building the site into ${dir}`);
  await build({ root: process.cwd(), logLevel: 'warn', build: { outDir: dir, emptyOutDir: true } });
  return dir;
}

/** Audits `ids` in `browser`, one fresh page per dataset (its DDPM and VAE share the evaluator's work). */
/** A run with settings other than the defaults is saved as <id>.<label>.json ("steps-50"), a check beside the main result. */
const labelOf = (flags: Partial<JudgeSettings>) => [flags.steps ? `steps-${flags.steps}` : '', flags.perClass ? `per-class-${flags.perClass}` : ''].filter(Boolean).join('.');

async function auditAll(browser: Browser, url: string, backend: string, ids: string[], flags: Partial<JudgeSettings>): Promise<{ results: SavedResult[]; failures: string[] }> {
  const label = labelOf(flags);
  const cards = ids.map(readCard);
  const datasets = [...new Set(cards.map((c) => c.dataset))];
  const results: SavedResult[] = [];
  const failures: string[] = [];
  for (const dataset of datasets) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(`console: ${m.text()}`));
    try {
      await page.goto(`${url}?backend=${backend}`);
      if ((await waitForState(page, ['idle', 'error'])) === 'error') throw new Error('the page did not start');
      for (const card of cards.filter((c) => c.dataset === dataset)) {
        const settings = settingsFor(card.id, flags);
        const loadBefore = loadAverage();
        const started = Date.now();
        console.log(`${card.id}: ${JSON.stringify(settings)}`);
        let judged: Awaited<ReturnType<typeof judgeModel>>;
        try {
          judged = await judgeModel(page, card, settings, { log: (line) => console.log(`  ${card.id}: ${line}`) });
        } catch (error) {
          // a model whose run breaks is reported, and the others still run (in this page, if it survived)
          failures.push(`${card.id}: ${(error as Error).message.split('\n')[0]}`);
          console.error(`${card.id}: FAILED: ${(error as Error).message}`);
          continue;
        }
        const result: SavedResult = { ...judged, date: new Date().toISOString(), machine: machine(), load: [loadBefore, loadAverage()], pageErrors: [...pageErrors] };
        pageErrors.length = 0;
        writeFileSync(join(OUT, `${[card.id, label].filter(Boolean).join('.')}.json`), `${JSON.stringify(result, null, 1)}\n`);
        if (!label) await screenshots(page, card.id);
        console.log(`${card.id}: done in ${((Date.now() - started) / 1000).toFixed(0)} s (load ${judged.seconds.load.toFixed(0)} s, audit ${judged.seconds.audit.toFixed(0)} s, training ${judged.seconds.tstr.toFixed(0)} s); ${judged.problems.length ? `PROBLEMS:\n    ${judged.problems.join('\n    ')}` : 'every figure is there'}`);
        results.push(result);
      }
    } catch (error) {
      failures.push(`the ${dataset} page: ${(error as Error).message.split('\n')[0]}`);
      console.error(`the ${dataset} page: FAILED: ${(error as Error).message}`);
    } finally {
      await page.close();
    }
  }
  return { results, failures };
}

async function screenshots(page: import('playwright').Page, id: string): Promise<void> {
  mkdirSync(join(OUT, 'shots'), { recursive: true });
  const panel = page.getByTestId('judge-section');
  await panel.screenshot({ path: join(OUT, 'shots', `${id}.png`) });
  if (PANEL_SHOTS.includes(id)) await panel.screenshot({ path: join(DOCS, `${id}-panel.png`) });
  if (id === MEMORISATION_EXHIBIT) await page.getByTestId('judge-memorisation').screenshot({ path: join(DOCS, `${id}-memorisation.png`) });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      models: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      site: { type: 'string' },
      steps: { type: 'string' },
      'per-class': { type: 'string' },
      'report-only': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return (console.log(USAGE), 0);
  mkdirSync(OUT, { recursive: true });
  mkdirSync(DOCS, { recursive: true });
  const shipped = generatorsIn('models');
  const failed: string[] = [];
  if (!values['report-only']) {
    const ids = values.models ? values.models.split(',').map((s) => s.trim()).filter(Boolean) : shipped;
    const unknown = ids.filter((id) => !shipped.includes(id));
    if (unknown.length) return (console.error(`not a shipped generator: ${unknown.join(', ')} (shipped: ${shipped.join(', ')})`), 2);
    const site = await siteDir(values.site);
    const missing = [...new Set(ids.map((id) => readCard(id).dataset))].filter((d) => !existsSync(join(site, 'reference', d, 'index.json')));
    if (missing.length) {
      console.error(`the site has no reference pack for ${missing.join(', ')}: run \`npm run data\` first (the judge compares against real data)`);
      return 2;
    }
    const server = await serveStatic(site, { prefix: PREFIX });
    const browser = await chromium.launch({ ...launchOptions(), headless: true });
    try {
      const flags: Partial<JudgeSettings> = {
        ...(values.steps ? { steps: Number(values.steps) } : {}),
        ...(values['per-class'] ? { perClass: Number(values['per-class']), unconditional: Number(values['per-class']) } : {}),
      };
      const { results, failures } = await auditAll(browser, server.url, values.backend, ids, flags);
      failed.push(...failures);
      for (const r of results) {
        const wrong = [...r.problems, ...r.pageErrors.map((e) => `page error: ${e}`)];
        if (wrong.length) failed.push(`${r.id}: ${wrong.join('; ')}`);
      }
    } finally {
      await browser.close();
      await server.close();
    }
  }
  const saved = savedResults(shipped);
  await writeReport(saved.main, saved.checks, shipped, join(DOCS, 'audit.md'));
  console.log(`wrote ${join(DOCS, 'audit.md')}`);
  if (failed.length) console.error(`FAILED:\n  ${failed.join('\n  ')}`);
  return failed.length ? 1 : 0;
}

/** Every result in audit-results/, in the catalogue's order: the main ones (<id>.json) and the checks (<id>.<label>.json). */
function savedResults(order: string[]): { main: SavedResult[]; checks: SavedResult[] } {
  const files = readdirSync(OUT).filter((f) => f.endsWith('.json')).sort();
  const read = (f: string) => JSON.parse(readFileSync(join(OUT, f), 'utf8')) as SavedResult;
  return {
    main: order.filter((id) => files.includes(`${id}.json`)).map((id) => read(`${id}.json`)),
    checks: order.flatMap((id) => files.filter((f) => f.startsWith(`${id}.`) && f !== `${id}.json`).map(read)),
  };
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
