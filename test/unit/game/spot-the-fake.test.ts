/**
 * The game's dealing and scoring, against numbers worked out by hand: binomial tails as sums of
 * binomial coefficients over 2^n, Wilson intervals at their published values, and one fixed round
 * answered with a fixed sequence.
 */
import { describe, expect, it } from 'vitest';
import {
  addTallies, binomialTailHalf, classPlan, countAnswers, dealRound, proportion, scoreTally, verdict, type Source,
} from '../../../src/game/spot-the-fake.js';

/** A sample whose single value names it: class c, source s, index i. */
const sample = (c: number, s: number, i: number) => Float32Array.of(c * 100 + s * 10 + i);

describe('dealRound', () => {
  const deck = {
    real: [[sample(0, 0, 0), sample(0, 0, 1)], [sample(1, 0, 0), sample(1, 0, 1), sample(1, 0, 2)]],
    synthetic: [[sample(0, 1, 0), sample(0, 1, 1)], [sample(1, 1, 0), sample(1, 1, 1)]],
  };

  it('deals every sample once, half real and half synthetic with the same class mix, in a seeded order', () => {
    const round = dealRound(deck, 7);
    // class 1 has three real samples but two synthetic: the third real one is left out
    expect(round).toHaveLength(8);
    const names = round.map((item) => item.values[0]);
    expect(new Set(names).size).toBe(8);
    expect(names).not.toContain(102);
    for (const source of ['real', 'synthetic'] as Source[]) {
      expect(round.filter((item) => item.source === source).map((item) => item.classIndex).sort()).toEqual([0, 0, 1, 1]);
    }
    for (const item of round) {
      expect(Math.floor(item.values[0]! / 100)).toBe(item.classIndex);
      expect(Math.floor((item.values[0]! % 100) / 10)).toBe(item.source === 'real' ? 0 : 1);
    }
    expect(dealRound(deck, 7).map((item) => item.values[0])).toEqual(names);
    expect(dealRound(deck, 8).map((item) => item.values[0])).not.toEqual(names);
  });

  it('refuses a deck whose sides have different classes', () => {
    expect(() => dealRound({ real: deck.real, synthetic: deck.synthetic.slice(0, 1) }, 1)).toThrow(/2 real classes and 1 synthetic/);
  });

  it('plans classes round robin', () => {
    expect(classPlan(8, 3)).toEqual([0, 1, 2, 0, 1, 2, 0, 1]);
    expect(classPlan(4, 5)).toEqual([0, 1, 2, 3]);
    expect(() => classPlan(4, 0)).toThrow();
  });
});

describe('scoring', () => {
  it('binomial tails are sums of coefficients over 2^n', () => {
    // P(X >= 9 | n = 12): (220 + 66 + 12 + 1) / 4096
    expect(binomialTailHalf(9, 12)).toBeCloseTo(299 / 4096, 12);
    expect(binomialTailHalf(0, 12)).toBe(1);
    expect(binomialTailHalf(13, 12)).toBe(0);
    expect(binomialTailHalf(16, 16)).toBeCloseTo(1 / 65536, 18);
    // symmetric: P(X >= 8 | 16) = 1/2 + P(X = 8)/2
    expect(binomialTailHalf(8, 16)).toBeCloseTo(0.5 + 12870 / 65536 / 2, 12);
    // past the point where 0.5^n underflows (n = 1075): half right is still about a coin's odds,
    // 1/2 + P(X = n/2)/2 with P(X = 1000 | 2000) = 0.017839...
    expect(binomialTailHalf(1000, 2000)).toBeCloseTo(0.5 + 0.0178390111 / 2, 8);
    expect(binomialTailHalf(2000, 2000)).toBe(0);
    // sum of C(2000, i) for i >= 1200 over 2^2000, exactly (Python fractions): 1.7525031e-19
    expect(binomialTailHalf(1200, 2000) / 1.7525031034678226e-19).toBeCloseTo(1, 9);
  });

  it('Wilson intervals match their published values', () => {
    const none = proportion({ correct: 0, total: 10 });
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 4);
    const all = proportion({ correct: 10, total: 10 });
    expect(all.low).toBeCloseTo(0.7225, 4);
    expect(all.high).toBe(1);
    // 8 of 16: centred on 0.5, 0.2800 to 0.7200
    const half = proportion({ correct: 8, total: 16 });
    expect(half.low).toBeCloseTo(0.28, 3);
    expect(half.high).toBeCloseTo(0.72, 3);
    expect(proportion({ correct: 0, total: 0 }).rate).toBeNaN();
  });

  it('scores a fixed round answered with a fixed sequence', () => {
    const items = [
      { source: 'real', classIndex: 0 }, { source: 'synthetic', classIndex: 1 }, { source: 'synthetic', classIndex: 0 },
      { source: 'real', classIndex: 1 }, { source: 'real', classIndex: 0 }, { source: 'synthetic', classIndex: 1 },
      { source: 'synthetic', classIndex: 0 }, { source: 'real', classIndex: 1 },
    ] as const;
    // right, right, wrong, right, wrong, right, right, (unanswered)
    const answers: (Source | null)[] = ['real', 'synthetic', 'real', 'real', 'synthetic', 'synthetic', 'synthetic', null];
    const tally = countAnswers(items, answers, 2);
    expect(tally.overall).toEqual({ correct: 5, total: 7 });
    expect(tally.bySource.real).toEqual({ correct: 2, total: 3 });
    expect(tally.bySource.synthetic).toEqual({ correct: 3, total: 4 });
    expect(tally.byClass).toEqual([{ correct: 2, total: 4 }, { correct: 3, total: 3 }]);
    const score = scoreTally(tally);
    expect(score.overall.rate).toBeCloseTo(5 / 7, 12);
    // (21 + 7 + 1) / 128
    expect(score.pValue).toBeCloseTo(29 / 128, 12);
    expect(verdict(score)).toMatch(/^Not distinguishable from guessing .*p = 0\.23/);

    // two such rounds add up, and the interval narrows
    const twice = scoreTally(addTallies(tally, tally));
    expect(twice.overall).toMatchObject({ correct: 10, total: 14 });
    expect(twice.overall.high - twice.overall.low).toBeLessThan(score.overall.high - score.overall.low);
  });

  it('says when answers beat guessing, and when they fall below it', () => {
    const items = Array.from({ length: 16 }, (_, i) => ({ source: (i % 2 ? 'real' : 'synthetic') as Source, classIndex: 0 }));
    const right = scoreTally(countAnswers(items, items.map((item) => item.source), 1));
    expect(right.pValue).toBeCloseTo(1 / 65536, 18);
    expect(verdict(right)).toMatch(/^Better than guessing \(p = < 0\.001\)/);
    const wrong = scoreTally(countAnswers(items, items.map((item) => (item.source === 'real' ? 'synthetic' : 'real')), 1));
    expect(verdict(wrong)).toMatch(/^Worse than guessing/);
    expect(verdict(scoreTally(countAnswers(items, [], 1)))).toBe('No answers yet.');
  });
});
