/**
 * `npm run bench`: the built site's bench page (bench.html) in headless Chromium, one fresh browser
 * per configuration (model x backend x batch) so that every cold figure starts without a shader
 * cache. Serves dist/ with the project's static server; models from `--models-dir` are answered
 * by the page's request router under `bench-models/`, on the site's own origin.
 * Started by scripts/bench.mjs, which sets up the TypeScript loader.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright';
import { launchOptions } from '../chromium.mjs';
import { serveStatic } from '../static-server.mjs';
import { benchParams } from '../../src/bench/config.js';
import type { BenchPanel } from '../../src/bench/bench-panel.js';
import { type BenchReport, type BenchResult, emptyResult } from '../../src/bench/result.js';
import { type Configuration, configurations } from '../../src/bench/runner.js';
import { SHARED_USAGE, limitText, parseCli } from './cli.js';
import { generatorsIn } from './models-dir.js';
import { routeModels } from './route-models.js';
import { formatReport, loadAverage, machine, resultLine, saveReport } from './report.js';

const USAGE = `npm run bench -- [flags]

Builds the site, then measures it in headless Chromium (WebGPU switched on).
${SHARED_USAGE}
  --dist DIR            the built site, default dist/`;

const PREFIX = '/medsynth/';
const MODELS_ROUTE = 'bench-models/';
/** Time for a fresh browser to start, open the page and close, beyond a configuration's own limit. */
const MARGIN_MS = 120_000;

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2), {}, { dist: { type: 'string' } });
  if (cli === 'help') {
    console.log(USAGE);
    return 0;
  }
  const { settings } = cli;
  const dist = resolve(typeof cli.extra.dist === 'string' ? cli.extra.dist : 'dist');
  if (!existsSync(join(dist, 'bench.html'))) {
    console.error(`${dist}/bench.html is missing: build the site first (npm run bench builds it).`);
    return 2;
  }
  const modelsDir = cli.modelsDir ? resolve(cli.modelsDir) : null;
  const models = settings.models.length ? settings.models : generatorsIn(modelsDir ?? join(dist, 'models'));
  if (models.length === 0) {
    console.error(`No generators (DDPM or VAE cards) in ${modelsDir ?? `${dist}/models`}. Try --models-dir test/fixtures/tiny-models.`);
    return 2;
  }

  const plan = configurations(settings, models);
  const server = await serveStatic(dist, { prefix: PREFIX });
  const date = new Date().toISOString();
  const loadBefore = loadAverage();
  const results: BenchResult[] = [];
  let page: Page | null = null;
  let stopped = false;
  process.once('SIGINT', () => {
    stopped = true;
    console.error('Stopping after the current step…');
    void page?.evaluate(() => document.querySelector('msl-bench')?.cancel()).catch(() => undefined);
  });
  let browserInfo: Record<string, string | number> = {};
  console.error(`bench: ${plan.length} configuration${plan.length === 1 ? '' : 's'} of ${models.join(', ')}, one fresh Chromium each; ${limitText(settings.budgetS)}`);
  try {
    for (const [index, config] of plan.entries()) {
      if (stopped) break;
      const label = `[${index + 1}/${plan.length}] ${config.model} ${config.backend} batch ${config.batch}`;
      console.error(label);
      const browser = await chromium.launch({ ...launchOptions({ webgpu: true }), headless: true });
      try {
        page = await browser.newPage();
        if (modelsDir) await routeModels(page, `${server.url}${MODELS_ROUTE}`, modelsDir);
        const outcome = await measure(page, browser, `${server.url}bench.html?${benchParams({
          ...settings, models: [config.model], backends: [config.backend], batches: [config.batch],
          modelsBase: modelsDir ? MODELS_ROUTE : null, autorun: true,
        })}`, settings.budgetS, (text) => console.error(`  ${text}`));
        browserInfo = outcome.environment ?? browserInfo;
        const found = outcome.results.length ? outcome.results : [failed(config, settings.repeats, outcome.problem)];
        for (const r of found) console.error(`  ${resultLine(r)}`);
        results.push(...found);
      } catch (error) {
        // One configuration's failure (a crashed or hung page) must not lose the others.
        const r = failed(config, settings.repeats, `the page failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        console.error(`  ${resultLine(r)}`);
        results.push(r);
      } finally {
        page = null;
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }

  const report: BenchReport = {
    date,
    environment: {
      ...browserInfo,
      ...machine(),
      'load average (1, 5, 15 min) before': loadBefore,
      'load average after': loadAverage(),
      ...(cli.note ? { note: cli.note } : {}),
      ...(stopped ? { stopped: 'by the user; the results are those finished before' } : {}),
    },
    settings: { ...settings, models, modelsDir, quick: cli.quick },
    results,
  };
  console.log(formatReport(report, 'MedSynth Lab benchmark in headless Chromium'));
  console.log(`\nJSON: ${saveReport(report, cli.out, 'browser')}`);
  return 0;
}

interface Outcome {
  results: BenchResult[];
  environment: Record<string, string | number> | null;
  /** Why there are no results, when there are none. */
  problem: string;
}

/** Opens the bench page, prints its progress as it changes, and returns its report when it ends. */
async function measure(page: Page, browser: Browser, url: string, budgetS: number | null, log: (text: string) => void): Promise<Outcome> {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  const deadline = budgetS === null ? Infinity : Date.now() + budgetS * 1000 + MARGIN_MS;
  const late = () => ({ results: [], environment: null, problem: `the page did not finish within ${budgetS} s plus ${MARGIN_MS / 1000} s` });
  let shown = '';
  for (;;) {
    // A run on the CPU backends holds the page's main thread for as long as it lasts, and the
    // page answers only after it: wait for the answer, but not past the deadline.
    const status = await Promise.race([
      page.evaluate(() => {
        const panel = document.querySelector('msl-bench');
        return { state: panel?.getAttribute('data-state') ?? null, progress: panel?.shadowRoot?.querySelector('[data-testid="bench-progress"]')?.textContent?.trim() ?? '' };
      }),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), Math.max(0, Math.min(deadline - Date.now(), 2 ** 31 - 1)))),
    ]);
    if (status === null) return late();
    if (status.state && status.state !== 'ready' && status.state !== 'running') break;
    if (Date.now() > deadline) return late();
    if (status.progress && status.progress !== shown) log((shown = status.progress));
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const report = await page.evaluate(() => (document.querySelector('msl-bench') as BenchPanel).report);
  const environment = report ? { ...report.environment, browser: `Chromium ${browser.version()}` } : null;
  return { results: report?.results ?? [], environment, problem: errors.join(' / ') || 'the page reported nothing' };
}

function failed(config: Configuration, repeats: number, problem: string): BenchResult {
  return { ...emptyResult(config.model, config.backend, config.batch, repeats), status: 'error', note: problem };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
