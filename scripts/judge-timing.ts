/**
 * `npx tsx scripts/judge-timing.ts [--model ID] [--per-class N] [--resamples N] [--backend wasm|cpu]`:
 * how long the judge's audit takes, twice in a row on the same model and dataset, in Node through
 * the page's own JudgeController (src/judge/judge-controller.ts) and the page's own backend start
 * (src/bench/fresh-backend.ts: tfjs's WebAssembly backend by default).
 *
 * The second audit finds the evaluator loaded and its outputs on the real reference samples kept
 * (the controller's `realOutputs`), so it should cost a fraction of the first. It prints both wall
 * times, the ratio, each part's seconds (the view's `timing`), and the estimate the panel showed
 * before the second audit (src/judge/estimate.ts) beside what it took, and the distances it measured
 * in each feature space.
 *
 * The default is the bug report's case: breast-vae, 16 samples per class.
 */
import { parseArgs } from 'node:util';
import type { AuditTiming } from '../src/judge/estimate.js';
import type { JudgeController } from '../src/judge/judge-controller.js';
import type { BackendName } from '../src/runtime/backends.js';
import { headlessHost, pageModules, repoFetch, runMain } from './page-modules.js';

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
  const judge: JudgeController = new JudgeController(headlessHost, { fetch: repoFetch, load: (base, o) => loadModel(base, { ...o, fetch: repoFetch }) });
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
  // the figures the panel shows, in each feature space
  const f3 = (x: number | undefined) => (x === undefined ? '–' : x.toPrecision(3));
  for (const report of [judge.view.fidelity, judge.view.evaluatorFidelity]) {
    if (!report) continue;
    const iv = (c: { frechet: { estimate: number; low: number; high: number }; frechetInfinity: { infinity: number } | null }) =>
      `${f3(c.frechet.estimate)} [${f3(c.frechet.low)}, ${f3(c.frechet.high)}], at infinite N ${f3(c.frechetInfinity?.infinity)}`;
    const real = report.trainVsHeldOut;
    console.log(`${report.space}: FD generated ${iv(report.generatedVsHeldOut)}; real vs real ${real ? iv(real) : '–'} (${report.generatedVsHeldOut.sizes.a} per set)`);
  }
  const ratio = second.seconds / first.seconds;
  console.log(`second / first: ${ratio.toFixed(3)} (${ratio < 1 / 3 ? 'under' : 'NOT under'} a third)`);
  generator.dispose();
  judge.dispose();
  started.stop();
  await close();
}

runMain(main);
