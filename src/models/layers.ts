/**
 * tfjs building blocks that mirror training/medsynth/layers.py, over channels-last tensors:
 * (B, H, W, C) for images (dims 2) and (B, L, C) for signals (dims 1).
 *
 * Each block is built once from the weights (`conv(weights, 'down.0.0.conv1', ...)` looks up
 * `down.0.0.conv1.weight` and `.bias` and checks their shapes) and returns a function that runs it.
 * Those functions return a new tensor and leave their intermediates to the caller's `tf.tidy`:
 * the model builders run each whole forward pass inside one tidy. The weight tensors belong to
 * the `Weights` object (and through it to the model), never to a block.
 *
 * Only ops with tfjs WebGPU kernels (fused conv2d and matMul with their bias, add/mul, sigmoid,
 * avgPool, concat/reshape, softmax, sin/cos), and GroupNorm(+SiLU), which group-norm.ts adds.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dims } from './card.js';
import { groupNormOp } from './group-norm.js';

/** PyTorch nn.GroupNorm's default eps, inside the square root as there. */
export const GN_EPS = 1e-5;
/** PyTorch nn.LayerNorm's default eps, inside the square root as there (the transformer's, ar.ts and token-plan.ts). */
export const LN_EPS = 1e-5;

export type Layer = (x: tf.Tensor) => tf.Tensor;
/** A layer conditioned on silu(embedding), (B, E). */
export type EmbeddedLayer = (x: tf.Tensor, embSilu?: tf.Tensor) => tf.Tensor;

/**
 * Told each stage's output as a forward pass runs, for the architecture picture
 * (src/models/architecture.ts): `shape` without the batch axis, what the stage does in words, and
 * the module paths of the weights it uses (none for a pool or a reshape). Optional on every pass.
 */
export type StageTrace = (shape: readonly number[], what: string, paths: readonly string[]) => void;

/** Reports x to `trace`, where there is one, and returns it. */
export function traced<T extends tf.Tensor>(trace: StageTrace | undefined, x: T, what: string, ...paths: string[]): T {
  trace?.(x.shape.slice(1), what, paths);
  return x;
}

/**
 * The named weight tensors of one model (names are PyTorch module paths, e.g.
 * `down.0.0.conv1.weight`). Owns them: `dispose()` frees them all.
 */
export class Weights {
  private readonly used = new Set<string>();

  constructor(
    private readonly tensors: Record<string, tf.Tensor>,
    private readonly owner: string,
  ) {}

  /** The tensor named `name`, checked to have `shape`; throws naming the weight if not. */
  get(name: string, shape: readonly number[]): tf.Tensor {
    const t = this.tensors[name];
    if (t === undefined) throw new Error(`${this.owner}: weight '${name}' [${shape.join(', ')}] is missing`);
    if (t.shape.length !== shape.length || t.shape.some((n, i) => n !== shape[i])) {
      throw new Error(`${this.owner}: weight '${name}' has shape [${t.shape.join(', ')}], the architecture needs [${shape.join(', ')}]`);
    }
    this.used.add(name);
    return t;
  }

  /** Throws if any weight was never asked for: the architecture and the weights disagree. */
  assertAllUsed(): void {
    const extra = Object.keys(this.tensors).filter((name) => !this.used.has(name));
    if (extra.length > 0) {
      throw new Error(`${this.owner}: ${extra.length} weight(s) not used by the architecture: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', ...' : ''}`);
    }
  }

  dispose(): void {
    for (const t of Object.values(this.tensors)) t.dispose();
  }
}

/** GroupNorm's group count as layers.py group_norm(): min(groups, channels), dividing channels. */
export function groupCount(channels: number, groups: number): number {
  const g = Math.min(groups, channels);
  if (channels % g !== 0) throw new Error(`${channels} channels do not split into ${g} groups`);
  return g;
}

/** Stride-1 convolution with symmetric 'same' padding (odd k). Weight [kh, kw, in, out] or [k, in, out]. */
export function conv(weights: Weights, path: string, dims: Dims, cIn: number, cOut: number, k = 3): Layer {
  if (k % 2 !== 1) throw new Error(`${path}: odd kernels only ('same' padding is symmetric only then)`);
  const w = weights.get(`${path}.weight`, dims === 2 ? [k, k, cIn, cOut] : [k, cIn, cOut]);
  const b = weights.get(`${path}.bias`, [cOut]);
  // The bias is added in the convolution's own kernel (one dispatch on WebGPU, not two). A 1D
  // convolution is the 2D one over (B, 1, L, C), as tf.conv1d does it.
  if (dims === 2) return (x) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b });
  return (x) => {
    const [B, L] = x.shape as [number, number, number];
    const y = tf.fused.conv2d({ x: tf.reshape<tf.Rank.R4>(x, [B, 1, L, cIn]), filter: tf.reshape<tf.Rank.R4>(w, [1, k, cIn, cOut]), strides: 1, pad: 'same', bias: b });
    return tf.reshape(y, [B, L, cOut]);                              // (B, L, cOut)
  };
}

