/**
 * The page's working parts without a page: the lab opens the model an address names, runs it,
 * records the run in the address, switches models (freeing the old one), compares the two methods
 * and cancels, with the tiny fixture models on the tfjs CPU backend.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type AddressBar, LabController, type LabOptions } from '../../../src/app/lab-controller.js';
import { LONG_RUN_MS } from '../../../src/pipeline/estimate.js';
import type { ModelSummary } from '../../../src/models/registry.js';
import type { PackIndex } from '../../../src/data/reference-packs.js';
import { loadModel } from '../../../src/models/loader.js';
import { FIXTURES, fakeHost, repoFetch } from './fixture-fetch.js';

const EXTRA = `extra=${FIXTURES}tiny-ecg-ddpm/,${FIXTURES}tiny-ecg-vae/,${FIXTURES}tiny-xray-classifier/`;

/**
 * The fixtures' site with a toy held-out pack of their data (mitbih) in place of the real one: 40
 * beats, beat i filled with the value i and of class i % 5, so a beat shown says which it is.
 */
function toyReferenceFetch(url: string, init?: RequestInit): Promise<Response> {
  const file = url.match(/^reference\/mitbih\/(.+)$/)?.[1];
  if (!file) return repoFetch(url, init);
  const count = 40;
  const index: PackIndex = {
    dataset: 'mitbih',
    kind: 'signal',
    sampleShape: [256],
    dtype: 'float32',
    classes: ['N', 'S', 'V', 'F', 'Q'],
    splits: { heldout: { count, x: 'heldout-x.f32', y: 'heldout-y.u8', classCounts: [8, 8, 8, 8, 8] } },
  };
  const body = {
    'index.json': JSON.stringify(index),
    'heldout-x.f32': Float32Array.from({ length: count * 256 }, (_, j) => Math.floor(j / 256)),
    'heldout-y.u8': Uint8Array.from({ length: count }, (_, i) => i % 5),
  }[file];
  return Promise.resolve(body ? new Response(body) : new Response('not found', { status: 404 }));
}

