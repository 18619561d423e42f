/**
 * Every exported model computes in the browser what it computes in PyTorch,
 * on WebGPU (SwiftShader here), WebGL and WASM: the tiny fixtures of every
 * model kind and every shipped model, loaded through the real loader (fetch,
 * SHA-256, warm-up), within PARITY_TOLERANCE (src/models/parity.ts), the
 * tolerances the page holds a model loaded from disk to.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackendName } from '../../src/runtime/backends.js';
import { ComputeRuntime } from '../../src/runtime/runtime.js';
import { WASM_PATHS } from '../../src/runtime/wasm-paths.js';
import { loadModel } from '../../src/models/loader.js';
import { PARITY_TOLERANCE, type Parity, type ParityArray, runParityCases } from '../../src/models/parity.js';

const BACKENDS: readonly Exclude<BackendName, 'cpu'>[] = ['wasm', 'webgpu', 'webgl'];

const parities = {
  ...import.meta.glob<Parity>('/test/fixtures/tiny-models/*/parity.json', { eager: true, import: 'default' }),
  ...import.meta.glob<Parity>('/models/*/parity.json', { eager: true, import: 'default' }),
};
const folders = Object.entries(parities).map(([path, parity]) => ({ base: path.replace('parity.json', ''), parity }));
const figures: string[] = [];

/**
 * SwiftShader takes tens of seconds per 64x64 UNet pass: allow time in proportion to the largest input,
 * and a second for each of a transformer's sampling passes (one a token, two when guided; about 0.6 s
 * each on a loaded 2-core machine), which a run-through of breast-ar's 98 overran at a flat minute.
 */
function timeoutFor(parity: Parity): number {
  const inputs = Object.values(parity.cases).map((c) => c.inputs);
  const values = inputs.flatMap((i) => Object.values(i))
    .map((v) => ((v as Partial<ParityArray>).shape ?? []).reduce((a, b) => a * b, 1));
  const passes = inputs.map((i) => ((i.uniforms as Partial<ParityArray> | undefined)?.shape?.[1] ?? 0) * (i.guidance === 1 ? 1 : 2));
  return Math.max(60_000, Math.ceil(Math.max(...values) / (2 * 28 * 28)) * 30_000) + 1_000 * Math.max(0, ...passes);
}

afterAll(() => console.log(`browser parity (max abs error / output scale):\n${figures.join('\n')}`));

describe.each(BACKENDS)('on %s', (backend) => {
  let runtime: ComputeRuntime;

  it(`starts ${backend}`, async () => {
    runtime = new ComputeRuntime({ forced: backend, wasmPaths: WASM_PATHS });
    expect((await runtime.start()).backend).toBe(backend);
  });

  for (const { base, parity } of folders) it(`${base} matches PyTorch`, { timeout: timeoutFor(parity) }, async () => {
    expect(tf.getBackend()).toBe(backend);
    const before = tf.memory().numTensors;
    const model = await loadModel(base);
    const results = await runParityCases(model, parity);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(results.length).toBeGreaterThan(0);
    for (const { output, maxAbsError, scale } of results) {
      figures.push(`  ${backend} ${parity.model} ${output}: ${(maxAbsError / scale).toExponential(2)}`);
      expect(maxAbsError / scale, `${output} on ${backend}`).toBeLessThanOrEqual(PARITY_TOLERANCE[backend]);
    }
  });

  it('releases the backend', () => runtime.dispose());
});
