/**
 * `npx tsx scripts/membership.ts [--models a,b] [--backend wasm|cpu]`: the page's membership test
 * (src/judge/membership.ts, through the page's JudgeController, as the button in the judge runs
 * it) on the shipped diffusion models and the real reference packs, in Node on the page's own
 * backend start. Prints each model's AUC with its interval, with and without held-out
 * near-copies, beside the time it took: the figures to set beside training/membership.py's.
 */
import { parseArgs } from 'node:util';
import type { JudgeController } from '../src/judge/judge-controller.js';
import type { BackendName } from '../src/runtime/backends.js';
import { headlessHost, pageModules, repoFetch, runMain } from './page-modules.js';

const DIFFUSION_MODELS = 'breast-ddpm,breast-ddpm-memorised,xray-ddpm,retina-ddpm,ecg-ddpm,bccd-ddpm';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { models: { type: 'string', default: DIFFUSION_MODELS }, backend: { type: 'string', default: 'wasm' } } });
  const { startFreshBackend, JudgeController, loadModel, close } = await pageModules();
  const started = await startFreshBackend(values.backend as BackendName, {});
  const judge: JudgeController = new JudgeController(headlessHost, { fetch: repoFetch, load: (base, o) => loadModel(base, { ...o, fetch: repoFetch }) });
  console.log(`membership test on ${started.backend} (${started.device ?? '?'})`);
  const f = (x: number) => x.toFixed(3);
  for (const id of values.models.split(',')) {
    const generator = await loadModel(`models/${id}/`, { fetch: repoFetch });
    const start = performance.now();
    const ok = await judge.membership(generator);
    const seconds = (performance.now() - start) / 1000;
    const r = judge.view.membership?.report;
    if (!ok || !r) throw new Error(`${id}: ${judge.view.message ?? 'the test did not finish'}`);
    const dedup = r.dedup ? `; without ${r.nearCopies} held-out near-copies ${f(r.dedup.auc)} [${f(r.dedup.low)}, ${f(r.dedup.high)}]` : '; no held-out near-copies';
    console.log(`${id}: AUC ${f(r.all.auc)} [${f(r.all.low)}, ${f(r.all.high)}] (train ${r.all.n.train}, held-out ${r.all.n.heldout})${dedup}; ` +
      `mean error train ${r.meanError.train.toFixed(4)}, held-out ${r.meanError.heldout.toFixed(4)}; ${seconds.toFixed(1)} s`);
    generator.dispose();
  }
  judge.dispose();
  started.stop();
  await close();
}

runMain(main);
