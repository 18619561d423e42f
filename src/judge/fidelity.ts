/**
 * Fidelity and diversity of generated samples in the evaluator's feature space, beside the same
 * figures for real training versus real held-out data so the numbers have a scale:
 *
 *   Frechet distance (FD) and kernel distance (KID), each with a bootstrap confidence interval:
 *   both sets are resampled with replacement (seeded), the distance is recomputed on every
 *   resample, and the interval is the estimate +- 1.96 times the resamples' standard deviation
 *   (the normal bootstrap interval). Not their percentiles: a resample repeats rows, which biases
 *   the Frechet distance upwards, so percentiles of the resamples can lie wholly above the estimate
 *   (seen on BreastMNIST's real-vs-real). The estimate is the distance on the full sets; an FD
 *   interval stops at 0, where the distance does.
 *   Precision, recall, density and coverage (Naeem et al. 2020, k = 5).
 * Both distances are src/metrics/frechet.ts's (its eigendecomposition is quick enough for a
 * bootstrap of a hundred resamples).
 *
 * As in training/evaluate.py, the sets are a class-balanced mix: for each class, as many samples
 * from each set as the smallest of the three has (generated, held-out, training), and a class with
 * fewer than 20 (or fewer than were generated per class, if that is less) is left out.
 */
import { type ExtrapolatedFrechet, extrapolationSizes, frechetDistance, frechetExtrapolated } from '../metrics/frechet.js';
import type { Matrix } from '../metrics/linalg.js';
import { type Prdc, prdc } from '../metrics/neighbours.js';
import { Pacer } from '../util/pacing.js';
import { selectRows } from './features.js';
import { Rng } from '../util/random.js';
import { normalQuantile, standardDeviation } from '../util/stats.js';
import type { TaskOptions } from './tasks.js';

/** training/evaluate.py MIN_CLASS_COUNT: classes with fewer held-out samples are left out. */
export const MIN_CLASS_COUNT = 20;

/**
 * Below this many samples in the smaller set, a distance is flagged `tooSmall`. KID is unbiased
 * but its spread is wide below about 50 samples; the Frechet distance fits a d x d covariance to
 * each set, and its bias grows like d / n, so with d = 64 features it needs well over d samples
 * (with n <= d the covariance is singular). The rule: n < max(50, 2 d).
 */
export function minTrustedSamples(featureDim: number): number {
  return Math.max(50, 2 * featureDim);
}

export interface Interval {
  /** The figure on the full sets. */
  estimate: number;
  /** The bootstrap interval's ends. */
  low: number;
  high: number;
  /** Resamples drawn, and the interval's coverage (0.95). */
  resamples: number;
  level: number;
}

export interface SetComparison {
  /** Samples in each set: a is the one compared (generated, or real training), b the held-out. */
  sizes: { a: number; b: number };
  frechet: Interval;
  /**
   * FD with its 1 / N bias extrapolated away (src/metrics/frechet.ts frechetExtrapolated), over five
   * sizes from half the smaller set to all of it, rows in a seeded random order; null below 8 rows.
   */
  frechetInfinity: ExtrapolatedFrechet | null;
  kid: Interval;
  /** Null when a set has too few samples for k nearest neighbours. */
  prdc: Prdc | null;
  /** The smaller set is below minTrustedSamples(featureDim). */
  tooSmall: boolean;
}

export interface FidelityReport {
  /** The feature space, in words ("independent features: features-grey28", "the evaluator's features: xray-classifier"). */
  space: string;
  /** Names of the classes in the mix, and how many samples of each (per set). */
  classes: string[];
  /** Samples of each class in the mix, the same for every set. */
  perClass: number[];
  featureDim: number;
  minTrusted: number;
  generatedVsHeldOut: SetComparison;
  /** The same, for real training versus real held-out data: the scale of the figures. */
  trainVsHeldOut: SetComparison | null;
  /** In words, what to make of the sizes. */
  warnings: string[];
}

export interface LabelledFeatures {
  features: Matrix;
  /** Class of each row: the requested class for generated samples, the label for real ones. */
  labels: ArrayLike<number>;
}

export interface FidelityOptions extends TaskOptions {
  classes: readonly string[];
  /** What the features are, in words, for the report (default "the evaluator's features"). */
  space?: string;
  /** Bootstrap resamples (default 100; 50 to 200 is sensible). */
  resamples?: number;
  seed?: number;
  /** k of precision, recall, density and coverage (default 5). */
  k?: number;
  /** Interval coverage (default 0.95). */
  level?: number;
  /**
   * Real training vs held-out comparisons made before on these same real feature sets, by the
   * rows and settings each used: the one this call needs is taken from here when there, and added
   * when not. Its bootstrap costs as much as the generated one and depends on real data only, so
   * the caller keeps this with the real features (src/judge/audit.ts RealOutputs).
   */
  realComparisons?: Map<string, SetComparison>;
}