/** nn.Linear: (B, nIn) -> (B, nOut). Weight [in, out]. */
export function dense(weights: Weights, path: string, nIn: number, nOut: number): Layer {
  const w = weights.get(`${path}.weight`, [nIn, nOut]);
  const b = weights.get(`${path}.bias`, [nOut]);
  return (x) => tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b });
}

/**
 * GroupNorm (tfjs has no op for it): groups of channels/G consecutive channels, mean and biased
 * variance over the group's channels and all positions, then the per-channel affine; with
 * `silu`, SiLU after it (in the same kernel: see group-norm.ts).
 *   y = (x - mean_g) / sqrt(var_g + eps) * gamma_c + beta_c
 */
export function groupNorm(weights: Weights, path: string, channels: number, groups: number, silu = false): Layer {
  const attrs = { groups: groupCount(channels, groups), eps: GN_EPS, silu };
  const gamma = weights.get(`${path}.weight`, [channels]);
  const beta = weights.get(`${path}.bias`, [channels]);
  return (x) => groupNormOp(x, gamma, beta, attrs);
}

/** SiLU: x * sigmoid(x). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/** Average of each 2 (1D) or 2x2 (2D) block, no padding (an odd trailing row is dropped, as PyTorch). */
export function avgPool2x(x: tf.Tensor, dims: Dims): tf.Tensor {
  if (dims === 2) return tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid');  // (B, H/2, W/2, C)
  const [B, L, C] = x.shape as [number, number, number];
  const half = Math.floor(L / 2);
  const even = L % 2 === 0 ? x : tf.slice(x, [0, 0, 0], [B, 2 * half, C]);
  return tf.mean(tf.reshape(even, [B, half, 2, C]), 2);                // (B, L/2, C)
}

/**
 * Nearest-neighbour x2, as F.interpolate(scale_factor=2, mode='nearest'): each value repeated 2
 * (1D) or 2x2 (2D) times. Done by concatenating a reshaped tensor with itself (rank <= 4, exact).
 */
export function upsample2x(x: tf.Tensor, dims: Dims): tf.Tensor {
  if (dims === 1) {
    const [B, L, C] = x.shape as [number, number, number];
    const col = tf.reshape(x, [B, L, 1, C]);
    return tf.reshape(tf.concat([col, col], 2), [B, 2 * L, C]);        // (B, 2L, C)
  }
  const [B, H, W, C] = x.shape as [number, number, number, number];
  const cols = tf.reshape(x, [B, H * W, 1, C]);
  const wide = tf.reshape(tf.concat([cols, cols], 2), [B, H, 1, 2 * W * C]);   // each column twice
  return tf.reshape(tf.concat([wide, wide], 2), [B, 2 * H, 2 * W, C]);         // each row twice
}

/** freq_i = exp(-ln(10000) * i / half) for i = 0..half-1, rounded step by step as PyTorch's float32. */
export function timestepFrequencies(dim: number, maxPeriod = 10000): Float32Array {
  if (dim % 2 !== 0) throw new Error(`timestep embedding width ${dim} must be even`);
  const half = dim / 2;
  const c = Math.fround(-Math.log(maxPeriod));
  return Float32Array.from({ length: half }, (_, i) => Math.exp(Math.fround(Math.fround(c * i) / half)));
}

/**
 * Sinusoidal timestep embedding, [sin | cos] order: (B,) -> (B, dim). Caller disposes the result.
 * From a number[] the sines are taken in float64 of the float32 argument, as exact as PyTorch's;
 * from a Tensor1D they run on the backend, where a GPU's sin of large arguments (t ~ 1000) can be
 * off by ~1e-4, so samplers should pass plain numbers.
 */
export function timestepEmbedding(t: tf.Tensor1D | readonly number[], dim: number): tf.Tensor2D {
  const freqs = timestepFrequencies(dim);
  const half = freqs.length;
  if (!(t instanceof tf.Tensor)) {
    const out = new Float32Array(t.length * dim);
    t.forEach((ti, b) => {
      freqs.forEach((f, i) => {
        const arg = Math.fround(Math.fround(ti) * f);                   // float32, as t.float() * freqs
        out[b * dim + i] = Math.sin(arg);
        out[b * dim + half + i] = Math.cos(arg);
      });
    });
    return tf.tensor2d(out, [t.length, dim]);
  }
  return tf.tidy(() => {
    const args = tf.mul(tf.reshape(tf.cast(t, 'float32'), [-1, 1]), tf.tensor2d(freqs, [1, half]));  // (B, half)
    return tf.concat([tf.sin(args), tf.cos(args)], 1) as tf.Tensor2D;                                   // (B, dim)
  });
}

/** Class ids as a new int32 Tensor1D (numbers are range-checked against `count`). Caller disposes. */
export function classIds(y: tf.Tensor1D | readonly number[], count: number, owner: string): tf.Tensor1D {
  if (y instanceof tf.Tensor) return y.dtype === 'int32' ? tf.clone(y) : tf.cast(y, 'int32');
  checkClassIds(y, count, owner);
  return tf.tensor1d(y as number[], 'int32');
}

