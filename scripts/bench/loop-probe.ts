/**
 * `npm run bench:node -- --probe-loop`: where a denoising step's time goes, piece by piece, through
 * the site's own code (src/diffusion, src/models). For each backend and batch, the median of
 * `--repeats` (default 5) waited-for measurements of:
 *
 *   step            guidedNoise + scheduler.step, as denoise does it (DDIM, eta 0: no fresh noise)
 *   encode only     the same step's JavaScript alone: the call returns once the GPU work is queued
 *                   (WebGPU/WebGL); on a fast GPU a step cannot take less than this
 *   net, concat     the network on concat([x, x]) (what guidedNoise does for guidance > 1 on tfjs's
 *                   ops; the compiled plan copies x twice itself and guides in its own kernel)
 *   net, 2B input   the network on an input already 2B long: the concat's share is the difference
 *   net, 2 passes   two passes of B (conditional, unconditional) instead of one of 2B
 *   net, 1 pass     one pass of B: a step without guidance (guidance 0 or 1)
 *   scheduler       scheduler.step alone
 *   noise upload    a fresh-noise tensor from JavaScript (batchNoise + upload): per step for DDPM
 *                   or DDIM with eta > 0, and once per run for x_T
 *   read 1 value    reading back one value of the sample (how the benchmark waits for the GPU)
 *   read sample     reading back the whole sample (what a page drawing every step pays)
 *   kernels         kernels launched per step (tf.profile), and on WebGPU the compute dispatches
 *                   (tfjs's and the compiled UNet plan's), what a step's time goes to on a fast GPU
 *                   (a reshape is a kernel but no dispatch); then the step, its encoding and its
 *                   dispatches again with the compiled plan turned off (tfjs's ops)
 *
 * A VAE or GAN named in `--models` is probed the same way for one decode of the batch (its
 * network, the JavaScript to encode it, its dispatches; then with its compiled plan turned off),
 * a transformer for one cached token step of the batch (2B rows: guided, as the cards sample).
 *
 * Figures are as busy as the machine is; the report prints the load average.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { guidedNoise } from '../../src/diffusion/denoise.js';
import { batchNoise } from '../../src/util/random.js';
import { startFreshBackend } from '../../src/bench/fresh-backend.js';
import { spread } from '../../src/bench/stats.js';
import { formatDuration, formatSpread, formatTextTable } from '../../src/bench/table.js';
import { countDispatches, encodeTimes, settle, tokenSteps } from '../../src/bench/workload.js';
import { loadModel } from '../../src/models/loader.js';
import type { Ar } from '../../src/models/ar.js';
import type { Gan } from '../../src/models/gan.js';
import type { Vae } from '../../src/models/vae.js';
import { type DdpmModel, nullClassOf, schedulerFor } from '../../src/pipeline/pipeline.js';
import { type BackendName, isBackendName } from '../../src/runtime/backends.js';
import { fileFetch, generatorsIn, modelsIn } from './models-dir.js';
import { loadAverage } from './report.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export async function probeLoop(argv: string[], gpu: GPU | null): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'probe-loop': { type: 'boolean' },
      'models-dir': { type: 'string' },
      models: { type: 'string' },
      backends: { type: 'string', default: 'webgpu,wasm' },
      batches: { type: 'string', default: '1,16' },
      repeats: { type: 'string', default: '5' },
    },
  });
  const dir = resolve(values['models-dir'] ?? join(REPO, 'models'));
  const ddpms = new Set(modelsIn(dir).filter((m) => m.method === 'ddpm').map((m) => m.id));
  const models = values.models ? values.models.split(',') : generatorsIn(dir).filter((id) => ddpms.has(id));
  const backends = values.backends.split(',').filter(isBackendName) as BackendName[];
  const batches = values.batches.split(',').map(Number);
  const repeats = Number(values.repeats);
  console.log(`Loop probe, ${new Date().toISOString()}, load average ${loadAverage()} (1, 5, 15 min)`);

  for (const backend of backends) {
    const started = await startFreshBackend(backend, { gpu });
    try {
      for (const id of models) {
        const model = await loadModel(`${pathToFileURL(join(dir, id)).href}/`, { fetch: fileFetch });
        try {
          if (model.kind === 'classifier') continue;
          console.log(`\n${id} on ${backend} (${started.device})`);
          const rows = [];
          for (const batch of batches) {
            const pieces = model.kind === 'ddpm' ? await probe(model, batch, repeats)
              : model.kind === 'ar' ? await probeTokens(model.net, batch, repeats) : await probeDecoder(model.net, batch, repeats);
            rows.push(...pieces.map((r) => [String(batch), ...r]));
          }
          console.log(formatTextTable(
            [{ title: 'batch', align: 'right' }, { title: 'piece', align: 'left' }, { title: `median (range) of ${repeats}`, align: 'right' }],
            rows,
          ));
        } finally {
          model.dispose();
        }
      }
    } finally {
      started.stop();
    }
  }
  return 0;
}

async function probe(model: DdpmModel, batch: number, repeats: number): Promise<string[][]> {
  const net = model.net;
  const a = net.architecture;
  const shape = a.inputShape;
  const size = shape.reduce((m, n) => m * n, 1);
  const classes = Array.from({ length: batch }, (_, i) => i % a.numClasses);
  const nullClass = nullClassOf(model.card);
  const scheduler = schedulerFor(model.card, { sampler: 'ddim', steps: 50, eta: 0 });
  const t = scheduler.timesteps[10]!;
  const x = tf.tensor(batchNoise(1, batch, size, 0), [batch, ...shape]);
  const x2 = tf.concat([x, x]);
  const times = (k: number, v: number) => new Array<number>(k).fill(v);
  const both = [...classes, ...times(batch, nullClass)];

  const measure = (f: () => tf.Tensor | tf.Tensor[]) => medianRun(f, repeats);
  const fullStep = () => {
    const eps = guidedNoise(net, x, t, classes, nullClass, 2);
    const { prevSample, predictedClean } = scheduler.step(10, x, eps);
    eps.dispose();
    predictedClean.dispose();
    return prevSample;
  };

  const encodeOnly = () => medianEncode(fullStep, repeats);

  const rows: string[][] = [];
  rows.push(['step (guided, 2B through the network)', await measure(fullStep)]);
  rows.push(['  encode only (JavaScript until queued)', await encodeOnly()]);
  rows.push(['net, concat([x, x]) (guidedNoise on tfjs\'s ops)', await measure(() => tf.tidy(() => net.predictNoise(tf.concat([x, x]), times(2 * batch, t), both)))]);
  rows.push(['net, input already 2B', await measure(() => net.predictNoise(x2, times(2 * batch, t), both))]);
  rows.push(['net, 2 passes of B', await measure(() => [net.predictNoise(x, times(batch, t), classes), net.predictNoise(x, times(batch, t), times(batch, nullClass))])]);
  rows.push(['net, 1 pass of B (no guidance)', await measure(() => net.predictNoise(x, times(batch, t), classes))]);
  const eps = net.predictNoise(x, times(batch, t), classes);
  rows.push(['scheduler.step alone', await measure(() => {
    const { prevSample, predictedClean } = scheduler.step(10, x, eps);
    predictedClean.dispose();
    return prevSample;
  })]);
  eps.dispose();
  const js: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    batchNoise(1, batch, size, i + 1);
    js.push(performance.now() - started);
  }
  rows.push(['noise in JavaScript (batchNoise)', formatSpread(spread(js), formatDuration)]);
  rows.push(['noise upload (batchNoise + tensor)', await measure(() => tf.tensor(batchNoise(1, batch, size, 3), [batch, ...shape]))]);
  const read = async (whole: boolean) => {
    const ms: number[] = [];
    for (let i = 0; i <= repeats; i++) {
      const y = tf.mul(x, 1); // a fresh result on the device, never read
      const later = tf.add(x, 0); // queued after y: once it is read, y is computed too
      await settle(later);
      later.dispose();
      const started = performance.now();
      if (whole) await y.data();
      else await settle(y);
      if (i > 0) ms.push(performance.now() - started);
      y.dispose();
    }
    return formatSpread(spread(ms), formatDuration);
  };
  rows.push(['read back 1 value', await read(false)]);
  rows.push(['read back the whole sample', await read(true)]);
  const profile = await tf.profile(async () => {
    const out = fullStep();
    await out.data();
    out.dispose();
  });
  rows.push(['kernels per step (tf.profile, reshapes included)', String(profile.kernels.length)]);
  if (tf.getBackend() === 'webgpu') {
    rows.push(['GPU dispatches per step', String(await countDispatches(fullStep))]);
    rows.push(['  the network ran as', net.lastPath]);
    // The same step on tfjs's ops, the compiled plan turned off (src/models/gpu-plan.ts)
    net.compiled = false;
    try {
      rows.push(['without the compiled plan: step', await measure(fullStep)]);
      rows.push(['  encode only', await encodeOnly()]);
      rows.push(['  GPU dispatches per step', String(await countDispatches(fullStep))]);
    } finally {
      net.compiled = true;
    }
  }
  tf.dispose([x, x2]);
  return rows;
}

/** Median of `repeats` runs of `f`, each waited for; one unmeasured run first. */
async function medianRun(f: () => tf.Tensor | tf.Tensor[], repeats: number): Promise<string> {
  const once = async () => {
    const started = performance.now();
    const out = f();
    const list = Array.isArray(out) ? out : [out];
    for (const o of list) await settle(o);
    const ms = performance.now() - started;
    tf.dispose(list);
    return ms;
  };
  await once();
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) ms.push(await once());
  return formatSpread(spread(ms), formatDuration);
}

