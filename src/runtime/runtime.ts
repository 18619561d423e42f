/**
 * ComputeRuntime starts a tfjs backend, reports which one runs and why every
 * other one was passed over, and keeps the page alive when the GPU device is
 * lost: it reports the loss and starts again on a fresh device, or on the next
 * backend when none can be had.
 *
 * Forced (`?backend=`), it starts that backend, or the first of the rest that
 * works. Otherwise it starts every backend it can, times a test block of the
 * default run on each (choice.ts decides which are worth timing and which one
 * wins), runs on the fastest and keeps that choice for the device's next visit.
 *
 * It owns the WebGPU device it creates. Tensors made on a lost device are
 * gone; listeners of the `change` event rebuild what they held.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { BACKEND_LABELS, BACKEND_ORDER, type BackendName, candidateBackends } from './backends.js';
import {
  type AdapterIdentity, type ChoiceStorage, type DeviceFacts, RUN_CAP_MS, type Started, type Trial, WARM_UP_CAP_MS, chooseBackend, forcedLine,
  measureOrder, readCachedChoice, skipReason, softwareAdapter, softwareWebGlRenderer, unmeasuredLine, writeCachedChoice,
} from './choice.js';
import { type BlockTime, timeTestBlock, webGlRenderer } from './probe.js';

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
  /** The software renderer behind it ('SwiftShader', ...), null for a hardware GPU. */
  software: string | null;
}

export interface RuntimeReport {
  backend: BackendName;
  label: string;
  /** The backend the user asked for, if any. */
  forced: BackendName | null;
  /** Every other backend tried, with the reason it was passed over (unavailable, slower, not measured). */
  fallbacks: Fallback[];
  /** Set when WebGPU runs. */
  adapter: AdapterSummary | null;
  /** How many times a lost GPU device has been replaced since start. */
  recoveries: number;
  /** One line for the top of the page: why this backend, with the figures measured. */
  reason: string;
  /** The software GPU the backend runs on ('SwiftShader', ...); null on a hardware GPU or the CPU. */
  software: string | null;
  /** How the backend was picked: by the address, by timing (now, or on an earlier visit), or as the only one. */
  chosenBy: 'forced' | 'measured' | 'cached' | 'only';
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
  /**
   * Where the automatic choice is kept for the next visit. Defaults to the page's localStorage;
   * `null` measures on every start.
   */
  storage?: ChoiceStorage | null;
  /** Times the test block on the active backend (tests pass a stand-in); defaults to timeTestBlock. */
  timeBlock?: (backend: BackendName, caps: { warmUpMs: number; runMs: number }) => Promise<BlockTime>;
}

/** A backend that started: what the report says about its GPU. */
interface StartedBackend extends Started {
  adapter: AdapterSummary | null;
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

  /** Starts the forced backend, or the fastest here. Never throws while the CPU backend can start. */
  async start(): Promise<RuntimeReport> {
    const forced = this.options.forced ?? null;
    const picked = forced ? await this.startForced(forced) : await this.startFastest();
    this.current = { ...picked, label: BACKEND_LABELS[picked.backend], forced, recoveries: this.recoveries };
    this.dispatchEvent(new Event('change'));
    return this.current;
  }

  /** The forced backend, or the first of the others, in the usual order, that starts. */
  private async startForced(forced: BackendName): Promise<Picked> {
    const fallbacks: Fallback[] = [];
    for (const backend of candidateBackends(forced)) {
      try {
        const { adapter, software } = await this.startBackend(backend);
        const reason = forcedLine(forced, backend, software);
        return { backend, fallbacks, adapter, software, reason, chosenBy: 'forced' };
      } catch (error) {
        fallbacks.push({ backend, reason: describe(error) });
      }
    }
    throw noBackend(fallbacks);
  }