/**
 * Which rows of each set form the class-balanced mix (training/evaluate.py, step 4): per class,
 * k = min(generated, held-out, training) of that class, chosen at random (seeded) without
 * replacement; classes with k below min(MIN_CLASS_COUNT, generated per class) are left out.
 * With no training set, k = min(generated, held-out).
 */
export function balancedSelection(
  sets: { generated: ArrayLike<number>; heldout: ArrayLike<number>; train?: ArrayLike<number> | null },
  numClasses: number,
  seed = 0,
): { classes: number[]; perClass: number[]; generated: number[]; heldout: number[]; train: number[] } {
  const rng = new Rng(seed);
  const ofClass = (labels: ArrayLike<number>, c: number) => {
    const out: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) out.push(i);
    return out;
  };
  const generatedPerClass = Math.max(0, ...Array.from({ length: numClasses }, (_, c) => ofClass(sets.generated, c).length));
  const out = { classes: [] as number[], perClass: [] as number[], generated: [] as number[], heldout: [] as number[], train: [] as number[] };
  for (let c = 0; c < numClasses; c++) {
    const g = ofClass(sets.generated, c);
    const h = ofClass(sets.heldout, c);
    const t = sets.train ? ofClass(sets.train, c) : null;
    const k = Math.min(g.length, h.length, t ? t.length : Infinity);
    if (k < Math.min(MIN_CLASS_COUNT, generatedPerClass) || k === 0) continue;
    const pick = (rows: number[]) => rng.choose(rows.length, k).map((i) => rows[i]!);
    out.classes.push(c);
    out.perClass.push(k);
    out.generated.push(...pick(g));
    out.heldout.push(...pick(h));
    if (t) out.train.push(...pick(t));
  }
  return out;
}

/**
 * The kernel of KID, (x.y / d + 1)^3, between every row of `x` and every row of `y`, once: a bootstrap
 * resample's KID is then sums over these (kidOfResample), not a fresh O(n^2 d) computation.
 */
export function polynomialKernel(x: Matrix, y: Matrix): Float64Array {
  const d = x.cols;
  const out = new Float64Array(x.rows * y.rows);
  for (let i = 0; i < x.rows; i++) {
    const xo = i * d;
    for (let j = 0; j < y.rows; j++) {
      const yo = j * d;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += x.data[xo + k]! * y.data[yo + k]!;
      out[i * y.rows + j] = (dot / d + 1) ** 3;
    }
  }
  return out;
}

/**
 * kernelDistance(selectRows(a, ia), selectRows(b, ib)) (src/metrics/frechet.ts) from the precomputed kernels: the unbiased
 * MMD^2 over positions (a row drawn twice counts as two samples, as in the resampled matrix).
 */
export function kidOfResample(kaa: Float64Array, kbb: Float64Array, kab: Float64Array, na: number, nb: number, ia: ArrayLike<number>, ib: ArrayLike<number>): number {
  const within = (k: Float64Array, n: number, idx: ArrayLike<number>) => {
    let sum = 0;
    for (let p = 0; p < idx.length; p++) {
      const row = idx[p]! * n;
      for (let q = 0; q < idx.length; q++) if (p !== q) sum += k[row + idx[q]!]!;
    }
    return sum / (idx.length * (idx.length - 1));
  };
  let across = 0;
  for (let p = 0; p < ia.length; p++) {
    const row = ia[p]! * nb;
    for (let q = 0; q < ib.length; q++) across += kab[row + ib[q]!]!;
  }
  return within(kaa, na, ia) + within(kbb, nb, ib) - (2 * across) / (ia.length * ib.length);
}

