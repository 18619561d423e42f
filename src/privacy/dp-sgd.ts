/**
 * DP-SGD's gradient (Abadi et al., "Deep learning with differential privacy", 2016, Algorithm 1):
 * each example's gradient scaled to norm at most C, the scaled gradients summed, Gaussian noise of
 * standard deviation sigma x C added, and the sum divided by the expected lot size. A port of
 * training/medsynth/privacy.py's dp_sgd_gradient, held to it by test/fixtures/privacy-golden.json.
 * The noise comes in as standard normal draws, so a seeded run is reproducible.
 */

/** The private gradient from per-example gradients (flattened, one array each). */
export function dpSgdGradient(perExample: readonly Float32Array[], clip: number, sigma: number, noise: Float32Array, lotSize: number): Float32Array {
  checkClip(clip);
  const size = noise.length;
  const sum = new Float64Array(size);
  for (const g of perExample) {
    if (g.length !== size) throw new RangeError(`a per-example gradient has ${g.length} values, the noise ${size}`);
    let squares = 0;
    for (let j = 0; j < size; j++) squares += g[j]! * g[j]!;
    const scale = clipScale(Math.sqrt(squares), clip);
    for (let j = 0; j < size; j++) sum[j]! += scale * g[j]!;
  }
  return noisyMean(sum, clip, sigma, noise, lotSize);
}

function checkClip(clip: number): void {
  if (!(clip > 0)) throw new RangeError(`the clipping norm must be positive, got ${clip}`);
}

/** What an example's gradient of norm `norm` is scaled by: to norm at most `clip`. */
export function clipScale(norm: number, clip: number): number {
  checkClip(clip);
  return Math.min(1, clip / Math.max(norm, 1e-12));
}

/** The sum of the clipped gradients, plus sigma x clip x `noise`, over the lot size. */
export function noisyMean(clippedSum: ArrayLike<number>, clip: number, sigma: number, noise: Float32Array, lotSize: number): Float32Array {
  if (!(sigma >= 0)) throw new RangeError(`the noise multiplier must be at least 0, got ${sigma}`);
  if (!(lotSize > 0)) throw new RangeError(`the lot size must be positive, got ${lotSize}`);
  if (clippedSum.length !== noise.length) throw new RangeError(`${clippedSum.length} gradient values, ${noise.length} noise values`);
  return Float32Array.from(noise, (z, j) => (clippedSum[j]! + sigma * clip * z) / lotSize);
}
