/**
 * For the browser tests that run on WebGPU (SwiftShader here): starting it is a test of its own,
 * first in the describe block that calls this (so a device that cannot start says so there), and
 * the runtime is released after the block.
 */
import { afterAll, expect, it } from 'vitest';
import { ComputeRuntime } from '../../src/runtime/runtime.js';
import { WASM_PATHS } from '../../src/runtime/wasm-paths.js';

export function startsWebGpu(): void {
  let runtime: ComputeRuntime | null = null;
  afterAll(() => runtime?.dispose());

  it('starts WebGPU', async () => {
    runtime = new ComputeRuntime({ forced: 'webgpu', wasmPaths: WASM_PATHS });
    expect((await runtime.start()).backend).toBe('webgpu');
  });
}
