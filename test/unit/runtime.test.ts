import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../src/runtime/backends.js';
import { TEST_BLOCK, timeTestBlock } from '../../src/runtime/probe.js';
import { ComputeRuntime, wasmThreads } from '../../src/runtime/runtime.js';
import { runSelfCheck } from '../../src/runtime/self-check.js';
import { MemoryStorage } from '../shared/memory-storage.js';

describe('the compute runtime in Node', () => {
  it('runs on the forced CPU backend and computes correctly there', async () => {
    const runtime = new ComputeRuntime({ forced: 'cpu', gpu: null });
    const report = await runtime.start();
    expect(report).toMatchObject({ backend: 'cpu', forced: 'cpu', fallbacks: [], adapter: null, chosenBy: 'forced', software: null });
    expect(report.reason).toBe('plain JavaScript: forced by ?backend=cpu');
    expect(tf.getBackend()).toBe('cpu');
    const check = await runSelfCheck();
    expect(check.ok).toBe(true);
    expect(check.maxError).toBeLessThan(1e-5);
  });

  it('passes over WebGPU and WebGL outside a browser, saying why', async () => {
    const runtime = new ComputeRuntime({ gpu: null, storage: null });
    const report = await runtime.start();
    expect(report.fallbacks.slice(0, 2)).toEqual([
      { backend: 'webgpu', reason: expect.stringContaining('navigator.gpu is missing') },
      { backend: 'webgl', reason: expect.stringContaining('not in a browser page') },
    ]);
    expect(['wasm', 'cpu']).toContain(report.backend);
    expect(tf.getBackend()).toBe(report.backend);
    await tf.setBackend('cpu');
  });
});

describe('the automatic choice in Node', () => {
  /** A stand-in for the test block's timing: fixed times per backend, and a record of what was timed. */
  function timer(times: Partial<Record<BackendName, number>>) {
    const timed: BackendName[] = [];
    const timeBlock = async (backend: BackendName) => {
      timed.push(backend);
      const ms = times[backend];
      return ms === undefined ? { overCapMs: 400 } : { ms };
    };
    return { timed, timeBlock };
  }

  it('times what started, runs on the fastest, and reuses the choice on the next start without timing', async () => {
    const storage = new MemoryStorage();
    const first = timer({ wasm: 12 });
    const report = await new ComputeRuntime({ gpu: null, storage, timeBlock: first.timeBlock }).start();
    expect(first.timed).toEqual(['wasm']); // plain JavaScript is never timed while WASM runs
    expect(report).toMatchObject({ backend: 'wasm', chosenBy: 'measured', forced: null });
    expect(report.reason).toBe('WASM: the only backend measured here (12 ms for a test block of the default run)');
    expect(report.fallbacks.map((f) => f.backend)).toEqual(['webgpu', 'webgl', 'cpu']);
    expect(storage.items.size).toBe(1);

    const again = timer({});
    const next = await new ComputeRuntime({ gpu: null, storage, timeBlock: again.timeBlock }).start();
    expect(again.timed).toEqual([]);
    expect(next).toMatchObject({ backend: 'wasm', chosenBy: 'cached', fallbacks: report.fallbacks });
    expect(next.reason).toMatch(/^WASM: the only backend measured here \(12 ms .*\(measured on \d{4}-\d\d-\d\d, kept for this device\)$/);
    expect(tf.getBackend()).toBe('wasm');
    await tf.setBackend('cpu');
  });

  it('measures again when the kept choice is corrupt', async () => {
    const storage = new MemoryStorage();
    await new ComputeRuntime({ gpu: null, storage, timeBlock: timer({ wasm: 12 }).timeBlock }).start();
    for (const key of storage.items.keys()) storage.items.set(key, '{"backend":"wasm","line":');
    const again = timer({ wasm: 15 });
    const report = await new ComputeRuntime({ gpu: null, storage, timeBlock: again.timeBlock }).start();
    expect(again.timed).toEqual(['wasm']);
    expect(report).toMatchObject({ backend: 'wasm', chosenBy: 'measured' });
    await tf.setBackend('cpu');
  });

  it('times the test block on the active backend, leaving no tensors behind', async () => {
    await new ComputeRuntime({ forced: 'wasm', gpu: null }).start();
    const before = tf.memory().numTensors;
    const time = await timeTestBlock({ warmUpMs: 60_000, runMs: 60_000 }, 1);
    expect('ms' in time && time.ms > 0).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(TEST_BLOCK.batch).toBe(16); // the default run: 8 samples, guided
    await tf.setBackend('cpu');
  });
});

describe('WASM threads', () => {
  it('takes a thread per logical core, at least one and at most the 8 workers the build starts', () => {
    expect([0, 1, 2, 3, 8, 16, Number.NaN].map((cores) => wasmThreads(cores))).toEqual([1, 1, 2, 3, 8, 8, 1]);
  });
});
