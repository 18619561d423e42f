/**
 * The judge on WebGPU (SwiftShader here) with tiny sets: the evaluator over plain arrays, the
 * memorisation audit in pixel and feature space, and a few steps of train-on-synthetic-test-on-real
 * with convolutions (WebGPU has the backprop kernels); then the same training on WASM, which has
 * no Conv2DBackpropFilter, where it must fall back to a dense model and say so; and a whole audit
 * through the controller with the tiny fixture VAE. No tensor may be left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/models/loader.js';
import type { ModelSummary } from '../../src/models/registry.js';
import { scalingOf } from '../../src/models/scaling.js';
import { ComputeRuntime } from '../../src/runtime/runtime.js';
import { WASM_PATHS } from '../../src/runtime/wasm-paths.js';
import { evaluateSamples } from '../../src/judge/features.js';
import { JudgeController } from '../../src/judge/judge-controller.js';
import { memorisationAudit, packRows } from '../../src/judge/memorisation.js';
import type { PackIndex as JudgePackIndex } from '../../src/data/reference-packs.js';
import { trainOnSyntheticTestOnReal } from '../../src/judge/tstr.js';

const TINY = '/test/fixtures/tiny-models/';
let runtime: ComputeRuntime | null = null;
afterAll(() => runtime?.dispose());

/** 28x28 grey images: a bright left half (class 0) or right half (class 1), with a little texture. */
function image(c: number, k: number): Float32Array {
  return Float32Array.from({ length: 784 }, (_, i) => ((i % 28 < 14) === (c === 0) ? 200 : 40) + ((i * 7 + k * 13) % 17));
}
const labelled = (perClass: number, offset: number) => {
  const samples: Float32Array[] = [];
  const labels: number[] = [];
  for (let c = 0; c < 2; c++) for (let k = 0; k < perClass; k++) (samples.push(image(c, k + offset)), labels.push(c));
  return { samples, labels };
};

async function start(backend: 'webgpu' | 'wasm') {
  runtime?.dispose();
  runtime = new ComputeRuntime({ forced: backend, wasmPaths: WASM_PATHS });
  expect((await runtime.start()).backend).toBe(backend);
}

