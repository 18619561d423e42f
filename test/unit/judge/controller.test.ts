/**
 * The judge's controller without a page: the whole audit and the train-on-synthetic run with the
 * tiny fixture models (a diffusion model, a VAE and their evaluators) on the tfjs CPU backend, over
 * small reference packs made here, so the test does not depend on `npm run data`. It must fill the
 * panel's view step by step, cancel cleanly, and leave no tensor behind once its host goes away.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LoadedModel, loadModel } from '../../../src/models/loader.js';
import type { ModelSummary } from '../../../src/models/registry.js';
import { JudgeController, evaluatorFor, extractorFor, judgeAvailability, judgeable } from '../../../src/judge/judge-controller.js';
import { type PackIndex, ReferenceMissingError, loadJudgeReference } from '../../../src/data/reference-packs.js';
import { Rng } from '../../../src/util/random.js';
import { FIXTURES, fakeHost, repoFetch } from '../app/fixture-fetch.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const summary = (id: string, dataset: string, classes: string[]): ModelSummary => ({
  id, name: id, modality: '', method: 'classifier', dataset, classes, path: `${FIXTURES}${id}/`, bytes: 0, licence: 'test',
});
const MODELS = [
  summary('tiny-xray-classifier', 'pneumoniamnist', ['normal', 'pneumonia']),
  summary('tiny-ecg-classifier', 'mitbih', ['N', 'S', 'V', 'F', 'Q']),
];

/** A reference pack in memory: `heldout` and `train` samples per class, of `shape`, seeded. */
function pack(dataset: string, kind: 'image' | 'signal', shape: number[], classes: string[], heldout: number, train: number) {
  const size = shape.reduce((a, b) => a * b, 1);
  const rng = new Rng(dataset.length);
  const split = (name: string, perClass: number) => {
    const count = perClass * classes.length;
    const x = kind === 'image'
      ? Uint8Array.from({ length: count * size }, () => Math.floor(256 * rng.next()))
      : Float32Array.from({ length: count * size }, (_, i) => Math.exp(-((((i % size) - 90) / 6) ** 2)) + 0.05 * rng.normal());
    const y = Uint8Array.from({ length: count }, (_, i) => Math.floor(i / perClass));
    return { meta: { count, x: `${name}-x.${kind === 'image' ? 'u8' : 'f32'}`, y: `${name}-y.u8`, classCounts: classes.map(() => perClass) }, x, y };
  };
  const h = split('heldout', heldout);
  const t = split('train', train);
  const index: PackIndex = {
    dataset, kind, sampleShape: shape, dtype: kind === 'image' ? 'uint8' : 'float32', classes,
    ...(kind === 'signal' ? { sampleRateHz: 360, window: { before: 90, after: 166 } } : {}),
    splits: { heldout: h.meta, train: { ...t.meta, selection: 'all of each class' } },
  };
  const files: Record<string, Uint8Array> = {
    'index.json': new TextEncoder().encode(JSON.stringify(index)),
    [h.meta.x]: new Uint8Array(h.x.buffer), [h.meta.y]: h.y, [t.meta.x]: new Uint8Array(t.x.buffer), [t.meta.y]: t.y,
  };
  return files;
}

const PACKS: Record<string, Record<string, Uint8Array>> = {
  pneumoniamnist: pack('pneumoniamnist', 'image', [28, 28, 1], ['normal', 'pneumonia'], 6, 10),
  mitbih: pack('mitbih', 'signal', [256], ['N', 'S', 'V', 'F', 'Q'], 5, 8),
};

async function fetchAll(url: string, init?: RequestInit): Promise<Response> {
  const match = /^reference\/([^/]+)\/(.+)$/.exec(url);
  if (!match) return repoFetch(url, init);
  const bytes = PACKS[match[1]!]?.[match[2]!];
  return bytes ? new Response(bytes as Uint8Array<ArrayBuffer>) : new Response('not found', { status: 404 });
}

function makeJudge() {
  const host = fakeHost();
  const judge = new JudgeController(host, {
    models: MODELS,
    fetch: fetchAll,
    load: (base, options) => loadModel(base, { ...options, fetch: repoFetch }),
  });
  host.connect();
  return { judge, host };
}

const open = (id: string) => loadModel(`${FIXTURES}${id}/`, { fetch: repoFetch });

