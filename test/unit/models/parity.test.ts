/**
 * The tfjs models compute what the PyTorch models compute.
 *
 * For every exported model folder (the tiny fixtures in test/fixtures/tiny-models, made by
 * test/fixtures/make-tiny-models.py, and every shipped model under models/ that has a parity.json),
 * build the model from card + weights and run parity.json's fixed inputs through it.
 * Tolerance: max |tfjs - PyTorch| <= parity.tolerance (1e-4) x the output's scale (its largest
 * magnitude), on the CPU backend. The weights are the stored (float16-rounded) ones on both sides,
 * so the only difference left is float32 arithmetic order.
 * The `ddim` case (a 4-step sampler run) is checked in loader.test.ts, through the sampler.
 *
 * To check an export before it is copied into models/, point PARITY_MODELS_DIR at its parent:
 *   PARITY_MODELS_DIR=/tmp/exports npx vitest run --project node test/unit/models/parity.test.ts
 */
import { basename } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../src/models/loader.js';
import { type Parity, runParityCases } from '../../../src/models/parity.js';
import { SHIPPED_MODELS, TINY_MODELS, exportedModelDirs, loadModel, loadParity } from './model-folder.js';

const TINY = exportedModelDirs(TINY_MODELS);
const SHIPPED_ROOT = process.env.PARITY_MODELS_DIR ?? SHIPPED_MODELS;
const SHIPPED = exportedModelDirs(SHIPPED_ROOT);
const figures: string[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  if (figures.length > 0) console.info(`parity (max abs error / output scale):\n${figures.join('\n')}`);
});

it('has tiny fixtures of every model kind', () => {
  expect(TINY.map((d) => basename(d))).toEqual(expect.arrayContaining([
    'tiny-xray-ddpm', 'tiny-ecg-ddpm', 'tiny-xray-vae', 'tiny-ecg-vae', 'tiny-xray-gan', 'tiny-ecg-gan', 'tiny-xray-ar', 'tiny-ecg-ar', 'tiny-xray-classifier',
    'tiny-ecg-classifier',
  ]));
});

const FOLDERS = [
  ...TINY.map((d): [string, string] => [`fixture ${basename(d)}`, d]),
  ...SHIPPED.map((d): [string, string] => [d.startsWith(SHIPPED_MODELS) ? `models/${basename(d)}` : d, d]),
];

describe.each(FOLDERS)('%s', (_label, dir) => {
  const parity = loadParity(dir);

  it(`matches PyTorch within ${parity.tolerance} of each output's scale (all cases but the sampler run)`, async () => {
    const { method, model } = loadModel(dir);
    const results = await runParityCases({ kind: method, card: model.card, net: model, dispose: () => model.dispose() } as LoadedModel, parity);
    model.dispose();
    expect(results.map((r) => r.output)).toEqual(expectedOutputs(parity));
    for (const { output, maxAbsError, scale } of results) {
      figures.push(`  ${basename(dir)} ${output}: ${maxAbsError.toExponential(2)} / ${scale.toPrecision(3)} = ${(maxAbsError / scale).toExponential(2)}`);
      expect(maxAbsError, `${output}: max abs error ${maxAbsError} at scale ${scale}`).toBeLessThanOrEqual(parity.tolerance * scale);
    }
  });
});

/** The outputs parity.json holds for its single-pass cases, in order. */
function expectedOutputs(parity: Parity): string[] {
  return Object.entries(parity.cases)
    .filter(([name]) => name !== 'ddim')
    .flatMap(([name, c]) => Object.keys(c.outputs).map((output) => `${name}.${output}`));
}

if (SHIPPED.length === 0) {
  it.skip(`${SHIPPED_ROOT}: no exported model with a parity.json yet, only the tiny fixtures were checked`);
}
