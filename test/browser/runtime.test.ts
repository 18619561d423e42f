import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ComputeRuntime, DeviceLostEvent } from '../../src/runtime/runtime.js';
import { runSelfCheck } from '../../src/runtime/self-check.js';
import { WASM_PATHS } from '../../src/runtime/wasm-paths.js';

let runtime: ComputeRuntime | null = null;
afterEach(() => {
  runtime?.dispose();
  runtime = null;
});

function start(options: ConstructorParameters<typeof ComputeRuntime>[0] = {}) {
  runtime = new ComputeRuntime({ wasmPaths: WASM_PATHS, ...options });
  return runtime.start();
}

/** A stand-in for navigator.gpu whose adapter request behaves as given. */
function fakeGpu(requestAdapter: () => Promise<GPUAdapter | null>): GPU {
  return { requestAdapter, getPreferredCanvasFormat: () => 'rgba8unorm' } as unknown as GPU;
}

describe('the compute runtime in Chromium', () => {
  it('picks WebGPU when the browser has it, and describes the adapter', async () => {
    const report = await start();
    expect(report.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(report.fallbacks).toEqual([]);
    expect(report.adapter?.description).toBeTruthy();
    expect(report.adapter?.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    const check = await runSelfCheck();
    expect(check.ok).toBe(true);
    console.log(`browser project ran on WebGPU: ${report.adapter?.description} (self-check max error ${check.maxError.toExponential(1)})`);
  });

  it('falls back when navigator.gpu is missing, and says so', async () => {
    const report = await start({ gpu: null });
    expect(report.backend).toBe('webgl');
    expect(report.fallbacks).toEqual([
      { backend: 'webgpu', reason: expect.stringContaining('navigator.gpu is missing') },
    ]);
    expect((await runSelfCheck()).ok).toBe(true);
  });

  it('falls back when no adapter is offered', async () => {
    const report = await start({ gpu: fakeGpu(async () => null) });
    expect(report.backend).not.toBe('webgpu');
    expect(report.fallbacks[0]?.reason).toContain('no WebGPU adapter');
  });

  it('falls back when the device request fails', async () => {
    const adapter = {
      features: new Set<string>(),
      limits: {},
      info: {},
      requestDevice: () => Promise.reject(new Error('out of device slots')),
    } as unknown as GPUAdapter;
    const report = await start({ gpu: fakeGpu(async () => adapter) });
    expect(report.backend).not.toBe('webgpu');
    expect(report.fallbacks[0]?.reason).toBe('the GPU device request failed: out of device slots');
  });

  for (const forced of ['wasm', 'webgl', 'cpu'] as const) {
    it(`honours a forced ${forced} backend`, async () => {
      const report = await start({ forced });
      expect(report).toMatchObject({ backend: forced, forced, fallbacks: [] });
      expect(tf.getBackend()).toBe(forced);
      expect((await runSelfCheck()).ok).toBe(true);
    });
  }

  it('reports a lost GPU device and carries on, on a fresh one, without a reload', async () => {
    await start();
    const device = runtime!.gpuDevice!;
    const lost = new Promise<DeviceLostEvent>((resolve) =>
      runtime!.addEventListener('devicelost', (event) => resolve(event as DeviceLostEvent), { once: true }),
    );
    const recovered = new Promise<void>((resolve) =>
      runtime!.addEventListener('change', () => resolve(), { once: true }),
    );
    device.destroy(); // what a driver reset looks like to the page
    expect((await lost).message).toMatch(/^The GPU device was lost/);
    await recovered;
    expect(runtime!.report).toMatchObject({ backend: 'webgpu', recoveries: 1 });
    expect(runtime!.gpuDevice).not.toBe(device);
    expect((await runSelfCheck()).ok).toBe(true);
  });
});
