/**
 * The membership test: does a diffusion model treat the images it was trained on differently from
 * held-out images of the same data? The distance check (memorisation.ts) asks whether samples look
 * like training images; this asks the model itself, so it also catches a model that memorised a
 * dataset whose held-out split is full of near-copies of training images (BreastMNIST).
 *
 * The score of an image is the model's denoising error on it, conditioned on its class: noise it
 * to a few fixed timesteps with fixed noise, and average the squared error of the predicted noise
 * (the loss-based attack of Carlini et al. 2023 and Matsumoto et al. 2023). A model that has
 * memorised its training images denoises them better than unseen ones. The AUC is
 * P(error on a training image < error on a held-out image): 0.5 when the model cannot tell them
 * apart. Training images are drawn at random with the held-out set's class mix; the interval is a
 * percentile bootstrap over both sets.
 *
 * Duplicate-aware: a held-out image whose nearest training image is closer than the held-out
 * split's own 1st-percentile nearest distance is a near-copy of a training image under another
 * split's name, and pulls the AUC towards 0.5; the test is run again without those.
 *
 * training/membership.py is the same test in PyTorch (the same timesteps, draws and rules); the
 * parity test runs both on fixed images and noise (test/fixtures/membership-golden.json).
 */
import * as tf from '@tensorflow/tfjs';
import { type JudgeReference, type LabelledSamples, subset } from '../data/reference-packs.js';
import { alphasCumprod, makeBetas, noiseTo } from '../diffusion/schedule.js';
import { type RocPoint, aucBinary, rocCurve } from '../metrics/roc.js';
import { scalingOf } from '../models/scaling.js';
import type { DdpmModel } from '../pipeline/pipeline.js';
import { Pacer } from '../util/pacing.js';
import { Rng, gaussian, streamKey } from '../util/random.js';
import { percentile } from '../util/stats.js';
import { nearestRows, packRows } from './memorisation.js';
import type { TaskOptions } from './tasks.js';

/** Low-to-mid noise, where the error still depends on the image's detail (training/membership.py TIMESTEPS). */
export const MEMBERSHIP_TIMESTEPS = [50, 100, 200, 400] as const;
/** Noise draws per timestep, the same for every image (training/membership.py DRAWS). */
export const MEMBERSHIP_DRAWS = 2;
/** More held-out images than this are subsampled (training/membership.py MAX_HELD_OUT). */
export const MAX_HELD_OUT = 1000;

/**
 * The noise of draw `draw` (timestep k's draw d is draw k * MEMBERSHIP_DRAWS + d) for image
 * `image` of a set: by default a seeded stream per image and draw, so the j-th image of any set
 * meets the same noise and scores differ by the image alone.
 */
export type MembershipNoise = (draw: number, image: number, size: number) => Float32Array;

export function seededMembershipNoise(seed: number): MembershipNoise {
  return (draw, image, size) => gaussian(streamKey(seed, image, draw), size);
}

export interface DenoisingErrorOptions extends TaskOptions {
  noise?: MembershipNoise;
  /** Images per forward pass (default 32). */
  batchSize?: number;
  phase?: string;
}

/**
 * Each image's denoising error: the mean over MEMBERSHIP_TIMESTEPS x MEMBERSHIP_DRAWS of
 * mean((eps_theta(x_t, t, y) - eps)^2), x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps.
 * `images` are in network units, channels-last, as the model takes them.
 */
