/**
 * The benchmark's environment in a browser page: backends through the site's ComputeRuntime (WASM
 * binaries from the site itself), models over fetch from this site, shipped or under `modelsBase`.
 */
import { findModel } from '../models/registry.js';
import { WASM_PATHS } from '../runtime/wasm-paths.js';
import { startFreshBackend } from './fresh-backend.js';
import type { BenchEnvironment } from './runner.js';

export function browserEnvironment(modelsBase: string | null): BenchEnvironment {
  return {
    startBackend: (backend) => startFreshBackend(backend, { wasmPaths: WASM_PATHS }),
    fetch: (url, init) => fetch(url, init),
    modelUrl: (id) => new URL(findModel(id)?.path ?? `${modelsBase ?? 'models/'}${id}/`, location.href).href,
  };
}

/** What the report says about the browser and machine it ran on. */
export function describeBrowser(): Record<string, string | number> {
  return {
    userAgent: navigator.userAgent,
    logicalProcessors: navigator.hardwareConcurrency,
    // Without cross-origin isolation the WASM backend cannot use threads.
    crossOriginIsolated: String(globalThis.crossOriginIsolated ?? false),
  };
}
