/**
 * The tfjs models compute what the PyTorch models compute.
 *
 * For every exported model folder (the tiny fixtures in test/fixtures/tiny-models, made by
 * test/fixtures/make-tiny-models.py, and every shipped model under models/ that has a parity.json),
 * build the model from card + weights and run parity.json's fixed inputs through it.
 * Tolerance: max |tfjs - PyTorch| <= parity.tolerance (1e-4) x the output's scale (its largest
 * magnitude), on the CPU backend. The weights are the stored (float16-rounded) ones on both sides,
 * so the only difference left is float32 arithmetic order.
 * The `ddim` case (a 4-step sampler run) is checked by the sampler's tests, not here.
 *
 * To check an export before it is copied into models/, point PARITY_MODELS_DIR at its parent:
 *   PARITY_MODELS_DIR=/tmp/exports npx vitest run --project node test/unit/models/parity.test.ts
 */
import { basename } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyModel, type ParityArray, SHIPPED_MODELS, TINY_MODELS, compare, exportedModelDirs, loadModel, loadParity,
  toTensor,
} from './model-folder.js';

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
    'tiny-xray-ddpm', 'tiny-ecg-ddpm', 'tiny-xray-vae', 'tiny-ecg-vae', 'tiny-xray-classifier', 'tiny-ecg-classifier',
  ]));
});

const FOLDERS = [
  ...TINY.map((d): [string, string] => [`fixture ${basename(d)}`, d]),
  ...SHIPPED.map((d): [string, string] => [d.startsWith(SHIPPED_MODELS) ? `models/${basename(d)}` : d, d]),
];

describe.each(FOLDERS)('%s', (_label, dir) => {
  const parity = loadParity(dir);
  const tolerance = parity.tolerance;
  let loaded: AnyModel;

  beforeAll(() => {
    loaded = loadModel(dir);
  });
  afterAll(() => {
    loaded.model.dispose();
  });

  /** Asserts one output within tolerance and records the figure. Disposes `actual`. */
  const check = (caseName: string, output: string, actual: tf.Tensor) => {
    const expected = parity.cases[caseName]?.outputs[output] as ParityArray;
    const { maxAbsError, scale } = compare(actual, expected);
    actual.dispose();
    figures.push(`  ${basename(dir)} ${caseName}.${output}: ${maxAbsError.toExponential(2)} / ${scale.toPrecision(3)}`
      + ` = ${(maxAbsError / scale).toExponential(2)}`);
    expect(maxAbsError, `${caseName}.${output}: max abs error ${maxAbsError} at scale ${scale}`)
      .toBeLessThanOrEqual(tolerance * scale);
  };

  for (const [name, c] of Object.entries(parity.cases)) {
    if (name === 'ddim') {
      it.skip('ddim: a 4-step sampler run, checked by the sampler tests');
      continue;
    }
    it(`${name}: matches PyTorch within ${tolerance} of the output scale`, () => {
      const input = (key: string) => toTensor(c.inputs[key] as ParityArray);
      const ints = (key: string) => c.inputs[key] as number[];
      if (name === 'eps' && loaded.method === 'ddpm') {
        const t = ints('t');
        const y = ints('y');
        check(name, 'embedding', loaded.model.embed(t, y));
        const x = input('x');
        check(name, 'eps', loaded.model.predictNoise(x, t, y));
        x.dispose();
      } else if (name === 'decode' && loaded.method === 'vae') {
        const z = input('z') as tf.Tensor2D;
        check(name, 'x', loaded.model.decode(z, ints('y')));
        z.dispose();
      } else if (name === 'encode' && loaded.method === 'vae') {
        const x = input('x');
        const { mu, logvar } = loaded.model.encode(x, ints('y'));
        check(name, 'mu', mu);
        check(name, 'logvar', logvar);
        x.dispose();
      } else if (name === 'classify' && loaded.method === 'classifier') {
        const x = input('x');
        check(name, 'features', loaded.model.features(x));
        check(name, 'logits', loaded.model.logits(x));
        check(name, 'probabilities', loaded.model.probabilities(x));
        x.dispose();
      } else {
        throw new Error(`no parity check for case '${name}' of a ${loaded.method} model`);
      }
    });
  }
});

if (SHIPPED.length === 0) {
  it.skip(`${SHIPPED_ROOT}: no exported model with a parity.json yet, only the tiny fixtures were checked`);
}