/** The JavaScript of `f` alone (encodeTimes), as the median and range of `repeats`. */
async function medianEncode(f: () => tf.Tensor, repeats: number): Promise<string> {
  return formatSpread(spread(await encodeTimes(f, repeats)), formatDuration);
}

/** One decode of `batch` latents (every class in turn): its time, its encoding and its dispatches, with the plan and without. */
async function probeDecoder(net: Vae | Gan, batch: number, repeats: number): Promise<string[][]> {
  const a = net.architecture;
  const z = tf.tensor2d(batchNoise(1, batch, a.latentDim, 0), [batch, a.latentDim]);
  const classes = Array.from({ length: batch }, (_, i) => i % a.numClasses);
  try {
    return await withAndWithoutPlan(net, 'decode', () => () => net.decode(z, classes), repeats);
  } finally {
    z.dispose();
  }
}

/** One cached token step of `batch` samples, guided (2B rows, every class in turn): as probeDecoder. */
async function probeTokens(net: Ar, batch: number, repeats: number): Promise<string[][]> {
  const classes = Array.from({ length: 2 * batch }, (_, i) => (i < batch ? i % net.architecture.numClasses : net.architecture.numClasses));
  const caches: { dispose(): void }[] = [];
  try {
    // a new cache per measurement: it starts on the path the plan's setting gives
    return await withAndWithoutPlan(net, 'token step (guided: 2B rows)', () => {
      const steps = tokenSteps(net, classes);
      caches.push(steps);
      return steps.step;
    }, repeats);
  } finally {
    caches.forEach((c) => c.dispose());
  }
}

/** `what` (made by `make` for each measurement) timed, its JavaScript and its dispatches; then again with the compiled plan turned off (WebGPU). */
async function withAndWithoutPlan(net: { compiled: boolean; readonly lastPath: string }, what: string, make: () => () => tf.Tensor, repeats: number): Promise<string[][]> {
  const rows: string[][] = [];
  const pieces = async (prefix: string) => {
    rows.push([`${prefix}${what}`, await medianRun(make(), repeats)]);
    rows.push([`${prefix}  encode only (JavaScript until queued)`, await medianEncode(make(), repeats)]);
    if (tf.getBackend() === 'webgpu') rows.push([`${prefix}  GPU dispatches per ${what.split(' (')[0]}`, String(await countDispatches(make()))]);
  };
  await pieces('');
  rows.push(['  the network ran as', net.lastPath]);
  if (tf.getBackend() === 'webgpu') {
    net.compiled = false;
    try {
      await pieces('without the compiled plan: ');
    } finally {
      net.compiled = true;
    }
  }
  return rows;
}
