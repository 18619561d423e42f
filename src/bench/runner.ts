/**
 * The benchmark: for every model x backend x batch size, on a fresh backend,
 *
 *   load (download with the HTTP cache bypassed, SHA-256, build, warm-up)  -> loadMs   \ coldMs
 *   one full run, read back                                                -> firstRunMs /
 *   stepSamples steps, each waited for                                      -> stepMs
 *   a step's (or decode's) JavaScript until queued, and its GPU dispatches   -> encodeMs, dispatches
 *   `repeats` full runs                                                     -> runMs, samplesPerSecond
 *   tensor count after loading and after those runs                         -> leakCheck
 *   dispose, tensor count against the one before loading                    -> tensorsLeftAfterDispose
 *
 * Platform-neutral: the page and Node hand in how to start a backend and how to fetch. An abort
 * signal stops the whole run between steps; a per-configuration time limit stops one configuration,
 * which is then reported with what it measured and a note saying what it did not.
 */
import * as tf from '@tensorflow/tfjs';
import { type LoadPhase, type LoadedModel, loadModel } from '../models/loader.js';
import type { BackendName } from '../runtime/backends.js';
import type { BenchSettings } from './config.js';
import { BackendUnavailable, type StartedBackend } from './fresh-backend.js';
import { type BenchResult, emptyResult } from './result.js';
import { afterTimers } from '../util/pacing.js';
import { spread } from './stats.js';
import { type Workload, defaultGuidance, encodeCost, fullRun, memorySnapshot, timedSteps } from './workload.js';

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface BenchEnvironment {
  /** Starts `backend` afresh; throws BackendUnavailable when it cannot run here. */
  startBackend(backend: BackendName): Promise<StartedBackend>;
  fetch: FetchLike;
  /** The model's folder URL, ending in '/'. */
  modelUrl(id: string): string;
}

export type BenchPhase = 'backend' | 'load' | 'first run' | 'steps' | 'warm runs';

export interface BenchProgress {
  /** 0-based index of the configuration, of `total`. */
  index: number;
  total: number;
  model: string;
  backend: BackendName;
  batch: number;
  phase: BenchPhase;
  /** e.g. "run 2 of 3". */
  detail: string;
}

export interface BenchHooks {
  signal?: AbortSignal;
  onProgress?: (progress: BenchProgress) => void;
  /** Called as each configuration finishes, so partial results survive a cancel. */
  onResult?: (result: BenchResult) => void;
}

export interface Configuration {
  model: string;
  backend: BackendName;
  batch: number;
}

/** Model-major order: one model's figures on every backend come out together. */
export function configurations(settings: Pick<BenchSettings, 'backends' | 'batches'>, models: readonly string[]): Configuration[] {
  return models.flatMap((model) =>
    settings.backends.flatMap((backend) => settings.batches.map((batch) => ({ model, backend, batch }))),
  );
}

/** Runs every configuration; throws the abort reason when `hooks.signal` is aborted. */
export async function runBench(settings: BenchSettings, models: readonly string[], env: BenchEnvironment, hooks: BenchHooks = {}): Promise<BenchResult[]> {
  const plan = configurations(settings, models);
  const results: BenchResult[] = [];
  const notGenerators = new Map<string, string>();
  for (const [index, config] of plan.entries()) {
    hooks.signal?.throwIfAborted();
    let result: BenchResult;
    const skip = notGenerators.get(config.model);
    if (skip) {
      result = { ...emptyResult(config.model, config.backend, config.batch, settings.repeats), status: 'skipped', note: skip };
    } else {
      const progress = (phase: BenchPhase, detail = '') =>
        hooks.onProgress?.({ index, total: plan.length, ...config, phase, detail });
      result = await benchOne(config, settings, env, hooks.signal, progress);
      if (result.method === 'classifier') notGenerators.set(config.model, result.note ?? '');
    }
    results.push(result);
    hooks.onResult?.(result);
  }
  return results;
}

/** The reason a configuration's own time limit gives when it stops it. */
class TimeLimitReached extends Error {
  override name = 'TimeLimitReached';
}

