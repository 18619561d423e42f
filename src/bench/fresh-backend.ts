/**
 * Starts a backend afresh for each benchmark configuration, so that a cold figure is cold: a new
 * backend instance has no compiled programs, no buffer pool and (WebGPU) a new device. It goes
 * through the site's own ComputeRuntime, so the benchmark runs what the product runs.
 *
 * Caches outside tfjs survive within one page or process: the browser's own WebGPU pipeline cache,
 * and WebGL programs, which tfjs keeps per WebGL version for the page's life. `npm run bench` opens
 * a new browser for every configuration for that reason.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../runtime/backends.js';
import { ComputeRuntime, type RuntimeOptions } from '../runtime/runtime.js';

export interface StartedBackend {
  backend: BackendName;
  /** The GPU adapter, or how the WebAssembly backend runs. */
  device: string | null;
  /** Releases the runtime (and its GPU device). Dispose every tensor first. */
  stop(): void;
}

/** The backend cannot run here; the message says why, for the results table. */
export class BackendUnavailable extends Error {
  override name = 'BackendUnavailable';
}

export async function startFreshBackend(backend: BackendName, options: Omit<RuntimeOptions, 'forced'>): Promise<StartedBackend> {
  // ComputeRuntime registers a new WebGPU backend on every start; the others are kept by tfjs.
  if (backend !== 'webgpu') recreate(backend);
  const runtime = new ComputeRuntime({ ...options, forced: backend });
  const report = await runtime.start();
  if (report.backend !== backend) {
    runtime.dispose();
    const reason = report.fallbacks.find((f) => f.backend === backend)?.reason ?? 'it did not start';
    throw new BackendUnavailable(`${backend} is not available here: ${reason}`);
  }
  return { backend, device: await describeDevice(report.adapter?.description ?? null, backend), stop: () => runtime.dispose() };
}

/** Drops tfjs's instance of `backend` (if one was made), keeping its factory for the next start. */
function recreate(backend: BackendName): void {
  const factory = tf.findBackendFactory(backend);
  if (!factory || !tf.findBackend(backend)) return;
  tf.removeBackend(backend);
  tf.registerBackend(backend, factory);
}

async function describeDevice(adapter: string | null, backend: BackendName): Promise<string | null> {
  switch (backend) {
    case 'webgpu':
      return adapter;
    case 'wasm': {
      const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'SIMD' : 'no SIMD';
      const threads = getThreadsCount();
      return `WebAssembly, ${simd}, ${threads} thread${threads === 1 ? '' : 's'}`;
    }
    case 'webgl':
      return `WebGL ${tf.env().getNumber('WEBGL_VERSION')}`;
    case 'cpu':
      return 'JavaScript';
  }
}
