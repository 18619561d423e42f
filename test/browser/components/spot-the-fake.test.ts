/**
 * The game's view: one sample at a time with no hint, answers by button and by key, the dots to go
 * back, then the score beside guessing and every item revealed with what it was.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GameRound } from '../../../src/app/game-controller.js';
import '../../../src/components/spot-the-fake.js';
import type { GameAnswerEvent, GameDealEvent, GameGoToEvent, SpotTheFake } from '../../../src/components/spot-the-fake.js';
import { countAnswers, scoreTally, type Source } from '../../../src/game/spot-the-fake.js';
import { deepAll, mount, nextEvent, redChannel, settle } from './helpers.js';

afterEach(() => document.body.replaceChildren());

const image = (level: number) => new Float32Array(28 * 28).fill(level);
const round: GameRound = {
  model: { id: 'xray-gan', name: 'Chest X-ray GAN', method: 'gan' },
  classes: ['normal', 'pneumonia'],
  items: [
    { source: 'real', classIndex: 0, values: image(10) },
    { source: 'synthetic', classIndex: 1, values: image(200) },
    { source: 'synthetic', classIndex: 0, values: image(60) },
    { source: 'real', classIndex: 1, values: image(120) },
  ],
  shape: [28, 28, 1], sampleRateHz: 360, startMs: 0, made: 'truncation 1',
};
const text = (el: SpotTheFake, id: string) => el.shadowRoot!.querySelector(`[data-testid="${id}"]`)!.textContent!.replace(/\s+/g, ' ').trim();

describe('spot the fake', () => {
  it('shows the item on show, with no hint of its source, and answers by button and key', async () => {
    const view = await mount<SpotTheFake>('msl-spot-the-fake', { round, answers: [null, null, null, null], position: 1, status: 'done', modelName: 'Chest X-ray GAN' });
    await settle(view.shadowRoot!);
    const sample = view.shadowRoot!.querySelector('[data-testid="game-sample"]')!;
    const canvas = sample.shadowRoot!.querySelector('canvas')!;
    expect(new Set(redChannel(canvas))).toEqual(new Set([200]));
    expect(text(view, 'game-play')).toContain('Sample 2 of 4: pneumonia.');
    expect(text(view, 'game-play')).not.toMatch(/synthetic,|real,/);
    expect(text(view, 'game-status')).toBe('0 of 4 answered.');

    let answer = nextEvent<GameAnswerEvent>(view, 'msl-game-answer');
    view.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="game-synthetic"]')!.click();
    expect((await answer).source).toBe('synthetic');
    answer = nextEvent<GameAnswerEvent>(view, 'msl-game-answer');
    view.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="game-real"]')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'r', bubbles: true, composed: true }));
    expect((await answer).source).toBe('real');

    const goto = nextEvent<GameGoToEvent>(view, 'msl-game-goto');
    deepAll<HTMLButtonElement>(view.shadowRoot!, '.dots button')[3]!.click();
    expect((await goto).index).toBe(3);

    const deal = nextEvent<GameDealEvent>(view, 'msl-game-deal');
    const size = view.shadowRoot!.querySelector<HTMLSelectElement>('[data-testid="game-size"]')!;
    size.value = '24';
    size.dispatchEvent(new Event('change'));
    view.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="game-deal"]')!.click();
    expect((await deal).size).toBe(24);
  });

  it('reports the score beside guessing and reveals every item', async () => {
    const answers: Source[] = ['real', 'real', 'synthetic', 'synthetic'];
    const roundScore = scoreTally(countAnswers(round.items, answers, 2));
    const view = await mount<SpotTheFake>('msl-spot-the-fake', { round, answers, position: 4, status: 'done', roundScore });
    await settle(view.shadowRoot!);
    const score = text(view, 'game-score');
    expect(score).toContain('2 of 4 right (50%, 95% interval 15% to 85%); guessing gets 50%.');
    expect(text(view, 'game-verdict')).toMatch(/^Not distinguishable from guessing .*p = 0\.69/);
    expect(score).toContain('Real samples called real1 of 2');
    expect(score).toContain('Synthetic samples called synthetic1 of 2');
    expect(score).toContain('Class normal2 of 2');
    expect(score).toContain('Class pneumonia0 of 2');
    const reveal = text(view, 'game-reveal');
    expect(reveal).toContain('1. real, normal; right');
    expect(reveal).toContain('2. synthetic, pneumonia; answered real');
    expect(deepAll(view.shadowRoot!, '[data-testid="game-reveal"] msl-sample-view')).toHaveLength(4);
    expect(view.shadowRoot!.querySelector('[data-testid="game-play"]')).toBeNull();
  });

  it('says why a round cannot be dealt now', async () => {
    const view = await mount<SpotTheFake>('msl-spot-the-fake', { disabled: true, reason: 'Wait for the run above to finish.' });
    expect(view.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="game-deal"]')!.disabled).toBe(true);
    expect(text(view, 'game-status')).toBe('Wait for the run above to finish.');
  });
});
