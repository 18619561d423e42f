/**
 * Runs a parity.json's fixed inputs through a loaded model: the same checks for the Node tests
 * (CPU backend), the browser tests (WebGPU, WebGL, WASM) and the page, which runs them on every
 * model a person loads from disk (src/models/local-folder.ts). Platform-neutral: no node:fs, no DOM.
 */
import * as tf from '@tensorflow/tfjs';
import { sampleAll } from '../diffusion/denoise.js';
import { sampleTokens } from '../diffusion/tokens.js';
import type { Ar } from './ar.js';
import type { LoadedModel } from './loader.js';
import type { BackendName } from '../runtime/backends.js';
import { denoiseOptionsFor, schedulerFor } from '../pipeline/pipeline.js';

export interface ParityArray {
  shape: number[];
  data: number[];
}

export interface Parity {
  model: string;
  tolerance: number;
  cases: Record<string, { inputs: Record<string, unknown>; outputs: Record<string, unknown> }>;
}

export interface ParityResult {
  /** e.g. 'eps.eps', 'decode.x'. */
  output: string;
  maxAbsError: number;
  /** The PyTorch output's largest magnitude. */
  scale: number;
}

/**
 * How far a backend may stray from PyTorch, relative to each output's largest magnitude: the CPU
 * and WASM compute in float32 as PyTorch does (1e-4, training/export.py's own tolerance); GPUs fuse
 * multiply-adds and approximate exp and sin in their shaders (1e-3).
 */
export const PARITY_TOLERANCE: Readonly<Record<BackendName, number>> = { cpu: 1e-4, wasm: 1e-4, webgpu: 1e-3, webgl: 1e-3 };

/** The worst of a model's parity cases on one backend, and whether it is within that backend's tolerance. */
export interface ParityVerdict {
  passed: boolean;
  /** Every output's error relative to its scale, worst first. */
  outputs: { output: string; relativeError: number }[];
  tolerance: number;
}

/** Runs every single-pass case of `parity` and judges them against PARITY_TOLERANCE[backend]. */
export async function verifyParity(model: LoadedModel, parity: Parity, backend: BackendName): Promise<ParityVerdict> {
  const results = await runParityCases(model, parity);
  if (!results.length) throw new Error('parity.json holds no case this site can run');
  const tolerance = PARITY_TOLERANCE[backend];
  const outputs = results.map((r) => ({ output: r.output, relativeError: r.maxAbsError / r.scale }))
    .sort((a, b) => b.relativeError - a.relativeError);
  return { passed: outputs.every((o) => o.relativeError <= tolerance), outputs, tolerance };
}

/** Every single-pass case (all but the 4-step 'ddim' run, which the sampler tests check). */
export async function runParityCases(model: LoadedModel, parity: Parity): Promise<ParityResult[]> {
  const results: ParityResult[] = [];
  const check = async (caseName: string, output: string, actual: tf.Tensor) => {
    const raw = parity.cases[caseName]!.outputs[output] as ParityArray | number[][];
    // token outputs are plain nested lists of codes
    const expected = Array.isArray(raw) ? { shape: [raw.length, raw[0]?.length ?? 0], data: raw.flat() } : raw;
    results.push({ output: `${caseName}.${output}`, ...(await compare(actual, expected)) });
    actual.dispose();
  };
  for (const [name, c] of Object.entries(parity.cases)) {
    const input = (key: string) => { const a = c.inputs[key] as ParityArray; return tf.tensor(a.data, a.shape, 'float32'); };
    const ints = (key: string) => c.inputs[key] as number[];
    if (name === 'ddim') continue;
    if (name === 'eps' && model.kind === 'ddpm') {
      await check(name, 'embedding', model.net.embed(ints('t'), ints('y')));
      const x = input('x');
      await check(name, 'eps', model.net.predictNoise(x, ints('t'), ints('y')));
      x.dispose();
    } else if (name === 'decode' && (model.kind === 'vae' || model.kind === 'gan')) {
      const z = input('z') as tf.Tensor2D;
      await check(name, 'x', model.net.decode(z, ints('y')));
      z.dispose();
    } else if (name === 'encode' && model.kind === 'vae') {
      const x = input('x');
      const { mu, logvar } = model.net.encode(x, ints('y'));
      await check(name, 'mu', mu);
      await check(name, 'logvar', logvar);
      x.dispose();
    } else if (model.kind === 'ar' && (name === 'encode' || name === 'decode' || name === 'logits' || name === 'sample')) {
      await checkAr(model.net, name, c, check);
    } else if (name === 'classify' && model.kind === 'classifier') {
      const x = input('x');
      await check(name, 'features', model.net.features(x));
      await check(name, 'logits', model.net.logits(x));
      await check(name, 'probabilities', model.net.probabilities(x));
      x.dispose();
    } else {
      throw new Error(`no parity check for case '${name}' of a ${model.kind} model`);
    }
  }
  return results;
}

