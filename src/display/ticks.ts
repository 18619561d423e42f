/**
 * Axis ticks a reader can take in at a glance: steps of 1, 2 or 5 times a power of ten, the same
 * rule as d3's ticks, but the ticks reach past both ends of the range so a chart can use the first
 * and last as its axis limits. Pure; the charts (src/components/judge-charts.ts) draw them.
 */

/**
 * About `count` evenly spaced ticks from a multiple of the step at or below `lo` to one at or above
 * `hi`. With `count` >= 3 there are always at least 3: the step is at most about 1.6 times
 * (hi - lo) / count, so at least 2 steps fit. An empty range is widened to [lo, lo + |lo|] (to
 * [0, 1] at 0), and a range with no finite end becomes [0, 1].
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) hi = lo + (lo === 0 ? 1 : Math.abs(lo));
  const step = niceStep((hi - lo) / Math.max(1, count));
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  // printed to the step's decimals, so 3 x 0.1 reads 0.3 (not 0.30000000000000004)
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toFixed(Math.min(decimals, 100))) || 0);
  return ticks;
}

/** The step of 1, 2, 5 or 10 times a power of ten closest (on a log scale) to `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  return factor * power;
}
