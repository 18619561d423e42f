/**
 * Latent spaces of the VAE and the GAN: seeded draws from the prior N(0, I), scaled by a
 * temperature (VAE) or truncated (GAN), and paths between two latents, linear or spherical
 * (Shoemake's slerp, which keeps a path between two prior draws at a typical radius).
 * Pure functions over plain arrays; a decoder or generator turns the results into samples.
 */
import { batchNoise, gaussian, streamKey } from '../util/random.js';

/** `count` latents of `dim` values each, back to back: sample i is the same for any count. */
export function priorLatents(seed: number, count: number, dim: number, temperature = 1): Float32Array {
  if (!(temperature >= 0)) throw new Error(`temperature must be 0 or more, got ${temperature}`);
  return batchNoise(seed, count, dim, 0).map((v) => v * temperature);
}

/**
 * The truncation trick (Brock et al. 2019) as this site defines it: the values of a stream of
 * standard normals whose magnitude is at most psi, in order. training/medsynth/gan.py `truncated`
 * is the same rule; test/fixtures/truncation-golden.json holds a case both check.
 */
export function truncated(stream: ArrayLike<number>, psi: number): Float32Array {
  if (!(psi > 0)) throw new Error(`truncation must be a positive number, got ${psi}`);
  return Float32Array.from(Array.prototype.filter.call(stream, (v: number) => Math.abs(v) <= psi) as number[]);
}

/** The smallest truncation bound: acceptance is P(|v| <= psi), 4% at 0.05; below it a stream would run very long. */
export const MIN_TRUNCATION = 0.05;

/**
 * `count` latents of `dim` values each, back to back, from N(0, I) truncated to [-psi, psi]
 * (psi null: not truncated, the same values as priorLatents at temperature 1). Sample i reads its
 * own stream (seed, i) as far as it needs, so it is the same for any count.
 */
export function truncatedLatents(seed: number, count: number, dim: number, psi: number | null): Float32Array {
  if (psi === null) return priorLatents(seed, count, dim);
  if (!(psi >= MIN_TRUNCATION)) throw new Error(`truncation must be at least ${MIN_TRUNCATION}, got ${psi}`);
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    let kept: Float32Array = new Float32Array(0);
    for (let n = 2 * dim; kept.length < dim; n *= 2) kept = truncated(gaussian(streamKey(seed, i, 0), n), psi);
    out.set(kept.subarray(0, dim), i * dim);
  }
  return out;
}

export function lerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): Float32Array {
  return Float32Array.from(a, (v, i) => v + (b[i]! - v) * t);
}

/** Spherical interpolation; falls back to linear when the two are (anti)parallel. */
export function slerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): Float32Array {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  const cos = dot / Math.sqrt(na * nb || 1);
  const omega = Math.acos(Math.min(1, Math.max(-1, cos)));
  if (Math.sin(omega) < 1e-6) return lerp(a, b, t);
  const wa = Math.sin((1 - t) * omega) / Math.sin(omega);
  const wb = Math.sin(t * omega) / Math.sin(omega);
  return Float32Array.from(a, (v, i) => wa * v + wb * b[i]!);
}

/** `steps` latents from a to b inclusive, back to back. */
/** How a latent path runs: a straight line, or along the great circle (Shoemake's slerp). */
export type PathMode = 'linear' | 'spherical';

export function interpolate(a: ArrayLike<number>, b: ArrayLike<number>, steps: number, mode: PathMode): Float32Array {
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`an interpolation needs at least 2 steps, got ${steps}`);
  const out = new Float32Array(steps * a.length);
  for (let k = 0; k < steps; k++) {
    const t = k / (steps - 1);
    out.set(mode === 'linear' ? lerp(a, b, t) : slerp(a, b, t), k * a.length);
  }
  return out;
}
