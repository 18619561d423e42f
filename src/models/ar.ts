/**
 * The two-stage autoregressive model of training/medsynth/ar.py, in tfjs, channels-last: a VQ
 * autoencoder (tokens <-> images or beats) and a causal pre-LayerNorm transformer over the tokens.
 *
 *   VQ encoder: conv, SiLU -> [conv, SiLU, avg-pool /2] per level -> conv, SiLU -> 1x1 conv
 *               -> nearest codebook row per position (raster order)
 *   VQ decoder: codebook rows -> conv, SiLU -> [nearest x2, conv, SiLU, conv, SiLU] per level -> conv
 *   GPT:        [class, code_0 .. code_{N-2}] + positions -> blocks -> LayerNorm -> logits for code_i
 *     block:    h += proj(causal attention(ln1(h)));  h += fc2(gelu_tanh(fc1(ln2(h))))
 *               (q, k, v: the thirds of qkv, run as three products)
 *
 * Sampling runs position by position with a key/value cache (`startCache`, `next`): each new token
 * costs one position of work, not a pass over everything before it. The cache has a slot for every
 * position from the start, and the positions not sampled yet are masked: every step has the same
 * shapes, so on WebGPU the first step compiles every shader the run needs (a cache that grew by a
 * position a step would compile new ones at every position). `logits` is the whole-sequence pass,
 * used to check the cache and for parity.
 *
 * On WebGPU a cached step runs as one dispatch of a compiled plan (token-plan.ts) instead of tfjs's
 * ops; a run keeps the path its cache started on.
 */
import * as tf from '@tensorflow/tfjs';
import type { ArArchitecture, ModelCard } from './card.js';
import { PlanSlot, blockerOf } from './gpu-plan.js';
import { groupNormOp } from './group-norm.js';
import { LN_EPS, type Layer, type StageTrace, type Weights, avgPool2x, buildFromWeights, checkClassIds, classIds, conv, silu, traced, upsample2x } from './layers.js';
import { type TokenCache, TokenPlan, tokenPlanSupport } from './token-plan.js';

/** What a masked (future) attention score becomes: exp underflows to exactly 0, as PyTorch's -inf. */
const MASKED = -1e9;

/**
 * tfjs-backend-webgpu's own choice for a product whose output has at most 128 values (one token's
 * q, k, v and projections) is MatMulReduceProgram, measured on SwiftShader at 150 ms for 1x512 by
 * 512x128 against 27 ms for MatMulSmallOutputSizeProgram (2), which was also the quickest or near it
 * for every other product of a token step (scripts measured in Node + Dawn, 2026-12-02). The
 * transformer's passes run with 2; the flag is read as each product is dispatched and put back after.
 */
const SMALL_OUTPUT_MATMUL = 2;
function withSmallOutputMatMul<T>(run: () => T): T {
  if (tf.getBackend() !== 'webgpu') return run();
  const before = tf.env().get('WEBGPU_MATMUL_PROGRAM_TYPE');
  tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', SMALL_OUTPUT_MATMUL);
  try {
    return run();
  } finally {
    tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', before);
  }
}

/** The keys and values of the positions sampled so far, per block; owned by the caller (dispose()). */
export interface ArCache {
  /** The position whose logits the next call to `next` gives. */
  readonly position: number;
  /** Rows of the batch (conditional and, when guided, unconditional ones). */
  readonly rows: number;
  dispose(): void;
}

