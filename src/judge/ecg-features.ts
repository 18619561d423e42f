/**
 * Heart-rate-independent features of one ECG beat, for setting generated beats against real beats
 * of the same class. A beat is 256 samples of lead MLII at 360 Hz in mV, with the annotated R peak
 * at sample 90 (data/mitbih/index.json: window 90 before, 166 from the peak). None of the features
 * uses the RR interval: each depends on the beat's shape only.
 *
 *   QRS onset and offset: from the slope of the beat, lightly smoothed (3-sample moving average;
 *     slope = central difference, mV per sample). The steepest slope within the QRS search window
 *     (R - 80 ms to R + 120 ms) sets a threshold, 5% of it. From the outermost samples of that
 *     window whose slope exceeds 30% of the steepest, walk outwards until three samples in a row
 *     (about 8 ms) are below the threshold: the first of those quiet samples is the onset (walking
 *     left) or the offset, the J point (walking right). Searches stop at R - 150 ms and R + 200 ms.
 *   baseline: the median of the 30 ms before the QRS onset (the PR segment, isoelectric).
 *   R amplitude (mV): the largest value above the baseline within 50 ms of the R peak.
 *   QRS width (ms): offset - onset.
 *   ST level (mV): the mean of (value - baseline) over J + 60 ms +- 10 ms.
 */
import { median } from '../util/stats.js';
import { type OverlaidHistogram, overlaidHistograms } from './histograms.js';

export interface BeatGeometry {
  /** Samples per second (360). */
  sampleRateHz: number;
  /** Index of the annotated R peak (90). */
  rIndex: number;
}

export const MITBIH_BEAT: BeatGeometry = { sampleRateHz: 360, rIndex: 90 };

export interface BeatFeatures {
  rAmplitudeMv: number;
  qrsWidthMs: number;
  stLevelMv: number;
  baselineMv: number;
  /** Sample indices of the QRS onset and offset (J point). */
  onset: number;
  offset: number;
}

export const FEATURE_NAMES = ['rAmplitudeMv', 'qrsWidthMs', 'stLevelMv'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export const FEATURE_LABELS: Record<FeatureName, { label: string; unit: string }> = {
  rAmplitudeMv: { label: 'R amplitude', unit: 'mV' },
  qrsWidthMs: { label: 'QRS width', unit: 'ms' },
  stLevelMv: { label: 'ST level (J + 60 ms)', unit: 'mV' },
};

const QUIET_RUN = 3;

export function beatFeatures(beat: ArrayLike<number>, geometry: BeatGeometry = MITBIH_BEAT): BeatFeatures {
  const n = beat.length;
  const { sampleRateHz, rIndex } = geometry;
  if (n < 8) throw new Error(`a beat of ${n} samples is too short`);
  if (rIndex < 0 || rIndex >= n) throw new Error(`the R peak index ${rIndex} is outside the ${n} samples`);
  const ms = (m: number) => Math.round((m * sampleRateHz) / 1000);
  const clampIndex = (i: number) => Math.max(0, Math.min(n - 1, i));

  // 3-sample moving average, then |central difference|
  const smooth = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = beat[Math.max(0, i - 1)]!;
    const b = beat[i]!;
    const c = beat[Math.min(n - 1, i + 1)]!;
    smooth[i] = (a + b + c) / 3;
  }
  const slope = new Float64Array(n);
  for (let i = 1; i < n - 1; i++) slope[i] = Math.abs(smooth[i + 1]! - smooth[i - 1]!) / 2;

  const steepFrom = clampIndex(rIndex - ms(80));
  const steepTo = clampIndex(rIndex + ms(120));
  let steepest = 0;
  for (let i = steepFrom; i <= steepTo; i++) steepest = Math.max(steepest, slope[i]!);
  const quiet = Math.max(0.05 * steepest, 1e-6);
  const steep = 0.3 * steepest;
  let first = rIndex;
  let last = rIndex;
  for (let i = steepFrom; i <= steepTo; i++) {
    if (slope[i]! >= steep) {
      first = Math.min(first, i);
      last = Math.max(last, i);
    }
  }
  const leftLimit = clampIndex(rIndex - ms(150));
  const rightLimit = clampIndex(rIndex + ms(200));
  let onset = leftLimit;
  for (let i = first; i - (QUIET_RUN - 1) >= leftLimit; i--) {
    if (slope[i]! < quiet && slope[i - 1]! < quiet && slope[i - 2]! < quiet) {
      onset = i;
      break;
    }
  }
  let offset = rightLimit;
  for (let i = last; i + (QUIET_RUN - 1) <= rightLimit; i++) {
    if (slope[i]! < quiet && slope[i + 1]! < quiet && slope[i + 2]! < quiet) {
      offset = i;
      break;
    }
  }

  const pr: number[] = [];
  for (let i = Math.max(0, onset - ms(30)); i < onset; i++) pr.push(beat[i]!);
  const baseline = pr.length ? median(pr) : beat[onset]!;

  let rAmplitude = -Infinity;
  for (let i = clampIndex(rIndex - ms(50)); i <= clampIndex(rIndex + ms(50)); i++) rAmplitude = Math.max(rAmplitude, beat[i]! - baseline);

  const st = offset + ms(60);
  let sum = 0;
  let count = 0;
  for (let i = clampIndex(st - ms(10)); i <= clampIndex(st + ms(10)); i++) {
    sum += beat[i]! - baseline;
    count += 1;
  }
  return {
    rAmplitudeMv: rAmplitude,
    qrsWidthMs: ((offset - onset) * 1000) / sampleRateHz,
    stLevelMv: sum / count,
    baselineMv: baseline,
    onset,
    offset,
  };
}

/** Features of every beat, as one array per feature. */
export function featureColumns(beats: readonly ArrayLike<number>[], geometry: BeatGeometry = MITBIH_BEAT): Record<FeatureName, number[]> {
  const out: Record<FeatureName, number[]> = { rAmplitudeMv: [], qrsWidthMs: [], stLevelMv: [] };
  for (const beat of beats) {
    const f = beatFeatures(beat, geometry);
    for (const name of FEATURE_NAMES) out[name].push(f[name]);
  }
  return out;
}

export interface FeatureComparison {
  name: FeatureName;
  label: string;
  unit: string;
  /** [generated, real] over shared edges. */
  histogram: OverlaidHistogram;
  medians: { generated: number; real: number };
}

/**
 * Generated beats against real beats (of the same class) feature by feature: overlaid histograms
 * over shared edges (the 1st to 99th percentile of both sets pooled, so a few wild beats do not
 * squeeze the rest into one bin), and the medians.
 */
export function compareBeatFeatures(
  generated: readonly ArrayLike<number>[],
  real: readonly ArrayLike<number>[],
  options: { bins?: number; geometry?: BeatGeometry } = {},
): FeatureComparison[] {
  const g = featureColumns(generated, options.geometry);
  const r = featureColumns(real, options.geometry);
  return FEATURE_NAMES.map((name) => ({
    name,
    ...FEATURE_LABELS[name],
    histogram: overlaidHistograms([g[name], r[name]], options.bins ?? 16, { clip: 1 }),
    medians: { generated: median(g[name]), real: median(r[name]) },
  }));
}