describe('the judge controller', () => {
  it('finds evaluators and judgeable models', () => {
    expect(evaluatorFor('mitbih', MODELS)?.id).toBe('tiny-ecg-classifier');
    expect(evaluatorFor('bccd', MODELS)).toBeNull();
    expect(judgeable(null)).toBeNull();
  });

  it('audits a diffusion model: faithfulness, class mix, distances with intervals, memorisation; then trains on its samples', async () => {
    const before = tf.memory().numTensors;
    const generator = await open('tiny-xray-ddpm');
    const { judge, host } = makeJudge();
    const stages = new Set<number>();
    const updates = host.updates;
    const done = await judge.audit(generator, { perClass: 4, unconditional: 4, resamples: 10, neighbours: 2, seed: 5 });
    expect(judge.view.message).toBeNull();
    expect(done).toBe(true);
    expect(host.updates).toBeGreaterThan(updates + 5);
    const v = judge.view;
    expect(v.status).toBe('done');
    expect(v.model?.id).toBe('tiny-xray-ddpm');
    expect(v.evaluator).toBe('tiny-xray-classifier');
    expect(v.sample).toEqual({ kind: 'image', shape: [28, 28, 1], sampleRateHz: 360, startMs: -0 });
    expect([v.generatedCount, v.unconditionalCount]).toEqual([8, 4]);
    expect(v.faithfulness!.generated.perClass.map((r) => r.count)).toEqual([4, 4]);
    expect(v.faithfulness!.heldout.perClass.map((r) => r.count)).toEqual([6, 6]);
    expect(v.faithfulness!.mix!.total).toBe(4);
    expect(v.fidelity!.perClass).toEqual([4, 4]);
    expect(v.fidelity!.generatedVsHeldOut.tooSmall).toBe(true);
    expect(v.fidelity!.generatedVsHeldOut.frechet.resamples).toBe(10);
    expect(v.fidelity!.trainVsHeldOut).not.toBeNull();
    const m = v.memorisation!;
    expect(m.items).toHaveLength(8);
    expect(m.trainCount).toBe(20);
    expect(m.heldoutCount).toBe(12);
    expect(m.items[0]!.pixel).toHaveLength(2);
    expect(m.items[0]!.pixel[0]!.sample).toHaveLength(784);
    expect(m.items[0]!.feature).toHaveLength(2);
    expect(m.items.map((i) => i.dcr)).toEqual([...m.items.map((i) => i.dcr)].sort((a, b) => a - b));
    expect(m.histogram.counts[0]!.reduce((a, b) => a + b, 0)).toBe(8);
    expect(m.space).toBe('network input units, Euclidean over all values');
    expect(v.ecg).toBeNull();
    expect(stages.size).toBe(0);
    expect(v.surround!.check.generated.map((r) => r.checked)).toEqual([4, 4]);
    expect(v.surround!.check.train.map((r) => r.checked)).toEqual([10, 10]);
    expect(v.surround!.check.heldout.map((r) => r.checked)).toEqual([6, 6]);
    expect(v.surround!.samples).toHaveLength(v.surround!.check.flaggedSamples.length);

    const trained = await judge.usefulness({ epochs: 1 });
    expect(trained).toBe(true);
    const t = judge.view.tstr!;
    expect(t.running).toBe(false);
    expect(t.report!.model.kind).toBe('conv');
    expect(t.batchLosses.synthetic.length).toBeGreaterThan(0);
    expect(t.batchLosses.real.length).toBeGreaterThan(0);
    expect(t.report!.synthetic.confusion.flat().reduce((a, b) => a + b, 0)).toBe(12);
    expect(t.note).toContain('8 synthetic samples');

    host.disconnect();
    await judge.cancel();
    generator.dispose();
    await new Promise((r) => setTimeout(r, 0));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs the membership test beside the audit\'s figures, and the next audit of the model keeps the test\'s', async () => {
    const generator = await open('tiny-xray-ddpm');
    const { judge, host } = makeJudge();
    expect(await judge.audit(generator, { perClass: 4, unconditional: 0, resamples: 2 })).toBe(true);
    const fidelity = judge.view.fidelity;
    expect(await judge.membership(generator)).toBe(true);
    const r = judge.view.membership!.report!;
    expect(judge.view.membership!.running).toBe(false);
    expect(r.all.n).toEqual({ train: 12, heldout: 12 });
    expect(r.verdict).toMatch(/AUC/);
    expect(judge.view.fidelity).toBe(fidelity);
    expect(await judge.audit(generator, { perClass: 4, unconditional: 0, resamples: 2 })).toBe(true);
    expect(judge.view.membership?.report).toBe(r);
    host.disconnect();
    await judge.cancel();
    generator.dispose();
  }, 240_000); // 24 images x 8 passes of a UNet on tfjs's plain-JS CPU backend: seconds alone, minutes beside a busy job

  it('measures distances in a feature extractor of the dataset, keeps the evaluator-space figures as a second view, and keeps its real outputs', async () => {
    // any classifier network serves as an extractor: here the tiny evaluator, declared one for pneumoniamnist
    const extractor = { ...summary('tiny-xray-classifier', 'grey28', ['pneumoniamnist/normal', 'pneumoniamnist/pneumonia']), id: 'tiny-features', featuresFor: ['pneumoniamnist'] };
    expect(extractorFor('pneumoniamnist', [...MODELS, extractor])?.id).toBe('tiny-features');
    expect(evaluatorFor('pneumoniamnist', [extractor, ...MODELS])?.id).toBe('tiny-xray-classifier');
    const generator = await open('tiny-xray-vae');
    const host = fakeHost();
    const judge = new JudgeController(host, { models: [...MODELS, extractor], fetch: fetchAll, load: (base, options) => loadModel(base, { ...options, fetch: repoFetch }) });
    host.connect();
    expect(await judge.audit(generator, { perClass: 4, resamples: 5 })).toBe(true);
    const v = judge.view;
    expect(v.fidelity!.space).toBe('independent features (tiny-xray-classifier)'); // named by its card
    expect(v.evaluatorFidelity!.space).toBe("the evaluator's features (tiny-xray-classifier)");
    // the same network in both spaces: the same figures, measured apart
    expect(v.fidelity!.generatedVsHeldOut.frechet.estimate).toBeCloseTo(v.evaluatorFidelity!.generatedVsHeldOut.frechet.estimate, 6);
    expect(await judge.audit(generator, { perClass: 4, resamples: 5 })).toBe(true);
    expect(judge.view.timing!.real.kept).toEqual({ outputs: true, comparison: true, nearest: true });
    host.disconnect();
    await judge.cancel();
    generator.dispose();
  });

  it('audits a dataset again without scoring its real samples again, and times each part for the next estimate', async () => {
    const generator = await open('tiny-xray-vae');
    const host = fakeHost();
    const stages: number[][] = [];
    const judge: JudgeController = new JudgeController(
      {
        ...host,
        requestUpdate() {
          const p = judge?.view.progress;
          if (p) stages.at(-1)!.push(p.stage);
        },
      },
      { models: MODELS, fetch: fetchAll, load: (base, options) => loadModel(base, { ...options, fetch: repoFetch }) },
    );
    const settings = { perClass: 4, resamples: 5, seed: 2 };
    stages.push([]);
    expect(await judge.audit(generator, settings)).toBe(true);
    const first = judge.view;
    expect(first.timing!.model).toBe('tiny-xray-vae');
    expect(first.timing!.backend).toBe('cpu');
    expect(first.timing!.real).toEqual({ heldout: 12, train: 20, kept: { outputs: false, comparison: false, nearest: false } });
    expect(first.timing!.generator).toEqual({ classes: 2, unconditional: false, defaultSteps: null });
    expect(Object.values(first.timing!.seconds).every((s) => Number.isFinite(s) && s >= 0)).toBe(true);
    stages.push([]);
    expect(await judge.audit(generator, settings)).toBe(true);
    const second = judge.view;
    // the evaluator's outputs on the real samples, real training vs held-out and the held-out samples' neighbours are kept
    expect(stages[0]).toContain(5);
    expect(stages[1]).not.toContain(5);
    expect(second.timing!.real).toEqual({ heldout: 12, train: 20, kept: { outputs: true, comparison: true, nearest: true } });
    expect(second.fidelity!.trainVsHeldOut).toBe(first.fidelity!.trainVsHeldOut);
    expect(second.memorisation!.histogram).toEqual(first.memorisation!.histogram);
    expect(second.faithfulness!.heldout).toEqual(first.faithfulness!.heldout);
    expect(second.fidelity!.generatedVsHeldOut).toEqual(first.fidelity!.generatedVsHeldOut);
    // forgetting the results (another model picked) keeps the real data, not the timing
    await judge.forget();
    expect(judge.view.timing).toBeNull();
    judge.hostDisconnected();
    generator.dispose();
  });

  it('audits an ECG VAE, with beat features per class and no class mix, and says why', async () => {
    const generator = await open('tiny-ecg-vae');
    const { judge, host } = makeJudge();
    expect(await judge.audit(generator, { perClass: 4, resamples: 5 })).toBe(true);
    const v = judge.view;
    expect(v.sample.kind).toBe('signal');
    expect(v.sample.startMs).toBeCloseTo(-250, 9);
    expect(v.surround).toBeNull();
    expect(v.faithfulness!.mix).toBeNull();
    expect(v.faithfulness!.mixNote).toContain('conditional only');
    expect(v.ecg!.classes.map((c) => c.name)).toEqual(['N', 'S', 'V', 'F', 'Q']);
    expect(v.ecg!.classes[0]!.features.map((f) => f.name)).toEqual(['rAmplitudeMv', 'qrsWidthMs', 'stLevelMv']);
    expect(v.ecg!.classes[0]!.generated).toBe(4);
    expect(v.ecg!.classes[0]!.real).toBe(8);
    host.disconnect();
    generator.dispose();
  });

  it('cancels an audit mid-way, keeps what finished, frees the evaluator with its host', async () => {
    const generator = await open('tiny-xray-vae');
    const before = tf.memory().numTensors;
    const host = fakeHost();
    const judge: JudgeController = new JudgeController(
      {
        ...host,
        requestUpdate() {
          host.requestUpdate();
          const p = judge?.view.progress;
          if (p?.stage === 6 && p.done >= 2) void judge.cancel();
        },
      },
      { models: MODELS, fetch: fetchAll, load: (base, options) => loadModel(base, { ...options, fetch: repoFetch }) },
    );
    expect(await judge.audit(generator, { perClass: 5, resamples: 50 })).toBe(false);
    expect(judge.view.status).toBe('cancelled');
    expect(judge.view.message).toBe('The audit was cancelled; what had finished is shown.');
    expect(judge.view.progress).toBeNull();
    expect(judge.view.faithfulness).not.toBeNull();
    expect(judge.view.fidelity).toBeNull();
    // the evaluator stays loaded for the next run, and nothing else is left
    const evaluatorTensors = tf.memory().numTensors - before;
    expect(evaluatorTensors).toBeGreaterThan(0);
    expect(await judge.usefulness()).toBe(false);
    expect(judge.view.message).toContain('Run the audit first');
    judge.hostDisconnected();
    await new Promise((r) => setTimeout(r, 0));
    expect(tf.memory().numTensors).toBe(before);
    generator.dispose();
  });

  it('says what is missing: no generator, no evaluator, no reference pack', async () => {
    const { judge, host } = makeJudge();
    expect(await judge.audit(null)).toBe(false);
    expect(judge.view.message).toBe('Pick a generator (a diffusion model, a VAE or a GAN) to judge.');
    const classifier = await open('tiny-xray-classifier');
    expect(await judge.audit(classifier as LoadedModel)).toBe(false);
    expect(judgeAvailability(classifier, MODELS).reason).toContain('is an evaluator, not a generator');
    expect(judgeAvailability(null, MODELS)).toEqual({ ok: false, reason: 'Load a generator (a diffusion model, a VAE or a GAN) to judge its samples.' });
    const vae = await open('tiny-xray-vae');
    expect(judgeAvailability(vae, MODELS)).toEqual({ ok: true, reason: '' });
    expect(judgeAvailability(vae, []).reason).toBe('No evaluator ships for pneumoniamnist, so its samples cannot be judged here.');
    expect(await judge.membership(vae)).toBe(false);
    expect(judge.view.message).toContain('load a diffusion model');
    vae.dispose();
    classifier.dispose();
    const error = await loadJudgeReference('nowhere', { fetch: fetchAll }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReferenceMissingError);
    expect((error as Error).message).toBe('Real samples are not available: run `npm run data` to fetch nowhere and rebuild the site.');
    host.disconnect();
  });
});
