import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ComputeRuntime, wasmThreads } from '../../src/runtime/runtime.js';
import { runSelfCheck } from '../../src/runtime/self-check.js';

describe('the compute runtime in Node', () => {
  it('runs on the forced CPU backend and computes correctly there', async () => {
    const runtime = new ComputeRuntime({ forced: 'cpu', gpu: null });
    const report = await runtime.start();
    expect(report).toMatchObject({ backend: 'cpu', forced: 'cpu', fallbacks: [], adapter: null });
    expect(tf.getBackend()).toBe('cpu');
    const check = await runSelfCheck();
    expect(check.ok).toBe(true);
    expect(check.maxError).toBeLessThan(1e-5);
  });

  it('passes over WebGPU and WebGL outside a browser, saying why', async () => {
    const runtime = new ComputeRuntime({ gpu: null });
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

describe('WASM threads', () => {
  it('takes a thread per logical core, at least one and at most the 8 workers the build starts', () => {
    expect([0, 1, 2, 3, 8, 16, Number.NaN].map((cores) => wasmThreads(cores))).toEqual([1, 1, 2, 3, 8, 8, 1]);
  });
});