export async function denoisingErrors(model: DdpmModel, images: readonly ArrayLike<number>[], labels: ArrayLike<number>, options: DenoisingErrorOptions = {}): Promise<Float64Array> {
  const card = model.card;
  const schedule = card.schedule;
  if (!schedule) throw new Error(`${card.id} has no noise schedule: the membership test is for diffusion models`);
  if (labels.length !== images.length) throw new Error(`${images.length} images but ${labels.length} labels`);
  const abar = alphasCumprod(makeBetas(schedule.beta, schedule.steps, { cosineOffset: schedule.cosineOffset, maxBeta: schedule.maxBeta }));
  const shape = card.architecture.inputShape;
  const size = shape.reduce((a, b) => a * b, 1);
  const noise = options.noise ?? seededMembershipNoise(0);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 32));
  const phase = options.phase ?? 'denoising error';
  const pacer = new Pacer(options.signal);
  const out = new Float64Array(images.length);
  const passes = MEMBERSHIP_TIMESTEPS.length * MEMBERSHIP_DRAWS;
  options.onProgress?.({ phase, done: 0, total: images.length });
  for (let start = 0; start < images.length; start += batchSize) {
    const count = Math.min(batchSize, images.length - start);
    const y = Array.from({ length: count }, (_, i) => labels[start + i]!);
    for (let k = 0; k < MEMBERSHIP_TIMESTEPS.length; k++) {
      const t = MEMBERSHIP_TIMESTEPS[k]!;
      if (t >= schedule.steps) throw new Error(`${card.id} has ${schedule.steps} noise levels; the membership test needs t = ${t}`);
      for (let d = 0; d < MEMBERSHIP_DRAWS; d++) {
        await pacer.tick();
        const eps = new Float32Array(count * size);
        const xt = new Float32Array(count * size);
        for (let i = 0; i < count; i++) {
          const image = images[start + i]!;
          if (image.length !== size) throw new Error(`image ${start + i} has ${image.length} values; ${card.id} takes ${shape.join('x')} = ${size}`);
          const e = noise(k * MEMBERSHIP_DRAWS + d, start + i, size);
          eps.set(e, i * size);
          xt.set(noiseTo(image, e, abar[t]!), i * size);
        }
        const errors = tf.tidy(() => {
          const predicted = model.net.predictNoise(tf.tensor(xt, [count, ...shape]), new Array<number>(count).fill(t), y);
          return predicted.sub(tf.tensor(eps, [count, ...shape])).square().reshape([count, size]).mean(1);
        });
        try {
          const values = await errors.data<'float32'>();
          for (let i = 0; i < count; i++) out[start + i] = out[start + i]! + values[i]! / passes;
        } finally {
          errors.dispose();
        }
      }
    }
    options.onProgress?.({ phase, done: start + count, total: images.length });
  }
  return out;
}

export interface AucInterval {
  auc: number;
  low: number;
  high: number;
  /** Training and held-out images scored. */
  n: { train: number; heldout: number };
  roc: RocPoint[];
}

/** AUC that a training image has the lower error, with a percentile-bootstrap interval over both sets. */
export function aucWithInterval(trainErrors: ArrayLike<number>, heldoutErrors: ArrayLike<number>, rng: Rng, resamples = 1000, level = 0.95): AucInterval {
  const auc = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    const scores = new Float64Array(a.length + b.length);
    for (let i = 0; i < a.length; i++) scores[i] = -a[i]!;
    for (let i = 0; i < b.length; i++) scores[a.length + i] = -b[i]!;
    const positive = Array.from(scores, (_, i) => i < a.length);
    return { scores, positive, value: aucBinary(scores, positive) };
  };
  const all = auc(trainErrors, heldoutErrors);
  const draw = (values: ArrayLike<number>) => Float64Array.from({ length: values.length }, () => values[rng.int(values.length)]!);
  const boot: number[] = [];
  for (let r = 0; r < resamples; r++) boot.push(auc(draw(trainErrors), draw(heldoutErrors)).value);
  const tail = ((1 - level) / 2) * 100;
  return {
    auc: all.value,
    low: boot.length ? percentile(boot, tail) : NaN,
    high: boot.length ? percentile(boot, 100 - tail) : NaN,
    n: { train: trainErrors.length, heldout: heldoutErrors.length },
    roc: rocCurve(all.scores, all.positive),
  };
}

export interface MembershipReport {
  model: string;
  timesteps: number[];
  draws: number;
  /** Every held-out image against as many training images with the same class mix. */
  all: AucInterval;
  /** Without the held-out near-copies of training images; null when there are none. */
  dedup: AucInterval | null;
  /** Held-out images closer to a training image than `nearCopyThreshold` (network units, Euclidean). */
  nearCopies: number;
  nearCopyThreshold: number;
  meanError: { train: number; heldout: number };
  /** What to make of it, in words. */
  verdict: string;
  /** Where the split itself limits what the AUC means (held-out records from other patients), or null. */
  caveat: string | null;
}

export interface MembershipOptions extends TaskOptions {
  seed?: number;
  resamples?: number;
  batchSize?: number;
}

/** An AUC and its 95% interval: what a verdict needs (a model card records no more). */
export type AucFigure = Pick<AucInterval, 'auc' | 'low' | 'high'>;

