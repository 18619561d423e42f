/**
 * Compiled WebGPU plans: a network as a few dozen dispatches of fused WGSL kernels, recorded into
 * one command buffer per pass, on tfjs's own GPUDevice. unet-plan.ts lowers the UNet to these ops,
 * decoder-plan.ts the VAE decoder and the GAN generator; token-plan.ts (the transformer's token
 * step) shares the device plumbing here and PlanSlot.
 *
 * tfjs runs a 28x28 guided step as about 146 dispatches, each with its own uniform buffer, bind
 * group and pipeline lookup; on a fast GPU the step's time goes to that overhead, not to the
 * arithmetic. Here every kernel is written for one layer of one model (shapes and offsets are WGSL
 * constants), every buffer and the one bind group are made once per (model, batch), and a pass
 * records only its copies and dispatches:
 *
 *   embed       silu(time_mlp(sinusoid(t)) + class_emb(y)), one workgroup per sample
 *   dense       a linear layer over a vector (SiLU on load, the class as a one-hot after it)
 *   conv        GroupNorm and/or SiLU of its input applied as it loads it (from per-channel
 *               statistics its producer wrote), a k x k convolution with bias, then any of: the
 *               embedding's projection, the residual (identity or a 1x1 convolution of the block's
 *               input), a nearest x2 upsampling of its input, the concatenation of two inputs,
 *               outScale * tanh on the output; and it writes the mean and centred sum of squares of
 *               each of its output channels
 *   stats       those statistics for a tensor whose producer could not write them (a dense layer)
 *   pool        2x2 (1D: 2) average, with the same statistics
 *   attention   the 1x1 qkv convolution is a conv; softmax(q k^T / sqrt(C)) v, the projection and
 *               the residual per sample in one kernel, with the statistics
 *   guidance    after a guided pass (x twice: the conditional rows, then the unconditional),
 *               eps_u + w (eps_c - eps_u) over the whole output (runGuided)
 *
 * GroupNorm needs statistics over a whole group before it can normalise, so each producing kernel
 * computes them: a workgroup owns 4 channels of one sample over every position, which it sums
 * twice (mean, then squared deviations from it: exact as PyTorch's two-pass variance, not
 * E[x^2] - mean^2). A consumer combines its group's channels with Chan's formula; groups that
 * straddle a concatenation work too.
 *
 * Activations live in one buffer laid out per sample (a slab of SLAB floats each, tensors at fixed
 * offsets reused once dead), so the kernels do not depend on the batch size and are compiled once
 * per model. The network's input (X), a row of per-sample values (T: timestep sinusoids, the class
 * id last) and its output (Y) each have their own buffer. A batch larger than what fits in one
 * binding runs in chunks, one compute pass each.
 *
 * The plans match tfjs's layers (layers.ts) and PyTorch within the parity tolerances (the browser
 * parity test runs every shipped UNet, VAE decoder and GAN generator through them on WebGPU). A
 * model that cannot use its plan runs tfjs's ops and says why (`PlanSlot`): unsupported shapes, a
 * failure to make the plan, or a GPU error in its first run, which error scopes catch.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { GN_EPS } from './layers.js';

/** Channels each workgroup computes (one vec4); every channel count but the output's is a multiple. */
export const LANES = 4;
const WORKGROUP = 64;
/** The plan's activations buffer is kept under this, whatever the device allows. */
const MAX_ACTIVATION_BYTES = 256 * 2 ** 20;

/** A tensor of one sample in the activation slab: positions H x W (1D: H = 1), channels-last. */
export interface Act {
  readonly H: number;
  readonly W: number;
  readonly C: number;
  /** Where this tensor's values start in a sample's slab, and its statistics (mean, M2 per channel). */
  off: number;
  stats: number;
}

/** GroupNorm's affine weights and group count. */
export interface Norm { gamma: Param; beta: Param; groups: number }
/** A weight in the parameter buffer: its offset in floats (a multiple of 4). */
export type Param = number;

export type Op =
  | { kind: 'embed'; w1: Param; b1: Param; w2: Param; b2: Param; cls: Param; D: number; out: Act }
  | { kind: 'dense'; src: Act; fromInput: boolean; silu: boolean; classes: number; w: Param; b: Param; out: Act }
  | {
    kind: 'conv'; src: Act[]; norm: Norm | null; silu: boolean; upsample: boolean; k: number; w: Param; b: Param;
    emb: { w: Param; b: Param; src: Act } | null; residual: { src: Act[]; w: Param | null; b: Param | null } | null;
    fromInput: boolean; toOutput: boolean; tanhScale: number | null; out: Act;
  }
  | { kind: 'stats'; out: Act }
  | { kind: 'pool'; src: Act; out: Act }
  | { kind: 'attention'; qkv: Act; x: Act; w: Param; b: Param; out: Act };

type ConvOp = Extract<Op, { kind: 'conv' }>;

/** A network lowered to the plan's ops. */
export interface Lowered {
  /** Each weight's name and size, in the parameter buffer's order. */
  readonly params: readonly { name: string; size: number }[];
  readonly acts: readonly Act[];
  readonly ops: readonly Op[];
  /** The network's input (in X) and output (in Y). */
  readonly input: Act;
  readonly out: Act;
  /** Values per sample in T; the class id is the last. */
  readonly rowWidth: number;
  /** Values of the widest activation of one sample (what a pass is chunked by). */
  readonly widest: number;
  /** The kernels' labels say which model family they belong to. */
  readonly label: string;
}

/** Collects a network's weights, tensors and ops as a lowering walks it (dims: 1 or 2). */
export class PlanBuilder {
  private readonly params: { name: string; size: number }[] = [];
  private paramFloats = 0;
  private readonly acts: Act[] = [];
  readonly ops: Op[] = [];

  constructor(readonly dims: number, private readonly label: string) {}

  /** Reserves room for the weight `name` of `size` values; returns its offset. */
  param(name: string, size: number): Param {
    const off = this.paramFloats;
    this.params.push({ name, size });
    this.paramFloats += Math.ceil(size / LANES) * LANES;
    return off;
  }

  act(H: number, W: number, C: number): Act {
    const t = { H, W, C, off: -1, stats: -1 };
    this.acts.push(t);
    return t;
  }

