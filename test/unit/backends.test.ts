import { describe, expect, it } from 'vitest';
import { BACKEND_ORDER, candidateBackends, parseBackendParam } from '../../src/runtime/backends.js';

describe('the ?backend= parameter', () => {
  it('picks automatically when absent, empty or "auto"', () => {
    for (const search of ['', '?', '?backend=', '?backend=auto', '?seed=3']) {
      expect(parseBackendParam(search)).toEqual({ forced: null, notice: null });
    }
  });

  it('forces a known backend, whatever its case and spacing', () => {
    expect(parseBackendParam('?backend=wasm').forced).toBe('wasm');
    expect(parseBackendParam('?backend=%20WebGPU%20').forced).toBe('webgpu');
  });

  it('explains an unknown value instead of failing', () => {
    const { forced, notice } = parseBackendParam('?backend=cuda');
    expect(forced).toBeNull();
    expect(notice).toContain('Unknown backend "cuda"');
    expect(notice).toContain('webgpu, webgl, wasm, cpu');
  });
});

describe('the order backends are tried in', () => {
  it('is WebGPU, WebGL, WASM, CPU', () => {
    expect(candidateBackends(null)).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  });

  it('puts a forced backend first and keeps the rest as fallbacks', () => {
    expect(candidateBackends('wasm')).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
    for (const name of BACKEND_ORDER) expect(new Set(candidateBackends(name)).size).toBe(4);
  });
});
