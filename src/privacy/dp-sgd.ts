/**
 * DP-SGD's gradient (Abadi et al., "Deep learning with differential privacy", 2016, Algorithm 1):
 * each example's gradient scaled to norm at most C, the scaled gradients summed, Gaussian noise of
 * standard deviation sigma x C added, and the sum divided by the expected lot size. A port of
 * training/medsynth/privacy.py's dp_sgd_gradient, held to it by test/fixtures/privacy-golden.json.
 * The noise comes in as standard normal draws, so a seeded run is reproducible.
 */

/** The private gradient from per-example gradients (flattened, one array each). */
export function dpSgdGradient(perExample: readonly Float32Array[], clip: number, sigma: number, noise: Float32Array, lotSize: number): Float32Array {
  if (!(clip > 0)) throw new RangeError(`the clipping norm must be positive, got ${clip}`);
  if (!(sigma >= 0)) throw new RangeError(`the noise multiplier must be at least 0, got ${sigma}`);
  if (!(lotSize > 0)) throw new RangeError(`the lot size must be positive, got ${lotSize}`);
  const size = noise.length;
  const sum = new Float64Array(size);
  for (const g of perExample) {
    if (g.length !== size) throw new RangeError(`a per-example gradient has ${g.length} values, the noise ${size}`);
    let squares = 0;
    for (let j = 0; j < size; j++) squares += g[j]! * g[j]!;
    const scale = Math.min(1, clip / Math.max(Math.sqrt(squares), 1e-12));
    for (let j = 0; j < size; j++) sum[j]! += scale * g[j]!;
  }
  return Float32Array.from(sum, (s, j) => (s + sigma * clip * noise[j]!) / lotSize);
}