  norm(path: string, C: number, groups: number): Norm {
    return { gamma: this.param(`${path}.weight`, C), beta: this.param(`${path}.bias`, C), groups };
  }

  /** A 'same' convolution of the concatenation of `src` (upsampled first where asked); returns its output. */
  conv(src: Act[], path: string, cOut: number, opts: Partial<Pick<ConvOp, 'norm' | 'silu' | 'k' | 'upsample' | 'fromInput' | 'toOutput' | 'tanhScale'>> = {}): Act {
    const k = opts.k ?? 3;
    const cIn = src.reduce((s, t) => s + t.C, 0);
    const H = src[0]!.H * (opts.upsample && this.dims === 2 ? 2 : 1);
    const W = src[0]!.W * (opts.upsample ? 2 : 1);
    const out = this.act(H, W, cOut);
    this.ops.push({
      kind: 'conv', src, norm: opts.norm ?? null, silu: opts.silu ?? false, upsample: opts.upsample ?? false, k,
      w: this.param(`${path}.weight`, (this.dims === 2 ? k * k : k) * cIn * cOut), b: this.param(`${path}.bias`, cOut),
      emb: null, residual: null, fromInput: opts.fromInput ?? false, toOutput: opts.toOutput ?? false, tanhScale: opts.tanhScale ?? null, out,
    });
    return out;
  }

  /** The conv op just added, to give it an embedding or a residual. */
  lastConv(): ConvOp {
    const op = this.ops[this.ops.length - 1];
    if (op?.kind !== 'conv') throw new Error('the last op is not a convolution');
    return op;
  }

  finish(input: Act, out: Act, rowWidth: number): Lowered {
    return {
      params: this.params, acts: this.acts, ops: this.ops, input, out, rowWidth,
      widest: Math.max(...this.acts.map((t) => t.H * t.W * t.C)), label: this.label,
    };
  }
}

/** What op reads from the activation slab. */
export function reads(op: Op): Act[] {
  switch (op.kind) {
    case 'embed': case 'stats': return [];
    case 'dense': return op.fromInput ? [] : [op.src];
    case 'conv': return [...op.src, ...(op.emb ? [op.emb.src] : []), ...(op.residual ? op.residual.src : [])];
    case 'pool': return [op.src];
    case 'attention': return [op.qkv, op.x];
  }
}

/**
 * Places every tensor in the per-sample slab, reusing the space of tensors no later op reads;
 * the network's input and output tensors live in their own buffers and take no space.
 * Returns the slab's size in floats.
 *
 * An op's output never takes the place of its own inputs (they are freed after it is placed): its
 * workgroups read them while others write. It may take the place of what the op before it read
 * last: WebGPU orders the dispatches of a pass, the next one's writes after the last one's reads.
 * (Until 2026-12-04 that space was kept one op longer, for results that once came out wrong on
 * SwiftShader without it; every shipped UNet and decoder now gives tfjs's values without it, in
 * Node + Dawn and in the browser parity test, and compiled-plan.test.ts checks the placement.)
 */
export function place(net: Lowered): number {
  const { ops, input, out: output } = net;
  const lastUse = new Map<Act, number>();
  ops.forEach((op, i) => reads(op).forEach((t) => lastUse.set(t, i)));
  const free: [number, number][] = [];   // [start, size], sorted by start
  let end = 0;
  const alloc = (n: number): number => {
    n = Math.ceil(n / LANES) * LANES;
    const i = free.findIndex(([, size]) => size >= n);
    if (i < 0) {
      end += n;
      return end - n;
    }
    const [start, size] = free[i]!;
    if (size === n) free.splice(i, 1);
    else free[i] = [start + n, size - n];
    return start;
  };
  const release = (start: number, n: number) => {
    n = Math.ceil(n / LANES) * LANES;
    free.push([start, n]);
    free.sort((p, q) => p[0] - q[0]);
    for (let i = free.length - 1; i > 0; i--) {          // merge neighbours
      const [s0, n0] = free[i - 1]!;
      const [s1, n1] = free[i]!;
      if (s0 + n0 === s1) free.splice(i - 1, 2, [s0, n0 + n1]);
    }
  };
  const sizeOf = (t: Act) => t.H * t.W * t.C + 2 * t.C;
  ops.forEach((op, i) => {
    if (op.out !== output && op.out.off < 0) {        // a stats op's tensor is placed already
      const at = alloc(sizeOf(op.out));
      op.out.off = at;
      op.out.stats = at + op.out.H * op.out.W * op.out.C;
    }
    // what op i reads last is freed once its output is placed
    for (const t of reads(op)) {
      if (lastUse.get(t) === i && t !== input) release(t.off, sizeOf(t));
    }
  });
  return Math.ceil(end / LANES) * LANES;
}

// --- WGSL -----------------------------------------------------------------------------------------

const HEADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read> P : array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> A : array<f32>;
@group(0) @binding(2) var<storage, read> X : array<f32>;
@group(0) @binding(3) var<storage, read> T : array<f32>;
@group(0) @binding(4) var<storage, read_write> Y : array<f32>;
var<workgroup> red : array<vec4<f32>, ${WORKGROUP}>;

fn p1(i : u32) -> f32 { return P[i / 4u][i % 4u]; }
fn silu(v : f32) -> f32 { return v / (1.0 + exp(-v)); }
fn load4(o : u32) -> vec4<f32> { return vec4<f32>(A[o], A[o + 1u], A[o + 2u], A[o + 3u]); }
fn store4(o : u32, v : vec4<f32>) { A[o] = v.x; A[o + 1u] = v.y; A[o + 2u] = v.z; A[o + 3u] = v.w; }

