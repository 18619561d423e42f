/**
 * The memorisation audit: does the model hand back its training samples?
 *
 * For each generated sample, its k nearest training samples, in pixel space (network input units,
 * Euclidean over all values, as training/medsynth/evaluate.py `memorisation` measures) and in the
 * evaluator's feature space. The distance to the closest training record (DCR) of generated samples
 * is set against that of real held-out samples, which cannot be copies: a generated sample closer to
 * a training sample than the held-out 1st percentile is flagged (the same rule as the Python
 * evaluation: d_gen < np.percentile(d_heldout, 1)). A low median alone means little (smooth,
 * average-looking samples sit near many training samples); copies show as flags.
 */
import type { Matrix } from '../metrics/linalg.js';
import { Pacer } from '../util/pacing.js';
import { median, percentile } from '../util/stats.js';
import { type OverlaidHistogram, overlaidHistograms } from './histograms.js';
import type { TaskOptions } from './tasks.js';

/** Rows of equal length, back to back: samples in pixel space, or features. Matrix is one. */
export interface RowSet {
  rows: number;
  cols: number;
  data: Float32Array | Float64Array;
}

/** Samples (one array each) as one RowSet, optionally mapped to network units first. */
export function packRows(samples: readonly ArrayLike<number>[], map?: (sample: ArrayLike<number>) => ArrayLike<number>): RowSet {
  const first = samples[0];
  const cols = first ? (map ? map(first) : first).length : 0;
  const data = new Float32Array(samples.length * cols);
  samples.forEach((s, i) => {
    const values = map ? map(s) : s;
    if (values.length !== cols) throw new Error(`sample ${i} has ${values.length} values, not ${cols} like the first`);
    data.set(values, i * cols);
  });
  return { rows: samples.length, cols, data };
}

export interface NearestResult {
  /** Per query row, its k nearest reference rows (closest first; ties: lower index first). */
  indices: Int32Array;
  distances: Float64Array;
  k: number;
}

/**
 * The k nearest rows of `reference` for every row of `query` (Euclidean), one query row at a time,
 * yielding to the event loop between rows when a frame's time has passed.
 */
export async function nearestRows(query: RowSet, reference: RowSet, k: number, options: TaskOptions & { phase?: string } = {}): Promise<NearestResult> {
  if (query.cols !== reference.cols) throw new Error(`sample sizes differ: ${query.cols} and ${reference.cols}`);
  const kk = Math.min(k, reference.rows);
  if (kk < 1) throw new Error('the reference set is empty');
  const d = query.cols;
  const indices = new Int32Array(query.rows * kk);
  const distances = new Float64Array(query.rows * kk);
  const pacer = new Pacer(options.signal);
  const phase = options.phase ?? 'nearest neighbours';
  const bestD = new Float64Array(kk);
  const bestI = new Int32Array(kk);
  const q = query.data;
  const r = reference.data;
  options.onProgress?.({ phase, done: 0, total: query.rows });
  for (let i = 0; i < query.rows; i++) {
    await pacer.tick();
    bestD.fill(Infinity);
    bestI.fill(-1);
    const qo = i * d;
    for (let j = 0; j < reference.rows; j++) {
      const ro = j * d;
      let s = 0;
      for (let c = 0; c < d; c++) {
        const diff = q[qo + c]! - r[ro + c]!;
        s += diff * diff;
      }
      if (s < bestD[kk - 1]!) {
        // insert, keeping the list sorted; an equal distance goes after (lower index first)
        let p = kk - 1;
        while (p > 0 && bestD[p - 1]! > s) {
          bestD[p] = bestD[p - 1]!;
          bestI[p] = bestI[p - 1]!;
          p--;
        }
        bestD[p] = s;
        bestI[p] = j;
      }
    }
    for (let m = 0; m < kk; m++) {
      indices[i * kk + m] = bestI[m]!;
      distances[i * kk + m] = Math.sqrt(bestD[m]!);
    }
    options.onProgress?.({ phase, done: i + 1, total: query.rows });
  }
  return { indices, distances, k: kk };
}

export interface Match {
  /** Row of the training set. */
  index: number;
  distance: number;
}

export interface SpaceAudit {
  /** What the distances are measured in. */
  space: string;
  /** Per generated sample, its nearest training samples, closest first. */
  neighbours: Match[][];
  /** Distance of each generated sample to its closest training sample. */
  generatedDcr: number[];
  /** Distance of each held-out sample to its closest training sample. */
  heldoutDcr: number[];
  /** The held-out 1st percentile: generated samples closer than this are flagged. */
  threshold: number;
  /** Generated samples below the threshold. */
  flagged: number[];
  fractionFlagged: number;
  medianGenerated: number;
  medianHeldOut: number;
  /** DCR histograms over shared edges (0 to the largest DCR): [generated, held-out]. */
  histogram: OverlaidHistogram;
  /**
   * Shares of generated and of held-out samples whose closest training sample is under LONE_RATIO
   * of the second closest's distance: a match to one training sample rather than to a region of
   * them. Unlike the threshold, it does not depend on how close the held-out split sits to the
   * training split (BreastMNIST's holds near-copies); the held-out share is its scale.
   */
  lone: { generated: number; heldout: number };
}

/** A "lone" match: the closest training sample under this fraction of the second closest's distance. */
export const LONE_RATIO = 0.5;

