/**
 * The compiled WebGPU plan of the UNet (src/models/unet-plan.ts) against tfjs's ops on the same
 * WebGPU device (SwiftShader here), on the tiny fixtures: a 2-D and a 1-D network, one with
 * attention at a level (a concatenation whose GroupNorm groups straddle its two inputs), both with
 * the null class and timesteps from 0 to 999; a batch that runs in chunks; classifier-free guidance
 * fused into the plan, whole and in chunks, against guidedNoise's ops; and the cases where the
 * UNet says why it runs tfjs's ops instead. SwiftShader under load takes a minute or more for the
 * tfjs side's first pass, hence the long timeouts. parity.test.ts holds the plan to PyTorch on every
 * shipped UNet (on WebGPU, predictNoise runs the plan).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type UNet, createUNet } from '../../src/models/unet.js';
import { guidedNoise } from '../../src/diffusion/denoise.js';
import { planDispatches } from '../../src/models/gpu-plan.js';
import { precompileUNetPlan } from '../../src/models/unet-plan.js';
import { gaussian } from '../../src/util/random.js';
import { relativeError, tinyFixture } from './tiny-fixtures.js';
import { startsWebGpu } from './on-webgpu.js';

/** The fixture's UNet, built with `maxValuesPerPass` (small values make both paths run in chunks). */
async function tinyUNet(id: string, maxValuesPerPass?: number): Promise<UNet> {
  const { card, weights } = await tinyFixture(id);
  return createUNet(card, weights, maxValuesPerPass);
}

/**
 * A maxValuesPerPass that makes tiny-xray-ddpm's plan run 2 samples per chunk: its widest
 * activation is the upsampling convolution's output (the second level's 16 channels at 28 x 28).
 */
function twoPerChunk(a: UNet['architecture']): number {
  return 2.5 * a.size ** 2 * a.baseChannels * a.channelMult[1]!;
}

/** The noise predicted for `batch` samples, with the plan on or off; and what ran. */
async function predict(net: UNet, batch: number, compiled: boolean): Promise<{ values: Float32Array; path: string }> {
  const a = net.architecture;
  const size = a.inputShape.reduce((p, q) => p * q, 1);
  const x = tf.tensor(gaussian(5, batch * size), [batch, ...a.inputShape]);
  const t = Array.from({ length: batch }, (_, i) => [999, 0, 500, 1, 250][i % 5]!);
  const y = Array.from({ length: batch }, (_, i) => i % (a.numClasses + 1));   // numClasses: the null class
  net.compiled = compiled;
  const eps = net.predictNoise(x, t, y);
  const values = (await eps.data()) as Float32Array;
  tf.dispose([x, eps]);
  return { values, path: net.lastPath };
}

describe('the compiled UNet plan on WebGPU', () => {
  startsWebGpu();

  it.each(['tiny-xray-ddpm', 'tiny-ecg-ddpm', 'tiny-ecg-ddpm-attn'])('%s: the plan predicts what tfjs\'s ops predict', { timeout: 300_000 }, async (id) => {
    const before = tf.memory().numTensors;
    const net = await tinyUNet(id);
    // Its kernels compiled all at once, as the loader does; the first pass then finds them
    await precompileUNetPlan(net.architecture, (tf.backend() as unknown as { device: GPUDevice }).device);
    const ops = await predict(net, 3, false);
    const plan = await predict(net, 3, true);
    expect(ops.path).toBe('tfjs ops (the compiled plan is turned off)');
    expect(plan.path).toBe('compiled WebGPU plan');
    expect(plan.values.length).toBe(ops.values.length);
    expect(relativeError(ops.values, plan.values)).toBeLessThan(1e-5);
    // A second run reuses the plan's buffers and gives the same values
    const again = await predict(net, 3, true);
    expect(Array.from(again.values)).toEqual(Array.from(plan.values));
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs a batch larger than a chunk in chunks, with the same values', { timeout: 300_000 }, async () => {
    const whole = await tinyUNet('tiny-xray-ddpm');
    const a = whole.architecture;
    // Five samples run as chunks of 2, 2 and 1
    const chunked = await tinyUNet('tiny-xray-ddpm', twoPerChunk(a));
    const one = await predict(whole, 5, true);
    const parts = await predict(chunked, 5, true);
    expect(parts.path).toBe('compiled WebGPU plan');
    expect(relativeError(one.values, parts.values)).toBeLessThan(1e-6);
    whole.dispose();
    chunked.dispose();
  });

  it('guides in one pass: the conditional and unconditional halves and their combination, as guidedNoise composes them', { timeout: 300_000 }, async () => {
    const whole = await tinyUNet('tiny-xray-ddpm');
    const a = whole.architecture;
    // The 2 x 3 guided rows run as chunks of 2, the second across the halves
    const chunked = await tinyUNet('tiny-xray-ddpm', twoPerChunk(a));
    const size = a.inputShape.reduce((p, q) => p * q, 1);
    const x = tf.tensor(gaussian(9, 3 * size), [3, ...a.inputShape]);
    const guided = async (net: UNet, compiled: boolean) => {
      net.compiled = compiled;
      const before = planDispatches.count;
      const eps = guidedNoise(net, x, 500, [0, 1, 1], a.numClasses, 2.5);
      const values = (await eps.data()) as Float32Array;
      expect(eps.shape).toEqual(x.shape);
      eps.dispose();
      return { values, path: net.lastPath, dispatches: planDispatches.count - before };
    };
    const ops = await guided(whole, false);
    const fused = await guided(whole, true);
    const parts = await guided(chunked, true);
    expect(ops.path).toBe('tfjs ops (the compiled plan is turned off)');
    expect(fused.path).toBe('compiled WebGPU plan');
    // the network's kernels once and the guidance kernel; in 3 chunks, the network's 3 times
    expect(parts.dispatches - 1).toBe(3 * (fused.dispatches - 1));
    expect(parts.path).toBe('compiled WebGPU plan');
    expect(relativeError(ops.values, fused.values)).toBeLessThan(1e-5);
    expect(relativeError(fused.values, parts.values)).toBeLessThan(1e-6);
    x.dispose();
    whole.dispose();
    chunked.dispose();
  });

  it('says why it runs tfjs\'s ops where the plan does not apply', { timeout: 300_000 }, async () => {
    const net = await tinyUNet('tiny-ecg-ddpm');
    const a = net.architecture;
    const x = tf.zeros([1, ...a.inputShape]);
    const traced: string[] = [];
    tf.dispose(net.predictNoise(x, [10], [0], (_shape, what) => traced.push(what)));
    expect(net.lastPath).toBe('tfjs ops (the architecture view traces each stage)');
    expect(traced.length).toBeGreaterThan(5);
    const t = tf.tensor1d([10]);
    tf.dispose(net.predictNoise(x, t, [0]));
    expect(net.lastPath).toBe('tfjs ops (timesteps or classes came as tensors)');
    expect(() => net.predictNoise(x, [10], [a.numClasses + 1])).toThrow(/class id 6 is outside 0\.\.5/);
    tf.dispose([x, t]);
    net.dispose();
  });
});
