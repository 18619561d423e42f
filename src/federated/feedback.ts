/**
 * The bias feedback loop: a model trained on real records makes a synthetic dataset, the next model
 * trains on that synthetic data only, and so on for a few generations ("model collapse": Shumailov
 * et al., "AI models collapse when trained on recursively generated data", Nature 2024).
 *
 * Each generation is the class-conditional VAE of src/federated/nets.ts, trained from fresh weights
 * on the previous generation's data (generation 0 on a seeded subset of the real training records),
 * with the class prior it saw: its synthetic dataset has as many records as it trained on, their
 * classes drawn from the class shares of its training data, their codes from N(0, I). What is
 * measured of each generation, on real held-out records and by the site's evaluator:
 *
 *   trainCounts   the class mix of the data it trained on (generation 0: the real mix)
 *   seenCounts    the class mix of its synthetic dataset as the evaluator sees it
 *   seenAsAsked   per class, the share of its samples the evaluator puts in the class asked for
 *   heldoutLoss   per class, its negative ELBO per value on real held-out records of that class
 *
 * A class with few records is modelled worst first, and a class drawn zero times is gone for
 * every generation after: the minority classes (ECG F and Q, breast malignant) drift first.
 * Pure computation over plain arrays in network units; no DOM; every tensor is freed.
 */
import { type ExperimentData, NET_SIZES } from './experiment.js';
import { type ClientData, type LocalOptions, trainLocal } from './fedavg.js';
import { clientOf, decodeSamples, vaeLosses } from './measure.js';
import { vaeNet } from './nets.js';
import { classCounts } from './split.js';
import { Rng } from '../util/random.js';

export interface FeedbackSettings {
  /** Real training records generation 0 trains on; every later generation makes and trains on as many. */
  trainSize: number;
  /** Generations after the one trained on real data. */
  generations: number;
  /** Passes over its training data per generation. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export const DEFAULT_FEEDBACK: FeedbackSettings = { trainSize: 1000, generations: 4, epochs: 8, batchSize: 64, learningRate: 0.003, seed: 1 };

export interface GenerationReport {
  /** 0: trained on real records. */
  generation: number;
  trainCounts: number[];
  /** Null without an evaluator. */
  seenCounts: number[] | null;
  /** Per class; null where the class was not asked for (drawn zero times) or there is no evaluator. */
  seenAsAsked: (number | null)[];
  /** Per class; null where the held-out split has none of it. */
  heldoutLoss: (number | null)[];
  /** One sample per class from the same codes every generation (network units). */
  samples: Float32Array[];
}

export interface FeedbackOptions extends LocalOptions {
  classify?: (samples: Float32Array[]) => Promise<ArrayLike<number>>;
  onGeneration?: (report: GenerationReport) => void | Promise<void>;
  signal?: AbortSignal;
}

export function checkFeedback(s: FeedbackSettings, data: ExperimentData): void {
  const whole = (name: string, v: number, lo: number, hi: number) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name} must be a whole number from ${lo} to ${hi}, got ${v}`);
  };
  whole('training records', s.trainSize, 2, data.train.samples.length);
  whole('generations', s.generations, 1, 20);
  whole('epochs per generation', s.epochs, 1, 100);
  whole('the batch size', s.batchSize, 1, 512);
  if (!(s.learningRate > 0 && s.learningRate <= 10)) throw new RangeError(`the learning rate must be in (0, 10], got ${s.learningRate}`);
}

/** `n` classes drawn from the shares of `counts` (a categorical prior fitted to the training data). */
function drawClasses(counts: readonly number[], n: number, rng: Rng): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return Array.from({ length: n }, () => {
    let u = rng.next() * total;
    for (let c = 0; c < counts.length; c++) {
      u -= counts[c]!;
      if (u < 0) return c;
    }
    return counts.findLastIndex((k) => k > 0);
  });
}

export async function runFeedbackLoop(data: ExperimentData, s: FeedbackSettings, options: FeedbackOptions = {}): Promise<GenerationReport[]> {
  checkFeedback(s, data);
  const inputSize = data.train.samples[0]!.length;
  const classes = data.classes.length;
  const net = vaeNet(inputSize, classes, NET_SIZES.vaeHidden, NET_SIZES.latent, NET_SIZES.sigma);
  const used = new Rng(s.seed).choose(data.train.samples.length, s.trainSize).sort((a, b) => a - b);
  let train: ClientData = clientOf(data.train.samples, data.train.labels, used, inputSize);
  const heldoutByClass = Array.from({ length: classes }, (_, c) => {
    const rows = Array.from(data.heldout.labels, (l, i) => (l === c ? i : -1)).filter((i) => i >= 0);
    return rows.length ? clientOf(data.heldout.samples, data.heldout.labels, rows, inputSize) : null;
  });
  const reports: GenerationReport[] = [];
  for (let generation = 0; generation <= s.generations; generation++) {
    options.signal?.throwIfAborted();
    const settings = { net, optimizer: 'adam' as const, learningRate: s.learningRate, epochs: s.epochs, batchSize: s.batchSize, mu: 0 };
    const { weights } = await trainLocal(net.init(s.seed + generation), train, settings, s.seed * 1000 + generation, options);
    const trainCounts = classCounts(train.labels, classes);
    // its synthetic dataset: as many records, classes from the shares it saw, codes from the prior
    const drawn = drawClasses(trainCounts, s.trainSize, new Rng(s.seed * 31 + generation));
    const made: Float32Array[] = [];
    for (let start = 0; start < drawn.length; start += 256) {
      made.push(...(await decodeSamples(net, weights, drawn.slice(start, start + 256), s.seed * 7919 + generation * 256 + start)));
    }
    let seenCounts: number[] | null = null;
    const seenAsAsked: (number | null)[] = new Array<number | null>(classes).fill(null);
    if (options.classify) {
      const predicted = await options.classify(made);
      seenCounts = classCounts(predicted, classes);
      const asked = classCounts(drawn, classes);
      const hits = new Array<number>(classes).fill(0);
      drawn.forEach((c, i) => { if (predicted[i] === c) hits[c]! += 1; });
      hits.forEach((h, c) => { seenAsAsked[c] = asked[c] ? h / asked[c]! : null; });
    }
    const heldoutLoss = await Promise.all(heldoutByClass.map(async (held) => {
      if (!held) return null;
      const losses = await vaeLosses(net, weights, held, s.seed + 7);
      return losses.reduce((a, b) => a + b, 0) / losses.length;
    }));
    const samples = await decodeSamples(net, weights, Array.from({ length: classes }, (_, c) => c), s.seed + 11);
    const report = { generation, trainCounts, seenCounts, seenAsAsked, heldoutLoss, samples };
    reports.push(report);
    await options.onGeneration?.(report);
    const x = new Float32Array(made.length * inputSize);
    made.forEach((m, i) => x.set(m, i * inputSize));
    train = { x, labels: drawn };
  }
  return reports;
}
