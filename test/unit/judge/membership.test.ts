/**
 * The membership test (src/judge/membership.ts): the denoising error against PyTorch's on the tiny
 * fixture diffusion model with the same images and noise (test/fixtures/membership-golden.json,
 * made by training/membership.py's own function), the AUC against its pairwise definition, and the
 * whole test on a small reference pack with known near-copies, on the tfjs CPU backend.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import golden from '../../fixtures/membership-golden.json';
import type { JudgeReference } from '../../../src/data/reference-packs.js';
import { MEMBERSHIP_DRAWS, MEMBERSHIP_TIMESTEPS, aucWithInterval, denoisingErrors, membershipTest, membershipVerdict } from '../../../src/judge/membership.js';
import { aucBinary, rocCurve } from '../../../src/metrics/roc.js';
import { loadModel } from '../../../src/models/loader.js';
import type { DdpmModel } from '../../../src/pipeline/pipeline.js';
import { Rng } from '../../../src/util/random.js';
import { FIXTURES, repoFetch } from '../app/fixture-fetch.js';

let model: DdpmModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const loaded = await loadModel(`${FIXTURES}tiny-xray-ddpm/`, { fetch: repoFetch });
  if (loaded.kind !== 'ddpm') throw new Error('expected a diffusion model');
  model = loaded;
});

describe('the denoising error', () => {
  it('matches PyTorch on the same images and noise', async () => {
    expect(golden.timesteps).toEqual([...MEMBERSHIP_TIMESTEPS]);
    expect(golden.draws).toBe(MEMBERSHIP_DRAWS);
    const size = 28 * 28;
    const images = golden.y.map((_, i) => Float32Array.from(golden.x.slice(i * size, (i + 1) * size)));
    const noise = (draw: number, image: number) => Float32Array.from(golden.noises[draw]!.slice(image * size, (image + 1) * size));
    const before = tf.memory().numTensors;
    const errors = await denoisingErrors(model, images, golden.y, { noise, batchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
    errors.forEach((e, i) => expect(e).toBeCloseTo(golden.errors[i]!, 4));
  });

  it('says which noise level a short schedule lacks, and that a VAE has none', async () => {
    const short = { ...model, card: { ...model.card, schedule: { ...model.card.schedule!, steps: 100 } } } as DdpmModel;
    await expect(denoisingErrors(short, [new Float32Array(784)], [0])).rejects.toThrow('needs t = 100');
    const vae = { ...model, card: { ...model.card, schedule: undefined } } as DdpmModel;
    await expect(denoisingErrors(vae, [new Float32Array(784)], [0])).rejects.toThrow('for diffusion models');
  });
});

describe('the AUC', () => {
  it('matches the pairwise definition with ties, and the ROC curve encloses it', () => {
    const { scores, positive, value } = golden.auc;
    expect(aucBinary(scores, positive)).toBeCloseTo(value, 12);
    const roc = rocCurve(scores, positive);
    expect(roc[0]).toEqual({ falsePositive: 0, truePositive: 0 });
    expect(roc.at(-1)).toEqual({ falsePositive: 1, truePositive: 1 });
    let area = 0;
    for (let i = 1; i < roc.length; i++) {
      expect(roc[i]!.falsePositive).toBeGreaterThanOrEqual(roc[i - 1]!.falsePositive);
      area += ((roc[i]!.falsePositive - roc[i - 1]!.falsePositive) * (roc[i]!.truePositive + roc[i - 1]!.truePositive)) / 2;
    }
    expect(area).toBeCloseTo(value, 12);
    expect(aucBinary([1, 2], [true, true])).toBeNaN();
  });

  it('is 1 with a tight interval when every training error is lower, and the verdict says memorised', () => {
    const a = aucWithInterval([0.1, 0.2, 0.15, 0.12], [0.5, 0.6, 0.55], new Rng(1), 200);
    expect(a.auc).toBe(1);
    expect(a.low).toBe(1);
    expect(membershipVerdict(a, null, 0)).toMatch(/memorised them/);
    const b = aucWithInterval([0.1, 0.5, 0.3, 0.4], [0.2, 0.45, 0.35], new Rng(1), 200);
    expect(b.low).toBeLessThan(0.5);
    expect(membershipVerdict(b, null, 0)).toMatch(/includes 0.5/);
  });
});

describe('the membership test on a reference pack', () => {
  it('draws training images with the held-out class mix and finds the held-out near-copies', async () => {
    const rng = new Rng(5);
    // training images darker than the other held-out ones, so that only the copies are near a training image
    const image = (low: number) => Float32Array.from({ length: 784 }, () => low + rng.int(128));
    const train = { samples: Array.from({ length: 12 }, () => image(0)), labels: Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]) };
    // six held-out images, two of them copies of training images (one a pixel off)
    const copy = Float32Array.from(train.samples[7]!);
    copy[0] = (copy[0]! + 1) % 256;
    const heldout = { samples: [image(128), image(128), Float32Array.from(train.samples[2]!), image(128), copy, image(128)], labels: Uint8Array.from([0, 0, 0, 1, 1, 1]) };
    const reference = { index: {} as JudgeReference['index'], heldout, train };
    const progress: string[] = [];
    const before = tf.memory().numTensors;
    const r = await membershipTest(model, reference, { resamples: 50, batchSize: 4, onProgress: (p) => progress.push(p.phase) });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.nearCopies).toBe(2);
    expect(r.all.n).toEqual({ train: 6, heldout: 6 });
    expect(r.dedup?.n).toEqual({ train: 6, heldout: 4 });
    expect(r.all.auc).toBeGreaterThanOrEqual(r.all.low);
    expect(r.all.auc).toBeLessThanOrEqual(r.all.high);
    expect(r.meanError.train).toBeGreaterThan(0);
    expect(progress).toContain('denoising error: held-out images');
    expect(r.caveat).toBeNull();
    const byPatient = await membershipTest(model, { ...reference, index: { processing: ['split by patient: train = DS1, test = DS2'] } as JudgeReference['index'] }, { resamples: 5 });
    expect(byPatient.caveat).toMatch(/other patients/);
    expect(byPatient.all.auc).toBe(r.all.auc);

    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    await expect(membershipTest(model, reference, { signal: controller.signal })).rejects.toThrow('stopped');
    expect(tf.memory().numTensors).toBe(before);
  }, 240_000); // three membership tests of 12 images each on tfjs's plain-JS CPU backend
});
