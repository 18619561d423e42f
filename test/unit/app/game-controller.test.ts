/**
 * Spot the fake on the tiny fixtures (random weights, real formats): a round dealt from each
 * family's generator at the page's settings, half real and half synthetic with the same class
 * mix, the real samples of the right class by name, the synthetic ones exactly the generator's,
 * answered with a fixed sequence, scored, tallied over rounds, and nothing left on the backend.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeKnobs } from '../../../src/pipeline/settings.js';
import { GameController, gameGenerateOptions } from '../../../src/app/game-controller.js';
import type { PackIndex, ReferencePack } from '../../../src/data/reference-packs.js';
import type { Source } from '../../../src/game/spot-the-fake.js';
import { generateSamples } from '../../../src/judge/generate.js';
import { loadModel } from '../../../src/models/loader.js';
import type { GeneratorModel } from '../../../src/pipeline/pipeline.js';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/pipeline/settings.js';
import { FIXTURES, fakeHost, repoFetch } from './fixture-fetch.js';

const SETTINGS: Settings = { ...DEFAULT_SETTINGS, seed: 9, steps: 1, eta: 0, guidance: 2, truncation: 0.5 };
const load = async (id: string) => (await loadModel(`${FIXTURES}${id}/`, { fetch: repoFetch })) as GeneratorModel;

/**
 * A held-out pack whose classes are listed in the opposite order to the card's, each sample a
 * constant whose value names its class in the pack (100 + pack index) and its number.
 */
function packFor(classes: readonly string[], shape: number[], perClass = 12): ReferencePack {
  const packClasses = [...classes].reverse();
  const size = shape.reduce((a, b) => a * b, 1);
  const samples: Float32Array[] = [];
  const labels: number[] = [];
  packClasses.forEach((_, c) => {
    for (let i = 0; i < perClass; i++) {
      samples.push(new Float32Array(size).fill(100 + c + i / 100));
      labels.push(c);
    }
  });
  const index = { dataset: 'test', kind: 'image', sampleShape: shape, dtype: 'float32', classes: packClasses, splits: {} } as unknown as PackIndex;
  return { index, samples, labels: Uint8Array.from(labels) };
}

let models: Record<string, GeneratorModel>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  models = {};
  for (const id of ['tiny-xray-ddpm', 'tiny-xray-vae', 'tiny-xray-gan', 'tiny-ecg-ar']) models[id] = await load(id);
});

describe('the game controller', () => {
  it.each(['tiny-xray-ddpm', 'tiny-xray-vae', 'tiny-xray-gan', 'tiny-ecg-ar'])('deals a round from %s and scores a fixed sequence of answers', async (id) => {
    const model = models[id]!;
    const card = model.card;
    const pack = packFor(card.classes, card.architecture.inputShape);
    const host = fakeHost();
    const game = new GameController(host);
    const before = tf.memory().numTensors;
    await game.deal(model, pack, SETTINGS, 42, 8);
    expect(tf.memory().numTensors).toBe(before);
    expect(game.dealing.status).toBe('done');
    const round = game.round!;
    expect(round.items).toHaveLength(8);
    expect(round.made).toBe(describeKnobs(model.kind, SETTINGS));

    const real = round.items.filter((item) => item.source === 'real');
    const synthetic = round.items.filter((item) => item.source === 'synthetic');
    expect(real).toHaveLength(4);
    // the class plan is round robin over the card's classes, the same on both sides
    const plan = Array.from({ length: 4 }, (_, i) => i % card.classes.length);
    expect(real.map((item) => item.classIndex).sort()).toEqual([...plan].sort());
    expect(synthetic.map((item) => item.classIndex).sort()).toEqual([...plan].sort());
    // real samples of the class asked for, found by name in the pack (its classes are in reverse)
    for (const item of real) {
      const packIndex = pack.index.classes.indexOf(card.classes[item.classIndex]!);
      expect(Math.floor(item.values[0]!)).toBe(100 + packIndex);
    }
    // the synthetic ones are the generator's own at these settings
    const made = await generateSamples(model, { classes: plan, seed: 42, ...gameGenerateOptions(model, SETTINGS) });
    const byClass = (items: typeof synthetic, c: number) => items.filter((item) => item.classIndex === c).map((item) => Array.from(item.values));
    for (let c = 0; c < card.classes.length; c++) {
      expect(byClass(synthetic, c).sort()).toEqual(made.filter((_, i) => plan[i] === c).map((v) => Array.from(v)).sort());
    }

    // answered: every real one right, every synthetic one called real
    const sequence: Source[] = round.items.map(() => 'real');
    expect(game.roundScore).toBeNull();
    for (const answer of sequence) game.answer(answer);
    expect(game.finished).toBe(true);
    const score = game.roundScore!;
    expect(score.overall).toMatchObject({ correct: 4, total: 8 });
    expect(score.bySource.real).toMatchObject({ correct: 4, total: 4 });
    expect(score.bySource.synthetic).toMatchObject({ correct: 0, total: 4 });
    expect(game.modelScore!.rounds).toBe(1);

    // a second round adds to the model's tally; answering again after the end changes nothing
    game.answer('synthetic');
    await game.deal(model, pack, SETTINGS, 43, 8);
    expect(game.answers.every((a) => a === null)).toBe(true);
    for (const item of game.round!.items) game.answer(item.source);
    expect(game.roundScore!.overall).toMatchObject({ correct: 8, total: 8 });
    expect(game.modelScore).toMatchObject({ rounds: 2, score: { overall: { correct: 12, total: 16 } } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('lets an answer be changed before the round ends', async () => {
    const model = models['tiny-xray-gan']!;
    const game = new GameController(fakeHost());
    await game.deal(model, packFor(model.card.classes, [28, 28, 1]), SETTINGS, 5, 8);
    game.answer('real');
    game.answer('real');
    expect(game.position).toBe(2);
    game.goTo(0);
    game.answer('synthetic');
    // back to the first one not yet answered
    expect(game.position).toBe(2);
    expect(game.answers.slice(0, 3)).toEqual(['synthetic', 'real', null]);
  });

  it('says what is wrong with real data that does not fit the model', async () => {
    const model = models['tiny-xray-gan']!;
    const game = new GameController(fakeHost());
    await game.deal(model, packFor(['normal', 'other'], [28, 28, 1]), SETTINGS, 5, 8);
    expect(game.dealing.status).toBe('error');
    expect(game.dealing.message).toContain('has no class "pneumonia"');
    await game.deal(model, packFor(model.card.classes, [256]), SETTINGS, 5, 8);
    expect(game.dealing.message).toContain('makes samples of shape 28x28x1, the real data\'s are 256');
    expect(game.round).toBeNull();
  });

  it('can be cancelled while it deals, and keeps no round', async () => {
    const model = models['tiny-xray-ddpm']!;
    const game = new GameController(fakeHost());
    const before = tf.memory().numTensors;
    const dealt = game.deal(model, packFor(model.card.classes, [28, 28, 1]), { ...SETTINGS, steps: 20 }, 5, 8);
    await game.cancel();
    await dealt;
    expect(game.dealing.status).toBe('cancelled');
    expect(game.round).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
  });
});
