/**
 * ECG beat preparation for the data step (mitbih.ts): baseline-wander removal,
 * AAMI beat classes, and fixed windows around annotated R peaks. It uses no
 * Node APIs, so the page could apply it to a user's own recording one day.
 */

/** AAMI EC57 heartbeat classes, as grouped by de Chazal et al. (2004). */
export const AAMI_CLASSES = ['N', 'S', 'V', 'F', 'Q'] as const;
export type AamiClass = (typeof AAMI_CLASSES)[number];

export const AAMI_NAMES: Record<AamiClass, string> = {
  N: 'normal and bundle-branch-block beats',
  S: 'supraventricular ectopic beats',
  V: 'ventricular ectopic beats',
  F: 'fusion of ventricular and normal beats',
  Q: 'paced and unclassifiable beats',
};

const AAMI_OF_SYMBOL: Record<string, AamiClass> = {
  N: 'N', L: 'N', R: 'N', e: 'N', j: 'N',
  A: 'S', a: 'S', J: 'S', S: 'S',
  V: 'V', E: 'V',
  F: 'F',
  '/': 'Q', f: 'Q', Q: 'Q',
};

/** The AAMI class of an MIT-BIH beat symbol, or null for symbols outside the grouping. */
export function aamiClass(symbol: string): AamiClass | null {
  return AAMI_OF_SYMBOL[symbol] ?? null;
}

/**
 * Running median with a window of `width` samples (odd), shrinking at the
 * ends. Keeps the window sorted, so each step costs a binary search and a
 * short copy rather than a sort.
 */
export function medianFilter(x: Float32Array, width: number): Float32Array {
  if (width < 1 || width % 2 === 0) throw new Error(`median filter width must be odd and positive, got ${width}`);
  const half = (width - 1) / 2;
  const out = new Float32Array(x.length);
  const window = new Float64Array(width + 1);
  let size = 0;
  const insert = (value: number) => {
    const at = lowerBound(window, size, value);
    window.copyWithin(at + 1, at, size);
    window[at] = value;
    size += 1;
  };
  const remove = (value: number) => {
    const at = lowerBound(window, size, value);
    window.copyWithin(at, at + 1, size);
    size -= 1;
  };
  for (let i = 0; i < Math.min(half, x.length); i++) insert(x[i]!);
  for (let i = 0; i < x.length; i++) {
    if (i + half < x.length) insert(x[i + half]!);
    if (i - half - 1 >= 0) remove(x[i - half - 1]!);
    out[i] = size % 2 === 1 ? window[(size - 1) / 2]! : (window[size / 2 - 1]! + window[size / 2]!) / 2;
  }
  return out;
}

function lowerBound(sorted: Float64Array, size: number, value: number): number {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The odd number of samples closest to `ms` milliseconds. */
function oddWidth(ms: number, sampleRateHz: number): number {
  return 2 * Math.round(((ms / 1000) * sampleRateHz) / 2) + 1;
}

/**
 * Removes baseline wander with two median filters, 200 ms then 600 ms wide,
 * as de Chazal et al. (2004) did: the first removes QRS complexes and P
 * waves, the second T waves; what is left is the baseline.
 */
export function removeBaseline(x: Float32Array, sampleRateHz: number): Float32Array {
  const baseline = medianFilter(medianFilter(x, oddWidth(200, sampleRateHz)), oddWidth(600, sampleRateHz));
  return x.map((value, i) => value - baseline[i]!);
}

export interface BeatWindow {
  /** Samples before the annotated R peak. */
  before: number;
  /** Samples from the R peak on (the peak included). */
  after: number;
}

/**
 * Cuts one window per beat. Beats whose window would leave the recording are
 * skipped. Returns the windows back to back and the indices of the beats kept.
 */
export function cutBeats(
  signal: Float32Array,
  peaks: number[],
  window: BeatWindow,
): { beats: Float32Array; kept: number[] } {
  const length = window.before + window.after;
  const kept = peaks.flatMap((peak, i) =>
    peak - window.before >= 0 && peak + window.after <= signal.length ? [i] : [],
  );
  const beats = new Float32Array(kept.length * length);
  kept.forEach((i, row) => {
    const start = peaks[i]! - window.before;
    beats.set(signal.subarray(start, start + length), row * length);
  });
  return { beats, kept };
}
