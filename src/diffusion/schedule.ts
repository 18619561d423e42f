/**
 * Noise schedules: pure functions over float64 arrays, the TypeScript twin of
 * training/medsynth/schedule.py. A published schedule is never changed.
 *
 * Notation (Ho et al. 2020; Nichol & Dhariwal 2021):
 *   T             number of diffusion steps (1000)
 *   beta_t        betas[t], variance added at step t, t = 0..T-1
 *   alpha_bar_t   alphasCumprod[t] = prod_{s<=t} (1 - beta_s), the signal fraction left at step t
 *   x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps          (Ho et al., eq. 4)
 */

export type BetaSchedule = 'cosine' | 'linear';

/** Nichol and Dhariwal's cosine schedule: the offset s and the clip on beta (eq. 17). */
export interface CosineParameters {
  /** s: keeps beta_0 from being vanishingly small. */
  cosineOffset: number;
  /** Betas are clipped here so that alpha_t never reaches 0 near t = T. */
  maxBeta: number;
}

/** The published values (Nichol & Dhariwal 2021, section 3.2). */
export const NICHOL_DHARIWAL: CosineParameters = { cosineOffset: 0.008, maxBeta: 0.999 };

/** beta_t = min(1 - f(t+1)/f(t), maxBeta), f(u) = cos^2(((u/T + s)/(1 + s)) pi/2)   (eq. 17). */
export function cosineBetas(steps: number, { cosineOffset: s, maxBeta }: CosineParameters = NICHOL_DHARIWAL): Float64Array {
  const f = (u: number) => Math.cos(((u / steps + s) / (1 + s)) * (Math.PI / 2)) ** 2;
  const f0 = f(0);
  return Float64Array.from({ length: steps }, (_, t) => Math.min(1 - f(t + 1) / f0 / (f(t) / f0), maxBeta));
}

/** Ho et al.'s linear schedule, rescaled so other step counts keep its end points in 1000ths. */
export function linearBetas(steps: number, start = 1e-4, end = 0.02): Float64Array {
  const scale = 1000 / steps;
  const [a, b] = [scale * start, scale * end];
  return Float64Array.from({ length: steps }, (_, t) => (steps === 1 ? a : a + ((b - a) * t) / (steps - 1)));
}

/**
 * The betas of a named schedule. `cosine` takes the card's offset and beta clip; `linear` has
 * neither (Ho et al. never clip), so they are not passed to it.
 */
export function makeBetas(name: string, steps: number, cosine: CosineParameters = NICHOL_DHARIWAL): Float64Array {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`diffusion steps must be a positive integer, got ${steps}`);
  if (name === 'cosine') return cosineBetas(steps, cosine);
  if (name === 'linear') return linearBetas(steps);
  throw new Error(`unknown beta schedule "${name}" (expected "cosine" or "linear")`);
}

export function alphasCumprod(betas: Float64Array): Float64Array {
  let product = 1;
  return betas.map((beta) => (product *= 1 - beta));
}

/**
 * The forward process: a clean sample noised to the level whose alpha-bar is `alphaBar`,
 * x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps (training/medsynth/sampling.py `q_sample`; the
 * golden case in test/fixtures/scheduler-golden.json is that function's output).
 */
export function noiseTo(x0: ArrayLike<number>, eps: ArrayLike<number>, alphaBar: number): Float32Array {
  if (x0.length !== eps.length) throw new Error(`a sample of ${x0.length} values and noise of ${eps.length}`);
  const a = Math.sqrt(alphaBar);
  const s = Math.sqrt(1 - alphaBar);
  const out = new Float32Array(x0.length);
  for (let i = 0; i < x0.length; i++) out[i] = a * x0[i]! + s * eps[i]!;
  return out;
}

/**
 * 'Trailing' spacing (Lin et al. 2024, table 2): `count` descending timesteps
 * starting at T-1, the pure-noise end. 4 of 1000 -> [999, 749, 499, 249].
 */
export function trailingTimesteps(count: number, steps: number): number[] {
  if (!Number.isInteger(count) || count < 1 || count > steps) {
    throw new Error(`the number of sampling steps must be a whole number from 1 to ${steps}, got ${count}`);
  }
  const ratio = steps / count;
  return Array.from({ length: count }, (_, i) => roundHalfEven(steps - i * ratio) - 1);
}

/** numpy's np.round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