/** What the lone-match shares say: more than real data, a held-out split too close to training data to say, or nothing. */
export function loneVerdict(lone: { generated: number; heldout: number }): 'more' | 'blind' | 'alike' {
  if (lone.generated > 2 * lone.heldout + 0.05) return 'more';
  return lone.heldout > 0.1 ? 'blind' : 'alike';
}

/** Share of rows of a k >= 2 nearest-neighbour result whose first distance is under LONE_RATIO of the second. */
export function loneShare(result: NearestResult): number {
  if (result.k < 2) return NaN;
  const rows = result.distances.length / result.k;
  let lone = 0;
  for (let i = 0; i < rows; i++) if (result.distances[i * result.k]! < LONE_RATIO * result.distances[i * result.k + 1]!) lone++;
  return rows ? lone / rows : NaN;
}

export interface MemorisationReport {
  k: number;
  pixel: SpaceAudit;
  /** Null when no features were given. */
  feature: SpaceAudit | null;
  /** Samples flagged in pixel space, the rule of the model cards. */
  flagged: number[];
}

export interface AuditSets {
  generated: RowSet;
  heldout: RowSet;
  train: RowSet;
}

export interface AuditOptions extends TaskOptions {
  /** Training neighbours to keep per generated sample (default 3). */
  k?: number;
  /** Histogram bins (default 20). */
  bins?: number;
  /** The held-out percentile below which generated samples are flagged (default 1). */
  flagPercentile?: number;
  /**
   * Where to keep the held-out rows' nearest training rows from one audit to the next: they depend
   * on the real sets only (and, in pixel space, on the units the rows are in: `pixelUnits`, the
   * generator's scaling). Those found here are used, those searched are added.
   */
  heldout?: { nearest: Map<string, NearestResult>; pixelUnits: string };
}

export const PIXEL_SPACE = 'network input units, Euclidean over all values';

/** Flags and DCR histograms of one space, from the nearest-neighbour results. */
export function summariseSpace(space: string, generated: NearestResult, heldout: NearestResult, bins = 20, flagPercentile = 1, shown = generated.k): SpaceAudit {
  const rows = generated.indices.length / generated.k;
  const neighbours = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: Math.min(shown, generated.k) }, (_, m) => ({ index: generated.indices[i * generated.k + m]!, distance: generated.distances[i * generated.k + m]! })),
  );
  const heldoutDcr = Array.from({ length: heldout.distances.length / heldout.k }, (_, i) => heldout.distances[i * heldout.k]!);
  const generatedDcr = neighbours.map((row) => row[0]?.distance ?? Infinity);
  const held = Array.from(heldoutDcr);
  const threshold = percentile(held, flagPercentile);
  const flagged = generatedDcr.flatMap((d, i) => (d < threshold ? [i] : []));
  const max = Math.max(0, ...generatedDcr.filter(Number.isFinite), ...held.filter(Number.isFinite));
  return {
    space,
    neighbours,
    generatedDcr,
    heldoutDcr: held,
    threshold,
    flagged,
    fractionFlagged: rows ? flagged.length / rows : 0,
    medianGenerated: median(generatedDcr),
    medianHeldOut: median(held),
    histogram: overlaidHistograms([generatedDcr, held], bins, { range: [0, max] }),
    lone: { generated: loneShare(generated), heldout: loneShare(heldout) },
  };
}

/**
 * The audit in pixel space and, given features of all three sets, in feature space. Pixel sets must
 * be in network units for the distances to match the model cards.
 */
export async function memorisationAudit(pixels: AuditSets, features: { generated: Matrix; heldout: Matrix; train: Matrix } | null, options: AuditOptions = {}): Promise<MemorisationReport> {
  const k = options.k ?? 3;
  const bins = options.bins ?? 20;
  const flagPercentile = options.flagPercentile ?? 1;
  const spaces: [string, AuditSets][] = [['pixel', pixels]];
  if (features) spaces.push(['feature', features]);
  const total = spaces.reduce((n, [, s]) => n + s.generated.rows + s.heldout.rows, 0);
  let before = 0;
  const results: SpaceAudit[] = [];
  for (const [name, sets] of spaces) {
    const progress = (phase: string, offset: number) => (p: { done: number }) =>
      options.onProgress?.({ phase, done: before + offset + p.done, total });
    // at least two neighbours each: the lone-match share compares the closest with the second closest
    const gen = await nearestRows(sets.generated, sets.train, Math.max(k, 2), {
      signal: options.signal,
      onProgress: progress(`nearest training samples of generated samples, ${name} space`, 0),
    });
    const key = name === 'pixel' ? `pixel, ${options.heldout?.pixelUnits}` : name;
    const held =
      options.heldout?.nearest.get(key) ??
      (await nearestRows(sets.heldout, sets.train, 2, {
        signal: options.signal,
        onProgress: progress(`nearest training samples of held-out samples, ${name} space`, sets.generated.rows),
      }));
    options.heldout?.nearest.set(key, held);
    before += sets.generated.rows + sets.heldout.rows;
    const space = name === 'pixel' ? PIXEL_SPACE : `evaluator features (${sets.train.cols} dims), Euclidean`;
    results.push(summariseSpace(space, gen, held, bins, flagPercentile, k));
  }
  const pixel = results[0]!;
  return { k, pixel, feature: results[1] ?? null, flagged: pixel.flagged };
}