function makeLab(query: string, fetch = repoFetch, options: Partial<LabOptions> = {}) {
  const host = fakeHost();
  const bar: AddressBar & { query: string } = {
    query,
    read() {
      return this.query;
    },
    write(q) {
      this.query = q;
    },
  };
  const lab = new LabController(host, {
    shipped: [],
    address: bar,
    fetch,
    load: (base, options) => loadModel(base, { ...options, fetch: repoFetch }),
    ...options,
  });
  host.connect();
  return { lab, host, bar };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the lab', () => {
  it('offers the generators of the extra folders, not the evaluator', async () => {
    const { lab } = makeLab(`?${EXTRA}`);
    await lab.start();
    expect(lab.models.map((m) => m.id)).toEqual(['tiny-ecg-ddpm', 'tiny-ecg-vae']);
    expect(lab.main.status).toBe('empty');
    expect(lab.run.status).toBe('idle');
  });

  it('opens and runs the model an address names, with its settings, and keeps the address', async () => {
    const query = `?model=tiny-ecg-ddpm&class=V&count=2&seed=11&sampler=ddim&steps=2&eta=0&guidance=1.5&watch=1&${EXTRA}`;
    const { lab, bar } = makeLab(query);
    await lab.start();
    expect(lab.run.status).toBe('done');
    const result = lab.run.result!;
    expect(result.settings).toEqual({ classIndex: 2, count: 2, seed: 11, sampler: 'ddim', steps: 2, eta: 0, guidance: 1.5, temperature: 1, truncation: 0, topK: 0, topP: 1 });
    expect(result.main.samples).toHaveLength(2);
    expect(result.main.frames).toHaveLength(3);
    expect(result.main.frames[2]!.xt).toEqual(result.main.samples[1]);
    expect(new URLSearchParams(bar.query).get('class')).toBe('V');
    expect(new URLSearchParams(result.link).get('seed')).toBe('11');
    // the same address again: the same samples
    const again = makeLab(result.link);
    await again.lab.start();
    expect(again.lab.run.result!.main.samples).toEqual(result.main.samples);
    again.lab.main.clear();
    lab.main.clear();
  });

  it('notes what it had to clamp in the address', async () => {
    const { lab } = makeLab(`?model=tiny-ecg-vae&count=500&temperature=-1&${EXTRA}`);
    await lab.start();
    expect(lab.state.settings.count).toBe(64);
    expect(lab.notes.map((n) => n.message)).toEqual([
      'Samples: 500 is more than the maximum 64; using 64.',
      'Temperature: -1 is less than the minimum 0; using 0.',
    ]);
    lab.main.clear();
  });

  it('switches models, freeing the old one, and carries class, count and seed over', async () => {
    const { lab, bar } = makeLab(`?${EXTRA}`);
    await lab.start();
    const empty = tf.memory().numTensors;
    await lab.select('tiny-ecg-ddpm');
    const withDdpm = tf.memory().numTensors;
    lab.update('classIndex', '3');
    lab.update('seed', '77');
    await lab.select('tiny-ecg-vae');
    expect(lab.main.summary?.id).toBe('tiny-ecg-vae');
    expect(lab.state.settings).toMatchObject({ classIndex: 3, seed: 77 });
    expect(bar.query).toContain('model=tiny-ecg-vae&class=F&count=8&seed=77&temperature=1');
    lab.main.clear();
    expect(tf.memory().numTensors).toBe(empty);
    expect(withDdpm).toBeGreaterThan(empty);
  });

  it('cancels a load in flight when another model is picked', async () => {
    const { lab } = makeLab(`?${EXTRA}`);
    await lab.start();
    const first = lab.select('tiny-ecg-ddpm');
    const second = lab.select('tiny-ecg-vae');
    await Promise.all([first, second]);
    expect(lab.main.summary?.id).toBe('tiny-ecg-vae');
    expect(lab.main.status).toBe('ready');
    lab.main.clear();
  });

  it('runs the VAE and the diffusion model of the same data with the same class and seed', async () => {
    const { lab, bar } = makeLab(`?model=tiny-ecg-vae&count=1&seed=3&class=S&steps=2&compare=1&${EXTRA}`);
    await lab.start();
    const result = lab.run.result!;
    expect(result.main.method).toBe('vae');
    expect(result.partner?.method).toBe('ddpm');
    expect(result.partner?.samples).toHaveLength(1);
    expect(result.partner?.frames).toHaveLength(3);
    expect(lab.path).toHaveLength(8);
    expect(bar.query).toContain('steps=2');
    await lab.setCompare(false);
    expect(lab.partner.status).toBe('empty');
    // turned on again, the page is opening (Generate waits) until the partner is loaded and its knobs applied
    const opening = lab.setCompare(true);
    expect(lab.opening).toBe(true);
    await opening;
    expect(lab.opening).toBe(false);
    expect(lab.partner.status).toBe('ready');
    lab.main.clear();
    lab.partner.clear();
  });

  it('counts as opening until the model is timed and its partner loaded, so no run starts without it', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    // the main model's pace is being timed: the partner has not started loading yet
    const timePass = vi.fn(async (_model: unknown, rows: number) => {
      await held;
      return { rows, ms: 1 };
    });
    const { lab } = makeLab(`?compare=1&${EXTRA}`, repoFetch, { timePass });
    await lab.start();
    const opened = lab.select('tiny-ecg-vae');
    await vi.waitFor(() => expect(timePass).toHaveBeenCalledTimes(1));
    expect(lab.main.status).toBe('ready');
    expect(lab.partner.status).toBe('empty');
    expect(lab.opening).toBe(true);
    release();
    await opened;
    expect(lab.opening).toBe(false);
    expect(lab.partner.status).toBe('ready');
    lab.main.clear();
    lab.partner.clear();
  });

  it('counts the steps of both models in one progress bar', async () => {
    const { lab, host } = makeLab(`?model=tiny-ecg-ddpm&count=1&steps=2&compare=1&${EXTRA}`);
    const seen: string[] = [];
    const update = host.requestUpdate.bind(host);
    host.requestUpdate = () => {
      update();
      const p = lab.run.progress;
      if (p && lab.run.status === 'running') seen.push(`${p.done}/${p.total}`);
    };
    await lab.start();
    expect([...new Set(seen)]).toEqual(['0/3', '1/3', '2/3', '3/3']);
    expect(lab.run.result?.partner?.method).toBe('vae');
    lab.main.clear();
    lab.partner.clear();
  });

  it('cancels a run within a step, saying so, and keeps the page usable', async () => {
    const { lab, host } = makeLab(`?${EXTRA}`);
    await lab.start();
    await lab.select('tiny-ecg-ddpm');
    lab.update('count', '1');
    lab.update('steps', '40');
    const before = tf.memory().numTensors;
    // the CPU backend never yields to timers mid-run: press Cancel from the progress update
    const update = host.requestUpdate.bind(host);
    host.requestUpdate = () => {
      update();
      if ((lab.run.progress?.done ?? 0) === 2) void lab.cancel();
    };
    await lab.generate();
    expect(lab.run.status).toBe('cancelled');
    expect(lab.run.message).toBe('Cancelled after 2 of 40 steps.');
    expect(tf.memory().numTensors).toBe(before);
    lab.update('steps', '1');
    await lab.generate();
    expect(lab.run.status).toBe('done');
    lab.main.clear();
  });

  it('sets real samples of the run on screen beside it, not of the class being chosen for the next', async () => {
    const { lab } = makeLab(`?model=tiny-ecg-vae&class=V&count=3&seed=5&${EXTRA}`, toyReferenceFetch);
    await lab.start();
    await vi.waitFor(() => expect(lab.reference.status).toBe('ready'));
    // beat i holds the value i and is of class i % 5: V is class 2
    const beats = () => lab.realSamples()!.map((x) => x[0]!);
    const shown = beats();
    expect(shown).toHaveLength(3);
    expect(shown.every((i) => i % 5 === 2)).toBe(true);
    // another class and count chosen, not yet generated: the real panel still shows the run's
    lab.update('classIndex', 'N');
    lab.update('count', '5');
    expect(beats()).toEqual(shown);
    expect(lab.realSamples()).toBe(lab.realSamples()); // the same draw on every render
    // generated: now the new class, as many as were made, drawn by the seed (seed 5 again: the same draw)
    await lab.generate();
    const next = beats();
    expect(next).toHaveLength(5);
    expect(next.every((i) => i % 5 === 0)).toBe(true);
    lab.update('classIndex', 'V');
    lab.update('count', '3');
    await lab.generate();
    expect(beats()).toEqual(shown);
    lab.main.clear();
  });

  it("takes no edit while a run is in flight: the fields and the address stay the run's", async () => {
    const { lab, host, bar } = makeLab(`?${EXTRA}`);
    await lab.start();
    await lab.select('tiny-ecg-ddpm');
    lab.update('classIndex', 'V');
    lab.update('count', '1');
    lab.update('steps', '3');
    const address = bar.query;
    const settings = lab.state.settings;
    expect(lab.running).toBe(false);
    // the CPU backend never yields to timers mid-run: edit from the progress update
    const update = host.requestUpdate.bind(host);
    let tried = false;
    host.requestUpdate = () => {
      update();
      if (tried || lab.run.progress?.done !== 1) return;
      tried = true;
      expect(lab.running).toBe(true);
      lab.update('classIndex', 'N');
      lab.newSeed();
      void lab.setCompare(true);
    };
    await lab.generate();
    expect(tried).toBe(true);
    expect(lab.run.status).toBe('done');
    expect(lab.state.settings).toEqual(settings);
    expect(lab.state.compare).toBe(false);
    expect(bar.query).toBe(address);
    expect(lab.run.result!.settings).toEqual(lab.state.settings);
    // once it is done, edits are taken again
    lab.update('classIndex', 'N');
    expect(new URLSearchParams(bar.query).get('class')).toBe('N');
    lab.main.clear();
  });

  it('says when a model id or a folder is unknown', async () => {
    const { lab } = makeLab(`?model=nope&extra=missing/`);
    await lab.start();
    expect(lab.problems).toEqual([
      'The model folder missing/ could not be read (answered 404).',
      'There is no model "nope" on this site; pick one of the models below. (A model loaded from your disk is not kept when the page reloads: load its folder again.)',
    ]);
  });

  it('says that an evaluator in the address is not a generator', async () => {
    const evaluator: ModelSummary = {
      id: 'xray-classifier', name: 'X-ray evaluator', modality: 'chest X-ray', method: 'classifier', dataset: 'pneumoniamnist',
      classes: ['normal', 'pneumonia'], path: 'models/xray-classifier/', bytes: 1, licence: 'CC BY 4.0',
    };
    const { lab } = makeLab('?model=xray-classifier', repoFetch, { shipped: [evaluator] });
    await lab.start();
    expect(lab.problems).toEqual(['"xray-classifier" is an evaluator (a classifier the judge scores samples with), not a generator; pick a generator below.']);
    expect(lab.main.status).toBe('empty');
  });

  it("holds a link's run that would take long here, says how long, and runs it on Generate", async () => {
    // a slow machine: every timed pass of a batch row takes 100 ms
    const timePass = vi.fn(async (_model: unknown, rows: number) => ({ rows, ms: 100 * rows }));
    const { lab } = makeLab(`?model=tiny-ecg-ddpm&count=4&steps=50&guidance=2&${EXTRA}`, repoFetch, { timePass });
    await lab.start();
    expect(timePass).toHaveBeenCalledTimes(1);
    expect(timePass.mock.calls[0]![1]).toBe(8); // 4 samples, guided: a conditional and an unconditional half
    expect(lab.run.status).toBe('idle');
    expect(lab.held).toEqual({ ms: 50 * 800 });
    expect(lab.held!.ms).toBeGreaterThan(LONG_RUN_MS);
    // an edit makes it the person's run: nothing held any more
    lab.update('steps', 2);
    expect(lab.held).toBeNull();
    expect(lab.estimate).toBe(2 * 800);
    await lab.generate();
    expect(lab.run.status).toBe('done');
    lab.main.clear();
  });

  it('runs a link at once when it is quick here, and learns the pace of each run', async () => {
    const timePass = vi.fn(async (_model: unknown, rows: number) => ({ rows, ms: rows }));
    const { lab } = makeLab(`?model=tiny-ecg-ddpm&count=2&steps=3&guidance=1&${EXTRA}`, repoFetch, { timePass });
    await lab.start();
    expect(lab.held).toBeNull();
    expect(lab.run.status).toBe('done');
    // the run replaced the load-time figure for its batch (2 rows, unguided) with its own pace
    const estimate = lab.estimate!;
    expect(estimate).not.toBe(3 * 2);
    expect(estimate).toBeGreaterThan(0);
    lab.main.clear();
  });

  it('goes live where runs are quick here: an edit during a run is taken, and edits meanwhile make one run after it', async () => {
    // a fast machine: every pass and every run reads as 1 ms
    let clock = 0;
    const timePass = vi.fn(async (_model: unknown, rows: number) => ({ rows, ms: 1 }));
    const { lab, host, bar } = makeLab(`?model=tiny-ecg-vae&count=2&${EXTRA}`, repoFetch, { timePass, now: () => (clock += 1) });
    await lab.start();
    expect(lab.run.status).toBe('done');
    expect(lab.live).toBe(true);
    const start = vi.spyOn(lab.run, 'start');
    const update = host.requestUpdate.bind(host);
    let edited = false;
    host.requestUpdate = () => {
      update();
      if (edited || !lab.running) return;
      edited = true;
      expect(lab.liveRunning).toBe(true);
      lab.update('temperature', '0.5', { live: true });
      lab.generateLive();
      lab.update('temperature', '0.7', { live: true });
      lab.generateLive();
      lab.update('count', '3');                      // not live: refused while a run is in flight
    };
    lab.update('temperature', '0.9', { live: true });
    lab.generateLive();
    await vi.waitFor(() => expect(start).toHaveBeenCalledTimes(2));
    await vi.waitFor(() => expect(lab.running).toBe(false));
    expect(edited).toBe(true);
    expect(lab.run.status).toBe('done');
    expect(lab.run.result!.settings).toEqual({ ...lab.state.settings, temperature: 0.7, count: 2 });
    expect(new URLSearchParams(bar.query).get('temperature')).toBe('0.7');
    expect(lab.liveRunning).toBe(false);
    lab.main.clear();
  });

  it('stays with Generate where runs are slow here: a live edit waits, and nothing runs by itself', async () => {
    let clock = 0;
    const timePass = vi.fn(async (_model: unknown, rows: number) => ({ rows, ms: 1000 }));
    const { lab } = makeLab(`?model=tiny-ecg-vae&count=2&${EXTRA}`, repoFetch, { timePass, now: () => (clock += 1000) });
    await lab.start();
    expect(lab.run.status).toBe('done');
    expect(lab.live).toBe(false);
    const start = vi.spyOn(lab.run, 'start');
    lab.update('temperature', '0.5', { live: true });
    lab.generateLive();
    expect(lab.state.settings.temperature).toBe(0.5);
    expect(start).not.toHaveBeenCalled();
    expect(lab.run.status).toBe('done');
    lab.main.clear();
  });
});