async function benchOne(
  { model: id, backend, batch }: Configuration,
  settings: BenchSettings,
  env: BenchEnvironment,
  cancel: AbortSignal | undefined,
  progress: (phase: BenchPhase, detail?: string) => void,
): Promise<BenchResult> {
  const result = emptyResult(id, backend, batch, settings.repeats);
  const limit = timeLimit(settings.budgetS, cancel);
  const { signal } = limit;
  const control = { signal, betweenSteps: limit.check };
  let phase: BenchPhase = 'backend';
  const enter = async (next: BenchPhase, detail = '') => {
    phase = next;
    progress(next, detail);
    // Outside any timing: lets the page paint its progress and take a click on Cancel, which a
    // run on the CPU backends would otherwise hold off until the whole benchmark ended.
    await afterTimers();
    signal.throwIfAborted();
  };
  let started: StartedBackend | null = null;
  let model: LoadedModel | null = null;
  let baseline = 0;
  let tensorsBefore = 0;
  let runs = 0;
  let gpuBytesAfterFirstRun: number | null = null;
  try {
    await enter('backend');
    const t0 = performance.now();
    started = await env.startBackend(backend);
    result.backendStartMs = performance.now() - t0;
    result.device = started.device;
    baseline = tf.memory().numTensors;

    await enter('load');
    const load = await timedLoad(env, id, signal);
    model = load.model;
    result.loadMs = load.ms;
    result.loadPhasesMs = load.phases;
    result.bytesDownloaded = load.bytes;
    result.method = model.kind;
    if (model.kind === 'classifier') {
      result.status = 'skipped';
      result.note = `${id} is a classifier, not a generator`;
      return result;
    }

    const ddpm = model.kind === 'ddpm';
    const work: Workload = {
      batch,
      steps: ddpm ? settings.steps : 1,
      guidance: ddpm ? (settings.guidance ?? defaultGuidance(model)) : null,
      seed: settings.seed,
    };
    result.steps = ddpm ? work.steps : null;
    result.guidance = work.guidance;
    tensorsBefore = tf.memory().numTensors;

    await enter('first run');
    result.firstRunMs = await fullRun(model, work, control);
    result.coldMs = result.loadMs + result.firstRunMs;
    runs += 1;
    gpuBytesAfterFirstRun = memorySnapshot().numBytesInGPUAllocated;

    await enter('steps');
    result.stepMs = spread(await timedSteps(model, work, settings.stepSamples, control));
    runs += 1;
    const cost = await encodeCost(model, work, settings.stepSamples, control);
    if (cost) {
      result.encodeMs = spread(cost.ms);
      result.dispatches = cost.dispatches;
    }

    const warm: number[] = [];
    for (let r = 0; r < settings.repeats; r++) {
      await enter('warm runs', `run ${r + 1} of ${settings.repeats}`);
      warm.push(await fullRun(model, work, control));
      runs += 1;
      result.runMs = spread(warm);
      result.samplesPerSecond = spread(warm.map((ms) => (batch * 1000) / ms));
    }
    result.memoryAfterRuns = memorySnapshot();
  } catch (error) {
    if (cancel?.aborted) throw error; // the user stopped the whole benchmark
    if (error instanceof TimeLimitReached) {
      result.status = 'partial';
      result.note = `stopped at the ${settings.budgetS} s limit during the ${phase}${result.runMs ? ` (${result.runMs.n} of ${settings.repeats} warm runs done)` : ''}; what it did not reach is not measured`;
    } else if (error instanceof BackendUnavailable) {
      result.status = 'skipped';
      result.note = error.message;
    } else {
      result.status = result.loadMs === null ? 'error' : 'partial';
      result.note = `failed during the ${phase}: ${error instanceof Error ? error.message : String(error)}`;
    }
  } finally {
    limit.clear();
    if (model) {
      // Counted after an abort too: a run stopped between steps must free what it held.
      if (model.kind !== 'classifier' && runs > 0) {
        const gpuBytesAfter = memorySnapshot().numBytesInGPUAllocated;
        result.leakCheck = { runs, tensorsBefore, tensorsAfter: tf.memory().numTensors, gpuBytesAfterFirstRun, gpuBytesAfter };
      }
      result.memoryAfterRuns ??= memorySnapshot();
      model.dispose();
      result.tensorsLeftAfterDispose = tf.memory().numTensors - baseline;
    }
    started?.stop();
  }
  return result;
}

/** loadModel, timed as a whole and per phase, counting the bytes it downloads. */
async function timedLoad(env: BenchEnvironment, id: string, signal: AbortSignal) {
  const received = { bytes: 0 };
  const phases: Partial<Record<LoadPhase, number>> = {};
  let current = null as LoadPhase | null; // set by the progress callback
  let phaseStart = 0;
  const started = performance.now();
  const model = await loadModel(env.modelUrl(id), {
    fetch: countingFetch(env.fetch, received),
    signal,
    onProgress: ({ phase }) => {
      if (phase === current) return;
      const now = performance.now();
      if (current) phases[current] = (phases[current] ?? 0) + now - phaseStart;
      current = phase;
      phaseStart = now;
    },
  });
  const ended = performance.now();
  if (current) phases[current] = (phases[current] ?? 0) + ended - phaseStart;
  return { model, ms: ended - started, phases, bytes: received.bytes };
}

/**
 * A configuration's time limit: a signal that aborts with TimeLimitReached after `seconds` (never,
 * for null) or with the parent's reason, and `check`, which throws TimeLimitReached once the time
 * is up, for loops that never give a timer the chance to fire.
 */
function timeLimit(seconds: number | null, parent: AbortSignal | undefined) {
  const controller = new AbortController();
  const deadline = seconds === null ? Infinity : performance.now() + seconds * 1000;
  const reached = () => new TimeLimitReached(`over ${seconds} s`);
  const onParent = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParent();
  parent?.addEventListener('abort', onParent, { once: true });
  const timer = seconds === null ? undefined : setTimeout(() => controller.abort(reached()), seconds * 1000);
  return {
    signal: controller.signal,
    check: () => {
      if (performance.now() > deadline) {
        controller.abort(reached());
        throw controller.signal.reason;
      }
    },
    clear: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}

/** A fetch that bypasses the HTTP cache (a cold load downloads) and counts the body bytes it passes on. */
export function countingFetch(base: FetchLike, received: { bytes: number }): FetchLike {
  return async (url, init) => {
    const response = await base(url, { ...init, cache: 'no-store' });
    if (!response.body) return response;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, out) {
          received.bytes += chunk.byteLength;
          out.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
