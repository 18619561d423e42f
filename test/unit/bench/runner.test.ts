/**
 * The benchmark runner on the tiny fixture models, in Node on the WebAssembly backend (tfjs's
 * plain-JavaScript CPU backend would take a minute): figures that are finite and positive, every
 * byte counted, no tensor left behind after runs, a cancel, a time limit.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BENCH_DEFAULTS, type BenchSettings } from '../../../src/bench/config.js';
import { startFreshBackend } from '../../../src/bench/fresh-backend.js';
import type { BenchResult } from '../../../src/bench/result.js';
import { type BenchEnvironment, type BenchProgress, runBench } from '../../../src/bench/runner.js';
import { fileFetch } from '../../../scripts/bench/models-dir.js';
import { TINY_MODELS } from '../models/model-folder.js';

const env: BenchEnvironment = {
  startBackend: (backend) => startFreshBackend(backend, { gpu: null }),
  fetch: fileFetch,
  modelUrl: (id) => `${pathToFileURL(join(TINY_MODELS, id)).href}/`,
};

const quick: BenchSettings = { ...BENCH_DEFAULTS, backends: ['wasm'], batches: [1, 3], steps: 3, repeats: 2, stepSamples: 2 };

function folderBytes(id: string): number {
  return ['card.json', 'weights.json', 'weights.bin'].reduce((n, f) => n + statSync(join(TINY_MODELS, id, f)).size, 0);
}

function expectPositive(value: number | null | undefined): void {
  expect(value).toBeGreaterThan(0);
  expect(Number.isFinite(value)).toBe(true);
}

describe('the benchmark runner', () => {
  it('measures a DDPM, a VAE and a transformer at every batch size, and skips a classifier', async () => {
    const progress: BenchProgress[] = [];
    const results = await runBench(quick, ['tiny-xray-ddpm', 'tiny-ecg-vae', 'tiny-xray-ar', 'tiny-xray-classifier'], env, { onProgress: (p) => progress.push(p) });
    expect(results.map((r) => [r.model, r.batch, r.status])).toEqual([
      ['tiny-xray-ddpm', 1, 'ok'], ['tiny-xray-ddpm', 3, 'ok'],
      ['tiny-ecg-vae', 1, 'ok'], ['tiny-ecg-vae', 3, 'ok'],
      ['tiny-xray-ar', 1, 'ok'], ['tiny-xray-ar', 3, 'ok'],
      ['tiny-xray-classifier', 1, 'skipped'], ['tiny-xray-classifier', 3, 'skipped'],
    ]);
    for (const r of results.slice(0, 6)) {
      for (const v of [r.loadMs, r.firstRunMs, r.coldMs, r.stepMs?.median, r.runMs?.median, r.samplesPerSecond?.median]) expectPositive(v);
      expect(r.coldMs).toBeCloseTo(r.loadMs! + r.firstRunMs!, 6);
      expect(r.runMs!.n).toBe(2);
      expect(r.bytesDownloaded).toBe(folderBytes(r.model));
      expect(r.leakCheck!.tensorsAfter).toBe(r.leakCheck!.tensorsBefore);
      expect(r.tensorsLeftAfterDispose).toBe(0);
      expect(r.memoryAfterRuns!.numTensors).toBeGreaterThan(0); // the weights, while loaded
      expect(r.device).toMatch(/^WebAssembly, (no )?SIMD, \d+ threads?$/);
      // a step's, a token's or a decode's JavaScript, timed stepSamples times; dispatches are WebGPU's alone
      expectPositive(r.encodeMs?.median);
      expect(r.encodeMs!.n).toBe(2);
      expect(r.dispatches).toBeNull();
    }
    const ddpm = results[0]!;
    expect([ddpm.method, ddpm.steps, ddpm.guidance, ddpm.stepMs!.n, ddpm.leakCheck!.runs]).toEqual(['ddpm', 3, 2, 2, 4]);
    expect(Object.keys(ddpm.loadPhasesMs)).toEqual(['card', 'download', 'verify', 'build', 'warm-up']);
    expect(results[2]!.steps).toBe(null); // a VAE decodes once
    expect([results[4]!.steps, results[4]!.stepMs!.n]).toEqual([null, 2]); // a transformer's first 2 tokens
    expect(results[6]!.note).toBe('tiny-xray-classifier is a classifier, not a generator');
    expect(progress.filter((p) => p.model === 'tiny-xray-ddpm' && p.batch === 1).map((p) => p.phase))
      .toEqual(['backend', 'load', 'first run', 'steps', 'warm runs', 'warm runs']);
  }, 60_000);

  it('stops between steps when cancelled, keeps what finished and frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const finished: BenchResult[] = [];
    const run = runBench({ ...quick, steps: 50 }, ['tiny-xray-vae', 'tiny-xray-ddpm'], env, {
      signal: controller.signal,
      onResult: (r) => finished.push(r),
      onProgress: (p) => {
        if (p.model === 'tiny-xray-ddpm' && p.phase === 'first run') controller.abort(new DOMException('stop', 'AbortError'));
      },
    });
    await expect(run).rejects.toThrow('stop');
    expect(finished.map((r) => r.model)).toEqual(['tiny-xray-vae', 'tiny-xray-vae']);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('reports what a configuration measured before its time limit, and nothing it did not', async () => {
    const [r] = await runBench({ ...quick, batches: [2], steps: 1000, budgetS: 1 }, ['tiny-xray-ddpm'], env);
    expect(r!.status).toBe('partial');
    expect(r!.note).toMatch(/^stopped at the 1 s limit during the (load|first run); what it did not reach is not measured$/);
    expect([r!.firstRunMs, r!.stepMs, r!.runMs, r!.samplesPerSecond, r!.leakCheck]).toEqual([null, null, null, null, null]);
    expect(r!.tensorsLeftAfterDispose).toBe(0);
  }, 60_000);

  it('says why a backend that cannot start here was skipped', async () => {
    const [r] = await runBench({ ...quick, backends: ['webgl'], batches: [1] }, ['tiny-xray-vae'], env);
    expect(r!.status).toBe('skipped');
    expect(r!.note).toBe('webgl is not available here: not in a browser page (no canvas)');
  }, 60_000);
});
