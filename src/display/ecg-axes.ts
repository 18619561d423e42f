/**
 * ECG paper: the standard 25 mm/s, 10 mm/mV chart, where one small square is 40 ms by 0.1 mV and
 * every fifth line (200 ms, 0.5 mV) is heavier. Pure functions that place the grid lines; the
 * components draw them.
 */

export const PAPER = {
  minorMs: 40,
  majorMs: 200,
  minorMv: 0.1,
  majorMv: 0.5,
  /** Major squares per minor: every fifth line is heavy. */
  perMajor: 5,
} as const;

export interface GridLine {
  value: number;
  major: boolean;
}

export interface VoltRange {
  minMv: number;
  maxMv: number;
}

export interface EcgAxes extends VoltRange {
  /** Time of the first and last sample, in ms (from the R peak when the window says where it is). */
  startMs: number;
  endMs: number;
  time: GridLine[];
  volt: GridLine[];
}

/** Beyond this a beat is off any ECG chart (and a model's output is noise): traces are clipped here. */
export const LIMIT_MV = 4;

/**
 * The voltage range that holds every sample, widened to whole major squares (0.5 mV) and to at
 * least `minSpan` mV, so a flat trace still sits on a readable chart, and never beyond +-4 mV.
 */
export function voltRange(samples: readonly ArrayLike<number>[], minSpan = 1.5): VoltRange {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of samples) {
    for (let i = 0; i < s.length; i++) {
      const v = s[i]!;
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (lo > hi) [lo, hi] = [-0.5, 1];
  const grow = Math.max(0, minSpan - (hi - lo)) / 2;
  const major = PAPER.majorMv;
  return {
    minMv: Math.max(-LIMIT_MV, Math.floor((lo - grow) / major) * major),
    maxMv: Math.min(LIMIT_MV, Math.ceil((hi + grow) / major) * major),
  };
}

/**
 * The grid for `length` samples at `sampleRateHz`, the first at `startMs`. Lines sit on multiples
 * of 40 ms and 0.1 mV from zero, so 0 ms (the R peak) and 0 mV are always heavy lines.
 */
export function ecgAxes(length: number, sampleRateHz: number, startMs: number, range: VoltRange): EcgAxes {
  const endMs = startMs + ((length - 1) * 1000) / sampleRateHz;
  const lines = (from: number, to: number, step: number) => {
    const out: GridLine[] = [];
    // integer steps, so that 0.1 mV x 5 is exactly a major line
    for (let k = Math.ceil(from / step - 1e-9); k <= Math.floor(to / step + 1e-9); k++) {
      out.push({ value: Number((k * step).toFixed(6)), major: k % PAPER.perMajor === 0 });
    }
    return out;
  };
  return {
    startMs,
    endMs,
    ...range,
    time: lines(startMs, endMs, PAPER.minorMs),
    volt: lines(range.minMv, range.maxMv, PAPER.minorMv),
  };
}

/** Where the window starts relative to the R peak, from the card's or the pack's window. */
export function windowStartMs(window: { before?: number } | undefined, sampleRateHz: number): number {
  return window?.before ? -(window.before * 1000) / sampleRateHz : 0;
}