// The workgroup's sum of v (every invocation gets it); called in uniform control flow.
fn total(v : vec4<f32>, lid : u32) -> vec4<f32> {
  red[lid] = v;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s / 2u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
`;

const u = (n: number) => `${n}u`;

/**
 * Every kernel's entry point: a workgroup per (block of 4 channels, sample) or per sample; lid its
 * thread, b its sample, base where the sample's slab starts.
 */
const entry = (slab: number) => /* wgsl */ `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(local_invocation_id) lv : vec3<u32>) {
  let lid = lv.x;
  let blk = wid.x;
  let b = wid.y;
  let base = b * ${u(slab)};`;

/**
 * Per input channel of a normalised input: scale and shift into workgroup memory, from the
 * producers' per-channel statistics (count `n` each), combined over each group with Chan's formula.
 */
function normPrologue(src: Act[], norm: Norm, slab: number): string {
  const cIn = src.reduce((s, t) => s + t.C, 0);
  const per = cIn / norm.groups;
  const n = src[0]!.H * src[0]!.W;
  const stat = src.map((t, i) => {
    const first = src.slice(0, i).reduce((s, q) => s + q.C, 0);
    return `if (c < ${u(first + t.C)}) { return vec2<f32>(A[base + ${u(t.stats)} + (c - ${u(first)}) * 2u], A[base + ${u(t.stats)} + (c - ${u(first)}) * 2u + 1u]); }`;
  }).join('\n    ');
  return `
var<workgroup> nscale : array<f32, ${cIn}>;
var<workgroup> nshift : array<f32, ${cIn}>;
fn channelStats(c : u32, base : u32) -> vec2<f32> {
    ${stat}
    return vec2<f32>(0.0);
}
fn prepareNorm(b : u32, lid : u32) {
  let base = b * ${u(slab)};
  for (var c = lid; c < ${u(cIn)}; c = c + ${u(WORKGROUP)}) {
    let g0 = (c / ${u(per)}) * ${u(per)};
    var mean = 0.0;
    for (var j = 0u; j < ${u(per)}; j = j + 1u) { mean = mean + channelStats(g0 + j, base).x; }
    mean = mean / ${per}.0;
    var m2 = 0.0;
    for (var j = 0u; j < ${u(per)}; j = j + 1u) {
      let s = channelStats(g0 + j, base);
      m2 = m2 + s.y + ${n}.0 * (s.x - mean) * (s.x - mean);
    }
    let rstd = inverseSqrt(m2 / ${n * per}.0 + ${GN_EPS});
    let scale = rstd * p1(${u(norm.gamma)} + c);
    nscale[c] = scale;
    nshift[c] = p1(${u(norm.beta)} + c) - mean * scale;
  }
  workgroupBarrier();
}`;
}

/**
 * The statistics of `out`'s 4 channels of this workgroup, written beside it: s1 holds the sum of
 * this thread's positions' values (already stored); used by every producer.
 */
function statsEpilogue(out: Act): string {
  const HW = out.H * out.W;
  return `
  let mean = total(s1, lid) / ${HW}.0;
  var s2 = vec4<f32>(0.0);
  for (var p = lid; p < ${u(HW)}; p = p + ${u(WORKGROUP)}) {
    let o = base + ${u(out.off)} + p * ${u(out.C)} + blk * 4u;
    let dv = load4(o) - mean;
    s2 = s2 + dv * dv;
  }
  let m2 = total(s2, lid);
  if (lid < 4u) {
    let so = base + ${u(out.stats)} + (blk * 4u + lid) * 2u;
    A[so] = mean[lid];
    A[so + 1u] = m2[lid];
  }`;
}

function convShader(op: ConvOp, slab: number, dims: number): string {
  const { out, k } = op;
  const cIn = op.src.reduce((s, t) => s + t.C, 0);
  const cOut4 = Math.ceil(out.C / LANES);
  const HW = out.H * out.W;
  const inW = op.upsample ? out.W / 2 : out.W;
  const half = (k - 1) / 2;
  const kh = dims === 2 ? k : 1;
  // The input value of channel ci (of source s) at position q, normalised and activated where the conv does that
  const load = (first: number, t: Act) => {
    const raw = op.fromInput ? `X[b * ${u(t.H * t.W * t.C)} + q * ${u(t.C)} + ci]` : `A[base + ${u(t.off)} + q * ${u(t.C)} + ci]`;
    const v = op.norm ? `(${raw} * nscale[ci + ${u(first)}] + nshift[ci + ${u(first)}])` : raw;
    return op.silu ? `silu(${v})` : v;
  };
  // A vec4 of weights per (tap, input channel), or for the output conv (1 or 3 channels) scalars
  const weight = op.toOutput
    ? `vec4<f32>(${Array.from({ length: LANES }, (_, i) => (i < out.C ? `p1(wrow + (ci + FIRST) * ${u(out.C)} + ${u(i)})` : '0.0')).join(', ')})`
    : `P[wrow + (ci + FIRST) * ${u(cOut4)} + blk]`;
  let first = 0;
  const loops = op.src.map((t) => {
    const code = `
        for (var ci = 0u; ci < ${u(t.C)}; ci = ci + 1u) {
          let v = ${load(first, t)};
          acc = acc + v * ${weight.replaceAll('FIRST', u(first))};
        }`;
    first += t.C;
    return code;
  }).join('');
  const taps = `
    for (var ky = 0u; ky < ${u(kh)}; ky = ky + 1u) {
      let sy = i32(y) + i32(ky) - ${dims === 2 ? half : 0};
      if (sy < 0 || sy >= ${out.H}) { continue; }
      for (var kx = 0u; kx < ${u(k)}; kx = kx + 1u) {
        let sx = i32(x) + i32(kx) - ${half};
        if (sx < 0 || sx >= ${out.W}) { continue; }
        let q = ${op.upsample ? `(u32(sy) / ${u(dims === 2 ? 2 : 1)}) * ${u(inW)} + u32(sx) / 2u` : `u32(sy) * ${u(out.W)} + u32(sx)`};
        let wrow = ${op.toOutput ? `${u(op.w)} + (ky * ${u(k)} + kx) * ${u(cIn * out.C)}` : `${u(op.w / LANES)} + (ky * ${u(k)} + kx) * ${u(cIn * cOut4)}`};${loops}
      }
    }`;
  let residual = '';
  if (op.residual) {
    let firstR = 0;
    residual = op.residual.src.map((t) => {
      const code = op.residual!.w === null
        ? `
    { let o = base + ${u(t.off)} + p * ${u(t.C)} + blk * 4u; acc = acc + load4(o); }`
        : `
    for (var ci = 0u; ci < ${u(t.C)}; ci = ci + 1u) {
      acc = acc + A[base + ${u(t.off)} + p * ${u(t.C)} + ci] * P[${u(op.residual!.w! / LANES)} + (ci + ${u(firstR)}) * ${u(cOut4)} + blk];
    }`;
      firstR += t.C;
      return code;
    }).join('') + (op.residual.b === null ? '' : `
    acc = acc + P[${u(op.residual.b / LANES)} + blk];`);
  }
  // tanh saturates to +-1 in float32 well before 15; clamping keeps exp() from overflowing
  const result = op.tanhScale === null ? 'acc' : `${op.tanhScale} * tanh(clamp(acc, vec4<f32>(-15.0), vec4<f32>(15.0)))`;
  const store = op.toOutput
    ? `let r = ${result};
    ${Array.from({ length: out.C }, (_, i) => `Y[b * ${u(HW * out.C)} + p * ${u(out.C)} + ${u(i)}] = r[${i}];`).join(' ')}`
    : `store4(base + ${u(out.off)} + p * ${u(out.C)} + blk * 4u, acc);
    s1 = s1 + acc;`;
  return `${HEADER}
${op.norm ? normPrologue(op.src, op.norm, slab) : ''}
var<workgroup> embv : vec4<f32>;
${entry(slab)}
  ${op.norm ? 'prepareNorm(b, lid);' : ''}
  if (lid == 0u) {
    var e = ${op.toOutput ? `vec4<f32>(${Array.from({ length: LANES }, (_, i) => (i < out.C ? `p1(${u(op.b + i)})` : '0.0')).join(', ')})` : `P[${u(op.b / LANES)} + blk]`};
    ${op.emb ? `for (var i = 0u; i < ${u(op.emb.src.C)}; i = i + 1u) {
      e = e + A[base + ${u(op.emb.src.off)} + i] * P[${u(op.emb.w / LANES)} + i * ${u(cOut4)} + blk];
    }
    e = e + P[${u(op.emb.b / LANES)} + blk];` : ''}
    embv = e;
  }
  workgroupBarrier();
  let bias = embv;
  var s1 = vec4<f32>(0.0);
  for (var p = lid; p < ${u(HW)}; p = p + ${u(WORKGROUP)}) {
    let y = p / ${u(out.W)};
    let x = p % ${u(out.W)};
    var acc = bias;${taps}${residual}
    ${store}
  }
  ${op.toOutput ? '' : statsEpilogue(out)}
}`;
}

/** A linear layer, (in) -> (out.H * out.W * out.C) channels-last, one vec4 of outputs per thread. */
function denseShader(op: Extract<Op, { kind: 'dense' }>, slab: number, rowWidth: number): string {
  const nIn = op.src.H * op.src.W * op.src.C;
  const n4 = (op.out.H * op.out.W * op.out.C) / LANES;
  const raw = op.fromInput ? `X[b * ${u(nIn)} + i]` : `A[base + ${u(op.src.off)} + i]`;
  return `${HEADER}
