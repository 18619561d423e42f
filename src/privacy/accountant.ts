/**
 * The privacy accountant of DP-SGD: the Renyi differential privacy (RDP) of the sampled Gaussian
 * mechanism, composed over steps and converted to (epsilon, delta). A port of
 * training/medsynth/privacy.py, which explains the maths; the parity test holds the two to the
 * same numbers (test/fixtures/privacy-golden.json), and both to TensorFlow Privacy's published
 * test values.
 *
 * One step samples each example with probability `q`, clips each gradient to norm C and adds
 * Gaussian noise of standard deviation `sigma` x C. For an integer order alpha >= 2:
 *   RDP(alpha) = log( sum_k C(alpha, k) (1 - q)^(alpha - k) q^k exp((k^2 - k) / (2 sigma^2)) ) / (alpha - 1)
 *   epsilon = min over alpha of  steps x RDP(alpha) + log(1 / delta) / (alpha - 1)
 */

/** The orders tried: every integer from 2 to 64, then sparser up to 256 (as privacy.py's ORDERS). */
export const ORDERS: readonly number[] = [...Array.from({ length: 63 }, (_, i) => i + 2), 80, 96, 128, 192, 256];

/** log(exp(a) + exp(b)) without overflow. */
function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

/** log(n!) for a whole n, summed (orders are at most a few hundred). */
function logFactorial(n: number): number {
  let sum = 0;
  for (let i = 2; i <= n; i++) sum += Math.log(i);
  return sum;
}

/** The RDP of one step at integer order `alpha`, for sampling rate `q` and noise multiplier `sigma`. */
export function rdpSampledGaussian(q: number, sigma: number, alpha: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`the sampling rate must be in [0, 1], got ${q}`);
  if (!(sigma > 0)) throw new RangeError(`the noise multiplier must be positive, got ${sigma}`);
  if (!Number.isInteger(alpha) || alpha < 2) throw new RangeError(`the order must be an integer of at least 2, got ${alpha}`);
  if (q === 0) return 0;
  if (q === 1) return alpha / (2 * sigma ** 2);
  const logAlphaFactorial = logFactorial(alpha);
  let logA = -Infinity;
  for (let k = 0; k <= alpha; k++) {
    const logBinomial = logAlphaFactorial - logFactorial(k) - logFactorial(alpha - k);
    logA = logAdd(logA, logBinomial + (alpha - k) * Math.log1p(-q) + k * Math.log(q) + (k * k - k) / (2 * sigma ** 2));
  }
  return logA / (alpha - 1);
}

/** Epsilon after `steps` steps of DP-SGD for `delta`, and the order that gave it. */
export function dpSgdEpsilon(q: number, sigma: number, steps: number, delta: number, orders: readonly number[] = ORDERS): { epsilon: number; order: number } {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`steps must be a whole number of at least 0, got ${steps}`);
  let best = { epsilon: Infinity, order: orders[0]! };
  for (const alpha of orders) {
    const epsilon = steps * rdpSampledGaussian(q, sigma, alpha) + Math.log(1 / delta) / (alpha - 1);
    if (epsilon < best.epsilon) best = { epsilon, order: alpha };
  }
  return best;
}
