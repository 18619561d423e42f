/**
 * The transformer's token step as a compiled WebGPU plan (src/models/token-plan.ts) against tfjs's
 * ops on the same WebGPU device (SwiftShader here), on the tiny fixtures (2-D and 1-D): the logits
 * at every position through the key/value cache, the tokens a sampling run draws, one dispatch a
 * step; the cases where a run says why it is on tfjs's ops; and a GPU error in the plan's first
 * step, after which runs use tfjs's ops and a new model of the same shape gets a working plan.
 * parity.test.ts holds the plan to PyTorch on every shipped transformer (on WebGPU, its sampling
 * case runs the plan and must draw PyTorch's tokens exactly).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { countDispatches } from '../../src/bench/workload.js';
import { sampleTokens } from '../../src/diffusion/tokens.js';
import { type Ar, createAr } from '../../src/models/ar.js';
import { TokenPlan, precompileTokenPlan } from '../../src/models/token-plan.js';
import { relativeError, tinyFixture } from './tiny-fixtures.js';
import { startsWebGpu } from './on-webgpu.js';

async function tinyAr(id: string): Promise<Ar> {
  const { card, weights } = await tinyFixture(id);
  return createAr(card, weights);
}

/** The code row r feeds at position p: a fixed pattern that visits many codes. */
const codeAt = (net: Ar, p: number, r: number) => (p * 7 + r * 3) % net.architecture.codebookSize;

/** Every position's logits for rows of classes 0, 1 and none (the guided run's null row), plan on or off; and what ran. */
async function allLogits(net: Ar, compiled: boolean): Promise<{ values: Float32Array; path: string }> {
  net.compiled = compiled;
  const classes = [0, 1, net.architecture.numClasses];
  const cache = net.startCache(classes);
  const path = net.lastPath;
  const K = net.architecture.codebookSize;
  const values = new Float32Array(net.numTokens * classes.length * K);
  try {
    for (let p = 0; p < net.numTokens; p++) {
      const logits = net.next(cache, p === 0 ? null : classes.map((_, r) => codeAt(net, p - 1, r)));
      expect(logits.shape).toEqual([classes.length, K]);
      values.set(await logits.data(), p * classes.length * K);
      logits.dispose();
    }
  } finally {
    cache.dispose();
  }
  return { values, path };
}

const backend = () => tf.backend() as unknown as ConstructorParameters<typeof TokenPlan>[2];

describe('the compiled token plan on WebGPU', () => {
  startsWebGpu();

  // First: tiny-ecg-ar's kernel must not be compiled yet, so that the broken WGSL is what compiles
  it('a GPU error in the plan\'s first step: later runs use tfjs\'s ops and say why', { timeout: 300_000 }, async () => {
    const gpu = backend().device;
    const createShaderModule = gpu.createShaderModule.bind(gpu);
    gpu.createShaderModule = (descriptor) => createShaderModule(descriptor.label === 'msl-ar-token' ? { ...descriptor, code: `${descriptor.code}\nnot wgsl` } : descriptor);
    const broken = await tinyAr('tiny-ecg-ar');
    try {
      const cache = broken.startCache([0]);
      expect(broken.lastPath).toBe('compiled WebGPU plan');
      tf.dispose(broken.next(cache, null));         // its values are not to be trusted: the check says so
      cache.dispose();
      await broken.compiledChecked();
    } finally {
      gpu.createShaderModule = createShaderModule;
    }
    const ops = await allLogits(broken, false);
    const after = await allLogits(broken, true);
    expect(after.path).toMatch(/^tfjs ops \(it met a GPU error \(.*WGSL.*\)\)$/);
    expect(Array.from(after.values)).toEqual(Array.from(ops.values));
    broken.dispose();
    // The failed kernel left the device's cache: a new model compiles it again, and it works
    const fresh = await tinyAr('tiny-ecg-ar');
    const plan = await allLogits(fresh, true);
    await fresh.compiledChecked();
    expect(plan.path).toBe('compiled WebGPU plan');
    expect(relativeError(ops.values, plan.values)).toBeLessThan(1e-5);
    fresh.dispose();
  });

  it.each(['tiny-xray-ar', 'tiny-ecg-ar'])('%s: every position\'s logits and a sampling run\'s tokens as tfjs\'s ops give them, one dispatch a step', { timeout: 300_000 }, async (id) => {
    const before = tf.memory().numTensors;
    const net = await tinyAr(id);
    await precompileTokenPlan(net.architecture, backend().device);
    const ops = await allLogits(net, false);
    const plan = await allLogits(net, true);
    await net.compiledChecked();
    expect(ops.path).toBe('tfjs ops (the compiled plan is turned off)');
    expect(plan.path).toBe('compiled WebGPU plan');
    expect(relativeError(ops.values, plan.values)).toBeLessThan(1e-5);
    // A second run (new cache buffers) gives the same values
    expect(Array.from((await allLogits(net, true)).values)).toEqual(Array.from(plan.values));

    // One dispatch a step, where tfjs's ops record dozens
    const cache = net.startCache([0, 1]);
    tf.dispose(net.next(cache, null));
    expect(await countDispatches(() => net.next(cache, [3, 4]))).toBe(1);
    cache.dispose();

    // A guided, filtered sampling run draws the same tokens either way
    const N = net.numTokens;
    const run = (compiled: boolean) => {
      net.compiled = compiled;
      return sampleTokens(net, {
        classes: [0, 1], sampling: { guidance: 2, temperature: 0.9, topK: 0, topP: 0.95 },
        uniforms: [0, 1].map((r) => Array.from({ length: N }, (_, p) => ((p * 0.618 + r * 0.31) % 1))),
      });
    };
    expect((await run(true)).map((t) => Array.from(t))).toEqual((await run(false)).map((t) => Array.from(t)));
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says why a run is on tfjs\'s ops, and refuses what it cannot do', { timeout: 300_000 }, async () => {
    const net = await tinyAr('tiny-xray-ar');
    const cache = net.startCache([0, 2]);
    expect(net.lastPath).toBe('compiled WebGPU plan');
    expect(() => net.startCache([3])).toThrow(/class id 3 is outside 0\.\.2/);
    tf.dispose(net.next(cache, null));
    expect(() => net.next(cache, [1])).toThrow(/needs the 2 codes chosen before it/);
    cache.dispose();
    expect(() => net.next(cache, [1, 1])).toThrow(/the cache has been disposed/);
    // A cache larger than one binding of the device
    const { card, weights } = await tinyFixture('tiny-xray-ar');
    const plan = new TokenPlan(card.architecture as Ar['architecture'], weights, backend());
    expect(plan.fits(2)).toBeNull();
    expect(plan.fits(0)).toBe('no rows');
    expect(plan.fits(10_000_000)).toMatch(/^a cache of 10000000 rows needs \d+ bytes \(at most \d+\)$/);
    plan.dispose();
    tf.dispose(Object.values(weights));
    net.dispose();
  });
});