export interface Ar {
  readonly card: ModelCard;
  readonly architecture: ArArchitecture;
  /** The token grid: [h, w] for images, [n] for signals. */
  readonly tokenShape: readonly number[];
  readonly numTokens: number;
  /**
   * tokens (B, N) int32 -> x (B, *S, C) in network units. Positions from `filled` on (default: all
   * filled; one count for every row, or one per row) get the codebook's mean row instead: a partly
   * sampled grid, decoded. The caller disposes it.
   */
  decode(tokens: tf.Tensor2D, filled?: number | readonly number[], trace?: StageTrace): tf.Tensor;
  /** x (B, *S, C) network units -> tokens (B, N) int32 (nearest codebook row; ties: lowest index). */
  encode(x: tf.Tensor, trace?: StageTrace): tf.Tensor2D;
  /**
   * The whole causal pass: inputs (B, T) int32 at positions 0..T-1 (position 0's input is the class
   * `y`, or numClasses for none; position i's is code i-1) -> logits (B, T, codebookSize).
   */
  logits(inputs: tf.Tensor2D, y: readonly number[], trace?: StageTrace): tf.Tensor3D;
  /** An empty cache for a batch of classes (numClasses: the null class). */
  startCache(y: readonly number[]): ArCache;
  /**
   * Logits (B, codebookSize) at the cache's position, given the code chosen at the position before
   * (`previous`, one per row; ignored at position 0, where the class is the input). Advances the cache.
   */
  next(cache: ArCache, previous: readonly number[] | null): tf.Tensor2D;
  /** Cached steps run as the compiled WebGPU plan where they can (on by default; the benchmark turns it off to compare). */
  compiled: boolean;
  /** What the last cache started runs on: the compiled plan, or tfjs's ops and why. */
  readonly lastPath: string;
  /** Resolves once the plan's first step is checked for GPU errors (after one, caches run on tfjs's ops). */
  compiledChecked(): Promise<void>;
  dispose(): void;
}

interface CacheState extends ArCache {
  position: number;
  /** On tfjs's ops: the rows' classes, and per block (B heads, N, head width) every position's slot, zeros until it is sampled. */
  ops: { y: tf.Tensor1D; keys: tf.Tensor3D[]; values: tf.Tensor3D[] } | null;
  /** On the compiled plan: its cache and the rows' classes. */
  compiled: { plan: TokenPlan; cache: TokenCache; classes: readonly number[] } | null;
  disposed: boolean;
}

/** nn.Linear over the last axis of any rank: (..., nIn) -> (..., nOut). Weight [in, out]. */
function linear(weights: Weights, path: string, nIn: number, nOut: number): Layer {
  const w = weights.get(`${path}.weight`, [nIn, nOut]) as tf.Tensor2D;
  const b = weights.get(`${path}.bias`, [nOut]);
  return (x) => {
    const lead = x.shape.slice(0, -1);
    const y = tf.fused.matMul({ a: tf.reshape(x, [-1, nIn]), b: w, bias: b });
    return tf.reshape(y, [...lead, nOut]);
  };
}

/**
 * nn.LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta, biased variance.
 * It is GroupNorm with one group over a single position, so each position runs as a "sample" of
 * group-norm.ts's kernel: one dispatch on WebGPU where tf.moments and the affine take a dozen.
 */
function layerNorm(weights: Weights, path: string, width: number): Layer {
  const gamma = weights.get(`${path}.weight`, [width]);
  const beta = weights.get(`${path}.bias`, [width]);
  const attrs = { groups: 1, eps: LN_EPS, silu: false };
  return (x) => tf.reshape(groupNormOp(tf.reshape(x, [-1, 1, width]), gamma, beta, attrs), x.shape);
}

/**
 * GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), computed as
 * x sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)) (the same function: 0.5 (1 + tanh(u)) = sigmoid(2u)),
 * a kernel fewer.
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), 2 * Math.sqrt(2 / Math.PI));
  return tf.mul(x, tf.sigmoid(inner));
}

/**
 * Builds the model of `card` (method 'ar', from parseCard) from its weights, which it takes
 * ownership of: they are freed by dispose(), or before an error is thrown here.
 */
