/**
 * ComputeRuntime starts a tfjs backend (WebGPU first, then WebGL, WASM, CPU),
 * reports which one runs and why every better one was passed over, and keeps
 * the page alive when the GPU device is lost: it reports the loss and starts
 * again on a fresh device, or on the next backend when none can be had.
 *
 * It owns the WebGPU device it creates. Tensors made on a lost device are
 * gone; listeners of the `change` event rebuild what they held.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { BACKEND_LABELS, type BackendName, candidateBackends } from './backends.js';

export interface Fallback {
  backend: BackendName;
  reason: string;
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The adapter limits a model's size depends on. */
  limits: Record<string, number>;
  features: string[];
}

export interface RuntimeReport {
  backend: BackendName;
  label: string;
  /** The backend the user asked for, if any. */
  forced: BackendName | null;
  /** Every backend tried before the one that runs, with the reason it was passed over. */
  fallbacks: Fallback[];
  /** Set when WebGPU runs. */
  adapter: AdapterSummary | null;
  /** How many times a lost GPU device has been replaced since start. */
  recoveries: number;
}

export interface RuntimeOptions {
  forced?: BackendName | null;
  /**
   * The WebGPU entry point. Defaults to `navigator.gpu`; tests pass `null` or a
   * stand-in to see how the runtime behaves without a usable GPU.
   */
  gpu?: GPU | null;
  /** Where the WASM backend finds its binaries (file name to URL). */
  wasmPaths?: Record<string, string>;
}

/** Fired when a lost GPU device was noticed, before recovery starts. */
export class DeviceLostEvent extends Event {
  constructor(readonly message: string) {
    super('devicelost');
  }
}

/**
 * Threads for the WASM backend: every logical core, up to the 8 workers its build starts. tfjs
 * would take half of them, which on a 2-core laptop is one. Threads need the page to be
 * cross-origin isolated (scripts/cross-origin-isolation.mjs); without that tfjs runs on one.
 */
export function wasmThreads(logicalCores = typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency): number {
  return Math.max(1, Math.min(8, Math.floor(logicalCores) || 1));
}

/** A backend that could not start, with a sentence a user can act on. */
class Unavailable extends Error {}

const ADAPTER_LIMITS_SHOWN = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
] as const;

export class ComputeRuntime extends EventTarget {
  private current: RuntimeReport | null = null;
  private device: GPUDevice | null = null;
  private recoveries = 0;
  private readonly gpu: GPU | null;

  constructor(private readonly options: RuntimeOptions = {}) {
    super();
    this.gpu =
      options.gpu !== undefined
        ? options.gpu
        : typeof navigator !== 'undefined' && 'gpu' in navigator
          ? navigator.gpu
          : null;
  }

  get report(): RuntimeReport | null {
    return this.current;
  }

  /** The WebGPU device in use, when WebGPU runs. */
  get gpuDevice(): GPUDevice | null {
    return this.device;
  }

  /** Starts the best backend that works. Never throws: the CPU backend always starts. */
  async start(): Promise<RuntimeReport> {
    const forced = this.options.forced ?? null;
    const fallbacks: Fallback[] = [];
    for (const backend of candidateBackends(forced)) {
      try {
        const adapter = await this.startBackend(backend);
        this.current = {
          backend,
          label: BACKEND_LABELS[backend],
          forced,
          fallbacks,
          adapter,
          recoveries: this.recoveries,
        };
        this.dispatchEvent(new Event('change'));
        return this.current;
      } catch (error) {
        fallbacks.push({ backend, reason: describe(error) });
      }
    }
    throw new Error(
      'No compute backend could start: ' +
        fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; '),
    );
  }

  /** Releases the GPU device. The runtime can be started again afterwards. */
  dispose(): void {
    const device = this.device;
    this.device = null;
    device?.destroy();
  }

  private async startBackend(backend: BackendName): Promise<AdapterSummary | null> {
    switch (backend) {
      case 'webgpu':
        return this.startWebGpu();
      case 'webgl':
        if (typeof document === 'undefined') throw new Unavailable('not in a browser page (no canvas)');
        if (!document.createElement('canvas').getContext('webgl2')) {
          throw new Unavailable('this browser could not create a WebGL 2 context');
        }
        break;
      case 'wasm':
        if (typeof WebAssembly === 'undefined') throw new Unavailable('WebAssembly is not available');
        if (this.options.wasmPaths) setWasmPaths(this.options.wasmPaths);
        setThreadsCount(wasmThreads());
        break;
      case 'cpu':
        break;
    }
    await activate(backend);
    return null;
  }

  private async startWebGpu(): Promise<AdapterSummary> {
    const gpu = this.gpu;
    if (!gpu) {
      throw new Unavailable(
        'navigator.gpu is missing: this browser has no WebGPU, or it is switched off',
      );
    }
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      throw new Unavailable(
        'no WebGPU adapter: the browser found no GPU it is willing to use (driver blocklisted, or WebGPU disabled)',
      );
    }
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice({
        requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
        // tfjs sizes its buffers and workgroups by these; ask for all the adapter has.
        requiredLimits: Object.fromEntries(
          ADAPTER_LIMITS_SHOWN.map((name) => [name, adapter.limits[name]]),
        ),
      });
    } catch (error) {
      throw new Unavailable(`the GPU device request failed: ${describe(error)}`);
    }

    // Replace tfjs's own factory with one bound to our device, so that we see its loss.
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info));
    try {
      await activate('webgpu');
    } catch (error) {
      device.destroy();
      throw error;
    }
    this.device = device;
    void device.lost.then((info) => this.onDeviceLost(device, info));
    return summarise(adapter);
  }

  private async onDeviceLost(device: GPUDevice, info: GPUDeviceLostInfo): Promise<void> {
    if (device !== this.device) return; // released on purpose, or already replaced
    this.device = null;
    const detail = info.message ? `: ${info.message}` : '';
    this.dispatchEvent(new DeviceLostEvent(`The GPU device was lost (${info.reason}${detail}).`));
    this.recoveries += 1;
    // The lost backend holds dead buffers; drop it and start over.
    if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
    await this.start();
  }
}

async function activate(backend: BackendName): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(backend);
    if (ok) await tf.ready();
  } catch (error) {
    throw new Unavailable(`tfjs could not start it: ${describe(error)}`);
  }
  if (!ok || tf.getBackend() !== backend) {
    throw new Unavailable('tfjs could not start it (see the browser console for details)');
  }
}

function summarise(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  const named = [info.vendor, info.architecture, info.device].filter(Boolean).join(' ');
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description || named || 'unnamed adapter',
    limits: Object.fromEntries(ADAPTER_LIMITS_SHOWN.map((name) => [name, adapter.limits[name]])),
    features: [...adapter.features].sort(),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
