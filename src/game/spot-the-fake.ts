/**
 * Spot the fake: the "visual Turing test" of the medical GAN papers, made live. A round is real
 * held-out samples and a generator's samples of the same classes, shuffled; a person (or a room,
 * answering by its majority) says "real" or "synthetic" for each, and the score says how often
 * they were right, with a 95% interval, beside the 50% of guessing.
 *
 * Pure: no DOM, no tensors. The page deals the samples (src/app/game-controller.ts); this module
 * shuffles, scores and tallies.
 */
import { Rng } from '../util/random.js';

export type Source = 'real' | 'synthetic';

export interface GameItem {
  source: Source;
  classIndex: number;
  /** The sample in display units (grey levels 0..255 channels-last, or mV). */
  values: Float32Array;
}

/** Samples the round is dealt from, class by class. */
export interface Deck {
  real: readonly (readonly Float32Array[])[];
  synthetic: readonly (readonly Float32Array[])[];
}

/** Items per round a person may choose: even, so a round is half real and half synthetic. */
export const ROUND_SIZES = [8, 16, 24, 32] as const;
export const DEFAULT_ROUND_SIZE = 16;

/**
 * The class of each of `half` samples of one source: round robin over the classes, so every class
 * is in the round as evenly as the size allows, and real and synthetic have the same class mix
 * (the class is never a clue to the source).
 */
export function classPlan(half: number, numClasses: number): number[] {
  if (numClasses < 1) throw new Error('a round needs at least one class');
  return Array.from({ length: half }, (_, i) => i % numClasses);
}

/**
 * A round: `deck.real[c][i]` and `deck.synthetic[c][i]` taken in class-plan order, then shuffled
 * by `seed`. A class with fewer real samples than the plan asks for is dealt what it has, and the
 * synthetic side is cut to match, so the two halves keep the same class mix.
 */
export function dealRound(deck: Deck, seed: number): GameItem[] {
  const classes = deck.real.length;
  if (deck.synthetic.length !== classes) throw new Error(`the deck has ${classes} real classes and ${deck.synthetic.length} synthetic`);
  const items: GameItem[] = [];
  for (let c = 0; c < classes; c++) {
    const n = Math.min(deck.real[c]!.length, deck.synthetic[c]!.length);
    for (let i = 0; i < n; i++) {
      items.push({ source: 'real', classIndex: c, values: deck.real[c]![i]! });
      items.push({ source: 'synthetic', classIndex: c, values: deck.synthetic[c]![i]! });
    }
  }
  return new Rng(seed).permutation(items.length).map((i) => items[i]!);
}

/** Right answers out of answers given. */
export interface Count {
  correct: number;
  total: number;
}

export interface Proportion extends Count {
  /** correct / total; NaN when nothing was answered. */
  rate: number;
  /** Wilson 95% interval of the rate. */
  low: number;
  high: number;
}

export interface GameScore {
  overall: Proportion;
  /** One-sided exact binomial test against guessing (p = 0.5): P(at least this many right by chance). */
  pValue: number;
  /** Real samples called real, synthetic samples called synthetic. */
  bySource: Record<Source, Proportion>;
  /** By class, in class order. */
  byClass: Proportion[];
}

const Z95 = 1.959963984540054;

/** Wilson score interval (95%) for `correct` of `total`: honest at small counts and at 0% or 100%. */
export function proportion({ correct, total }: Count): Proportion {
  if (total === 0) return { correct, total, rate: NaN, low: NaN, high: NaN };
  const p = correct / total;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * total)) / (1 + z2 / total);
  const half = (Z95 / (1 + z2 / total)) * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total));
  // at 0% and 100% the bounds are exactly 0 and 1 (rounding would leave 1e-16 off)
  return {
    correct, total, rate: p,
    low: correct === 0 ? 0 : Math.max(0, centre - half),
    high: correct === total ? 1 : Math.min(1, centre + half),
  };
}

/**
 * P(X >= k) for X ~ Binomial(n, 1/2), exactly up to rounding: the probabilities summed in log space
 * (0.5^n alone underflows past n = 1074, and rounds of 32 add up per model).
 */
export function binomialTailHalf(k: number, n: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  // log P(X = i) = log C(n, i) - n log 2, C built by its recurrence
  const logs: number[] = [];
  let logC = 0;
  for (let i = 0; i <= n; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    if (i >= k) logs.push(logC - n * Math.LN2);
  }
  const top = Math.max(...logs);
  return Math.min(1, Math.exp(top) * logs.reduce((a, l) => a + Math.exp(l - top), 0));
}

/** Counts of one round: its items and the answers given (null: not answered, left out). */
export function countAnswers(items: readonly Pick<GameItem, 'source' | 'classIndex'>[], answers: readonly (Source | null)[], numClasses: number): Tally {
  const tally = emptyTally(numClasses);
  items.forEach((item, i) => {
    const answer = answers[i];
    if (answer === null || answer === undefined) return;
    const right = answer === item.source ? 1 : 0;
    for (const count of [tally.overall, tally.bySource[item.source], tally.byClass[item.classIndex]!]) {
      count.correct += right;
      count.total += 1;
    }
  });
  return tally;
}

/** Counts to score: one round's, or every round's of one model added up. */
export interface Tally {
  overall: Count;
  bySource: Record<Source, Count>;
  byClass: Count[];
}

export function emptyTally(numClasses: number): Tally {
  return {
    overall: { correct: 0, total: 0 },
    bySource: { real: { correct: 0, total: 0 }, synthetic: { correct: 0, total: 0 } },
    byClass: Array.from({ length: numClasses }, () => ({ correct: 0, total: 0 })),
  };
}

export function addTallies(a: Tally, b: Tally): Tally {
  const add = (x: Count, y: Count): Count => ({ correct: x.correct + y.correct, total: x.total + y.total });
  if (a.byClass.length !== b.byClass.length) throw new Error('tallies of different class counts');
  return {
    overall: add(a.overall, b.overall),
    bySource: { real: add(a.bySource.real, b.bySource.real), synthetic: add(a.bySource.synthetic, b.bySource.synthetic) },
    byClass: a.byClass.map((c, i) => add(c, b.byClass[i]!)),
  };
}

export function scoreTally(tally: Tally): GameScore {
  return {
    overall: proportion(tally.overall),
    pValue: binomialTailHalf(tally.overall.correct, tally.overall.total),
    bySource: { real: proportion(tally.bySource.real), synthetic: proportion(tally.bySource.synthetic) },
    byClass: tally.byClass.map(proportion),
  };
}

/**
 * What the score says, in plain words: whether the answers beat guessing (the interval's lower
 * end above 50%) or are consistent with it, which is what a generator whose samples pass for real
 * would produce.
 */
export function verdict(score: GameScore): string {
  const { overall, pValue } = score;
  if (overall.total === 0) return 'No answers yet.';
  if (overall.low > 0.5) return `Better than guessing (p = ${formatP(pValue)}): these synthetic samples can be told from real ones.`;
  if (overall.high < 0.5) return 'Worse than guessing: the synthetic samples looked more real than the real ones.';
  return `Not distinguishable from guessing at this many answers (p = ${formatP(pValue)}): more rounds narrow the interval.`;
}

export function formatP(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(p < 0.01 ? 3 : 2);
}
