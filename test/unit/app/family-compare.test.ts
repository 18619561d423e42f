/**
 * The family comparison on the tiny fixtures (random weights, real formats; all of the chest X-ray
 * dataset's shape): every family run in order on the same class and seed, each with its own knobs
 * from the page's settings, timed, judged by the evaluator, and nothing left on the backend.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FamilyCompare, type FamilyRow, familiesOf, runFamilies, settingsFor } from '../../../src/app/family-compare.js';
import type { JudgeReference } from '../../../src/data/reference-packs.js';
import { buildCatalogue } from '../../../src/models/catalogue.js';
import { loadModel } from '../../../src/models/loader.js';
import { type ModelSummary, SHIPPED_MODELS } from '../../../src/models/registry.js';
import { type LatentModel, sampleLatentModel } from '../../../src/pipeline/pipeline.js';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/pipeline/settings.js';
import { FIXTURES, fakeHost, repoFetch } from './fixture-fetch.js';
import { describeKnobs } from '../../../src/pipeline/settings.js';

const IDS = ['tiny-xray-gan', 'tiny-xray-ar', 'tiny-xray-vae', 'tiny-xray-ddpm', 'tiny-xray-classifier'];
let models: ModelSummary[];
const load = (summary: ModelSummary) => loadModel(summary.path, { fetch: repoFetch });
const SETTINGS: Settings = { ...DEFAULT_SETTINGS, count: 3, seed: 9, steps: 2, eta: 0, guidance: 2, truncation: 0.5 };

beforeAll(async () => {
  await tf.setBackend('cpu');
  const catalogue = await buildCatalogue([], IDS.map((id) => `${FIXTURES}${id}/`), repoFetch);
  // the evaluator is not a generator, so the catalogue leaves it out: its summary by hand
  models = [...catalogue.models, { ...catalogue.models[0]!, id: 'tiny-xray-classifier', method: 'classifier', path: `${FIXTURES}tiny-xray-classifier/` }];
});

describe('the family comparison', () => {
  it('picks one model per family of the dataset, diffusion first, then the VAE, the GAN and the transformer', () => {
    expect(familiesOf(models, 'pneumoniamnist').map((m) => m.id)).toEqual(['tiny-xray-ddpm', 'tiny-xray-vae', 'tiny-xray-gan', 'tiny-xray-ar']);
    expect(familiesOf(models, 'mitbih')).toEqual([]);
  });

  it('picks the shipped models of each family, not their exhibits or privacy variants', () => {
    expect(familiesOf(SHIPPED_MODELS, 'breastmnist').map((m) => m.id)).toEqual(['breast-ddpm', 'breast-vae', 'breast-gan', 'breast-ar']);
    expect(familiesOf(SHIPPED_MODELS, 'mitbih').map((m) => m.id)).toEqual(['ecg-ddpm', 'ecg-vae', 'ecg-gan', 'ecg-ar']);
  });

  it('runs each family on the class asked for, with its own knobs, timed and judged, leaving no tensor behind', async () => {
    const families = familiesOf(models, 'pneumoniamnist');
    const evaluator = models.find((m) => m.method === 'classifier')!;
    const loaded = new Map<string, Awaited<ReturnType<typeof load>>>();
    const cached = async (s: ModelSummary) => loaded.get(s.id) ?? loaded.set(s.id, await load(s)).get(s.id)!;
    for (const s of [...families, evaluator]) await cached(s);
    const before = tf.memory().numTensors;
    const seen: string[] = [];
    const rows = await runFamilies({ models: families, evaluator, className: 'pneumonia', settings: SETTINGS }, cached, {
      onRow: (i, row) => seen.push(`${i} ${row.status}`),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([0, 1, 2, 3].flatMap((i) => [`${i} loading`, `${i} running`, `${i} done`]));
    expect(rows.map((r) => r.how)).toEqual(['DDIM 2 steps, eta 0, guidance 2', 'temperature 1', 'truncation 0.5', 'guidance 2, temperature 1']);
    // guided diffusion: two passes a step; the VAE and the GAN: one; the guided transformer two per token (7x7)
    expect(rows.map((r) => r.passesPerSample)).toEqual([4, 1, 1, 98]);
    for (const row of rows) {
      expect(row.samples).toHaveLength(3);
      expect(row.samples[0]).toHaveLength(28 * 28);
      expect(row.msPerSample).toBeGreaterThan(0);
      expect(row.recognised!.of).toBe(3);
      expect(row.recognised!.hits).toBeGreaterThanOrEqual(0);
      expect(row.recognised!.hits).toBeLessThanOrEqual(3);
    }
    // the GAN's samples are the page's own for these settings: same class, seed and truncation
    const gan = loaded.get('tiny-xray-gan')! as LatentModel;
    expect(rows[2]!.samples).toEqual((await sampleLatentModel(gan, { ...SETTINGS, classIndex: 1 })).samples);
    expect(rows.every((r) => r.nearest === null)).toBe(true);   // no reference pack given
    // with only the diffusion model's knobs on the page, the VAE and the GAN take their cards'
    const cards = await runFamilies({ models: families, evaluator: null, className: 'pneumonia', settings: SETTINGS, shown: ['ddpm'] }, cached);
    expect(cards.map((r) => r.how)).toEqual(['DDIM 2 steps, eta 0, guidance 2', 'temperature 1', 'no truncation', 'guidance 1, temperature 1']);

    // a training set holding the GAN's samples themselves: its nearest distance is 0, a copy, while
    // the other families' and real held-out samples of the class lie farther away
    const flat = (level: number) => new Float32Array(28 * 28).fill(level);
    const reference: JudgeReference = {
      index: {} as JudgeReference['index'],
      heldout: { samples: [flat(10), flat(200), flat(120)], labels: Uint8Array.from([1, 0, 1]) },
      train: { samples: [...rows[2]!.samples, flat(0), flat(255)], labels: Uint8Array.from([1, 1, 1, 0, 1]) },
    };
    const withPack = await runFamilies({ models: families, evaluator: null, className: 'pneumonia', settings: SETTINGS, reference }, cached);
    const [ddpm, vae, own] = withPack.map((r) => r.nearest!) as [NonNullable<FamilyRow['nearest']>, NonNullable<FamilyRow['nearest']>, NonNullable<FamilyRow['nearest']>];
    expect(own).toEqual({ generated: 0, heldOut: expect.any(Number), train: 5 });
    // the held-out samples of the class (flat 10 and flat 120) are measured once, for every row
    expect(own.heldOut).toBeGreaterThan(0);
    expect(ddpm!.heldOut).toBe(own.heldOut);
    expect(vae!.heldOut).toBe(own.heldOut);
    expect(Math.min(ddpm!.generated, vae!.generated)).toBeGreaterThan(0);
    for (const m of loaded.values()) m.dispose();
  });

  it("holds the page's settings to each card, taking the class by name", async () => {
    const gan = await load(models.find((m) => m.id === 'tiny-xray-gan')!);
    expect(settingsFor(gan.card, 'pneumonia', SETTINGS).classIndex).toBe(1);
    expect(settingsFor(gan.card, 'no such class', { ...SETTINGS, classIndex: 1 }).classIndex).toBe(0);
    expect(settingsFor(gan.card, 'normal', { ...SETTINGS, truncation: 9, count: 500 })).toMatchObject({ truncation: 3, count: 64 });
    // a family whose knobs the page does not show takes its card's, and the page's class, seed and count
    expect(settingsFor(gan.card, 'pneumonia', SETTINGS, false)).toMatchObject({ classIndex: 1, seed: 9, count: 3, truncation: 0 });
    gan.dispose();
    expect(describeKnobs('gan', { ...SETTINGS, truncation: 0 })).toBe('no truncation');
    expect(describeKnobs('ddpm', { ...SETTINGS, sampler: 'ddpm' })).toBe('DDPM 2 steps, guidance 2');
    expect(describeKnobs('ar', { ...SETTINGS, temperature: 0.8, topK: 20, topP: 0.9 })).toBe('guidance 2, temperature 0.8, top-k 20, top-p 0.9');
  });

  it('reports a model that fails in its row and still runs the others; a cancel stops the run and frees the models', async () => {
    const host = fakeHost();
    const families = familiesOf(models, 'pneumoniamnist');
    const broken = { ...families[1]!, path: `${FIXTURES}no-such-model/` };
    let loads = 0;
    const compare = new FamilyCompare(host, (path) => {
      loads += 1;
      return loadModel(path, { fetch: repoFetch });
    }, async () => null);
    const before = tf.memory().numTensors;
    await compare.run({ models: [families[0]!, broken, families[2]!], evaluator: null, className: 'normal', settings: SETTINGS });
    expect(compare.status).toBe('done');
    expect(compare.rows.map((r) => r.status)).toEqual(['done', 'error', 'done']);
    expect(compare.rows[1]!.message).toMatch(/^VAE: /);
    expect(compare.rows[0]!.recognised).toBeNull();
    // the same dataset again: the models loaded are kept, the broken one is tried again
    await compare.run({ models: [families[0]!, broken, families[2]!], evaluator: null, className: 'normal', settings: SETTINGS });
    expect(loads).toBe(4);
    // cancelled mid-way
    const running = compare.run({ models: families, evaluator: null, className: 'normal', settings: { ...SETTINGS, steps: 50 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await compare.cancel();
    await running;
    expect(compare.status).toBe('cancelled');
    await compare.clear();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(tf.memory().numTensors).toBe(before);
  });
});
