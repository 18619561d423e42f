/**
 * Hospitals training together, as the page runs it: a dataset's training samples dealt among
 * simulated hospitals (src/federated/split.ts), then, round by round and from the same starting
 * weights, a small classifier and a small class-conditional VAE (src/federated/nets.ts) trained four
 * ways side by side:
 *
 *   pooled   every record in one place (centralised training, the yardstick)
 *   fedavg   federated averaging: hospitals train locally and only weights are averaged
 *   fedprox  the same with FedProx's proximal term (mu), which holds local training near the global weights
 *   alone    each hospital trains on its own records only (the figures are the hospitals' mean, and the worst)
 *
 * One round is the same work for each: `epochs` passes over the records it trains on. After every
 * round each strategy is measured on the real held-out split: the classifier's accuracy and
 * balanced accuracy, the VAE's held-out loss (the negative ELBO per value, one seeded draw), and,
 * where an evaluator is given (the site's shipped classifier of the dataset), how often the VAE's
 * samples are classified as the class asked for (every `judgeEvery` rounds and after the last: the
 * evaluator is a convolutional network, slow where the GPU is emulated). With DP-SGD on, every strategy trains privately and
 * the epsilon it has spent so far is accounted (src/privacy/accountant.ts): for a federated
 * strategy, the largest over the hospitals of what each one's records have spent, counting only
 * the rounds it took part in. After the last round, a loss-based membership test of each VAE: how
 * well its loss tells the records it trained on from held-out ones (an AUC with its interval).
 *
 * Pure computation over plain arrays in network units: no DOM; every tensor is freed.
 */
import * as tf from '@tensorflow/tfjs';
import { type AucInterval, aucWithInterval } from '../judge/membership.js';
import { type NearestResult, type RowSet, memorisationAudit, packRows } from '../judge/memorisation.js';
import { dpSgdEpsilon } from '../privacy/accountant.js';
import { Rng } from '../util/random.js';
import { type ClientData, type LocalOptions, type LocalSettings, checkFederatedSettings, federatedRound, localSteps, trainLocal } from './fedavg.js';
import { balancedFaithfulness, classifierFigures, clientOf, decodeSamples, subsetOf, vaeLosses } from './measure.js';
import { type VaeNet, type Weights, classifierNet, vaeNet } from './nets.js';
import { type Hospitals, splitByClassSkew, splitByPatient } from './split.js';

