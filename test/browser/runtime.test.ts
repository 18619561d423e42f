import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ComputeRuntime, DeviceLostEvent } from '../../src/runtime/runtime.js';
import { runSelfCheck } from '../../src/runtime/self-check.js';
import { WASM_PATHS } from '../../src/runtime/wasm-paths.js';
import { MemoryStorage } from '../shared/memory-storage.js';

let runtime: ComputeRuntime | null = null;
afterEach(() => {
  runtime?.dispose();
  runtime = null;
});

/** Starts a runtime (the automatic choice is not kept between tests unless `storage` is given). */
function start(options: ConstructorParameters<typeof ComputeRuntime>[0] = {}) {
  runtime?.dispose();
  runtime = new ComputeRuntime({ wasmPaths: WASM_PATHS, storage: null, ...options });
  return runtime.start();
}

/** A stand-in for navigator.gpu whose adapter request behaves as given. */
function fakeGpu(requestAdapter: () => Promise<GPUAdapter | null>): GPU {
  return { requestAdapter, getPreferredCanvasFormat: () => 'rgba8unorm' } as unknown as GPU;
}

describe('the compute runtime in Chromium', () => {
  it('runs on WebGPU when asked and the browser has it, and describes the adapter', async () => {
    const report = await start({ forced: 'webgpu' });
    expect(report.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(report.fallbacks).toEqual([]);
    expect(report.software).toBe(report.adapter?.software);
    // a software GPU is named even when forced
    if (report.software) expect(report.reason).toContain(`runs on a software GPU here (${report.software})`);
    else expect(report.reason).toBe('WebGPU: forced by ?backend=webgpu');
    expect(report.adapter?.description).toBeTruthy();
    expect(report.adapter?.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    const check = await runSelfCheck();
    expect(check.ok).toBe(true);
    console.log(`browser project ran on WebGPU: ${report.adapter?.description} (self-check max error ${check.maxError.toExponential(1)})`);
  });

  it('picks the fastest backend by measurement, says why, and keeps the choice for the next visit', async () => {
    const storage = new MemoryStorage();
    const started = performance.now();
    const report = await start({ storage });
    const ms = performance.now() - started;
    expect(report.chosenBy).toBe('measured');
    expect(tf.getBackend()).toBe(report.backend);
    expect(report.fallbacks.map((f) => f.backend).sort()).toEqual(['cpu', 'wasm', 'webgl', 'webgpu'].filter((b) => b !== report.backend).sort());
    expect((await runSelfCheck()).ok).toBe(true);
    console.log(`browser project: the automatic choice took ${ms.toFixed(0)} ms: ${report.reason}`);

    const adapter = await navigator.gpu?.requestAdapter();
    if (adapter && /swiftshader/i.test(`${adapter.info.architecture} ${adapter.info.description}`)) {
      // WebGPU on SwiftShader, a GPU emulated on the CPU: WASM, without timing the software GPU, and the line says so
      expect(report.backend).toBe('wasm');
      expect(report.reason).toMatch(/^WASM: WebGPU (and WebGL run|runs) on a software GPU here \(SwiftShader\), .* WASM took [\d.]+ ms for a test block/);
      expect(report.fallbacks.find((f) => f.backend === 'webgpu')?.reason).toMatch(/^runs on a software GPU here \(SwiftShader\); not measured/);
    }
    expect(storage.items.size).toBe(1);

    const next = await start({ storage, timeBlock: () => Promise.reject(new Error('the kept choice is not timed again')) });
    expect(next).toMatchObject({ backend: report.backend, chosenBy: 'cached', fallbacks: report.fallbacks });
    expect(next.reason).toContain('kept for this device');
    expect(tf.getBackend()).toBe(report.backend);
  });

  it('falls back when navigator.gpu is missing, and says so', async () => {
    const report = await start({ gpu: null });
    expect(report.backend).not.toBe('webgpu');
    expect(report.fallbacks[0]).toEqual({ backend: 'webgpu', reason: expect.stringContaining('navigator.gpu is missing') });
    expect((await runSelfCheck()).ok).toBe(true);
    // asked for WebGPU, the page runs on the next backend in order
    const forced = await start({ gpu: null, forced: 'webgpu' });
    expect(forced.backend).toBe('webgl');
    expect(forced.fallbacks).toEqual([
      { backend: 'webgpu', reason: expect.stringContaining('navigator.gpu is missing') },
    ]);
    expect(forced.reason).toMatch(/^WebGL: \?backend=webgpu could not start here/);
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
    await start({ forced: 'webgpu' });
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
