/**
 * One seed, a row of values, on the tiny fixtures: the values each family's knobs take, and every
 * cell the page's own first sample at that value (same seed, same noise), nothing left on the backend.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SWEEP_KNOBS, SweepController, cellSettings, runSweep, sweepLabel, sweepValues } from '../../../src/app/sweep.js';
import { loadModel } from '../../../src/models/loader.js';
import { type GeneratorModel, type LatentModel, sampleDiffusion, sampleLatentModel } from '../../../src/pipeline/pipeline.js';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/pipeline/settings.js';
import { FIXTURES, fakeHost, repoFetch } from './fixture-fetch.js';

const SETTINGS: Settings = { ...DEFAULT_SETTINGS, count: 4, seed: 21, steps: 2, eta: 0, guidance: 2, classIndex: 1 };
const load = async (id: string) => (await loadModel(`${FIXTURES}${id}/`, { fetch: repoFetch })) as GeneratorModel;
let gan: GeneratorModel;
let ddpm: GeneratorModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  gan = await load('tiny-xray-gan');
  ddpm = await load('tiny-xray-ddpm');
});

describe('a row of values', () => {
  it('offers each family its own knobs, within its card\'s limits, and names each value', () => {
    expect(SWEEP_KNOBS.ddpm).toEqual(['guidance', 'steps', 'eta']);
    expect(sweepValues('guidance', ddpm)).toEqual([0, 1, 2, 4, 8]);
    expect(Math.max(...sweepValues('steps', ddpm))).toBeLessThanOrEqual(ddpm.card.schedule!.steps);
    expect(sweepValues('truncation', gan)).toEqual([0.25, 0.5, 1, 2, 0]);
    expect(sweepLabel('guidance', 4)).toBe('guidance 4');
    expect(sweepLabel('truncation', 0)).toBe('no truncation');
    expect(sweepLabel('topK', 0)).toBe('top-k: all codes');
    expect(cellSettings(gan, SETTINGS, 'truncation', 0.5)).toMatchObject({ count: 1, truncation: 0.5, seed: 21, classIndex: 1 });
  });

  it('makes the page\'s first sample again at every truncation of a GAN', async () => {
    const before = tf.memory().numTensors;
    const row = await runSweep(gan, SETTINGS, 'truncation');
    expect(tf.memory().numTensors).toBe(before);
    expect(row.cells.map((c) => c.label)).toEqual(['truncation 0.25', 'truncation 0.5', 'truncation 1', 'truncation 2', 'no truncation']);
    for (const cell of row.cells) {
      const page = await sampleLatentModel(gan as LatentModel, { ...SETTINGS, truncation: cell.value });
      expect(Array.from(cell.sample)).toEqual(Array.from(page.samples[0]!));
      expect(cell.ms).toBeGreaterThan(0);
    }
    expect(row.cells[0]!.sample).not.toEqual(row.cells[4]!.sample);
  });

  it('makes the page\'s first sample again at every eta of a diffusion model, and can be cancelled', async () => {
    const host = fakeHost();
    const sweep = new SweepController(host);
    await sweep.start(ddpm, SETTINGS, 'eta');
    const row = sweep.run.result!;
    expect(row.cells.map((c) => c.value)).toEqual([0, 0.5, 1]);
    const page = await sampleDiffusion(ddpm as Extract<GeneratorModel, { kind: 'ddpm' }>, { ...SETTINGS, eta: 1 }, { watch: 0 });
    // a batch of one against a batch of four: the same noise, the same arithmetic up to float rounding
    const diff = Math.max(...row.cells[2]!.sample.map((v, i) => Math.abs(v - page.samples[0]![i]!)));
    expect(diff).toBeLessThanOrEqual(1);
    const started = sweep.start(ddpm, { ...SETTINGS, steps: 20 }, 'guidance');
    await sweep.cancel();
    await started;
    expect(sweep.run.status).toBe('cancelled');
    expect(sweep.run.result).toBe(row);
  });
});
