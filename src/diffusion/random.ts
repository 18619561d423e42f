/**
 * Seeded Gaussian noise, generated in JavaScript so that the same seed gives
 * the same numbers on every backend. Each sample of a batch has its own
 * stream, so sample i of a seed is the same whether 1 or 64 are made.
 */

/** splitmix32: a small, well-mixed 32-bit generator (Steele et al.). */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

/** A 32-bit key for (seed, sample, draw): which noise a step of a sample gets. */
export function streamKey(seed: number, sample: number, draw: number): number {
  let h = 0x811c9dc5;
  for (const part of [seed >>> 0, sample >>> 0, draw >>> 0]) {
    h = Math.imul(h ^ part, 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h;
}

/** `n` standard normal values (Box-Muller) from one stream. */
export function gaussian(key: number, n: number): Float32Array {
  const next = splitmix32(key);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - next(); // (0, 1]: log is finite
    const u2 = next();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Noise for a whole batch: sample i draws from stream (seed, i, draw). */
export function batchNoise(seed: number, batch: number, perSample: number, draw: number): Float32Array {
  const out = new Float32Array(batch * perSample);
  for (let i = 0; i < batch; i++) out.set(gaussian(streamKey(seed, i, draw), perSample), i * perSample);
  return out;
}