${entry(slab)}
  let e4 = wid.x * ${u(WORKGROUP)} + lid;
  if (e4 >= ${u(n4)}) { return; }
  var acc = P[${u(op.b / LANES)} + e4];
  for (var i = 0u; i < ${u(nIn)}; i = i + 1u) {
    acc = acc + ${op.silu ? `silu(${raw})` : raw} * P[${u(op.w / LANES)} + i * ${u(n4)} + e4];
  }
  ${op.classes > 0 ? `// the one-hot class after the input: its weight row
  acc = acc + P[${u(op.w / LANES)} + (${u(nIn)} + u32(T[b * ${u(rowWidth)} + ${u(rowWidth - 1)}])) * ${u(n4)} + e4];` : ''}
  store4(base + ${u(op.out.off)} + e4 * 4u, acc);
}`;
}

function statsShader(op: Extract<Op, { kind: 'stats' }>, slab: number): string {
  const { out } = op;
  return `${HEADER}
${entry(slab)}
  var s1 = vec4<f32>(0.0);
  for (var p = lid; p < ${u(out.H * out.W)}; p = p + ${u(WORKGROUP)}) {
    s1 = s1 + load4(base + ${u(out.off)} + p * ${u(out.C)} + blk * 4u);
  }
  ${statsEpilogue(out)}
}`;
}

function poolShader(op: Extract<Op, { kind: 'pool' }>, slab: number, dims: number): string {
  const { src, out } = op;
  const HW = out.H * out.W;
  const at = (dy: number, dx: number) => `A[base + ${u(src.off)} + ((y * ${dims === 2 ? 2 : 1}u + ${dy}u) * ${u(src.W)} + x * 2u + ${dx}u) * ${u(src.C)} + c]`;
  const cells = dims === 2 ? [[0, 0], [0, 1], [1, 0], [1, 1]] : [[0, 0], [0, 1]];
  return `${HEADER}
${entry(slab)}
  var s1 = vec4<f32>(0.0);
  for (var p = lid; p < ${u(HW)}; p = p + ${u(WORKGROUP)}) {
    let y = p / ${u(out.W)};
    let x = p % ${u(out.W)};
    var acc = vec4<f32>(0.0);
    for (var j = 0u; j < 4u; j = j + 1u) {
      let c = blk * 4u + j;
      acc[j] = (${cells.map(([dy, dx]) => at(dy!, dx!)).join(' + ')}) / ${cells.length}.0;
    }
    store4(base + ${u(out.off)} + p * ${u(out.C)} + blk * 4u, acc);
    s1 = s1 + acc;
  }
  ${statsEpilogue(out)}
}`;
}

function attentionShader(op: Extract<Op, { kind: 'attention' }>, slab: number): string {
  const { qkv, x, out } = op;
  const N = x.H * x.W;
  const C = x.C;
  const C4 = C / LANES;
  const row = (p: string) => `base + ${u(qkv.off)} + ${p} * ${u(3 * C)}`;
  return `${HEADER}
