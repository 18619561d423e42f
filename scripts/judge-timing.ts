/**
 * `npx tsx scripts/judge-timing.ts [--model ID] [--per-class N] [--resamples N] [--backend wasm|cpu]`:
 * how long the judge's audit takes, twice in a row on the same model and dataset, in Node through
 * the page's own JudgeController (src/judge/judge-controller.ts) and the page's own backend start
 * (src/bench/fresh-backend.ts: tfjs's WebAssembly backend by default).
 *
 * The second audit finds the evaluator loaded and its outputs on the real reference samples kept
 * (the controller's `realOutputs`), so it should cost a fraction of the first. It prints both wall
 * times, the ratio, each part's seconds (the view's `timing`), and the estimate the panel showed
 * before the second audit (src/judge/estimate.ts) beside what it took.
 *
 * The default is the bug report's case: breast-vae, 16 samples per class.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';
import type { AuditTiming } from '../src/judge/estimate.js';
import type { JudgeController } from '../src/judge/judge-controller.js';
import type { BackendName } from '../src/runtime/backends.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));

/**
 * The page's modules, through Vite's own loader: the judge imports the list of shipped models from
 * `virtual:model-registry`, which only the models plugin of vite.config.ts provides.
 */
async function pageModules() {
  const vite = await createServer({ root: REPO, server: { middlewareMode: true, hmr: false, ws: false }, appType: 'custom', logLevel: 'warn' });
  const load = <T>(path: string) => vite.ssrLoadModule(path) as Promise<T>;
  return {
    ...(await load<typeof import('../src/bench/fresh-backend.js')>('/src/bench/fresh-backend.ts')),
    ...(await load<typeof import('../src/judge/estimate.js')>('/src/judge/estimate.ts')),
    ...(await load<typeof import('../src/judge/judge-controller.js')>('/src/judge/judge-controller.ts')),
    ...(await load<typeof import('../src/models/loader.js')>('/src/models/loader.ts')),
    close: () => vite.close(),
  };
}

/** The site's URLs as files of this checkout: models/ and, for reference/, public/reference/. */
async function repoFetch(url: string): Promise<Response> {
  const path = url.replace(/^\.?\//, '');
  try {
    const bytes = await readFile(join(REPO, path.startsWith('reference/') ? `public/${path}` : path));
    return new Response(new Uint8Array(bytes), { headers: { 'content-length': String(bytes.length) } });
  } catch {
    return new Response('not found', { status: 404, statusText: 'Not Found' });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'breast-vae' },
      'per-class': { type: 'string', default: '16' },
      resamples: { type: 'string', default: '100' },
      backend: { type: 'string', default: 'wasm' },
    },
  });
  const { startFreshBackend, estimateAudit, JudgeController, loadModel, close } = await pageModules();
  const started = await startFreshBackend(values.backend as BackendName, {});
  const host = { addController() {}, removeController() {}, requestUpdate() {}, updateComplete: Promise.resolve(true) };
  const judge: JudgeController = new JudgeController(host, { fetch: repoFetch, load: (base, o) => loadModel(base, { ...o, fetch: repoFetch }) });
  const generator = await loadModel(`models/${values.model}/`, { fetch: repoFetch });
  const settings = { perClass: Number(values['per-class']), resamples: Number(values.resamples) };
  console.log(`${values.model}, ${settings.perClass} samples per class, ${settings.resamples} resamples, on ${started.backend} (${started.device ?? '?'}): two audits in a row`);

  const audit = async (): Promise<{ seconds: number; timing: AuditTiming }> => {
    const start = performance.now();
    if (!(await judge.audit(generator, settings))) throw new Error(judge.view.message ?? 'the audit did not finish');
    return { seconds: (performance.now() - start) / 1000, timing: judge.view.timing! };
  };
  const s = (x: number) => `${x.toFixed(2)} s`;
  const parts = (t: AuditTiming) => Object.entries(t.seconds).map(([part, sec]) => `${part} ${s(sec)}`).join(', ');
  const first = await audit();
  console.log(`first audit:  ${s(first.seconds)} (${parts(first.timing)}; real samples scored: ${first.timing.real.heldout + first.timing.real.train})`);
  const estimate = estimateAudit(first.timing, judge.settings).total;
  const second = await audit();
  const kept = Object.entries(second.timing.real.kept).filter(([, k]) => k).map(([what]) => what);
  console.log(`second audit: ${s(second.seconds)} (${parts(second.timing)}; kept from the first: ${kept.join(', ') || 'nothing'})`);
  console.log(`estimate shown before the second: ${s(estimate)} (loading left out)`);
  const ratio = second.seconds / first.seconds;
  console.log(`second / first: ${ratio.toFixed(3)} (${ratio < 1 / 3 ? 'under' : 'NOT under'} a third)`);
  generator.dispose();
  judge.dispose();
  started.stop();
  await close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