describe('the judge on WebGPU', () => {
  it('runs the evaluator and the memorisation audit, finding a copied training image', { timeout: 240_000 }, async () => {
    await start('webgpu');
    const before = tf.memory().numTensors;
    const model = await loadModel(`${TINY}tiny-xray-classifier/`);
    if (model.kind !== 'classifier') throw new Error('expected a classifier');
    const toNetwork = scalingOf(model.card).toNetwork;
    const train = labelled(2, 0).samples;
    const generated = [train[1]!, image(1, 9)]; // a copy, and a new one
    const heldout = [image(0, 5), image(1, 6)];
    const progress: number[] = [];
    const [g, h, t] = [
      await evaluateSamples(model.net, generated, { toNetwork, batchSize: 2, onProgress: (p) => progress.push(p.done) }),
      await evaluateSamples(model.net, heldout, { toNetwork, batchSize: 2 }),
      await evaluateSamples(model.net, train, { toNetwork, batchSize: 2 }),
    ];
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(progress).toEqual([0, 2]);
    expect(g.features.cols).toBe(8);
    [...g.probabilities.data].forEach((p) => expect(p).toBeGreaterThanOrEqual(0));
    const report = await memorisationAudit(
      { generated: packRows(generated, toNetwork), heldout: packRows(heldout, toNetwork), train: packRows(train, toNetwork) },
      { generated: g.features, heldout: h.features, train: t.features },
      { k: 2 },
    );
    expect(report.pixel.neighbours[0]![0]).toEqual({ index: 1, distance: 0 });
    expect(report.flagged).toEqual([0]);
    expect(report.feature!.neighbours[0]![0]!.index).toBe(1);
    expect(report.feature!.neighbours[0]![0]!.distance).toBeLessThan(1e-3); // the same image through the GPU twice
  });

  it('trains two convolutions for a few steps on WebGPU and tests them, leaving nothing behind', { timeout: 240_000 }, async () => {
    await start('webgpu');
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    const scale = (s: Float32Array) => s.map((v) => v / 127.5 - 1);
    const set = (n: number, offset: number) => {
      const { samples, labels } = labelled(n, offset);
      return { samples: samples.map(scale), labels };
    };
    const report = await trainOnSyntheticTestOnReal(
      { synthetic: set(2, 0), real: set(2, 4), test: set(1, 8) },
      { shape: [28, 28, 1], numClasses: 2, epochs: 2, batchSize: 4, learningRate: 5e-3, onBatch: (b) => losses.push(b.loss) },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(report.backend).toBe('webgpu');
    expect(report.model).toMatchObject({ kind: 'conv', fallback: null });
    expect(losses).toHaveLength(4);
    losses.forEach((l) => expect(Number.isFinite(l)).toBe(true));
    expect(report.synthetic.confusion.flat().reduce((a, b) => a + b, 0)).toBe(2);
    console.log(`TSTR on WebGPU: losses ${losses.map((l) => l.toFixed(3)).join(' ')}, accuracy ${report.synthetic.accuracy} (synthetic) ${report.real!.accuracy} (real)`);
  });

  it('on WASM falls back to a dense model and says why', { timeout: 120_000 }, async () => {
    await start('wasm');
    const before = tf.memory().numTensors;
    const { samples, labels } = labelled(2, 0);
    const report = await trainOnSyntheticTestOnReal(
      { synthetic: { samples, labels }, test: labelled(1, 8) },
      { shape: [28, 28, 1], numClasses: 2, epochs: 1, batchSize: 4 },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(report.model.kind).toBe('dense');
    expect(report.model.fallback).toContain('The wasm backend cannot train convolutions (it has no Conv2DBackpropFilter kernel)');
  });

  it('runs a whole audit and a training run through the controller with the tiny VAE', { timeout: 300_000 }, async () => {
    await start('webgpu');
    const index: JudgePackIndex = {
      dataset: 'pneumoniamnist', kind: 'image', sampleShape: [28, 28, 1], dtype: 'uint8', classes: ['normal', 'pneumonia'],
      splits: {
        heldout: { count: 8, x: 'h-x.u8', y: 'h-y.u8', classCounts: [4, 4] },
        train: { count: 8, x: 't-x.u8', y: 't-y.u8', classCounts: [4, 4], selection: 'toy' },
      },
    };
    const pack = (offset: number) => {
      const { samples, labels } = labelled(4, offset);
      const x = new Uint8Array(8 * 784);
      samples.forEach((s, i) => x.set(s, i * 784));
      return { x, y: Uint8Array.from(labels) };
    };
    const h = pack(20);
    const t = pack(0);
    const files: Record<string, Uint8Array> = { 'index.json': new TextEncoder().encode(JSON.stringify(index)), 'h-x.u8': h.x, 'h-y.u8': h.y, 't-x.u8': t.x, 't-y.u8': t.y };
    const fetchPack = async (url: string, init?: RequestInit) => {
      const name = /^reference\/pneumoniamnist\/(.+)$/.exec(url)?.[1];
      if (name === undefined) return fetch(url, init);
      return files[name] ? new Response(files[name] as Uint8Array<ArrayBuffer>) : new Response('', { status: 404 });
    };
    const evaluator: ModelSummary = {
      id: 'tiny-xray-classifier', name: 'tiny', modality: '', method: 'classifier', dataset: 'pneumoniamnist', classes: ['normal', 'pneumonia'],
      path: `${TINY}tiny-xray-classifier/`, bytes: 0, licence: 'test',
    };
    const generator = await loadModel(`${TINY}tiny-xray-vae/`);
    const before = tf.memory().numTensors;
    let updates = 0;
    const host = { addController() {}, removeController() {}, requestUpdate: () => void updates++, updateComplete: Promise.resolve(true) };
    const judge = new JudgeController(host, { models: [evaluator], fetch: fetchPack });
    expect(await judge.audit(generator, { perClass: 4, resamples: 5, neighbours: 2 })).toBe(true);
    const v = judge.view;
    expect(v.status).toBe('done');
    expect(v.memorisation!.items).toHaveLength(8);
    expect(v.memorisation!.items[0]!.pixel).toHaveLength(2);
    expect(v.fidelity!.generatedVsHeldOut.frechet.resamples).toBe(5);
    expect(v.faithfulness!.generated.perClass.map((r) => r.count)).toEqual([4, 4]);
    expect(await judge.usefulness({ epochs: 1 })).toBe(true);
    expect(judge.view.tstr!.report!.model.kind).toBe('conv');
    expect(updates).toBeGreaterThan(10);
    judge.hostDisconnected();
    await new Promise((r) => setTimeout(r, 0));
    expect(tf.memory().numTensors).toBe(before);
    generator.dispose();
  });
});