${entry(slab)}
  for (var p = lid; p < ${u(N)}; p = p + ${u(WORKGROUP)}) {
    var w : array<f32, ${N}>;
    var top = -3.0e38;
    for (var j = 0u; j < ${u(N)}; j = j + 1u) {
      var dot = 0.0;
      for (var c = 0u; c < ${u(C)}; c = c + 1u) { dot = dot + A[${row('p')} + c] * A[${row('j')} + ${u(C)} + c]; }
      w[j] = dot * ${1 / Math.sqrt(C)};
      top = max(top, w[j]);
    }
    var sum = 0.0;
    for (var j = 0u; j < ${u(N)}; j = j + 1u) { w[j] = exp(w[j] - top); sum = sum + w[j]; }
    var o : array<f32, ${C}>;
    for (var c = 0u; c < ${u(C)}; c = c + 1u) {
      var acc = 0.0;
      for (var j = 0u; j < ${u(N)}; j = j + 1u) { acc = acc + w[j] * A[${row('j')} + ${u(2 * C)} + c]; }
      o[c] = acc / sum;
    }
    for (var blk = 0u; blk < ${u(C4)}; blk = blk + 1u) {
      var acc = P[${u(op.b / LANES)} + blk] + load4(base + ${u(x.off)} + p * ${u(C)} + blk * 4u);
      for (var c = 0u; c < ${u(C)}; c = c + 1u) { acc = acc + o[c] * P[${u(op.w / LANES)} + c * ${u(C4)} + blk]; }
      store4(base + ${u(out.off)} + p * ${u(C)} + blk * 4u, acc);
    }
  }
  storageBarrier();
  for (var c = lid; c < ${u(C)}; c = c + ${u(WORKGROUP)}) {
    var mean = 0.0;
    for (var p = 0u; p < ${u(N)}; p = p + 1u) { mean = mean + A[base + ${u(out.off)} + p * ${u(C)} + c]; }
    mean = mean / ${N}.0;
    var m2 = 0.0;
    for (var p = 0u; p < ${u(N)}; p = p + 1u) { let dv = A[base + ${u(out.off)} + p * ${u(C)} + c] - mean; m2 = m2 + dv * dv; }
    A[base + ${u(out.stats)} + c * 2u] = mean;
    A[base + ${u(out.stats)} + c * 2u + 1u] = m2;
  }
}`;
}

function embedShader(op: Extract<Op, { kind: 'embed' }>, slab: number): string {
  const D = op.D;
  const E = op.out.C;
  return `${HEADER}
