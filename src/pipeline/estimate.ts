/**
 * How long a run will take on this machine, from passes of the network timed on it: one timed when
 * a model loads (at its default batch), then every finished run's own. Pure, no tfjs.
 *
 * A run is `passes` forward passes of a batch of `rows`: a diffusion run one pass per step, of
 * count rows, or 2 x count under classifier-free guidance (a conditional and an unconditional
 * half); a VAE or a GAN one pass of count rows; an AR model one cached position per token. The estimate scales the timing whose batch is nearest,
 * linearly in rows: right on a CPU backend, where work grows with the batch, and an overestimate
 * on a GPU, where a larger batch costs less than in proportion. It says "about", never "exactly".
 */
import type { GeneratorMethod } from '../models/card.js';
import type { Settings } from './settings.js';

/** One forward pass of `rows` batch rows, timed: `ms` milliseconds. */
export interface PassTime {
  rows: number;
  ms: number;
}

/** The work of a run: `passes` passes of `rows` rows each. */
export interface RunWork {
  passes: number;
  rows: number;
}

/** A run that would take longer than this is worth a word before it starts (and a link's is held). */
export const LONG_RUN_MS = 30_000;
/**
 * A run this quick here is live: the page regenerates as a control moves, so a person sees the
 * samples follow the guidance, eta, steps, temperature, truncation or seed (a real GPU with the
 * compiled plans; a software GPU or the CPU stays with the Generate button).
 */
export const LIVE_RUN_MS = 100;
/** What smaller settings aim for: a first look that comes back quickly. */
export const QUICK_RUN_MS = 10_000;

/**
 * The passes and batch rows of a run of `method` with `settings`. An autoregressive model's pass
 * is one cached position of the transformer, `tokens` of them a run (twice the rows when guided);
 * its one decode at the end is left out, as small beside them.
 */
export function runWork(method: GeneratorMethod, settings: Pick<Settings, 'count' | 'steps' | 'guidance'>, tokens = 0): RunWork {
  if (method === 'ar') return { passes: tokens, rows: settings.count * (settings.guidance !== 1 ? 2 : 1) };
  if (method !== 'ddpm') return { passes: 1, rows: settings.count };
  const guided = settings.guidance !== 0 && settings.guidance !== 1;
  return { passes: settings.steps, rows: settings.count * (guided ? 2 : 1) };
}

/** Milliseconds for `work`, from the timing nearest in batch size; null without one. */
export function estimateMs(times: readonly PassTime[], work: RunWork): number | null {
  const usable = times.filter((t) => t.rows > 0 && Number.isFinite(t.ms) && t.ms >= 0);
  if (!usable.length) return null;
  const distance = (t: PassTime) => Math.abs(Math.log(t.rows / work.rows));
  const nearest = usable.reduce((best, t) => (distance(t) < distance(best) ? t : best));
  return work.passes * nearest.ms * (work.rows / nearest.rows);
}

/** Keeps the newest timing for each batch size: `times` with `time` in place of its batch size's. */
export function recordTime(times: readonly PassTime[], time: PassTime): PassTime[] {
  return [...times.filter((t) => t.rows !== time.rows), time];
}

/**
 * Smaller settings that bring a diffusion run near `targetMs`: fewer steps (not below 10, where
 * DDIM samples lose detail), or fewer samples (not below 1). Each is null where it does not help.
 */
export function quickerSettings(
  times: readonly PassTime[],
  settings: Pick<Settings, 'count' | 'steps' | 'guidance'>,
  targetMs = QUICK_RUN_MS,
): { steps: number | null; count: number | null } {
  const ms = estimateMs(times, runWork('ddpm', settings));
  if (ms === null || ms <= targetMs) return { steps: null, count: null };
  const shrink = (value: number, floor: number) => {
    const smaller = Math.max(floor, Math.floor((value * targetMs) / ms));
    return smaller < value ? smaller : null;
  };
  return { steps: shrink(settings.steps, 10), count: shrink(settings.count, 1) };
}

/** "about 40 s", "about 3 min", "under a second". */
/** A time measured here, to the precision that matters: "7.5 ms", "240 ms", "2.3 s", "4 min". */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return 'under a second';
  const s = ms / 1000;
  if (s < 90) return `about ${s < 10 ? s.toFixed(0) : String(Math.round(s / 5) * 5)} s`;
  const min = s / 60;
  if (min < 90) return `about ${Math.round(min)} min`;
  return `about ${(min / 60).toFixed(1)} h`;
}