/** In words: whether the interval lies above 0.5, and what that means. */
export function membershipVerdict(all: AucFigure, dedup: AucFigure | null, nearCopies: number): string {
  const worst = dedup && dedup.low > all.low ? dedup : all;
  const say = (a: AucFigure) => `AUC ${a.auc.toFixed(3)} [${a.low.toFixed(3)}, ${a.high.toFixed(3)}]`;
  if (worst.low > 0.5) {
    const strong = worst.auc >= 0.7;
    return (
      `The model tells its own training images from unseen ones (${say(worst)}${worst === dedup ? `, without ${nearCopies} held-out near-copies` : ''}): ` +
      (strong ? 'it has memorised them, and samples may reproduce them.' : 'a weak but real signal of memorisation.')
    );
  }
  return `The model treats training and held-out images alike (${say(all)}; the interval includes 0.5): no sign of memorisation at this sample size.`;
}

/**
 * The test on a reference pack: every held-out image (at most MAX_HELD_OUT), as many training
 * images with the same class mix, both scored; then the same without held-out near-copies.
 */
export async function membershipTest(model: DdpmModel, reference: JudgeReference, options: MembershipOptions = {}): Promise<MembershipReport> {
  const card = model.card;
  const train = reference.train;
  if (!train) throw new Error(`the ${card.dataset} reference pack has no training samples: run \`npm run data\` again`);
  const seed = options.seed ?? 0;
  const rng = new Rng(seed);
  const toNetwork = scalingOf(card).toNetwork;
  const report = (phase: string) => (p: { done: number; total: number }) => options.onProgress?.({ phase, done: p.done, total: p.total });

  let heldRows = Array.from({ length: reference.heldout.samples.length }, (_, i) => i);
  if (heldRows.length > MAX_HELD_OUT) heldRows = rng.choose(heldRows.length, MAX_HELD_OUT).sort((a, b) => a - b);
  const held = subset(reference.heldout, heldRows);
  const trainRows: number[] = [];
  for (let c = 0; c < card.classes.length; c++) {
    const want = held.labels.filter((l) => l === c).length;
    const ofClass: number[] = [];
    for (let i = 0; i < train.labels.length; i++) if (train.labels[i] === c) ofClass.push(i);
    trainRows.push(...rng.choose(ofClass.length, Math.min(want, ofClass.length)).map((i) => ofClass[i]!));
  }
  const member = subset(train, trainRows);

  // near-copies: held-out images nearer a training image than the held-out split's own 1st percentile
  const heldPixels = packRows(held.samples, toNetwork);
  const toTrain = await nearestRows(heldPixels, packRows(train.samples, toNetwork), 1, { ...options, phase: 'held-out images: nearest training image' });
  const within = await nearestRows(heldPixels, heldPixels, 2, { ...options, phase: 'held-out images: nearest other held-out image' });
  const ownNearest = Array.from({ length: heldPixels.rows }, (_, i) => within.distances[2 * i + 1]!); // [0] is the image itself
  const threshold = percentile(ownNearest, 1);
  const isCopy = Array.from(toTrain.distances, (d) => d < threshold);

  const errors = (set: LabelledSamples, phase: string) =>
    denoisingErrors(model, set.samples.map(toNetwork), set.labels, {
      signal: options.signal,
      batchSize: options.batchSize,
      noise: seededMembershipNoise(seed),
      phase,
      onProgress: report(phase),
    });
  const trainErrors = await errors(member, 'denoising error: training images');
  const heldErrors = await errors(held, 'denoising error: held-out images');
  const resamples = options.resamples ?? 1000;
  const all = aucWithInterval(trainErrors, heldErrors, rng, resamples);
  const copies = isCopy.filter(Boolean).length;
  const dedup = copies > 0 && copies < heldErrors.length ? aucWithInterval(trainErrors, heldErrors.filter((_, i) => !isCopy[i]), rng, resamples) : null;
  const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  return {
    model: card.id,
    timesteps: [...MEMBERSHIP_TIMESTEPS],
    draws: MEMBERSHIP_DRAWS,
    all,
    dedup,
    nearCopies: copies,
    nearCopyThreshold: threshold,
    meanError: { train: mean(trainErrors), heldout: mean(heldErrors) },
    verdict: membershipVerdict(all, dedup, copies),
    caveat: (reference.index.processing ?? []).some((step) => /split by patient/i.test(step))
      ? 'Held-out records come from other patients than the training records (the split is by patient), so the test also ' +
        'detects how the patients differ: an AUC above 0.5 says the model knows its training patients, which is itself a ' +
        'privacy signal, not that it copies single records.'
      : null,
  };
}
