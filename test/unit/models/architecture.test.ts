/**
 * The architecture picture is read off the network: every weight belongs to a stage, the shapes
 * chain from the input to the output, and the UNet of xray-ddpm has the shapes its card describes.
 */
import { basename } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ArchitecturePicture, traceArchitecture } from '../../../src/models/architecture.js';
import { type LoadedModel, loadModel } from '../../../src/models/loader.js';
import { SHIPPED_MODELS, TINY_MODELS, diskFetch, exportedModelDirs, loadCard, loadModel as buildFromFolder, loadWeights } from './model-folder.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * The tiny fixtures through the site's loader (which counts the parameters); the shipped models
 * built from their folders without the loader's warm-up pass (20 s for retina-ddpm on the CPU backend).
 */
async function picture(root: string, id: string): Promise<ArchitecturePicture> {
  let model: LoadedModel;
  if (root === TINY_MODELS) {
    model = await loadModel(`disk:/${id}/`, { fetch: diskFetch(root) });
  } else {
    const dir = `${root}/${id}`;
    const weights = loadWeights(dir);
    const parameters = Object.fromEntries(Object.entries(weights).map(([name, t]) => [name, t.size]));
    tf.dispose(Object.values(weights));
    const built = buildFromFolder(dir);
    model = { kind: built.method, card: loadCard(dir), parameters, net: built.model, dispose: () => built.model.dispose() } as LoadedModel;
  }
  try {
    const before = tf.memory().numTensors;
    const p = traceArchitecture(model);
    expect(tf.memory().numTensors, 'tensors left behind').toBe(before);
    return p;
  } finally {
    model.dispose();
  }
}

const shapeOf = (p: ArchitecturePicture, part: number) => p.parts[part]!.stages.map((s) => s.shape.join('×'));

describe.each([...exportedModelDirs(TINY_MODELS), ...exportedModelDirs(SHIPPED_MODELS)].map((d) => [basename(d), d] as const))('%s', (id, dir) => {
  it('puts every weight in a stage, and its parts start and end where the data does', async () => {
    const p = await picture(dir.slice(0, -id.length - 1), id);
    expect(p.unaccounted).toBe(0);
    expect(p.parameters).toBeGreaterThan(0);
    const stageTotal = new Set(p.parts.flatMap((part) => part.stages.flatMap((s) => s.paths))).size;
    expect(stageTotal).toBeGreaterThan(0);
    for (const part of p.parts) {
      expect(part.stages.length).toBeGreaterThan(1);
      for (const s of part.stages) {
        expect(s.what.length).toBeGreaterThan(0);
        expect(s.shape.every((n) => Number.isInteger(n) && n > 0)).toBe(true);
        if (s.paths.length === 0) expect(s.parameters).toBe(0);
      }
    }
  });
});

it('traces the xray-ddpm UNet as its card describes: 28 to 7 and back, 16 to 64 channels', async () => {
  const p = await picture(SHIPPED_MODELS, 'xray-ddpm');
  expect(p.parts.map((x) => x.title)).toEqual(['UNet']);
  expect(shapeOf(p, 0)).toEqual([
    '28×28×1', '128', '28×28×16',                      // x_t, the embedding, in_conv
    '28×28×16', '14×14×16', '14×14×32', '7×7×32', '7×7×64',   // down: res, pool, res, pool, res
    '7×7×64', '7×7×64', '7×7×64',                        // mid: res, attention, res
    '7×7×64', '7×7×64', '14×14×64',                      // up, lowest level: 2 res, upsample
    '14×14×32', '14×14×32', '28×28×32',
    '28×28×16', '28×28×16',
    '28×28×1',                                           // the predicted noise
  ]);
  // the card's own count, from PyTorch
  expect(p.parameters).toBe(668417);
  const stages = p.parts[0]!.stages;
  expect(stages.reduce((n, s) => n + s.parameters, 0)).toBe(668417);
  expect(stages.find((s) => s.paths.includes('mid_attn'))?.what).toMatch(/attention/);
});

it('traces the ecg-ar model as a VQ encoder, a transformer over 32 tokens and a decoder', async () => {
  const p = await picture(SHIPPED_MODELS, 'ecg-ar');
  expect(p.parts.map((x) => x.title)).toEqual(['VQ encoder', 'Transformer', 'VQ decoder']);
  expect(shapeOf(p, 0).at(0)).toBe('256×1');
  expect(shapeOf(p, 0).at(-1)).toBe('32');                 // the tokens
  expect(shapeOf(p, 1)).toEqual(['32×128', '32×128', '32×128', '32×128', '32×128', '32×256']);
  expect(shapeOf(p, 2).at(0)).toBe('32×32');
  expect(shapeOf(p, 2).at(-1)).toBe('256×1');
});
