/**
 * The network loader: download progress, SHA-256 refusals with their own
 * messages, nothing left on the GPU after a failure, and a DDIM run through
 * the loaded model that reproduces PyTorch's sampler.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleAll } from '../../../src/diffusion/denoise.js';
import { Scheduler } from '../../../src/diffusion/schedulers.js';
import { type LoadProgress, type LoadedModel, ModelLoadError, loadModel } from '../../../src/models/loader.js';
import { type ParityArray, compare } from '../../shared/parity.js';
import { SHIPPED_MODELS, TINY_MODELS, exportedModelDirs, loadParity } from './model-folder.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Tamper = (path: string, bytes: Uint8Array) => Uint8Array | null;

/** A fetch over a folder on disk, optionally altering what it serves (null: 404). */
function diskFetch(root: string, tamper: Tamper = (_, bytes) => bytes) {
  return async (url: string) => {
    const path = url.replace(/^disk:\//, '');
    let bytes: Uint8Array | null;
    try {
      bytes = tamper(path, new Uint8Array(readFileSync(join(root, path))));
    } catch {
      bytes = null;
    }
    if (!bytes) return new Response('not found', { status: 404, statusText: 'Not Found' });
    return new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-length': String(bytes.length) } });
  };
}

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
      card.method = 'gan';
      return new TextEncoder().encode(JSON.stringify(card));
    });
    expect(error.code).toBe('card-unsupported');
    expect(error.message).toContain("unknown method 'gan'");
  });

  it('refuses a card that is not JSON', async () => {
    const error = await refusal('tiny-ecg-vae', (path, bytes) => (path.endsWith('card.json') ? bytes.subarray(0, 20) : bytes));
    expect(error.code).toBe('card-unreadable');
  });
});

/** Every exported diffusion model's 4-step DDIM case, run through the browser's sampler. */
const ddpmDirs = [...exportedModelDirs(TINY_MODELS), ...exportedModelDirs(SHIPPED_MODELS)].filter(
  (dir) => 'ddim' in loadParity(dir).cases,
);

describe.each(ddpmDirs.map((dir) => [dir.split('/').slice(-2).join('/'), dir]))('DDIM sampling with %s', (_, dir) => {
  it('reproduces PyTorch\'s sampler step by step', async () => {
    const root = dir.slice(0, dir.lastIndexOf('/'));
    const id = dir.slice(dir.lastIndexOf('/') + 1);
    const model = await loadModel(`disk:/${id}/`, { fetch: diskFetch(root) });
    if (model.kind !== 'ddpm') throw new Error('not a diffusion model');
    const { inputs, outputs } = loadParity(dir).cases.ddim!;
    const xT = inputs.xT as ParityArray;
    const card = model.card;
    const scheduler = new Scheduler(
      { steps: card.schedule!.steps, beta: card.schedule!.beta, clipSample: card.schedule!.clipSample ? card.schedule!.clipRange : null },
      'ddim', inputs.numSteps as number, inputs.eta as number,
    );
    expect(scheduler.timesteps).toEqual(outputs.timesteps);
    const sample = await sampleAll(model.net, scheduler, {
      sampleShape: xT.shape.slice(1), classes: inputs.y as number[], nullClass: card.guidance!.nullClass!,
      guidance: inputs.guidance as number, seed: 0, noise: () => Float32Array.from(xT.data),
    });
    const { maxAbsError, scale } = await compare(sample, outputs.sample as ParityArray);
    console.log(`${id}: 4-step DDIM sample, max abs error ${maxAbsError.toExponential(2)} (scale ${scale.toFixed(2)})`);
    expect(maxAbsError / scale).toBeLessThan(1e-4);
    sample.dispose();
    model.dispose();
  });
});
