/**
 * Compute backends: which ones exist, the order we try them in, and how a
 * `?backend=` URL parameter forces one. Pure functions, no tfjs, no DOM.
 */

/** Preferred first. WebGPU is the product; the rest are fallbacks. */
export const BACKEND_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

export const BACKEND_LABELS: Record<BackendName, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly (CPU)',
  cpu: 'plain JavaScript (CPU)',
};

/** The names the one-line reason for the backend choice uses (src/runtime/choice.ts). */
export const SHORT_NAMES: Record<BackendName, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WASM',
  cpu: 'plain JavaScript',
};

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(value);
}

export interface BackendRequest {
  /** The backend the user forced, or null to take the first that works. */
  forced: BackendName | null;
  /** A message for the user when the parameter was present but not understood. */
  notice: string | null;
}

/**
 * Reads `?backend=NAME` from a URL query string. An unknown name is not an
 * error: the page carries on with the automatic choice and says why.
 */
export function parseBackendParam(search: string): BackendRequest {
  const raw = new URLSearchParams(search).get('backend');
  if (raw === null || raw.trim() === '' || raw.trim().toLowerCase() === 'auto') {
    return { forced: null, notice: null };
  }
  const value = raw.trim().toLowerCase();
  if (isBackendName(value)) return { forced: value, notice: null };
  return {
    forced: null,
    notice:
      `Unknown backend "${raw}" in the address: choose one of ` +
      `${BACKEND_ORDER.join(', ')} (or leave it out to pick automatically). ` +
      'Picking automatically instead.',
  };
}

/**
 * The backends to try, in order. A forced backend goes first; if it cannot
 * start, the page still works on the next one and the report says why.
 */
export function candidateBackends(forced: BackendName | null): BackendName[] {
  if (!forced) return [...BACKEND_ORDER];
  return [forced, ...BACKEND_ORDER.filter((name) => name !== forced)];
}
