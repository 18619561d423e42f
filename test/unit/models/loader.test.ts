/**
 * The network loader: download progress, SHA-256 refusals with their own
 * messages, nothing left on the GPU after a failure, and a DDIM run through
 * the loaded model that reproduces PyTorch's sampler.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LoadProgress, type LoadedModel, ModelLoadError, loadModel } from '../../../src/models/loader.js';
import { runDdimCase } from '../../../src/models/parity.js';
import { SHIPPED_MODELS, TINY_MODELS, type Tamper, diskFetch, exportedModelDirs, loadParity } from './model-folder.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function load(id: string, tamper?: Tamper, onProgress?: (p: LoadProgress) => void): Promise<LoadedModel> {
  return loadModel(`disk:/${id}/`, { fetch: diskFetch(TINY_MODELS, tamper), onProgress });
}

async function refusal(id: string, tamper: Tamper): Promise<ModelLoadError> {
  const before = tf.memory().numTensors;
  const error = await load(id, tamper).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelLoadError);
  expect(tf.memory().numTensors).toBe(before); // nothing half-loaded
  return error as ModelLoadError;
}

describe('loading a model', () => {
  it('reports progress through every phase, and dispose frees every tensor it made', async () => {
    const before = tf.memory().numTensors;
    const phases: string[] = [];
    let last: LoadProgress | null = null;
    const model = await load('tiny-xray-ddpm', undefined, (p) => {
      if (phases.at(-1) !== p.phase) phases.push(p.phase);
      last = p;
    });
    expect(phases).toEqual(['card', 'download', 'verify', 'build', 'warm-up']);
    expect(last!.loaded).toBe(model.card.weights.files[0]!.bytes);
    expect(model.kind).toBe('ddpm');
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a shard with one flipped byte', async () => {
    const error = await refusal('tiny-xray-ddpm', (path, bytes) => {
      if (path.endsWith('.bin')) bytes[100]! ^= 0x10;
      return bytes;
    });
    expect(error.code).toBe('shard-checksum');
    expect(error.message).toMatch(/weights\.bin is not the published file \(SHA-256 [0-9a-f]{12}…, expected [0-9a-f]{12}…\)/);
  });

  it('refuses a truncated shard', async () => {
    const error = await refusal('tiny-xray-vae', (path, bytes) => (path.endsWith('.bin') ? bytes.subarray(0, 1000) : bytes));
    expect(error.code).toBe('shard-truncated');
    expect(error.message).toMatch(/weights\.bin stopped after 1000 of \d+ bytes \(truncated\)/);
  });

  it('refuses a missing shard', async () => {
    const error = await refusal('tiny-xray-classifier', (path, bytes) => (path.endsWith('.bin') ? null : bytes));
    expect(error.code).toBe('shard-missing');
    expect(error.message).toContain('weights.bin answered 404');
  });

  it('refuses a card with an unknown architecture', async () => {
    const error = await refusal('tiny-ecg-vae', (path, bytes) => {
      if (!path.endsWith('card.json')) return bytes;
      const card = JSON.parse(new TextDecoder().decode(bytes));
      card.method = 'flow';
      return new TextEncoder().encode(JSON.stringify(card));
    });
    expect(error.code).toBe('card-unsupported');
    expect(error.message).toContain("unknown method 'flow'");
  });

  it('refuses a card that is not JSON', async () => {
    const error = await refusal('tiny-ecg-vae', (path, bytes) => (path.endsWith('card.json') ? bytes.subarray(0, 20) : bytes));
    expect(error.code).toBe('card-unreadable');
  });
});

/**
 * Every exported diffusion model's 4-step DDIM case, run through the browser's sampler.
 * Tolerance 1e-2 of the sample's scale, not the 1e-4 of a single pass: the first step starts at
 * t = 999, where x0 = (x - sqrt(1 - a) eps) / sqrt(a) divides by sqrt(a) = 5e-5, so float32
 * differences of 1e-6 in a trained network's eps grow 2e4-fold before clipping (measured here:
 * 2.4e-3 for xray-ddpm, 1.3e-4 for ecg-ddpm, 2e-6 for the random-weight fixtures). The step
 * arithmetic itself is checked to 1e-5 against golden numbers in test/unit/diffusion.
 */
const DDIM_TOLERANCE = 1e-2;
const ddpmDirs = [...exportedModelDirs(TINY_MODELS), ...exportedModelDirs(SHIPPED_MODELS)].filter(
  (dir) => 'ddim' in loadParity(dir).cases,
);

/** Eight UNet passes on tfjs's CPU backend: about 20 s at 28x28 on a busy 2-core machine, 5x that at 64x64. */
function ddimTimeout(dir: string): number {
  const xT = loadParity(dir).cases.ddim?.inputs.xT as { shape: number[] } | undefined;
  const values = xT ? xT.shape.reduce((a, b) => a * b, 1) : 0;
  return Math.max(60_000, Math.ceil(values / 784) * 40_000);
}

describe.each(ddpmDirs.map((dir) => [dir.split('/').slice(-2).join('/'), dir]))('DDIM sampling with %s', (_, dir) => {
  it("reproduces PyTorch's sampler step by step", { timeout: ddimTimeout(dir) }, async () => {
    const root = dir.slice(0, dir.lastIndexOf('/'));
    const id = dir.slice(dir.lastIndexOf('/') + 1);
    const model = await loadModel(`disk:/${id}/`, { fetch: diskFetch(root) });
    const result = await runDdimCase(model, loadParity(dir));
    model.dispose();
    console.log(`${id}: 4-step DDIM sample, max abs error ${result.maxAbsError.toExponential(2)} (scale ${result.scale.toFixed(2)})`);
    expect(result.timesteps).toEqual(result.expectedTimesteps);
    expect(result.maxAbsError / result.scale).toBeLessThan(DDIM_TOLERANCE);
  });
});
