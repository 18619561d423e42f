/**
 * Histograms for the judge's charts, with numpy's definitions so that the browser's figures and the
 * Python evaluation agree: `histogram` is np.histogram (bins closed on the left, the last also on
 * the right; values outside the edges are not counted).
 */
import { percentile } from '../util/stats.js';

/** `bins` equal bins from `min` to `max` (np.linspace(min, max, bins + 1)). */
export function linearEdges(min: number, max: number, bins: number): Float64Array {
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`a histogram needs at least one bin, not ${bins}`);
  if (!(max > min)) max = min + 1; // one value everywhere: a unit-wide range around it
  return Float64Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + ((max - min) * i) / bins));
}

/** np.histogram(values, bins=edges)[0]: counts per bin. */
export function histogram(values: ArrayLike<number>, edges: ArrayLike<number>): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(Math.max(bins, 0)).fill(0);
  if (bins < 1) return counts;
  const first = edges[0]!;
  const last = edges[bins]!;
  for (let k = 0; k < values.length; k++) {
    const x = values[k]!;
    if (!(x >= first && x <= last)) continue;
    // the last edge i with edges[i] <= x
    let lo = 0;
    let hi = bins;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (edges[mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    counts[Math.min(lo, bins - 1)]! += 1;
  }
  return counts;
}

export interface OverlaidHistogram {
  /** bins + 1 edges, shared by every set. */
  edges: number[];
  /** Per set, the fraction of its values in each bin (sums to 1 less what fell outside the edges). */
  fractions: number[][];
  /** Per set, the counts. */
  counts: number[][];
  /** Per set, how many values it had (NaN and infinite values are left out). */
  totals: number[];
}

/**
 * Histograms of several sets over shared edges, as fractions so that sets of different sizes
 * overlay. The range is that of all finite values, or, with `clip` (a percentage), from the
 * clip-th to the (100 - clip)-th percentile of all values pooled, so that a few outliers do not
 * squeeze everyone else into one bin; `range` fixes it outright.
 */
export function overlaidHistograms(
  sets: ArrayLike<number>[],
  bins: number,
  options: { clip?: number; range?: [number, number] } = {},
): OverlaidHistogram {
  const finite = sets.map((set) => Float64Array.from(set).filter((v) => Number.isFinite(v)));
  const pooled = new Float64Array(finite.reduce((n, set) => n + set.length, 0));
  let offset = 0;
  for (const set of finite) {
    pooled.set(set, offset);
    offset += set.length;
  }
  let range = options.range;
  if (!range) {
    if (pooled.length === 0) range = [0, 1];
    else if (options.clip) range = [percentile(pooled, options.clip), percentile(pooled, 100 - options.clip)];
    else range = [pooled.reduce((a, b) => Math.min(a, b), Infinity), pooled.reduce((a, b) => Math.max(a, b), -Infinity)];
  }
  const edges = linearEdges(range[0], range[1], bins);
  const counts = finite.map((set) => histogram(set, edges));
  return {
    edges: [...edges],
    counts,
    fractions: counts.map((c, i) => c.map((n) => (finite[i]!.length ? n / finite[i]!.length : 0))),
    totals: finite.map((set) => set.length),
  };
}
