/**
 * The compiled WebGPU plan of the VAE decoder and the GAN generator (src/models/decoder-plan.ts)
 * against tfjs's ops on the same WebGPU device (SwiftShader here), on the tiny fixtures (2-D and
 * 1-D, every class); the cases where the decoder says why it runs tfjs's ops; and a GPU error in the
 * plan's first run (a kernel whose WGSL does not compile), after which the model runs tfjs's ops and
 * says why, and a new model of the same shape gets a working plan. parity.test.ts holds the plan to
 * PyTorch on every shipped VAE and GAN (on WebGPU, decode runs the plan).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { precompileDecoderPlan } from '../../src/models/decoder-plan.js';
import { type Gan, createGan } from '../../src/models/gan.js';
import { type Vae, createVae } from '../../src/models/vae.js';
import { gaussian } from '../../src/util/random.js';
import { relativeError, tinyFixture } from './tiny-fixtures.js';
import { startsWebGpu } from './on-webgpu.js';

async function tinyDecoder(id: string): Promise<Vae | Gan> {
  const { card, weights } = await tinyFixture(id);
  return card.architecture.type === 'cvae' ? createVae(card, weights) : createGan(card, weights);
}

/** `batch` samples decoded (every class in turn), with the plan on or off; and what ran. */
async function decode(net: Vae | Gan, batch: number, compiled: boolean): Promise<{ values: Float32Array; path: string }> {
  const a = net.architecture;
  const z = tf.tensor2d(gaussian(11, batch * a.latentDim), [batch, a.latentDim]);
  const y = Array.from({ length: batch }, (_, i) => i % a.numClasses);
  net.compiled = compiled;
  const x = net.decode(z, y);
  expect(x.shape).toEqual([batch, ...a.inputShape]);
  const values = (await x.data()) as Float32Array;
  tf.dispose([z, x]);
  return { values, path: net.lastPath };
}

const device = () => (tf.backend() as unknown as { device: GPUDevice }).device;

describe('the compiled decoder plan on WebGPU', () => {
  startsWebGpu();

  // First: the kernels of tiny-ecg-vae must not be compiled yet, so that the broken WGSL is what compiles
  it('a GPU error in the plan\'s first run: the model runs tfjs\'s ops after it and says why', { timeout: 300_000 }, async () => {
    const gpu = device();
    const createShaderModule = gpu.createShaderModule.bind(gpu);
    gpu.createShaderModule = (descriptor) => createShaderModule(descriptor.label?.startsWith('msl-vae-conv') ? { ...descriptor, code: `${descriptor.code}\nnot wgsl` } : descriptor);
    const broken = await tinyDecoder('tiny-ecg-vae');
    try {
      await decode(broken, 2, true);                 // its values are not to be trusted: the check says so
      expect(broken.lastPath).toBe('compiled WebGPU plan');
      await broken.compiledChecked();
    } finally {
      gpu.createShaderModule = createShaderModule;
    }
    const ops = await decode(broken, 2, false);
    const after = await decode(broken, 2, true);
    expect(after.path).toMatch(/^tfjs ops \(it met a GPU error \(.*WGSL.*\)\)$/);
    expect(Array.from(after.values)).toEqual(Array.from(ops.values));
    broken.dispose();
    // The failed kernels left the device's cache: a new model compiles them again, and they work
    const fresh = await tinyDecoder('tiny-ecg-vae');
    const plan = await decode(fresh, 2, true);
    await fresh.compiledChecked();
    expect(plan.path).toBe('compiled WebGPU plan');
    expect(relativeError(ops.values, plan.values)).toBeLessThan(1e-5);
    expect((await decode(fresh, 2, true)).path).toBe('compiled WebGPU plan');
    fresh.dispose();
  });

  it.each(['tiny-xray-vae', 'tiny-ecg-vae', 'tiny-xray-gan', 'tiny-ecg-gan'])('%s: the plan decodes what tfjs\'s ops decode', { timeout: 300_000 }, async (id) => {
    const before = tf.memory().numTensors;
    const net = await tinyDecoder(id);
    await precompileDecoderPlan(net.architecture, device());
    const ops = await decode(net, 5, false);
    const plan = await decode(net, 5, true);
    await net.compiledChecked();
    expect(ops.path).toBe('tfjs ops (the compiled plan is turned off)');
    expect(plan.path).toBe('compiled WebGPU plan');
    expect(relativeError(ops.values, plan.values)).toBeLessThan(1e-5);
    // A second run reuses the plan's buffers and gives the same values; the check found no error
    const again = await decode(net, 5, true);
    expect(again.path).toBe('compiled WebGPU plan');
    expect(Array.from(again.values)).toEqual(Array.from(plan.values));
    // A smaller batch after a larger: its values alone (the same z as the first two above)
    const fewer = await decode(net, 2, true);
    expect(fewer.values.length).toBe(2 * net.architecture.inputShape.reduce((p, q) => p * q, 1));
    expect(relativeError(ops.values.subarray(0, fewer.values.length), fewer.values)).toBeLessThan(1e-5);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says why it runs tfjs\'s ops where the plan does not apply', { timeout: 300_000 }, async () => {
    const net = await tinyDecoder('tiny-xray-gan');
    const a = net.architecture;
    const z = tf.zeros([2, a.latentDim]) as tf.Tensor2D;
    const traced: string[] = [];
    tf.dispose(net.decode(z, [0, 1], (_shape, what) => traced.push(what)));
    expect(net.lastPath).toBe('tfjs ops (the architecture view traces each stage)');
    expect(traced.length).toBeGreaterThan(3);
    const y = tf.tensor1d([0, 1], 'int32');
    tf.dispose(net.decode(z, y));
    expect(net.lastPath).toBe('tfjs ops (the classes came as a tensor)');
    expect(() => net.decode(z, [0, 2])).toThrow(/class id 2 is outside 0\.\.1/);
    expect(() => net.decode(z, [0])).toThrow(/2 samples but 1 class ids/);
    tf.dispose([z, y]);
    net.dispose();
  });
});
