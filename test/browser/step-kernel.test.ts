/**
 * The scheduler update's WebGPU kernel (src/diffusion/step-kernel.ts: two dispatches) against the
 * same update as tfjs ops on the same device, for DDIM and DDPM, with and without clipping and
 * fresh noise. The ops themselves are held to PyTorch by test/unit/diffusion's golden values.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type StepScalars, schedulerStep } from '../../src/diffusion/step-kernel.js';
import { gaussian } from '../../src/util/random.js';
import { startsWebGpu } from './on-webgpu.js';

const CASES: { name: string; s: StepScalars }[] = [
  { name: 'DDIM, eta 0, clipped', s: { alphaBar: 0.3, cX0: 0.7, cOther: 0.4, cNoise: 0, ddim: true, clip: 1 } },
  { name: 'DDIM, eta 1, not clipped', s: { alphaBar: 0.02, cX0: 0.2, cOther: 0.5, cNoise: 0.6, ddim: true, clip: null } },
  { name: 'DDPM, clipped', s: { alphaBar: 0.9, cX0: 0.1, cOther: 0.85, cNoise: 0.05, ddim: false, clip: 1 } },
];

describe('the scheduler update on WebGPU', () => {
  startsWebGpu();

  it.each(CASES)('its kernel matches the ops: $name', async ({ s }) => {
    const shape = [3, 8, 8, 3];
    const n = 3 * 8 * 8 * 3;
    const x = tf.tensor(gaussian(1, n).map((v) => 2 * v), shape);
    const eps = tf.tensor(gaussian(2, n), shape);
    const z = tf.tensor(gaussian(3, n), shape);
    const before = tf.memory().numTensors;
    const kernel = schedulerStep(x, eps, z, s);
    const ops = schedulerStep(x, eps, z, s, 'composed');
    for (const key of ['prevSample', 'predictedClean'] as const) {
      const a = await kernel[key].data();
      const b = await ops[key].data();
      let err = 0;
      a.forEach((v, i) => { err = Math.max(err, Math.abs(v - b[i]!)); });
      expect(err, key).toBeLessThan(1e-5);
      if (s.clip !== null && key === 'predictedClean') expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(s.clip);
    }
    tf.dispose([kernel.prevSample, kernel.predictedClean, ops.prevSample, ops.predictedClean]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, eps, z]);
  });
});