var<workgroup> hidden : array<f32, ${E}>;
${entry(slab)}
  for (var e = lid; e < ${u(E)}; e = e + ${u(WORKGROUP)}) {
    var a = p1(${u(op.b1)} + e);
    for (var i = 0u; i < ${u(D)}; i = i + 1u) { a = a + T[b * ${u(D + 1)} + i] * p1(${u(op.w1)} + i * ${u(E)} + e); }
    hidden[e] = silu(a);
  }
  workgroupBarrier();
  let y = u32(T[b * ${u(D + 1)} + ${u(D)}]);
  for (var e = lid; e < ${u(E)}; e = e + ${u(WORKGROUP)}) {
    var a = p1(${u(op.b2)} + e) + p1(${u(op.cls)} + y * ${u(E)} + e);
    for (var i = 0u; i < ${u(E)}; i = i + 1u) { a = a + hidden[i] * p1(${u(op.w2)} + i * ${u(E)} + e); }
    A[base + ${u(op.out.off)} + e] = silu(a);
  }
}`;
}


// --- The compiled network -----------------------------------------------------------------------

/** One kernel: its pipeline and its workgroups per sample along x. */
interface Kernel { pipeline: GPUComputePipeline; blocks: number }

/** Dispatches recorded by every plan so far, for the benchmark (`bench:node -- --probe-loop`). */
export const planDispatches = { count: 0 };

export type Backend = WebGPUBackend;

/** Submits what tfjs has recorded, so that work queued after this runs after it. */
export function flush(backend: Backend): void {
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
}

/** The GPU buffer of a float32 tensor on `backend`, uploaded if it was not yet. */
export function bufferOf(backend: Backend, t: tf.Tensor, what: string): GPUBuffer {
  backend.uploadToGPU(t.dataId);
  const buffer = backend.tensorMap.get(t.dataId).resource as GPUBuffer | null;
  if (!buffer) throw new Error(`compiled plan: ${what} is not on the GPU`);
  return buffer;
}

/** Each kernel's WGSL, its label and its workgroups per sample. */
function kernelSources(net: Lowered, slab: number, dims: number): { code: string; label: string; blocks: number }[] {
  return net.ops.map((op) => {
    const label = `msl-${net.label}-${op.kind}`;
    switch (op.kind) {
      case 'embed': return { code: embedShader(op, slab), label, blocks: 1 };
      case 'dense': return { code: denseShader(op, slab, net.rowWidth), label, blocks: Math.ceil(op.out.H * op.out.W * op.out.C / LANES / WORKGROUP) };
      case 'conv': return { code: convShader(op, slab, dims), label, blocks: Math.ceil(op.out.C / LANES) };
      case 'stats': return { code: statsShader(op, slab), label, blocks: op.out.C / LANES };
      case 'pool': return { code: poolShader(op, slab, dims), label, blocks: op.out.C / LANES };
      case 'attention': return { code: attentionShader(op, slab), label, blocks: 1 };
    }
  });
}

/**
 * Classifier-free guidance over a guided pass's output E, the conditional half first: G = E_u +
 * w (E_c - E_u), in the order denoise.ts's guidedNoise composes it from tfjs's ops. `n` is the
 * values of one half; a grid-stride loop covers any batch.
 */
const GUIDANCE = /* wgsl */ `
@group(0) @binding(0) var<storage, read> E : array<f32>;
@group(0) @binding(1) var<storage, read_write> G : array<f32>;
struct Guide { w : f32, n : u32 }
@group(0) @binding(2) var<uniform> guide : Guide;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) groups : vec3<u32>) {
  for (var i = gid.x; i < guide.n; i = i + groups.x * ${u(WORKGROUP)}) {
    let unconditional = E[i + guide.n];
    G[i] = unconditional + (E[i] - unconditional) * guide.w;
  }
}`;

/**
 * Per device: the one bind group layout every kernel shares, the pipelines compiled so far by
 * their WGSL (a model's kernels are the same whatever the batch size, so they compile once), and
 * the guidance kernel's layout and pipeline, made when first needed.
 */
const perDevice = new WeakMap<GPUDevice, {
  layout: GPUBindGroupLayout; pipelineLayout: GPUPipelineLayout; pipelines: Map<string, GPUComputePipeline>;
  guidance: { layout: GPUBindGroupLayout; pipeline: GPUComputePipeline } | null;
}>();

export function devicePipelines(device: GPUDevice) {
  let entry = perDevice.get(device);
  if (entry === undefined) {
    const storage = (type: GPUBufferBindingType) => ({ visibility: GPUShaderStage.COMPUTE, buffer: { type } });
    const layout = device.createBindGroupLayout({
      entries: [storage('read-only-storage'), storage('storage'), storage('read-only-storage'), storage('read-only-storage'), storage('storage')]
        .map((e, binding) => ({ binding, ...e })),
    });
    entry = { layout, pipelineLayout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), pipelines: new Map(), guidance: null };
    perDevice.set(device, entry);
  }
  return entry;
}

function guidancePipeline(device: GPUDevice) {
  const entry = devicePipelines(device);
  if (entry.guidance === null) {
    const layout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
        { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
      ],
    });
    const module = device.createShaderModule({ code: GUIDANCE, label: 'msl-guidance' });
    const pipeline = device.createComputePipeline({ layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' }, label: 'msl-guidance' });
    entry.guidance = { layout, pipeline };
  }
  return entry.guidance;
}

function pipelineDescriptor(device: GPUDevice, code: string, label: string): GPUComputePipelineDescriptor {
  const module = device.createShaderModule({ code, label });
  return { layout: devicePipelines(device).pipelineLayout, compute: { module, entryPoint: 'main' }, label };
}

/**
 * Compiles a kernel into the device's cache (createComputePipelineAsync) unless it is there, so
 * that a plan made later finds it ready. A kernel that fails to compile here is left for the plan
 * itself to make (`cachedPipeline`), inside its error scope, which then reports the error.
 */
export async function precompileKernel(device: GPUDevice, code: string, label: string): Promise<void> {
  const { pipelines } = devicePipelines(device);
  if (pipelines.has(code)) return;
  try {
    pipelines.set(code, await device.createComputePipelineAsync(pipelineDescriptor(device, code, label)));
  } catch {
    // cachedPipeline's createComputePipeline fails inside the plan's error scope and says why
  }
}

/** The device's compiled kernel for `code`, made now (and cached) if it is not there yet. */
export function cachedPipeline(device: GPUDevice, code: string, label: string): GPUComputePipeline {
  const { pipelines } = devicePipelines(device);
  let pipeline = pipelines.get(code);
  if (pipeline === undefined) {
    pipeline = device.createComputePipeline(pipelineDescriptor(device, code, label));
    pipelines.set(code, pipeline);
  }
  return pipeline;
}

/** Drops `failed` from the device's cache of kernels, so that a plan made later compiles them again. */
export function forgetPipelines(device: GPUDevice, failed: readonly GPUComputePipeline[]): void {
  const { pipelines } = devicePipelines(device);
  for (const [code, pipeline] of pipelines) if (failed.includes(pipeline)) pipelines.delete(code);
}

/**
 * Compiles every kernel of a plan on `device` at once, so that the first pass finds them ready;
 * the loader awaits it before its warm-up.
 */
export async function precompilePlan(net: Lowered, dims: number, device: GPUDevice): Promise<void> {
  await Promise.all(kernelSources(net, place(net), dims).map(({ code, label }) => precompileKernel(device, code, label)));
}

/**
 * Runs `what` inside error scopes on `device`: its result, and a promise of the first GPU error
 * (out of memory, validation, internal) its calls caused, as its message's first line, or null.
 */
export function scoped<T>(device: GPUDevice, what: () => T): [T, Promise<string | null>] {
  const kinds: GPUErrorFilter[] = ['out-of-memory', 'validation', 'internal'];
  kinds.forEach((kind) => device.pushErrorScope(kind));
  const pop = () => Promise.all(kinds.map(() => device.popErrorScope()));
  let result: T;
  try {
    result = what();
  } catch (err) {
    pop().catch(() => undefined);
    throw err;
  }
  // a message's first line says what went wrong; the rest is the driver's context
  const errors = pop().then((found) => found.find((e) => e !== null)?.message.split('\n')[0]?.trim() ?? null, (err: Error) => `its error scope failed: ${err.message}`);
  return [result, errors];
}

/**
 * Each weight's GPU buffer in tfjs, by name, checked against its size (before any GPU work: a
 * JavaScript error leaves none behind), uploaded and submitted so that a copy queued next finds it.
 */
export function weightBuffers(backend: Backend, params: readonly { name: string; size: number }[], weights: Readonly<Record<string, tf.Tensor>>): GPUBuffer[] {
  const sources = params.map((p) => {
    const t = weights[p.name];
    if (t === undefined) throw new Error(`no weight '${p.name}'`);
    if (t.size !== p.size) throw new Error(`weight '${p.name}' has ${t.size} values, expected ${p.size}`);
    return bufferOf(backend, t, `weight '${p.name}'`);
  });
  flush(backend);
  return sources;
}

/** Where each of `params` starts in a parameter buffer, in floats (each padded to LANES floats), and the buffer's size. */
export function paramOffsets(params: readonly { name: string; size: number }[]): { at: number[]; floats: number } {
  const at: number[] = [];
  let floats = 0;
  for (const p of params) {
    at.push(floats);
    floats += Math.ceil(p.size / LANES) * LANES;
  }
  return { at, floats };
}

/** One parameter buffer: each of `params` copied from its source, where paramOffsets places it. */
export function packParams(device: GPUDevice, params: readonly { name: string; size: number }[], sources: readonly GPUBuffer[]): GPUBuffer {
  const { at, floats } = paramOffsets(params);
  const buffer = device.createBuffer({ size: floats * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  const encoder = device.createCommandEncoder();
  params.forEach((p, i) => encoder.copyBufferToBuffer(sources[i]!, 0, buffer, at[i]! * 4, p.size * 4));
  device.queue.submit([encoder.finish()]);
  return buffer;
}

/**
 * A lowered network compiled on tfjs's WebGPU backend: its weights (by name) copied once into one
 * parameter buffer (they stay the caller's), its kernels' pipelines made (or found), its buffers made per
 * batch size. run() takes the network's input and each sample's row of T and returns a new tfjs tensor.
 */
export class GpuPlan {
  readonly device: GPUDevice;
  private readonly layout: GPUBindGroupLayout;
  private readonly kernels: Kernel[];
  private readonly params: GPUBuffer;
  private readonly slab: number;
  private readonly inputSize: number;
  private readonly outputSize: number;
  /**
   * Per number of network rows: the activations and the network's input, rows and output for a
   * chunk, every row's T values and the whole output, and for a guided run its result, the
   * guidance scale and size, and their bind group. `out` and `result` are exactly a run's size: tfjs takes a result buffer as
   * a whole (it copies and reads all of it), so a larger one would hand back stale values too.
   */
  private readonly batches = new Map<number, {
    chunk: number; acts: GPUBuffer; x: GPUBuffer; t: GPUBuffer; y: GPUBuffer; bind: GPUBindGroup; rows: GPUBuffer; out: GPUBuffer;
    guided: { result: GPUBuffer; uniform: GPUBuffer; bind: GPUBindGroup } | null;
  }>();
  private disposed = false;
  /** The GPU's errors while making the plan, then while making it and running it once. */
  private readonly made: Promise<string | null>;
  private firstRun: Promise<string | null> | null = null;

  /**
   * `maxValuesPerPass`: a chunk of samples holds at most this many values of the widest activation
   * (the rule the tfjs path chunks by), and its activations fit one binding of the device.
   */
  constructor(private readonly net: Lowered, dims: number, weights: Readonly<Record<string, tf.Tensor>>, readonly backend: Backend, private readonly maxValuesPerPass: number) {
    const device = backend.device;
    this.device = device;
    this.slab = place(net);
    this.inputSize = net.input.H * net.input.W * net.input.C;
    this.outputSize = net.out.H * net.out.W * net.out.C;
    const sources = weightBuffers(backend, net.params, weights);
    const { layout } = devicePipelines(device);
    this.layout = layout;
    [[this.params, this.kernels], this.made] = scoped(device, () => {
      const params = packParams(device, net.params, sources);
      guidancePipeline(device);                    // made here, where an error in it is caught
      const kernels = kernelSources(net, this.slab, dims).map(({ code, label, blocks }): Kernel => ({ pipeline: cachedPipeline(device, code, label), blocks }));
      return [params, kernels] as const;
    });
  }

  /**
   * Resolves to the first GPU error (validation, out of memory, internal) from making this plan and
   * from its first run, or to null; the plan's own kernels are dropped from the device's cache if
   * there was one, so a new plan makes them again.
   */
  async gpuError(): Promise<string | null> {
    const error = (await this.made) ?? (this.firstRun ? await this.firstRun : null);
    if (error !== null) forgetPipelines(this.device, this.kernels.map((k) => k.pipeline));
    return error;
  }

  /** Samples per chunk. */
  private chunkFor(batch: number): number {
    const { device, slab } = this;
    const bytes = Math.min(device.limits.maxStorageBufferBindingSize, MAX_ACTIVATION_BYTES);
    return Math.max(1, Math.min(batch, Math.floor(bytes / (slab * 4)), Math.floor(this.maxValuesPerPass / this.net.widest), device.limits.maxComputeWorkgroupsPerDimension));
  }

  /** The buffers and bind group for `batch` samples; those of another batch size are freed (one size is kept). */
  private buffersFor(batch: number) {
    let b = this.batches.get(batch);
    if (b) return b;
    this.freeBatches();
    const { device, slab, inputSize, outputSize, layout, params } = this;
    const chunk = this.chunkFor(batch);
    const make = (floats: number, usage: number) => device.createBuffer({ size: Math.max(16, floats * 4), usage });
    const acts = make(chunk * slab, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const x = make(chunk * inputSize, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    const t = make(chunk * this.net.rowWidth, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    const y = make(chunk * outputSize, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const bind = device.createBindGroup({ layout, entries: [params, acts, x, t, y].map((buffer, binding) => ({ binding, resource: { buffer } })) });
    // COPY_DST too: tfjs makes its copy of a result with the result buffer's own usage
    const out = make(batch * outputSize, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    const rows = make(batch * this.net.rowWidth, GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    b = { chunk, acts, x, t, y, bind, rows, out, guided: null };
    this.batches.set(batch, b);
    return b;
  }

  /**
   * The network's output for input x (B, ...; its values in the input's layout) and `rows`
   * (B * rowWidth values), as a new tensor of `shape`. The caller checked shapes and class ids.
   */
  run(x: tf.Tensor, rows: Float32Array<ArrayBuffer>, shape: number[]): tf.Tensor {
    return this.record(x, 1, rows, shape, null);
  }

  /**
   * Classifier-free guidance in one submission: the network on x twice (B conditional rows, then B
   * unconditional: `rows` holds 2B rows in that order), then eps_u + w (eps_c - eps_u), as a new
   * tensor of x's shape.
   */
  runGuided(x: tf.Tensor, rows: Float32Array<ArrayBuffer>, guidance: number): tf.Tensor {
    return this.record(x, 2, rows, x.shape, guidance);
  }

  /** Runs the network on `copies` copies of x (stacked) and, with a guidance scale, combines the halves. */
  private record(x: tf.Tensor, copies: 1 | 2, rows: Float32Array<ArrayBuffer>, shape: number[], guidance: number | null): tf.Tensor {
    if (this.disposed) throw new Error('the compiled plan has been disposed');
    const B = x.shape[0]!;
    const N = copies * B;
    const { device, kernels, inputSize, outputSize } = this;
    const width = this.net.rowWidth;
    const backend = this.backend;
    const source = bufferOf(backend, x, 'the input');
    flush(backend);                                // tfjs's queued work (x among it) runs first
    const record = () => {
      const buffers = this.buffersFor(N);
      device.queue.writeBuffer(buffers.rows, 0, rows);
      const encoder = device.createCommandEncoder();
      for (let start = 0; start < N; start += buffers.chunk) {
        const n = Math.min(buffers.chunk, N - start);
        // rows start..start+n of the stacked copies: at most one boundary between copies in a chunk
        for (let r = start; r < start + n;) {
          const end = Math.min(start + n, (Math.floor(r / B) + 1) * B);
          encoder.copyBufferToBuffer(source, (r % B) * inputSize * 4, buffers.x, (r - start) * inputSize * 4, (end - r) * inputSize * 4);
          r = end;
        }
        encoder.copyBufferToBuffer(buffers.rows, start * width * 4, buffers.t, 0, n * width * 4);
        const pass = encoder.beginComputePass();
        pass.setBindGroup(0, buffers.bind);
        for (const kernel of kernels) {
          pass.setPipeline(kernel.pipeline);
          pass.dispatchWorkgroups(kernel.blocks, n);
        }
        pass.end();
        planDispatches.count += kernels.length;
        encoder.copyBufferToBuffer(buffers.y, 0, buffers.out, start * outputSize * 4, n * outputSize * 4);
      }
      let result = buffers.out;
      if (guidance !== null) {
        const guided = this.guidedBuffers(buffers, B * outputSize);
        device.queue.writeBuffer(guided.uniform, 0, new Float32Array([guidance]));
        const pass = encoder.beginComputePass();
        pass.setPipeline(guidancePipeline(device).pipeline);
        pass.setBindGroup(0, guided.bind);
        pass.dispatchWorkgroups(Math.min(Math.ceil(B * outputSize / WORKGROUP), device.limits.maxComputeWorkgroupsPerDimension));
        pass.end();
        planDispatches.count += 1;
        result = guided.result;
      }
      device.queue.submit([encoder.finish()]);
      return result;
    };
    // The first run is watched for GPU errors (a failed dispatch would leave stale values silently)
    let result: GPUBuffer;
    if (this.firstRun === null) [result, this.firstRun] = scoped(device, record);
    else result = record();
    // tfjs copies the whole result buffer into one of its own now, after this submission
    return backend.createTensorFromGPUData({ buffer: result }, shape, 'float32');
  }

  /**
   * A batch's guided result buffer (`values` long), the uniform (the scale, written per run, then
   * `values`) and their bind group with its `out`, made on first use.
   */
  private guidedBuffers(buffers: { out: GPUBuffer; guided: { result: GPUBuffer; uniform: GPUBuffer; bind: GPUBindGroup } | null }, values: number) {
    if (buffers.guided) return buffers.guided;
    const result = this.device.createBuffer({ size: values * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    const uniform = this.device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(uniform, 4, new Uint32Array([values]));
    const bind = this.device.createBindGroup({
      layout: guidancePipeline(this.device).layout,
      entries: [buffers.out, result, uniform].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    buffers.guided = { result, uniform, bind };
    return buffers.guided;
  }

  /** Frees the plan's buffers (the pipelines go with the device). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.params.destroy();
    this.freeBatches();
  }

  /** Destroys the per-batch buffers (work already submitted that uses them still completes). */
  private freeBatches(): void {
    for (const b of this.batches.values()) {
      [b.acts, b.x, b.t, b.y, b.rows, b.out, b.guided?.result, b.guided?.uniform].forEach((g) => g?.destroy());
    }
    this.batches.clear();
  }
}

/**
 * Why a model's forward pass cannot use its plan whatever the plan: turned off, another backend,
 * or the architecture view tracing its stages (the plan has no stages to show); null when it can.
 */
export function blockerOf(compiled: boolean, trace: unknown): string | null {
  if (!compiled) return 'the compiled plan is turned off';
  if (tf.getBackend() !== 'webgpu') return `the backend is ${tf.getBackend()}`;
  if (trace !== undefined) return 'the architecture view traces each stage';
  return null;
}

/**
 * A model's compiled plan: made on first use on a WebGPU backend, again if the backend changes (a
 * lost device restarts it). If making it fails, or its first run meets a GPU error, the model
 * stays on tfjs's ops and says why (in `lastPath`, and once in the console).
 */
/** What a PlanSlot holds: a GpuPlan, or the transformer's TokenPlan (token-plan.ts). */
export interface CompiledPlan {
  readonly backend: Backend;
  /** The first GPU error from making the plan and from its first run, or null. */
  gpuError(): Promise<string | null>;
  dispose(): void;
}

export class PlanSlot<P extends CompiledPlan = GpuPlan> {
  private plan: P | null = null;
  private failure: string | null;
  private checking: Promise<void> = Promise.resolve();
  lastPath = 'not run yet';

  /** `support`: why the plan cannot run this architecture, or null; `make` makes it on a backend. */
  constructor(private readonly owner: string, support: string | null, private readonly make: (backend: Backend) => P) {
    this.failure = support;
  }

  /** The plan to run now, or null where tfjs's ops run (`blocker`: why not, found by the model); sets lastPath. */
  choose(blocker: string | null): P | null {
    const chosen = blocker ?? this.current();
    if (typeof chosen === 'string') {
      this.lastPath = `tfjs ops (${chosen})`;
      return null;
    }
    this.lastPath = 'compiled WebGPU plan';
    return chosen;
  }

  /**
   * Resolves once the plan's first run has been checked for GPU errors; where there was one, later
   * passes run tfjs's ops. The loader awaits it after its warm-up pass, so a person never sees a
   * sample from a plan that failed.
   */
  checked(): Promise<void> {
    return this.checking;
  }

  private current(): P | string {
    if (this.failure !== null) return this.failure;
    const backend = tf.backend() as unknown as Backend;
    if (this.plan?.backend === backend) return this.plan;
    this.plan?.dispose();
    this.plan = null;
    let plan: P;
    try {
      plan = this.make(backend);
    } catch (err) {
      return this.fail(`making it failed (${(err as Error).message})`);
    }
    this.plan = plan;
    // Checked once its first run (which follows this call) is submitted
    this.checking = Promise.resolve().then(() => plan.gpuError()).then((error) => {
      if (error !== null && this.plan === plan) {
        this.fail(`it met a GPU error (${error})`);
        plan.dispose();
        this.plan = null;
      }
    });
    return plan;
  }

  private fail(why: string): string {
    this.failure = why;
    console.warn(`${this.owner}: runs on tfjs's ops: the compiled WebGPU plan ${why}`);
    return why;
  }

  dispose(): void {
    this.plan?.dispose();
    this.plan = null;
  }
}