/** FD and KID with normal bootstrap intervals, and PRDC, between feature sets a and b. */
export async function compareSets(a: Matrix, b: Matrix, options: Omit<FidelityOptions, 'classes'> & { phase?: string } = {}): Promise<SetComparison> {
  const resamples = Math.max(0, Math.floor(options.resamples ?? 100));
  const level = options.level ?? 0.95;
  const k = options.k ?? 5;
  const rng = new Rng(options.seed ?? 0);
  const pacer = new Pacer(options.signal);
  const phase = options.phase ?? 'bootstrap';
  if (a.cols !== b.cols) throw new Error(`feature sizes differ: ${a.cols} and ${b.cols}`);
  if (a.rows < 2 || b.rows < 2) throw new Error('the kernel distance needs at least two samples in each set');
  const frechet = frechetDistance(a, b);
  await pacer.tick();
  const n = Math.min(a.rows, b.rows);
  const frechetInfinity = n >= 8 ? frechetExtrapolated(selectRows(a, rng.permutation(a.rows)), selectRows(b, rng.permutation(b.rows)), extrapolationSizes(n)) : null;
  await pacer.tick();
  // the kernels once; every KID (the estimate too) is then sums over them
  const kaa = polynomialKernel(a, a);
  await pacer.tick();
  const kbb = polynomialKernel(b, b);
  await pacer.tick();
  const kab = polynomialKernel(a, b);
  const identity = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
  const kid = kidOfResample(kaa, kbb, kab, a.rows, b.rows, identity(a.rows), identity(b.rows));
  const fds: number[] = [];
  const kids: number[] = [];
  options.onProgress?.({ phase, done: 0, total: resamples });
  for (let r = 0; r < resamples; r++) {
    await pacer.tick();
    const ia = Int32Array.from({ length: a.rows }, () => rng.int(a.rows));
    const ib = Int32Array.from({ length: b.rows }, () => rng.int(b.rows));
    fds.push(frechetDistance(selectRows(a, ia), selectRows(b, ib)));
    kids.push(kidOfResample(kaa, kbb, kab, a.rows, b.rows, ia, ib));
    options.onProgress?.({ phase, done: r + 1, total: resamples });
  }
  const z = normalQuantile(1 - (1 - level) / 2);
  // a Frechet distance is never below zero; a kernel distance (unbiased) can be
  const interval = (estimate: number, values: number[], floor = -Infinity): Interval => {
    const sd = standardDeviation(values);
    return { estimate, low: Math.max(floor, estimate - z * sd), high: estimate + z * sd, resamples, level };
  };
  await pacer.tick();
  return {
    sizes: { a: a.rows, b: b.rows },
    frechet: interval(frechet, fds, 0),
    frechetInfinity,
    kid: interval(kid, kids),
    prdc: a.rows > k && b.rows > k ? prdc(b, a, k) : null,
    tooSmall: Math.min(a.rows, b.rows) < minTrustedSamples(a.cols),
  };
}

/**
 * Generated vs held-out and real training vs held-out, on the class-balanced mix, with bootstrap
 * intervals (the two comparisons draw from different seeds, each fixed by `seed`).
 */
export async function fidelity(
  sets: { generated: LabelledFeatures; heldout: LabelledFeatures; train?: LabelledFeatures | null },
  options: FidelityOptions,
): Promise<FidelityReport> {
  const numClasses = options.classes.length;
  const seed = options.seed ?? 0;
  const pick = balancedSelection(
    { generated: sets.generated.labels, heldout: sets.heldout.labels, train: sets.train?.labels ?? null },
    numClasses,
    seed,
  );
  const featureDim = sets.generated.features.cols;
  const minTrusted = minTrustedSamples(featureDim);
  if (pick.classes.length === 0) {
    throw new Error(`no class has enough samples in every set to compare (at least ${MIN_CLASS_COUNT}, or as many as were generated per class)`);
  }
  const onProgress = options.onProgress;
  const total = 2 * (options.resamples ?? 100);
  const generated = selectRows(sets.generated.features, pick.generated);
  const heldout = selectRows(sets.heldout.features, pick.heldout);
  const generatedVsHeldOut = await compareSets(generated, heldout, {
    ...options,
    seed: seed + 1,
    onProgress: (p) => onProgress?.({ phase: 'bootstrap: generated vs held-out', done: p.done, total }),
  });
  let trainVsHeldOut: SetComparison | null = null;
  if (sets.train && pick.train.length) {
    // everything the comparison depends on, beside the real features themselves
    const key = [pick.train.join(), pick.heldout.join(), seed, options.resamples ?? 100, options.k ?? 5, options.level ?? 0.95].join('|');
    trainVsHeldOut = options.realComparisons?.get(key) ?? null;
    if (!trainVsHeldOut) {
      trainVsHeldOut = await compareSets(selectRows(sets.train.features, pick.train), heldout, {
        ...options,
        seed: seed + 2,
        onProgress: (p) => onProgress?.({ phase: 'bootstrap: real training vs held-out', done: total / 2 + p.done, total }),
      });
      options.realComparisons?.set(key, trainVsHeldOut);
    }
  }
  const warnings: string[] = [];
  const n = pick.generated.length;
  if (generatedVsHeldOut.tooSmall) {
    warnings.push(
      `Only ${n} samples per set (${pick.perClass.join(' + ')} over ${pick.classes.length} classes): below ${minTrusted}, ` +
        `the Frechet distance in ${featureDim} dimensions is biased upwards and unstable; read the intervals, and compare ` +
        'with the real-vs-real figure measured on as many samples.',
    );
  }
  const left = options.classes.filter((_, c) => !pick.classes.includes(c));
  if (left.length) warnings.push(`Left out (too few samples in some set): ${left.join(', ')}.`);
  return {
    space: options.space ?? "the evaluator's features",
    classes: pick.classes.map((c) => options.classes[c]!),
    perClass: pick.perClass,
    featureDim,
    minTrusted,
    generatedVsHeldOut,
    trainVsHeldOut,
    warnings,
  };
}