  /**
   * The backend that ran the test block fastest here: the one kept from an earlier visit of this
   * device when it still starts, else every backend started and timed now.
   */
  private async startFastest(): Promise<Picked> {
    const storage = this.storage();
    const { facts, software } = await this.deviceFacts();
    const cached = readCachedChoice(storage, facts);
    if (cached) {
      try {
        const { adapter, software } = await this.startBackend(cached.backend);
        const reason = `${cached.line} (measured on ${cached.measuredAt.slice(0, 10)}, kept for this device)`;
        return { backend: cached.backend, fallbacks: cached.passedOver, adapter, software, reason, chosenBy: 'cached' };
      } catch {
        // it no longer starts (a browser setting changed, say): measure again
      }
    }

    // GPUs the facts name as software start last, and only where WASM could not: they would not be timed
    const started: StartedBackend[] = [];
    const trials: Trial[] = [];
    const order = [...BACKEND_ORDER.filter((b) => !software[b]), ...BACKEND_ORDER.filter((b) => software[b])];
    for (const backend of order) {
      const known = software[backend];
      const skip = known ? skipReason({ backend, software: known }, started) : null;
      if (skip) {
        trials.push({ backend, status: 'skipped', software: known ?? null, reason: skip });
        continue;
      }
      try {
        started.push({ backend, ...(await this.startBackend(backend)) });
      } catch (error) {
        trials.push({ backend, status: 'unavailable', reason: describe(error) });
      }
    }
    const time = this.options.timeBlock ?? ((_backend: BackendName, caps: { warmUpMs: number; runMs: number }) => timeTestBlock(caps));
    for (const candidate of measureOrder(started)) {
      const skip = skipReason(candidate, started);
      if (skip) {
        trials.push({ ...candidate, status: 'skipped', reason: skip });
        continue;
      }
      const { backend, software } = candidate;
      // the first run may take a while over compiling shaders or setting up, once; not on a software GPU
      const caps = { warmUpMs: software ? RUN_CAP_MS : WARM_UP_CAP_MS, runMs: RUN_CAP_MS };
      let measured: BlockTime;
      try {
        await activate(backend);
        measured = await time(backend, caps);
      } catch (error) {
        trials.push({ backend, status: 'unavailable', reason: `the test block failed: ${describe(error)}` });
        continue;
      }
      trials.push('ms' in measured
        ? { backend, software, status: 'measured', ms: measured.ms }
        : { backend, software, status: 'over-cap', capMs: measured.overCapMs });
    }
    trials.sort((a, b) => BACKEND_ORDER.indexOf(a.backend) - BACKEND_ORDER.indexOf(b.backend));

    const choice = chooseBackend(trials);
    const winner = started.find((s) => s.backend === choice?.backend) ?? started[0];
    if (!winner) throw noBackend(trials.map((t) => ({ backend: t.backend, reason: t.status === 'unavailable' ? t.reason : 'failed' })));
    await activate(winner.backend);
    for (const other of started) if (other.backend !== winner.backend) this.release(other.backend);
    if (!choice) {
      const fallbacks = trials.filter((t) => t.backend !== winner.backend).map((t) => ({
        backend: t.backend, reason: 'reason' in t ? t.reason : 'not chosen',
      }));
      return { ...winner, fallbacks, reason: unmeasuredLine(winner.backend, winner.software), chosenBy: 'only' };
    }
    writeCachedChoice(storage, facts, { backend: choice.backend, line: choice.line, passedOver: choice.passedOver, measuredAt: new Date().toISOString() });
    return { ...winner, fallbacks: choice.passedOver, reason: choice.line, chosenBy: 'measured' };
  }

  /** Frees what a backend that was started but not chosen holds (a WebGPU device, a WebGL context). */
  private release(backend: BackendName): void {
    if (backend === 'webgpu') {
      const device = this.device;
      this.device = null; // before destroy(): its loss is on purpose
      if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
      device?.destroy();
    } else if (backend === 'webgl' && tf.findBackend('webgl')) {
      // drop the instance, keep the factory: a lost device may fall back to WebGL later
      const factory = tf.findBackendFactory('webgl');
      tf.removeBackend('webgl');
      if (factory) tf.registerBackend('webgl', factory, 2);
    }
  }

  /**
   * What the cached choice is keyed by (the GPU adapter, the WebGL renderer, the browser and its
   * cores), and which GPU backends these say are software, before any backend starts.
   */
  private async deviceFacts(): Promise<{ facts: DeviceFacts; software: Partial<Record<BackendName, string | null>> }> {
    let adapter: string | null = null;
    const software: Partial<Record<BackendName, string | null>> = {};
    try {
      const found = await this.gpu?.requestAdapter({ powerPreference: 'high-performance' });
      if (found) {
        const identity = identify(found);
        adapter = JSON.stringify(identity);
        software.webgpu = softwareAdapter(identity);
      }
    } catch {
      // no adapter: the facts say so
    }
    let renderer: string | null = null;
    try {
      renderer = webGlRenderer();
    } catch {
      // no WebGL
    }
    software.webgl = softwareWebGlRenderer(renderer);
    const nav = typeof navigator === 'undefined' ? null : navigator;
    return { facts: { adapter, renderer, userAgent: nav?.userAgent ?? 'no browser', cores: nav?.hardwareConcurrency ?? 1 }, software };
  }

  private storage(): ChoiceStorage | null {
    if (this.options.storage !== undefined) return this.options.storage;
    try {
      return typeof localStorage === 'undefined' ? null : localStorage;
    } catch {
      return null; // a sandboxed frame refuses it
    }
  }

  /** Releases the GPU device. The runtime can be started again afterwards. */
  dispose(): void {
    const device = this.device;
    this.device = null;
    device?.destroy();
  }

  private async startBackend(backend: BackendName): Promise<{ adapter: AdapterSummary | null; software: string | null }> {
    let software: string | null = null;
    switch (backend) {
      case 'webgpu': {
        const adapter = await this.startWebGpu();
        return { adapter, software: adapter.software };
      }
      case 'webgl': {
        if (typeof document === 'undefined') throw new Unavailable('not in a browser page (no canvas)');
        const renderer = webGlRenderer();
        if (renderer === null) throw new Unavailable('this browser could not create a WebGL 2 context');
        software = softwareWebGlRenderer(renderer);
        break;
      }
      case 'wasm':
        if (typeof WebAssembly === 'undefined') throw new Unavailable('WebAssembly is not available');
        if (this.options.wasmPaths) setWasmPaths(this.options.wasmPaths);
        setThreadsCount(wasmThreads());
        break;
      case 'cpu':
        break;
    }
    await activate(backend);
    return { adapter: null, software };
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
    software: softwareAdapter(identify(adapter)),
  };
}

/** The adapter's identity, with the fallback flag from wherever this browser puts it. */
function identify(adapter: GPUAdapter): AdapterIdentity {
  const info: Partial<GPUAdapterInfo> = adapter.info ?? {};
  const legacy = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? legacy),
  };
}

/** What start() settles before the report gets its label and counters. */
type Picked = Omit<RuntimeReport, 'label' | 'forced' | 'recoveries'>;

function noBackend(fallbacks: readonly Fallback[]): Error {
  return new Error('No compute backend could start: ' + fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; '));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
