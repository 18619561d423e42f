/**
 * `npx tsx scripts/first-samples.ts [--site DIR] [--cap-webgl S] [QUERY ...]`: how long a first
 * visit takes, from opening the built site to the default model's first samples, with no setting
 * changed: open the page, press the start page's one button (the suggested model, the chest X-ray
 * diffusion model, at its card's defaults: 8 samples, 50 guided steps), and wait for the first
 * sample to show forming and for the finished samples. Each QUERY ('' for the automatic choice, 'backend=wasm', ...) runs
 * in a fresh browser profile, so the automatic choice measures as on a first visit.
 *
 * It builds the site into a temporary folder unless --site names a build, serves it from the
 * e2e tests' sub-path and launches Chromium as every tool here does (WebGPU switched on: on a
 * machine without a GPU, SwiftShader). A run that has not finished within its cap (10 minutes;
 * --cap-webgl for WebGL, 5 by default) is reported as a lower bound.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright';
import { build } from 'vite';
import { launchOptions } from './chromium.mjs';
import { waitForState } from './site-page.js';
import { serveStatic } from './static-server.mjs';

const DEFAULT_MODEL = 'xray-ddpm';
const SUB_PATH = '/workshops/medsynth/';

interface Timing {
  query: string;
  backend: string;
  reason: string;
  /** Seconds from opening the page: backend chosen, model loaded, first sample forming, samples shown (null: not within the cap). */
  backendS: number;
  loadedS: number;
  formingS: number | null;
  samplesS: number | null;
  capS: number;
  status: string;
}

async function firstSamples(siteUrl: string, query: string, capS: number): Promise<Timing> {
  const browser = await chromium.launch({ ...launchOptions(), headless: true });
  try {
    const page = await browser.newPage(); // a fresh profile: nothing kept from an earlier visit
    const opened = Date.now();
    const since = () => (Date.now() - opened) / 1000;
    await page.goto(query ? `${siteUrl}?${query}` : siteUrl);
    await page.locator('[data-testid="backend-badge"][data-backend]:not([data-backend=""])').waitFor({ timeout: 120_000 });
    const backendS = since();
    const backend = (await page.getByTestId('backend-badge').getAttribute('data-backend')) ?? '';
    const reason = await page.getByTestId('backend-reason').innerText();
    await page.getByTestId('start-button').click();
    await page.locator(`[data-testid="settings"][data-model="${DEFAULT_MODEL}"]`).waitFor({ timeout: capS * 1000 });
    const loadedS = since();
    let formingS: number | null = null;
    void page.getByTestId('forming').waitFor({ timeout: capS * 1000 }).then(() => (formingS ??= since()), () => undefined);
    const left = Math.max(1, capS - since()) * 1000;
    try {
      const state = await waitForState(page, ['done', 'error'], left);
      return { query, backend, reason, backendS, loadedS, formingS, samplesS: state === 'done' ? since() : null, capS, status: await page.getByTestId('run-status').innerText() };
    } catch {
      const progress = await page.getByTestId('progress').locator('.detail').innerText().catch(() => '?');
      return { query, backend, reason, backendS, loadedS, formingS, samplesS: null, capS, status: `not finished after ${capS} s (${progress})` };
    }
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { site: { type: 'string' }, 'cap-webgl': { type: 'string', default: '300' }, cap: { type: 'string', default: '600' } },
  });
  const queries = positionals.length ? positionals.map((q) => q.replace(/^\?/, '')) : ['', 'backend=wasm', 'backend=webgl'];
  const siteDir = values.site ? resolve(values.site) : await mkdtemp(join(tmpdir(), 'medsynth-first-'));
  if (!values.site) await build({ root: resolve(import.meta.dirname, '..'), logLevel: 'warn', build: { outDir: siteDir, emptyOutDir: true } });
  const server = await serveStatic(siteDir, { prefix: SUB_PATH });
  try {
    for (const query of queries) {
      const capS = Number(query.includes('backend=webgl') ? values['cap-webgl'] : values.cap);
      const t = await firstSamples(server.url, query, capS);
      const samples = t.samplesS === null ? `over ${t.capS} s` : `${t.samplesS.toFixed(1)} s`;
      console.log(
        `${query || '(automatic)'}: first samples ${samples} after opening; backend ${t.backend} chosen at ${t.backendS.toFixed(1)} s, ` +
          `model loaded at ${t.loadedS.toFixed(1)} s, first sample forming at ${t.formingS === null ? '-' : `${t.formingS.toFixed(1)} s`}; ${t.status.trim()}\n  reason line: ${t.reason}`,
      );
    }
  } finally {
    await server.close();
    if (!values.site) await rm(siteDir, { recursive: true, force: true });
  }
}

await main();