export const STRATEGIES = ['pooled', 'fedavg', 'fedprox', 'alone'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const STRATEGY_NAMES: Record<Strategy, string> = {
  pooled: 'Pooled (centralised)',
  fedavg: 'FedAvg',
  fedprox: 'FedProx',
  alone: 'Each hospital alone',
};

/** Samples in network units, one array each, with their classes (and patients, where the data has them). */
export interface LabelledRows {
  samples: readonly Float32Array[];
  labels: ArrayLike<number>;
  patients?: ArrayLike<number> | null;
}

export interface ExperimentData {
  train: LabelledRows;
  heldout: LabelledRows;
  classes: readonly string[];
}

export interface ExperimentSettings {
  /** By patient where the data has patients, else by a Dirichlet class skew of concentration `alpha`. */
  split: 'patient' | 'skew';
  hospitals: number;
  alpha: number;
  /** Training samples used (a seeded subset; fewer trains faster). */
  trainSize: number;
  rounds: number;
  /** Local passes over a hospital's records per round. */
  epochs: number;
  /** Share of hospitals taking part in each federated round. */
  fraction: number;
  /** FedProx's proximal weight. */
  mu: number;
  batchSize: number;
  learningRate: number;
  /** DP-SGD for every strategy, or null. */
  dp: { clip: number; sigma: number; delta: number } | null;
  /** VAE samples per class the evaluator judges (0: none), every `judgeEvery` rounds and after the last. */
  judgePerClass: number;
  judgeEvery: number;
  seed: number;
}

export const DEFAULT_EXPERIMENT: ExperimentSettings = {
  split: 'skew', hospitals: 4, alpha: 0.5, trainSize: 1000, rounds: 10, epochs: 1, fraction: 1, mu: 0.1,
  batchSize: 64, learningRate: 0.003, dp: null, judgePerClass: 8, judgeEvery: 1, seed: 1,
};

/** The networks' sizes: small enough to train in seconds on a CPU. */
export const NET_SIZES = { classifierHidden: 32, vaeHidden: 64, latent: 8, sigma: 0.2 } as const;

export interface StrategyFigures {
  strategy: Strategy;
  /** Rounds completed (1 after the first). */
  round: number;
  accuracy: number;
  balancedAccuracy: number;
  /** Alone: the worst hospital's accuracy (the figures above are the hospitals' mean); else null. */
  worstAccuracy: number | null;
  /** The VAE's negative ELBO per value on the held-out split. */
  vaeLoss: number;
  /** Share of the VAE's samples the evaluator puts in the class asked for, averaged over classes; null without one. */
  faithfulness: number | null;
  /** Epsilon each network has spent so far at the settings' delta; null without DP. */
  epsilon: number | null;
  /**
   * Epsilon of releasing both networks: each trains on the same records with the same lots, clip and
   * noise, so their RDP adds up as twice the steps would. Null without DP.
   */
  epsilonBoth: number | null;
}

export interface RoundUpdate {
  round: number;
  figures: StrategyFigures[];
  /** Per strategy, one VAE sample per class (the same codes every round), network units. */
  samples: Record<Strategy, Float32Array[]>;
}

export interface MembershipFigure {
  strategy: Strategy;
  auc: AucInterval;
  /**
   * The copy check (src/judge/memorisation.ts, in network units): as many samples as held-out records
   * tested, with the trained-on records' class mix. `fraction`: samples nearer a trained-on record
   * than `threshold`, the held-out records' 1st percentile; `lone`: shares of samples and of held-out
   * records whose nearest trained-on record is under half as far as the second nearest.
   */
  copies: { samples: number; fraction: number; threshold: number; lone: { generated: number; heldout: number } };
}

export interface ExperimentResult {
  hospitals: Hospitals;
  rounds: RoundUpdate[];
  membership: MembershipFigure[];
}

export interface ExperimentOptions extends LocalOptions {
  /** The dealt hospitals, before training starts. */
  onSplit?: (hospitals: Hospitals) => void;
  onRound?: (update: RoundUpdate) => void | Promise<void>;
  /** Classifies samples (network units): the evaluator of the judge. */
  classify?: (samples: Float32Array[]) => Promise<ArrayLike<number>>;
  signal?: AbortSignal;
}

/** Settings the page can run: whole numbers where they count things, and in range; a RangeError says which is not. */
export function checkExperiment(s: ExperimentSettings, data: ExperimentData): void {
  const whole = (name: string, v: number, lo: number, hi: number) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name} must be a whole number from ${lo} to ${hi}, got ${v}`);
  };
  whole('hospitals', s.hospitals, 1, 16);
  whole('rounds', s.rounds, 1, 200);
  whole('local epochs', s.epochs, 1, 20);
  whole('the batch size', s.batchSize, 1, 512);
  whole('training samples', s.trainSize, s.hospitals * 2, data.train.samples.length);
  whole('samples per class for the evaluator', s.judgePerClass, 0, 64);
  whole('rounds between the evaluator\'s checks', s.judgeEvery, 1, 200);
  checkFederatedSettings({ rounds: s.rounds, fraction: s.fraction, seed: s.seed });
  if (!(s.learningRate > 0 && s.learningRate <= 10)) throw new RangeError(`the learning rate must be in (0, 10], got ${s.learningRate}`);
  if (!(s.mu >= 0 && s.mu <= 100)) throw new RangeError(`FedProx's mu must be in [0, 100], got ${s.mu}`);
  if (s.split !== 'patient' && s.split !== 'skew') throw new RangeError(`the split must be by "patient" or by "skew", got "${String(s.split)}"`);
  if (s.split === 'skew' && !(s.alpha > 0 && s.alpha <= 1e4)) throw new RangeError(`the concentration must be in (0, 10000], got ${s.alpha}`);
  if (s.split === 'patient' && !data.train.patients) throw new RangeError('this dataset has no patients to split by: split by a class skew');
  if (s.dp) {
    if (!(s.dp.clip > 0)) throw new RangeError(`the clipping norm must be positive, got ${s.dp.clip}`);
    if (!(s.dp.sigma > 0 && s.dp.sigma <= 100)) throw new RangeError(`the noise multiplier must be in (0, 100], got ${s.dp.sigma}`);
    if (!(s.dp.delta > 0 && s.dp.delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${s.dp.delta}`);
  }
}

/** The seeded subset of the training samples the run uses, and the hospitals it is dealt into (indices into the subset). */
export function dealHospitals(data: ExperimentData, s: ExperimentSettings): { used: number[]; hospitals: Hospitals } {
  const used = new Rng(s.seed).choose(data.train.samples.length, s.trainSize).sort((a, b) => a - b);
  const labels = used.map((i) => data.train.labels[i]!);
  const hospitals = s.split === 'patient'
    ? splitByPatient(labels, data.classes.length, used.map((i) => data.train.patients![i]!), s.hospitals, s.seed)
    : splitByClassSkew(labels, data.classes.length, s.hospitals, s.alpha, s.seed);
  return { used, hospitals };
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** Runs the experiment; see the file's comment. Throws a RangeError for settings out of range, before any work. */
export async function runExperiment(data: ExperimentData, s: ExperimentSettings, options: ExperimentOptions = {}): Promise<ExperimentResult> {
  checkExperiment(s, data);
  const inputSize = data.train.samples[0]!.length;
  const classes = data.classes.length;
  const nets = {
    classifier: classifierNet(inputSize, classes, NET_SIZES.classifierHidden),
    vae: vaeNet(inputSize, classes, NET_SIZES.vaeHidden, NET_SIZES.latent, NET_SIZES.sigma),
  };
  const { used, hospitals } = dealHospitals(data, s);
  options.onSplit?.(hospitals);
  const clients = hospitals.members.map((m) => clientOf(data.train.samples, data.train.labels, m.map((k) => used[k]!), inputSize));
  const pooledClient = clientOf(data.train.samples, data.train.labels, used, inputSize);
  const heldout = clientOf(data.heldout.samples, data.heldout.labels, Array.from({ length: data.heldout.labels.length }, (_, i) => i), inputSize);
  const dp = s.dp ? { clip: s.dp.clip, sigma: s.dp.sigma } : null;
  const local = (kind: keyof typeof nets, strategy: Strategy): LocalSettings => ({
    net: nets[kind], optimizer: 'adam', learningRate: s.learningRate, epochs: s.epochs, batchSize: s.batchSize, mu: strategy === 'fedprox' ? s.mu : 0, dp,
  });
  const federated = { rounds: s.rounds, fraction: s.fraction, seed: s.seed };
  const start = { classifier: nets.classifier.init(s.seed), vae: nets.vae.init(s.seed + 1) };
  // per strategy, per network: the weights (alone: one per hospital)
  const state: Record<Strategy, { classifier: Weights[]; vae: Weights[] }> = {
    pooled: { classifier: [start.classifier], vae: [start.vae] },
    fedavg: { classifier: [start.classifier], vae: [start.vae] },
    fedprox: { classifier: [start.classifier], vae: [start.vae] },
    alone: { classifier: clients.map(() => start.classifier), vae: clients.map(() => start.vae) },
  };
  // DP-SGD steps each hospital's records (and the pooled records) have taken, per strategy
  const steps = { pooled: 0, fedavg: clients.map(() => 0), fedprox: clients.map(() => 0), alone: clients.map(() => 0) };
  const epsilon = (q: number, n: number) => (s.dp ? dpSgdEpsilon(Math.min(1, q), s.dp.sigma, n, s.dp.delta).epsilon : 0);
  const q = (samples: number) => Math.min(samples, s.batchSize) / samples;
  const perClass = Math.max(1, s.judgePerClass);
  const rounds: RoundUpdate[] = [];
  for (let round = 0; round < s.rounds; round++) {
    options.signal?.throwIfAborted();
    const figures: StrategyFigures[] = [];
    const samples = {} as Record<Strategy, Float32Array[]>;
    for (const strategy of STRATEGIES) {
      const st = state[strategy];
      for (const kind of ['classifier', 'vae'] as const) {
        const settings = local(kind, strategy);
        if (strategy === 'pooled') {
          // seeded as hospital 0 of a federated round: with one hospital, every strategy is the same run
          st[kind][0] = (await trainLocal(st[kind][0]!, pooledClient, settings, s.seed * 1000 + round * 64, options)).weights;
        } else if (strategy === 'alone') {
          for (const [h, client] of clients.entries()) st[kind][h] = (await trainLocal(st[kind][h]!, client, settings, s.seed * 1000 + round * 64 + h, options)).weights;
        } else {
          const report = await federatedRound(st[kind][0]!, clients, settings, federated, round, options);
          st[kind][0] = report.weights;
          if (kind === 'vae') for (const h of report.clients) steps[strategy][h]! += localSteps(clients[h]!.labels.length, s);
        }
      }
      if (strategy === 'pooled') steps.pooled += localSteps(pooledClient.labels.length, s);
      if (strategy === 'alone') clients.forEach((c, h) => { steps.alone[h]! += localSteps(c.labels.length, s); });
      const scores = await Promise.all(st.classifier.map((w) => classifierFigures(nets.classifier, w, heldout)));
      const losses = await Promise.all(st.vae.map(async (w) => mean(Array.from(await vaeLosses(nets.vae, w, heldout, s.seed + 7)))));
      const requested = Array.from({ length: classes * perClass }, (_, i) => Math.floor(i / perClass));
      const made = await decodeSamples(nets.vae, st.vae[0]!, requested, s.seed + 11);
      samples[strategy] = made.filter((_, i) => i % perClass === 0);
      const judged = options.classify && s.judgePerClass > 0 && ((round + 1) % s.judgeEvery === 0 || round === s.rounds - 1);
      const faithfulness = judged ? balancedFaithfulness(requested, await options.classify!(made), classes) : null;
      const spentOver = (networks: number) => !s.dp ? null
        : strategy === 'pooled' ? epsilon(q(pooledClient.labels.length), networks * steps.pooled)
        : Math.max(...clients.map((c, h) => epsilon(q(c.labels.length), networks * steps[strategy][h]!)));
      figures.push({
        strategy, round: round + 1,
        accuracy: mean(scores.map((r) => r.accuracy)),
        balancedAccuracy: mean(scores.map((r) => r.balanced)),
        worstAccuracy: strategy === 'alone' ? Math.min(...scores.map((r) => r.accuracy)) : null,
        vaeLoss: mean(losses), faithfulness, epsilon: spentOver(1), epsilonBoth: spentOver(2),
      });
    }
    const update = { round: round + 1, figures, samples };
    rounds.push(update);
    await options.onRound?.(update);
  }
  options.signal?.throwIfAborted();
  const membership = await membershipOf(nets.vae, state, pooledClient, clients[0]!, heldout, s.seed, options.signal);
  return { hospitals, rounds, membership };
}

/**
 * The loss-based membership test of each strategy's VAE: up to 256 of the records it trained on
 * (alone: hospital 1's model and records) against up to 256 held-out ones. An AUC of 0.5 means the
 * loss does not tell them apart. Then the copy check: as many samples, with those records' classes,
 * and their nearest trained-on records against the held-out records' nearest.
 */
async function membershipOf(
  net: VaeNet, state: Record<Strategy, { vae: Weights[] }>, pooled: ClientData, first: ClientData, heldout: ClientData, seed: number, signal?: AbortSignal,
): Promise<MembershipFigure[]> {
  const take = (data: ClientData, n: number): ClientData =>
    subsetOf(data, new Rng(seed + 13).choose(data.labels.length, Math.min(n, data.labels.length)), net.inputSize);
  const rowsOf = (data: ClientData): RowSet => ({ rows: data.labels.length, cols: net.inputSize, data: data.x });
  // the held-out records' nearest trained-on records, once per training set (pooled, hospital 1)
  const nearest = new Map<ClientData, Map<string, NearestResult>>([[pooled, new Map()], [first, new Map()]]);
  const out: MembershipFigure[] = [];
  const held = take(heldout, 256);
  for (const strategy of STRATEGIES) {
    const trained = strategy === 'alone' ? first : pooled;
    const members = take(trained, 256);
    const weights = state[strategy].vae[0]!;
    const [a, b] = [await vaeLosses(net, weights, members, seed + 17), await vaeLosses(net, weights, held, seed + 17)];
    const made = await decodeSamples(net, weights, Array.from(members.labels), seed + 23);
    const { pixel } = await memorisationAudit({ generated: packRows(made), heldout: rowsOf(held), train: rowsOf(trained) }, null,
      { k: 2, signal, heldout: { nearest: nearest.get(trained)!, pixelUnits: 'network units' } });
    out.push({
      strategy, auc: aucWithInterval(a, b, new Rng(seed + 19), 500),
      copies: { samples: made.length, fraction: pixel.fractionFlagged, threshold: pixel.threshold, lone: pixel.lone },
    });
  }
  return out;
}
