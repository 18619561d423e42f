/**
 * `npm run bench:node`: the benchmark in Node, through the site's own loader and sampling code,
 * on WebGPU through Dawn (the `webgpu` package: SwiftShader on a machine without a GPU, the real
 * GPU through Vulkan on one with a GPU) and on tfjs's WebAssembly backend, for the ratio.
 * Started by scripts/bench-node.mjs, which sets up the Vulkan driver and the TypeScript loader, or
 * as the bundle that `--bundle` writes (see bundle.ts), which sets up the driver itself.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type StartedBackend, BackendUnavailable, startFreshBackend } from '../../src/bench/fresh-backend.js';
import type { BenchReport } from '../../src/bench/result.js';
import { type BenchEnvironment, configurations, runBench } from '../../src/bench/runner.js';
import type { BackendName } from '../../src/runtime/backends.js';
import { SHARED_USAGE, limitText, parseCli } from './cli.js';
import { dawn } from './dawn.js';
import { relaunchOnSwiftShaderIfNeeded } from './vulkan.mjs';
import { probeLoop } from './loop-probe.js';
import { fileFetch, generatorsIn } from './models-dir.js';
import { formatReport, loadAverage, machine, progressLine, resultLine, saveReport } from './report.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** Set by bundle.ts: this file is the self-contained bundle, not the checkout's source. */
declare const __MSL_BUNDLED__: boolean | undefined;
const BUNDLED = typeof __MSL_BUNDLED__ !== 'undefined' && __MSL_BUNDLED__;

const USAGE = `npm run bench:node -- [flags]

The benchmark in Node: WebGPU through Dawn, and tfjs's WebAssembly backend.
${SHARED_USAGE}

npm run bench:node -- --probe-loop [--models-dir DIR] [--models ID] [--backends A,B] [--batches N,N] [--repeats N]
  where a denoising step's time goes, piece by piece (see scripts/bench/loop-probe.ts)`;

async function main(): Promise<number> {
  if (!process.argv.includes('--help')) {
    const relaunched = relaunchOnSwiftShaderIfNeeded(); // null: set up already, or a real driver
    if (relaunched !== null) return relaunched;
  }
  if (process.argv.includes('--probe-loop')) return probeLoop(process.argv.slice(2), await dawn());
  const cli = parseCli(process.argv.slice(2), { backends: ['webgpu', 'wasm'] });
  if (cli === 'help') {
    console.log(USAGE);
    return 0;
  }
  const { settings } = cli;
  const modelsDir = resolve(cli.modelsDir ?? (BUNDLED ? 'models' : join(REPO, 'models')));
  const models = settings.models.length ? settings.models : generatorsIn(modelsDir);
  if (models.length === 0) {
    console.error(`No generators (DDPM or VAE cards) in ${modelsDir}. Try --models-dir test/fixtures/tiny-models.`);
    return 2;
  }

  const gpu = settings.backends.includes('webgpu') ? await dawn() : null;
  const env: BenchEnvironment = {
    startBackend: (backend) => startInNode(backend, gpu),
    fetch: fileFetch,
    modelUrl: (id) => `${pathToFileURL(join(modelsDir, id)).href}/`,
  };

  const date = new Date().toISOString();
  const loadBefore = loadAverage();
  const count = configurations(settings, models).length;
  console.error(`bench:node: ${count} configuration${count === 1 ? '' : 's'} of ${models.join(', ')} from ${modelsDir}; ${limitText(settings.budgetS)}`);
  const controller = new AbortController();
  process.once('SIGINT', () => {
    console.error('Stopping after the current step (Ctrl-C again to quit at once)…');
    controller.abort(new DOMException('stopped by the user', 'AbortError'));
  });
  const results: BenchReport['results'] = [];
  let stopped = false;
  try {
    await runBench(settings, models, env, {
      signal: controller.signal,
      onProgress: (p) => console.error(progressLine(p)),
      onResult: (r) => {
        results.push(r);
        console.error(`  ${resultLine(r)}`);
      },
    });
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    stopped = true;
  }

  const report: BenchReport = {
    date,
    environment: {
      runtime: `Node ${process.version} (${process.platform} ${process.arch})`,
      ...machine(),
      'load average (1, 5, 15 min) before': loadBefore,
      'load average after': loadAverage(),
      vulkanDriver: process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES ?? 'system',
      ...(cli.note ? { note: cli.note } : {}),
      ...(stopped ? { stopped: 'by the user; the results are those finished before' } : {}),
    },
    settings: { ...settings, modelsDir, quick: cli.quick },
    results,
  };
  console.log(formatReport(report, 'MedSynth Lab benchmark in Node'));
  console.log(`\nJSON: ${saveReport(report, cli.out, 'node')}`);
  return 0;
}

function startInNode(backend: BackendName, gpu: GPU | null): Promise<StartedBackend> {
  // Node has no WebGL: say so, rather than have the runtime try it and start a fallback.
  if (backend === 'webgl') return Promise.reject(new BackendUnavailable('webgl is not available here: Node has no WebGL'));
  return startFreshBackend(backend, { gpu });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
