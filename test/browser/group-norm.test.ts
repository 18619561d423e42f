/**
 * The MslGroupNorm kernels of the browser backends (WebGPU's compute shader, WASM's pass over its
 * heap) against the composed tfjs ops on the same backend. The whole networks are checked
 * against PyTorch in parity.test.ts; this pins the kernel itself, on shapes that exercise both of
 * the shader's workgroup sizes and a group of one channel.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { gaussian } from '../../src/util/random.js';
import { GROUP_NORM_KERNEL, groupNormOp } from '../../src/models/group-norm.js';
import { ComputeRuntime } from '../../src/runtime/runtime.js';
import { WASM_PATHS } from '../../src/runtime/wasm-paths.js';

const CASES = [
  { name: 'an image batch with SiLU (64-thread workgroups)', shape: [2, 6, 6, 16], groups: 8, silu: true, offset: 0 },
  { name: 'a signal batch (256-thread workgroups)', shape: [3, 256, 32], groups: 2, silu: false, offset: 0 },
  { name: 'one channel per group, SiLU', shape: [2, 5, 5, 4], groups: 4, silu: true, offset: 0 },
  { name: 'values far from zero', shape: [2, 8, 8, 8], groups: 4, silu: false, offset: 50 },
] as const;

describe.each(['webgpu', 'wasm'] as const)('MslGroupNorm on %s', (backend) => {
  let runtime: ComputeRuntime;
  afterAll(() => runtime.dispose());

  it('starts the backend, which has the kernel', async () => {
    runtime = new ComputeRuntime({ forced: backend, wasmPaths: WASM_PATHS });
    expect((await runtime.start()).backend).toBe(backend);
    expect(tf.getKernel(GROUP_NORM_KERNEL, backend)).toBeDefined();
  });

  it.each(CASES)('matches the composed ops on $name', async ({ shape, groups, silu, offset }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const C = shape[shape.length - 1]!;
    const before = tf.memory().numTensors;
    const x = tf.tensor(gaussian(11, n).map((v) => offset + v), [...shape]);
    const gamma = tf.tensor1d(gaussian(12, C).map((v) => 1 + 0.5 * v));
    const beta = tf.tensor1d(gaussian(13, C));
    const attrs = { groups, eps: 1e-5, silu };
    const [fast, composed] = tf.tidy(() => [groupNormOp(x, gamma, beta, attrs), groupNormOp(x, gamma, beta, attrs, 'composed')]);
    const a = await fast!.data();
    const b = await composed!.data();
    let worst = 0;
    a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]!))));
    // Unit-variance outputs: float32 sums in a different order differ by ~1e-6; far from zero the
    // composed ops' float32 variance loses more of its digits than the kernels' (float64 on WASM)
    expect(worst).toBeLessThan(offset > 0 ? 1e-3 : 1e-4);
    expect(fast!.shape).toEqual([...shape]);
    tf.dispose([x, gamma, beta, fast!, composed!]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