/**
 * An autoregressive model's cases: tokens (the quantiser's choice, and a whole guided, filtered
 * sampling run from PyTorch's uniform numbers) must be equal, not close; the decoder's images and
 * the transformer's logits within the tolerance.
 */
async function checkAr(
  net: Ar, name: string, c: { inputs: Record<string, unknown>; outputs: Record<string, unknown> },
  check: (caseName: string, output: string, actual: tf.Tensor) => Promise<void>,
): Promise<void> {
  const ints2d = (v: unknown) => tf.tensor2d(v as number[][], undefined, 'int32');
  if (name === 'encode') {
    const a = c.inputs.x as ParityArray;
    const x = tf.tensor(a.data, a.shape, 'float32');
    await check(name, 'tokens', tf.tidy(() => tf.cast(net.encode(x), 'float32')));
    x.dispose();
  } else if (name === 'decode') {
    const tokens = ints2d(c.inputs.tokens);
    await check(name, 'x', net.decode(tokens));
    tokens.dispose();
  } else if (name === 'logits') {
    const inputs = ints2d(c.inputs.tokens);
    await check(name, 'logits', net.logits(inputs, c.inputs.y as number[]));
    inputs.dispose();
  } else {
    const i = c.inputs;
    const u = i.uniforms as ParityArray;
    const N = u.shape[1]!;
    const tokens = await sampleTokens(net, {
      classes: i.y as number[],
      sampling: { guidance: i.guidance as number, temperature: i.temperature as number, topK: i.topK as number, topP: i.topP as number },
      uniforms: (i.y as number[]).map((_, row) => u.data.slice(row * N, (row + 1) * N)),
    });
    await check(name, 'tokens', tf.tensor2d(tokens.flatMap((t) => [...t]), [tokens.length, N]));
  }
}

/** Max |actual - expected| and the output's scale, as training/export.py measures it. */
export async function compare(actual: tf.Tensor, expected: ParityArray): Promise<{ maxAbsError: number; scale: number }> {
  if (actual.shape.join() !== expected.shape.join()) {
    throw new Error(`shape [${actual.shape.join(', ')}] differs from PyTorch's [${expected.shape.join(', ')}]`);
  }
  const got = await actual.data();
  let maxAbsError = 0;
  let scale = 0;
  expected.data.forEach((e, i) => {
    const d = Math.abs((got[i] ?? NaN) - e);
    maxAbsError = Number.isNaN(d) ? Infinity : Math.max(maxAbsError, d);
    scale = Math.max(scale, Math.abs(e));
  });
  return { maxAbsError, scale: Math.max(scale, 1e-6) };
}

/**
 * The 'ddim' case: PyTorch's 4-step guided DDIM run from a given x_T, through
 * the browser's Scheduler and denoising loop. Returns the timesteps taken and
 * the final sample's error.
 */
export async function runDdimCase(model: LoadedModel, parity: Parity): Promise<ParityResult & { timesteps: number[]; expectedTimesteps: number[] }> {
  if (model.kind !== 'ddpm' || !parity.cases.ddim) throw new Error(`${parity.model} has no DDIM case`);
  const { inputs, outputs } = parity.cases.ddim;
  const xT = inputs.xT as ParityArray;
  // the card -> sampler step as the page takes it; only x_T comes from PyTorch
  const scheduler = schedulerFor(model.card, { sampler: 'ddim', steps: inputs.numSteps as number, eta: inputs.eta as number });
  const options = denoiseOptionsFor(model.card, { classes: inputs.y as number[], guidance: inputs.guidance as number, seed: 0, noise: () => Float32Array.from(xT.data) });
  const sample = await sampleAll(model.net, scheduler, options);
  const error = await compare(sample, outputs.sample as ParityArray);
  sample.dispose();
  return { output: 'ddim.sample', ...error, timesteps: scheduler.timesteps, expectedTimesteps: outputs.timesteps as number[] };
}