/** Throws unless every class id is an integer in 0..count-1. */
export function checkClassIds(y: readonly number[], count: number, owner: string): void {
  for (const c of y) {
    if (!Number.isInteger(c) || c < 0 || c >= count) throw new Error(`${owner}: class id ${c} is outside 0..${count - 1}`);
  }
}

/**
 * Residual block with an optional additive embedding (layers.py ResBlock):
 *   h = conv1(silu(norm1(x))); h += emb_proj(silu(emb)) broadcast over positions
 *   h = conv2(silu(norm2(h)));  out = skip(x) + h   (skip: 1x1 conv when channels change)
 * The block is given silu(emb), which the network takes once per pass for all its blocks.
 */
export function resBlock(
  weights: Weights, path: string, dims: Dims, cIn: number, cOut: number, embDim: number, groups: number,
): EmbeddedLayer {
  const norm1 = groupNorm(weights, `${path}.norm1`, cIn, groups, true);
  const conv1 = conv(weights, `${path}.conv1`, dims, cIn, cOut);
  const embProj = embDim > 0 ? dense(weights, `${path}.emb_proj`, embDim, cOut) : null;
  const norm2 = groupNorm(weights, `${path}.norm2`, cOut, groups, true);
  const conv2 = conv(weights, `${path}.conv2`, dims, cOut, cOut);
  const skip: Layer = cIn !== cOut ? conv(weights, `${path}.skip`, dims, cIn, cOut, 1) : (x) => x;
  return (x, embSilu) => {
    let h = conv1(norm1(x));                                             // (B, *S, cOut)
    if (embProj !== null) {
      if (embSilu === undefined) throw new Error(`${path}: needs an embedding`);
      const e = embProj(embSilu);                                        // (B, cOut)
      h = tf.add(h, tf.reshape(e, [e.shape[0] ?? 1, ...new Array<number>(dims).fill(1), cOut]));
    }
    h = conv2(norm2(h));                                                 // dropout: identity at inference
    return tf.add(skip(x), h);
  };
}

/**
 * Single-head self-attention over all positions (layers.py SelfAttention):
 *   q, k, v = split(qkv(norm(x)))  (a 1x1 conv to 3C channels, split in that order)
 *   w = softmax(q k^T / sqrt(C)) over keys;  out = x + proj(w v)
 * Positions are flattened row-major from (B, *S, C); PyTorch flattens (B, C, *S) in the same
 * position order, so the attention matrix is the same.
 */
export function selfAttention(weights: Weights, path: string, dims: Dims, channels: number, groups: number): Layer {
  const norm = groupNorm(weights, `${path}.norm`, channels, groups);
  const qkv = conv(weights, `${path}.qkv`, dims, channels, 3 * channels, 1);
  const proj = conv(weights, `${path}.proj`, dims, channels, channels, 1);
  const C = channels;
  return (x) => {
    const B = x.shape[0] ?? 1;
    const N = x.size / (B * C);
    const all = tf.reshape(qkv(norm(x)), [B, N, 3 * C]);                // (B, N, 3C)
    const [q, k, v] = tf.split(all, 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];  // each (B, N, C)
    const w = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(C)));  // (B, N query, N key)
    const h = tf.reshape(tf.matMul(w as tf.Tensor3D, v), x.shape);       // (B, *S, C)
    return tf.add(x, proj(h));
  };
}

/** (B, *S, C) -> (B, prod(S) * C), position-major: layers.py channels_last_flatten, a plain reshape here. */
export function channelsLastFlatten(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0] ?? 1, -1]);
}

/** Inverse of channelsLastFlatten: (B, prod(S) * C) -> (B, *S, C). */
export function channelsLastUnflatten(x: tf.Tensor, spatial: readonly number[], channels: number): tf.Tensor {
  return tf.reshape(x, [x.shape[0] ?? 1, ...spatial, channels]);
}

/**
 * Builds a model's blocks from `tensors` and takes ownership of them: from then on they are freed
 * by the returned Weights' dispose(), or here before rethrowing when building fails (a weight
 * missing or misshapen, or one the architecture never asked for).
 */
export function buildFromWeights<T>(owner: string, tensors: Record<string, tf.Tensor>, build: (weights: Weights) => T): [T, Weights] {
  const weights = new Weights(tensors, owner);
  try {
    const blocks = build(weights);
    weights.assertAllUsed();
    return [blocks, weights];
  } catch (err) {
    weights.dispose();
    throw err;
  }
}

/** Throws unless x is float32 (B, *spatial, channels) with `dims` spatial axes (null: any length). */
export function checkInput(owner: string, x: tf.Tensor, dims: Dims, channels: number, spatial: number | null): void {
  const shape = x.shape;
  const ok = x.dtype === 'float32' && shape.length === dims + 2 && shape[dims + 1] === channels
    && (spatial === null || shape.slice(1, dims + 1).every((n) => n === spatial));
  if (!ok) {
    const want = ['B', ...new Array<string>(dims).fill(spatial === null ? 'S' : String(spatial)), String(channels)];
    throw new Error(`${owner}: expected a float32 input of shape [${want.join(', ')}], got ${x.dtype} [${shape.join(', ')}]`);
  }
}
