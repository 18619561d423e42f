/**
 * Seeded randomness that gives the same numbers on every machine and backend: the diffusion noise
 * (`streamKey`, `gaussian`, `batchNoise`), and the judge's resampling and shuffling (`Rng`).
 *
 * Two generator cores, on purpose. The noise runs on splitmix32: the picker's thumbnails, the pixel
 * goldens and the parity tests are made from its streams. The judge's `Rng` runs on mulberry32: the
 * bootstrap intervals and the train-on-synthetic figures in docs/judge/audit.md (and the panel
 * screenshots beside it) were measured with its sequence. Either moved onto the other's core would
 * change those committed figures, so they move together or not at all (with a fresh `npm run audit`).
 * Both draw normals through the same Box-Muller below.
 */

/** A generator of uniform numbers in [0, 1). */
type Uniform = () => number;

/** splitmix32: a small, well-mixed 32-bit generator (Steele et al.). The diffusion noise's core. */
function splitmix32(seed: number): Uniform {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

/** mulberry32 (Tommy Ettinger): the judge's core, kept for its committed figures (see above). */
function mulberry32(seed: number): Uniform {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Box-Muller from two uniforms u, v in [0, 1): radius(u) * cos(angle(v)) and radius(u) * sin(angle(v))
// are two independent standard normals.
const radius = (u: number) => Math.sqrt(-2 * Math.log(1 - u)); // 1 - u is in (0, 1]: the log is finite
const angle = (v: number) => 2 * Math.PI * v;

/** A 32-bit key for (seed, sample, draw): which noise a step of a sample gets. */
export function streamKey(seed: number, sample: number, draw: number): number {
  let h = 0x811c9dc5;
  for (const part of [seed >>> 0, sample >>> 0, draw >>> 0]) {
    h = Math.imul(h ^ part, 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h;
}

/** `n` standard normal values from one stream: both values of each Box-Muller pair, in turn. */
export function gaussian(key: number, n: number): Float32Array {
  const next = splitmix32(key);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = radius(next());
    const theta = angle(next());
    out[i] = r * Math.cos(theta);
    if (i + 1 < n) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}

/** `n` uniform numbers in [0, 1) from one stream (the autoregressive models' token draws). */
export function uniforms(key: number, n: number): Float64Array {
  const next = splitmix32(key);
  return Float64Array.from({ length: n }, () => next());
}

/**
 * Noise for a whole batch: sample i draws from stream (seed, i, draw), so sample i of a seed is
 * the same whether 1 or 64 are made.
 */
export function batchNoise(seed: number, batch: number, perSample: number, draw: number): Float32Array {
  const out = new Float32Array(batch * perSample);
  for (let i = 0; i < batch; i++) out.set(gaussian(streamKey(seed, i, draw), perSample), i * perSample);
  return out;
}

/**
 * The judge's seeded generator, for resampling and shuffling: the same seed gives the same
 * bootstrap intervals and the same training order on every machine.
 */
export class Rng {
  /** Uniform in [0, 1). */
  readonly next: Uniform;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal: the cosine half of a Box-Muller pair (the sine half is not kept). */
  normal(): number {
    const r = radius(this.next());
    return r * Math.cos(angle(this.next()));
  }

  /**
   * Gamma(shape, 1): Marsaglia and Tsang's squeeze method (2000); a shape below 1 is drawn at
   * shape + 1 and scaled by U^(1 / shape), as they describe.
   */
  gamma(shape: number): number {
    if (!(shape > 0)) throw new RangeError(`a gamma shape must be positive, got ${shape}`);
    if (shape < 1) return this.gamma(shape + 1) * (1 - this.next()) ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const v = (1 + c * x) ** 3;
      if (v <= 0) continue;
      const u = 1 - this.next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** `k` proportions from a symmetric Dirichlet of concentration `alpha` (normalised gammas). */
  dirichlet(alpha: number, k: number): number[] {
    const draws = Array.from({ length: k }, () => this.gamma(alpha));
    const total = draws.reduce((a, b) => a + b, 0);
    // at tiny concentrations every draw can underflow to 0: all of it goes to one, as the limit does
    if (total > 0) return draws.map((g) => g / total);
    const one = this.int(k);
    return draws.map((_, i) => (i === one ? 1 : 0));
  }

  /** A random order of 0..n-1 (Fisher-Yates). */
  permutation(n: number): number[] {
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** `k` distinct indices of 0..n-1, in random order. */
  choose(n: number, k: number): number[] {
    if (k > n) throw new Error(`cannot choose ${k} of ${n}`);
    return this.permutation(n).slice(0, k);
  }
}
