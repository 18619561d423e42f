/**
 * Token sampling for the autoregressive models, as training/medsynth/ar.py defines it: guidance on
 * the logits, temperature, top-k, top-p, and an inverse-CDF draw from a given uniform number.
 * test/fixtures/token-sampling-golden.json holds cases both languages check.
 */
import * as tf from '@tensorflow/tfjs';
import type { Ar } from '../models/ar.js';
import { nextTask } from '../util/pacing.js';

export interface TokenSampling {
  /** l_null + g (l_class - l_null); 1: the class's own logits, no second row. */
  guidance: number;
  /** Logits are divided by it; 0: always the most likely code (ties: the lowest index). */
  temperature: number;
  /** Keep the k largest logits (ties at the k-th kept); 0: all. */
  topK: number;
  /** Keep the smallest set of codes, most likely first, whose probability reaches p; 1: all. */
  topP: number;
}

/**
 * Logits -> the log-probabilities tokens are drawn from (removed codes: -Infinity), in float64.
 * Order: temperature, then top-k, then top-p (the most likely code is always kept), renormalised.
 */
export function filterLogits(logits: ArrayLike<number>, s: Omit<TokenSampling, 'guidance'>): Float64Array {
  const K = logits.length;
  const l = Float64Array.from(logits);
  if (!(s.temperature >= 0)) throw new Error(`temperature must be 0 or more, got ${s.temperature}`);
  if (s.temperature === 0) {
    let best = 0;
    for (let i = 1; i < K; i++) if (l[i]! > l[best]!) best = i;
    return l.map((_, i) => (i === best ? 0 : -Infinity));
  }
  for (let i = 0; i < K; i++) l[i] = l[i]! / s.temperature;
  if (s.topK > 0 && s.topK < K) {
    const kth = [...l].sort((a, b) => b - a)[s.topK - 1]!;
    for (let i = 0; i < K; i++) if (l[i]! < kth) l[i] = -Infinity;
  }
  if (s.topP < 1) {
    const p = softmax(l);
    const order = [...p.keys()].sort((a, b) => p[b]! - p[a]! || a - b);   // most likely first; ties by index
    let before = 0;
    for (const i of order) {
      if (before >= s.topP) l[i] = -Infinity;
      before += p[i]!;
    }
  }
  const p = softmax(l);
  return p.map((v) => (v > 0 ? Math.log(v) : -Infinity));
}

function softmax(l: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of l) max = Math.max(max, v);
  const e = l.map((v) => (v === -Infinity ? 0 : Math.exp(v - max)));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** The first code whose cumulative probability exceeds u in [0, 1); the last allowed one if rounding leaves u beyond the total. */
export function drawToken(logProbs: Float64Array, u: number): number {
  let cdf = 0;
  let last = 0;
  for (let i = 0; i < logProbs.length; i++) {
    if (logProbs[i] === -Infinity) continue;
    last = i;
    cdf += Math.exp(logProbs[i]!);
    if (cdf > u) return i;
  }
  return last;
}

/** l_null + g (l_class - l_null), per code. */
export function guidedLogits(conditional: ArrayLike<number>, unconditional: ArrayLike<number>, guidance: number): Float64Array {
  return Float64Array.from(conditional, (c, i) => (guidance === 1 ? c : unconditional[i]! + guidance * (c - unconditional[i]!)));
}

export interface TokenStep {
  /** The position just sampled, of `total`. */
  position: number;
  total: number;
  /** Every row's codes so far (positions 0..position). */
  tokens: Int32Array[];
  /** The watched row's distribution at this position, as drawn from (after guidance and the filters). */
  probabilities: Float64Array;
}

export interface TokenRun {
  /** One class a row; the model's numClasses for none. */
  classes: readonly number[];
  sampling: TokenSampling;
  /** The uniform number row i draws its code at position j with: uniforms[i][j]. */
  uniforms: readonly ArrayLike<number>[];
  /** The row whose probabilities `onToken` reports. */
  watch?: number;
  signal?: AbortSignal;
  onToken?: (step: TokenStep) => void | Promise<void>;
}

/**
 * Samples every row's tokens, one position at a time with the model's key/value cache: one
 * transformer pass over a single position (two rows a sample when guided) and one read-back of the
 * logits per token. Every tensor made here is disposed here, also on abort or error.
 */
export async function sampleTokens(net: Ar, run: TokenRun): Promise<Int32Array[]> {
  const B = run.classes.length;
  const N = net.numTokens;
  const nullClass = net.architecture.numClasses;
  const guided = run.sampling.guidance !== 1;
  if (run.uniforms.length !== B || run.uniforms.some((u) => u.length < N)) throw new Error(`sampleTokens: ${B} rows need ${N} uniform numbers each`);
  const tokens = Array.from({ length: B }, () => new Int32Array(N));
  const cache = net.startCache(guided ? [...run.classes, ...new Array<number>(B).fill(nullClass)] : [...run.classes]);
  const watch = Math.min(run.watch ?? 0, B - 1);
  try {
    for (let p = 0; p < N; p++) {
      run.signal?.throwIfAborted();
      const previous = p === 0 ? null : tokens.map((t) => t[p - 1]!);
      const logits = net.next(cache, previous && guided ? [...previous, ...previous] : previous);
      let values: Float32Array;
      try {
        values = await logits.data<'float32'>();
      } finally {
        logits.dispose();
      }
      const K = values.length / cache.rows;
      let watched: Float64Array | null = null;
      for (let i = 0; i < B; i++) {
        const row = values.subarray(i * K, (i + 1) * K);
        const l = guided ? guidedLogits(row, values.subarray((B + i) * K, (B + i + 1) * K), run.sampling.guidance) : row;
        const logProbs = filterLogits(l, run.sampling);
        tokens[i]![p] = drawToken(logProbs, run.uniforms[i]![p]!);
        if (i === watch) watched = logProbs;
      }
      await run.onToken?.({ position: p, total: N, tokens, probabilities: watched!.map(Math.exp) });
      await nextTask();                          // let the page paint and take clicks (Cancel) between tokens
    }
    return tokens;
  } finally {
    cache.dispose();
  }
}

/** Tokens (one Int32Array a sample) -> samples in network units, one flat array; `filled` as Ar.decode. */
export async function decodeTokens(net: Ar, tokens: readonly Int32Array[], filled?: number | readonly number[]): Promise<Float32Array> {
  const N = net.numTokens;
  const flat = new Int32Array(tokens.length * N);
  tokens.forEach((t, i) => flat.set(t.subarray(0, N), i * N));
  const out = tf.tidy(() => net.decode(tf.tensor2d(flat, [tokens.length, N], 'int32'), filled));
  try {
    return await out.data<'float32'>();
  } finally {
    out.dispose();
  }
}
