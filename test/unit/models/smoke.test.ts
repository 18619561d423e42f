/**
 * The whole path, on the machine under test: PyTorch trains tiny versions of
 * every model kind for a few steps and exports them (training/, via
 * test/fixtures/make-tiny-models.py --out), and the browser's loader reads
 * each export and reproduces PyTorch's outputs and its DDIM sampler.
 * Needs Debian's python3-torch (`npm test` checks for it first).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/models/loader.js';
import { runDdimCase, runParityCases } from '../../../src/models/parity.js';
import { REPO, diskFetch, loadParity } from './model-folder.js';

const PYTHON = process.env.MEDSYNTH_PYTHON ?? '/usr/bin/python3';
let out: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  out = await mkdtemp(join(tmpdir(), 'medsynth-smoke-'));
  await promisify(execFile)(PYTHON, ['test/fixtures/make-tiny-models.py', '--out', out], { cwd: REPO, timeout: 300_000 });
}, 300_000);

describe('training to browser, end to end', () => {
  it('exports every model kind, and the loader reproduces each one', async () => {
    const ids = (await readdir(out)).sort();
    expect(ids).toEqual(expect.arrayContaining(['tiny-ecg-ddpm', 'tiny-ecg-vae', 'tiny-xray-classifier', 'tiny-xray-ddpm', 'tiny-xray-vae']));
    for (const id of ids) {
      const before = tf.memory().numTensors;
      const model = await loadModel(`disk:/${id}/`, { fetch: diskFetch(out) });
      const parity = loadParity(join(out, id));
      const results = await runParityCases(model, parity);
      if (model.kind === 'ddpm') results.push(await runDdimCase(model, parity));
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
      for (const { output, maxAbsError, scale } of results) {
        expect(maxAbsError / scale, `${id} ${output}`).toBeLessThanOrEqual(parity.tolerance);
      }
    }
  });
});