export function createAr(card: ModelCard, tensors: Record<string, tf.Tensor>): Ar {
  if (card.architecture.type !== 'vq-transformer') throw new Error(`${card.id}: not an autoregressive model (architecture ${card.architecture.type})`);
  const a = card.architecture;
  const owner = `AR ${card.id}`;
  const d = a.dims;
  const K = a.codebookSize;
  const W = a.width;
  const H = a.heads;
  const hd = W / H;
  const low = a.size / 2 ** a.vqChannels.length;                       // parseCard checked it divides
  const tokenShape = new Array<number>(d).fill(low);
  const N = low ** d;
  const cLow = a.vqChannels[a.vqChannels.length - 1] ?? 0;

  const [net, weights] = buildFromWeights(owner, tensors, (w) => {
    let c = a.vqChannels[0] ?? 0;
    const encIn = conv(w, 'vq.encoder.conv_in', d, a.inChannels, c, a.kernel);
    const encLevels = a.vqChannels.map((cOut, i) => {
      const layer = conv(w, `vq.encoder.convs.${i}`, d, c, cOut, a.kernel);
      c = cOut;
      return layer;
    });
    const encMid = conv(w, 'vq.encoder.conv_mid', d, c, c, a.kernel);
    const encOut = conv(w, 'vq.encoder.conv_out', d, c, a.codeDim, 1);
    const codebook = w.get('vq.codebook.weight', [K, a.codeDim]) as tf.Tensor2D;
    c = cLow;
    const decIn = conv(w, 'vq.decoder.conv_in', d, a.codeDim, c, a.kernel);
    const decLevels = [...a.vqChannels].reverse().map((cOut, i) => {
      const level = [conv(w, `vq.decoder.convs.${i}.0`, d, c, cOut, a.kernel), conv(w, `vq.decoder.convs.${i}.1`, d, cOut, cOut, a.kernel)] as const;
      c = cOut;
      return level;
    });
    const decOut = conv(w, 'vq.decoder.conv_out', d, c, a.inChannels, a.kernel);
    const blocks = Array.from({ length: a.layers }, (_, i) => {
      const p = `gpt.blocks.${i}`;
      return {
        ln1: layerNorm(w, `${p}.ln1`, W), proj: linear(w, `${p}.proj`, W, W),
        qkvWeight: w.get(`${p}.qkv.weight`, [W, 3 * W]), qkvBias: w.get(`${p}.qkv.bias`, [3 * W]),
        ln2: layerNorm(w, `${p}.ln2`, W), fc1: linear(w, `${p}.fc1`, W, a.mlpRatio * W), fc2: linear(w, `${p}.fc2`, a.mlpRatio * W, W),
      };
    });
    return {
      encIn, encLevels, encMid, encOut, codebook, decIn, decLevels, decOut, blocks,
      tok: w.get('gpt.tok.weight', [K, W]), cls: w.get('gpt.cls.weight', [a.numClasses + 1, W]),
      pos: w.get('gpt.pos', [N, W]) as tf.Tensor2D, lnF: layerNorm(w, 'gpt.ln_f', W), head: linear(w, 'gpt.head', W, K),
    };
  });
  const codebookMean = tf.keep(tf.mean(net.codebook, 0, true));       // (1, D): an unfilled position
  // q, k and v as three products rather than one and three slices, the attention's 1/sqrt(head
  // width) folded into q's weights: two kernels fewer a block on WebGPU. Made once, freed with the weights.
  type Projection = [weight: tf.Tensor2D, bias: tf.Tensor];
  const projections = net.blocks.map((b): Record<'q' | 'k' | 'v', Projection> => {
    const [wq, bq, wk, bk, wv, bv] = tf.tidy(() => {
      const [q, k, v] = tf.split(b.qkvWeight, 3, 1);
      const [qb, kb, vb] = tf.split(b.qkvBias, 3, 0);
      return [tf.mul(q!, 1 / Math.sqrt(hd)), tf.mul(qb!, 1 / Math.sqrt(hd)), k!, kb!, v!, vb!];
    });
    return { q: [wq as tf.Tensor2D, bq!], k: [wk as tf.Tensor2D, bk!], v: [wv as tf.Tensor2D, bv!] };
  });
  const project = (x: tf.Tensor, [weight, bias]: Projection) =>
    tf.reshape(tf.fused.matMul({ a: tf.reshape(x, [-1, W]), b: weight, bias }), [...x.shape.slice(0, -1), W]);

  const plan = new PlanSlot(owner, tokenPlanSupport(a), (backend) => new TokenPlan(a, tensors, backend));
  let disposed = false;
  const live = () => {
    if (disposed) throw new Error(`${owner} has been disposed`);
  };
  const checkTokens = (t: tf.Tensor) => {
    if (t.rank !== 2 || t.dtype !== 'int32') throw new Error(`${owner}: expected int32 tokens of shape [B, T], got ${t.dtype} [${t.shape.join(', ')}]`);
  };

  /**
   * Attention of (pre-scaled) queries (B H, T, hd) over keys and values (B H, S, hd), plus an
   * additive mask over S -> (B, T, W). One position (T = 1) needs no transpose: (B, H, 1, hd) and
   * (B, 1, H, hd) are the same memory.
   */
  const attend = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask: tf.Tensor, B: number, T: number) => {
    const scores = tf.add(tf.matMul(q as tf.Tensor3D, k as tf.Tensor3D, false, true), mask);    // (B H, T, S)
    const att = tf.matMul(tf.softmax(scores) as tf.Tensor3D, v as tf.Tensor3D);                 // (B H, T, hd)
    return T === 1 ? tf.reshape(att, [B, 1, W]) : tf.reshape(tf.transpose(tf.reshape(att, [B, H, T, hd]), [0, 2, 1, 3]), [B, T, W]);
  };

  /** (B, T, W) -> (B H, T, hd): each head's slice of every position (PyTorch's view(B, T, H, hd)). */
  const heads = (x: tf.Tensor, B: number, T: number) =>
    T === 1 ? tf.reshape(x, [B * H, 1, hd]) : tf.reshape(tf.transpose(tf.reshape(x, [B, T, H, hd]), [0, 2, 1, 3]), [B * H, T, hd]);

  /** One block's MLP half and the residual around the attention output. */
  const finish = (b: (typeof net.blocks)[number], h: tf.Tensor, attended: tf.Tensor) => {
    const mid = tf.add(h, b.proj(attended));
    return tf.add(mid, b.fc2(geluTanh(b.fc1(b.ln2(mid)))));
  };

  /** The blocks over a whole sequence h (B, T, W), each position attending to itself and those before it. */
  const wholeSequence = (h: tf.Tensor, trace?: StageTrace): tf.Tensor => {
    const [B, T] = h.shape as [number, number, number];
    // query i sees keys 0..i
    const mask = tf.tensor3d(Array.from({ length: T * T }, (_, n) => (n % T <= Math.floor(n / T) ? 0 : MASKED)), [1, T, T]);
    net.blocks.forEach((b, i) => {
      const x = b.ln1(h);
      const [q, k, v] = (['q', 'k', 'v'] as const).map((n) => heads(project(x, projections[i]![n]), B, T)) as [tf.Tensor, tf.Tensor, tf.Tensor];
      h = traced(trace, finish(b, h, attend(q, k, v, mask, B, T)), `block: causal attention (${H} heads), MLP ${W}→${a.mlpRatio * W}→${W}`, `gpt.blocks.${i}`);
    });
    return h;
  };

  const classRows = (y: readonly number[]) => classIds(y, a.numClasses + 1, owner);

  const model: Ar = {
    card,
    architecture: a,
    tokenShape,
    numTokens: N,
    compiled: true,
    get lastPath() {
      return plan.lastPath;
    },
    compiledChecked: () => plan.checked(),
    decode(tokens, filled = N, trace) {
      live();
      checkTokens(tokens);
      if (tokens.shape[1] !== N) throw new Error(`${owner}: expected ${N} tokens a sample, got ${tokens.shape[1]}`);
      return tf.tidy(() => {
        const B = tokens.shape[0];
        let e: tf.Tensor = tf.gather(net.codebook, tf.reshape(tokens, [-1]));   // (B N, D)
        const counts = typeof filled === 'number' ? new Array<number>(B).fill(filled) : filled;
        if (counts.length !== B) throw new Error(`${owner}: ${B} rows but ${counts.length} filled counts`);
        if (counts.some((f) => f < N)) {
          const isFilled = tf.tensor2d(Array.from({ length: B * N }, (_, n) => (n % N < counts[Math.floor(n / N)]! ? 1 : 0)), [B * N, 1], 'bool');
          e = tf.where(isFilled, e, tf.broadcastTo(codebookMean, e.shape));
        }
        const grid = traced(trace, tf.reshape(e, [B, ...tokenShape, a.codeDim]), 'each code looked up in the codebook', 'vq.codebook');
        let h = traced(trace, silu(net.decIn(grid)), 'conv, SiLU', 'vq.decoder.conv_in');
        net.decLevels.forEach(([c1, c2], i) => {
          h = traced(trace, silu(c2(silu(c1(upsample2x(h, d))))), 'nearest ×2, two convs with SiLU: double the size', `vq.decoder.convs.${i}`);
        });
        return traced(trace, net.decOut(h), 'conv: the decoded sample', 'vq.decoder.conv_out');   // (B, *S, C)
      });
    },
    encode(x, trace) {
      live();
      return tf.tidy(() => {
        let h = traced(trace, silu(net.encIn(traced(trace, x, 'the sample'))), 'conv, SiLU', 'vq.encoder.conv_in');
        net.encLevels.forEach((c, i) => {
          h = traced(trace, avgPool2x(silu(c(h)), d), 'conv, SiLU, average pool: half the size', `vq.encoder.convs.${i}`);
        });
        h = traced(trace, silu(net.encMid(h)), 'conv, SiLU', 'vq.encoder.conv_mid');
        const z = tf.reshape(traced(trace, net.encOut(h), '1×1 conv to the code width', 'vq.encoder.conv_out'), [-1, a.codeDim]);   // (B N, D), raster order
        const e = net.codebook;
        const dist = tf.add(tf.sub(tf.sum(tf.square(z), 1, true), tf.mul(tf.matMul(z, e, false, true), 2)), tf.reshape(tf.sum(tf.square(e), 1), [1, K]));
        return traced(trace, tf.reshape(tf.argMin(dist, 1), [x.shape[0] ?? 1, N]) as tf.Tensor2D, `the nearest of ${K} codebook rows at each position: the tokens`);
      });
    },
    logits(inputs, y, trace) {
      live();
      checkTokens(inputs);
      const [B, T] = inputs.shape;
      if (T > N) throw new Error(`${owner}: ${T} positions, the model has ${N}`);
      if (y.length !== B) throw new Error(`${owner}: ${B} rows but ${y.length} classes`);
      return withSmallOutputMatMul(() => tf.tidy(() => {
        const first = tf.reshape(tf.gather(net.cls, classRows(y)), [B, 1, W]);
        const codes = T > 1 ? [tf.reshape(tf.gather(net.tok, tf.reshape(tf.slice(inputs, [0, 1], [B, T - 1]), [-1])), [B, T - 1, W])] : [];
        const h = tf.add(tf.concat([first, ...codes], 1), tf.slice(net.pos, [0, 0], [T, W]));
        traced(trace, h, 'the class, then each code so far, embedded, + its position', 'gpt.cls', 'gpt.tok', 'gpt.pos');
        const logits = tf.reshape(net.head(net.lnF(wholeSequence(h, trace))), [B, T, K]) as tf.Tensor3D;
        return traced(trace, logits, 'LayerNorm, dense: a score for every code at each position', 'gpt.ln_f', 'gpt.head');
      }));
    },
    startCache(y) {
      live();
      const rows = y.length;
      checkClassIds(y, a.numClasses + 1, owner);
      const compiled = plan.choose(blockerOf(model.compiled, undefined));
      const fit = compiled?.fits(rows) ?? null;
      if (fit !== null) plan.lastPath = `tfjs ops (${fit})`;
      const onPlan = compiled !== null && fit === null ? { plan: compiled, cache: compiled.startCache(rows), classes: [...y] } : null;
      const empty = () => net.blocks.map(() => tf.zeros([rows * H, N, hd]) as tf.Tensor3D);
      const state: CacheState = {
        position: 0, rows, ops: onPlan ? null : { y: classRows(y), keys: empty(), values: empty() }, compiled: onPlan, disposed: false,
        dispose() {
          if (state.disposed) return;
          state.disposed = true;
          if (state.ops) tf.dispose([state.ops.y, ...state.ops.keys, ...state.ops.values]);
          state.compiled?.cache.dispose();
        },
      };
      return state;
    },
    next(cache, previous) {
      live();
      const state = cache as CacheState;
      if (state.disposed) throw new Error(`${owner}: the cache has been disposed`);
      const p = state.position;
      if (p >= N) throw new Error(`${owner}: all ${N} positions are sampled`);
      if (p > 0 && (previous === null || previous.length !== state.rows || previous.some((t) => !Number.isInteger(t) || t < 0 || t >= K))) {
        throw new Error(`${owner}: position ${p} needs the ${state.rows} codes chosen before it, each in 0..${K - 1}`);
      }
      if (state.compiled) {
        const { plan: compiled, cache: gpuCache, classes } = state.compiled;
        const logits = compiled.next(gpuCache, p, p === 0 ? classes : previous!);
        state.position = p + 1;
        return logits;
      }
      const ops = state.ops!;
      const out = withSmallOutputMatMul(() => tf.tidy(() => {
        const B = state.rows;
        const input = p === 0 ? tf.gather(net.cls, ops.y) : tf.gather(net.tok, tf.tensor1d(previous as number[], 'int32'));   // (B, W)
        let h: tf.Tensor = tf.add(tf.reshape(input, [B, 1, W]), tf.gather(net.pos, tf.tensor1d([p], 'int32')));   // (B, 1, W)
        // slot p (zeros until now: each slot is written once) takes this position's key and value;
        // the slots after p are masked out of the attention
        const slot = tf.tensor3d(Array.from({ length: N }, (_, i) => (i === p ? 1 : 0)), [1, N, 1]);
        const mask = tf.tensor3d(Array.from({ length: N }, (_, i) => (i <= p ? 0 : MASKED)), [1, 1, N]);
        const keys: tf.Tensor3D[] = [];
        const values: tf.Tensor3D[] = [];
        net.blocks.forEach((b, i) => {
          const x = b.ln1(h);
          const [q, k1, v1] = (['q', 'k', 'v'] as const).map((n) => heads(project(x, projections[i]![n]), B, 1));
          const k = tf.add(ops.keys[i]!, tf.mul(slot, k1!)) as tf.Tensor3D;     // (B H, N, hd)
          const v = tf.add(ops.values[i]!, tf.mul(slot, v1!)) as tf.Tensor3D;
          keys.push(k);
          values.push(v);
          h = finish(b, h, attend(q!, k, v, mask, B, 1));
        });
        return { logits: tf.reshape(net.head(net.lnF(h)), [B, K]) as tf.Tensor2D, keys, values };
      }));
      tf.dispose([...ops.keys, ...ops.values]);
      ops.keys = out.keys;
      ops.values = out.values;
      state.position = p + 1;
      return out.logits;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      plan.dispose();
      codebookMean.dispose();
      tf.dispose(projections.flatMap((p) => [...p.q, ...p.k, ...p.v]));
      weights.dispose();
    },
  };
  return model;
}
