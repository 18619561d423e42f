/**
 * A compiled WebGPU plan for the UNet of unet.ts: the whole network as about thirty dispatches of
 * fused WGSL kernels, recorded into one command buffer per pass, on tfjs's own GPUDevice.
 *
 * tfjs runs a 28x28 guided step as about 146 dispatches, each with its own uniform buffer, bind
 * group and pipeline lookup; on a fast GPU the step's time goes to that overhead, not to the
 * arithmetic. Here every kernel is written for one layer of one model (shapes and offsets are WGSL
 * constants), every buffer and the one bind group are made once per (model, batch), and a pass
 * records only its copies and dispatches:
 *
 *   embed       silu(time_mlp(sinusoid(t)) + class_emb(y)), one workgroup per sample
 *   conv        GroupNorm (+ SiLU) of its input applied as it loads it (from per-channel
 *               statistics its producer wrote), a k x k convolution with bias, then any of: the
 *               embedding's projection, the residual (identity or a 1x1 convolution of the block's
 *               input), a nearest x2 upsampling of its input, the concatenation of two inputs; and
 *               it writes the mean and centred sum of squares of each of its output channels
 *   pool        2x2 (1D: 2) average, with the same statistics
 *   attention   the 1x1 qkv convolution is a conv; softmax(q k^T / sqrt(C)) v, the projection and
 *               the residual per sample in one kernel, with the statistics
 *
 * A ResBlock is two convs; xray-ddpm's whole network is 31 dispatches. GroupNorm needs statistics
 * over a whole group before it can normalise, so each producing kernel computes them: a workgroup
 * owns 4 channels of one sample over every position, which it sums twice (mean, then squared
 * deviations from it: exact as PyTorch's two-pass variance, not E[x^2] - mean^2). A consumer
 * combines its group's channels with Chan's formula; groups that straddle a concatenation work too.
 *
 * Activations live in one buffer laid out per sample (a slab of SLAB floats each, tensors at fixed
 * offsets reused once dead), so the kernels do not depend on the batch size and are compiled once
 * per model. The network's input, timestep sinusoids and class ids, and output each have their own
 * buffer. A batch larger than what fits in one binding runs in chunks, one compute pass each.
 *
 * The plan matches tfjs's layers (layers.ts) and PyTorch within the parity tolerances (the browser
 * parity test runs every shipped UNet through it on WebGPU); where it cannot run a model it says why
 * (`planSupport`), and unet.ts uses tfjs's ops instead.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { UNetArchitecture } from './card.js';
import { GN_EPS, groupCount, timestepFrequencies } from './layers.js';

/** Channels each workgroup computes (one vec4); every channel count but the output's is a multiple. */
const LANES = 4;
const WORKGROUP = 64;
/** Positions beyond which the attention kernel's per-thread score array would be too large. */
const MAX_ATTENTION_POSITIONS = 256;
/** The plan's activations buffer is kept under this, whatever the device allows. */
const MAX_ACTIVATION_BYTES = 256 * 2 ** 20;

/** A tensor of one sample in the activation slab: positions H x W (1D: H = 1), channels-last. */
interface Act {
  readonly H: number;
  readonly W: number;
  readonly C: number;
  /** Where this tensor's values start in a sample's slab, and its statistics (mean, M2 per channel). */
  off: number;
  stats: number;
}

interface Norm { gamma: number; beta: number; groups: number; silu: boolean }
/** A weight in the parameter buffer: its offset in floats (a multiple of 4). */
type Param = number;

type Op =
  | { kind: 'embed'; w1: Param; b1: Param; w2: Param; b2: Param; cls: Param; out: Act }
  | {
    kind: 'conv'; src: Act[]; norm: Norm | null; upsample: boolean; k: number; w: Param; b: Param;
    emb: { w: Param; b: Param; src: Act } | null; residual: { src: Act[]; w: Param | null; b: Param | null } | null;
    fromInput: boolean; toOutput: boolean; out: Act;
  }
  | { kind: 'pool'; src: Act; out: Act }
  | { kind: 'attention'; qkv: Act; x: Act; w: Param; b: Param; out: Act };

/**
 * Why the plan cannot run this architecture, or null when it can. The shipped UNets all pass; a
 * custom model with odd channel counts or attention over many positions runs on tfjs's ops.
 */
export function planSupport(a: UNetArchitecture): string | null {
  const widths = [a.baseChannels, ...a.channelMult.map((m) => a.baseChannels * m)];
  if (widths.some((c) => c % LANES !== 0)) return `channel counts ${widths.join(', ')} are not all multiples of ${LANES}`;
  if (a.inChannels > LANES) return `${a.inChannels} input channels (at most ${LANES})`;
  const positions = (level: number) => (a.dims === 2 ? (a.size / 2 ** level) ** 2 : a.size / 2 ** level);
  const attended = [...a.attentionLevels, ...(a.midAttention ? [a.channelMult.length - 1] : [])];
  const widest = Math.max(0, ...attended.map(positions));
  if (widest > MAX_ATTENTION_POSITIONS) return `attention over ${widest} positions (at most ${MAX_ATTENTION_POSITIONS})`;
  return null;
}

/** The layers of a UNet as the plan's ops, with each weight's name; mirrors createUNet's loops. */
function lower(a: UNetArchitecture) {
  const params: { name: string; size: number }[] = [];
  let paramFloats = 0;
  const param = (name: string, size: number): Param => {
    const off = paramFloats;
    params.push({ name, size });
    paramFloats += Math.ceil(size / LANES) * LANES;
    return off;
  };
  const acts: Act[] = [];
  const act = (H: number, W: number, C: number): Act => {
    const t = { H, W, C, off: -1, stats: -1 };
    acts.push(t);
    return t;
  };
  const ops: Op[] = [];
  const d = a.dims;
  const k = 3;
  const E = a.timeEmbedDim;
  const D = a.baseChannels;          // the sinusoid's width, as unet.ts's timestepEmbedding(t, ch0)
  const gn = (path: string, C: number, silu: boolean): Norm =>
    ({ gamma: param(`${path}.weight`, C), beta: param(`${path}.bias`, C), groups: groupCount(C, a.groups), silu });

  const emb = act(1, 1, E);
  ops.push({
    kind: 'embed', w1: param('time_mlp.0.weight', D * E), b1: param('time_mlp.0.bias', E),
    w2: param('time_mlp.2.weight', E * E), b2: param('time_mlp.2.bias', E), cls: param('class_emb.weight', (a.numClasses + 1) * E), out: emb,
  });
  const conv = (src: Act[], path: string, cOut: number, opts: { norm?: Norm | null; kernel?: number; upsample?: boolean; fromInput?: boolean; toOutput?: boolean } = {}): Act => {
    const kk = opts.kernel ?? k;
    const cIn = src.reduce((s, t) => s + t.C, 0);
    const H = src[0]!.H * (opts.upsample && d === 2 ? 2 : 1);
    const W = src[0]!.W * (opts.upsample ? 2 : 1);
    const out = act(H, W, cOut);
    ops.push({
      kind: 'conv', src, norm: opts.norm ?? null, upsample: opts.upsample ?? false, k: kk,
      w: param(`${path}.weight`, (d === 2 ? kk * kk : kk) * cIn * cOut), b: param(`${path}.bias`, cOut),
      emb: null, residual: null, fromInput: opts.fromInput ?? false, toOutput: opts.toOutput ?? false, out,
    });
    return out;
  };
  const resBlock = (src: Act[], path: string, cOut: number): Act => {
    const cIn = src.reduce((s, t) => s + t.C, 0);
    const h = conv(src, `${path}.conv1`, cOut, { norm: gn(`${path}.norm1`, cIn, true) });
    const first = ops[ops.length - 1] as Extract<Op, { kind: 'conv' }>;
    first.emb = { w: param(`${path}.emb_proj.weight`, E * cOut), b: param(`${path}.emb_proj.bias`, cOut), src: emb };
    const out = conv([h], `${path}.conv2`, cOut, { norm: gn(`${path}.norm2`, cOut, true) });
    const second = ops[ops.length - 1] as Extract<Op, { kind: 'conv' }>;
    if (cIn !== cOut) second.residual = { src, w: param(`${path}.skip.weight`, cIn * cOut), b: param(`${path}.skip.bias`, cOut) };
    else if (src.length === 1) second.residual = { src, w: null, b: null };
    else throw new Error(`${path}: a residual over a concatenation needs a projection`);
    return out;
  };
  const attention = (x: Act, path: string): Act => {
    const norm = gn(`${path}.norm`, x.C, false);
    const qkv = conv([x], `${path}.qkv`, 3 * x.C, { norm, kernel: 1 });
    const out = act(x.H, x.W, x.C);
    ops.push({ kind: 'attention', qkv, x, w: param(`${path}.proj.weight`, x.C * x.C), b: param(`${path}.proj.bias`, x.C), out });
    return out;
  };

  const size = a.size;
  const ch0 = a.baseChannels;
  const levels = a.channelMult.length;
  let h = conv([act(d === 2 ? size : 1, size, a.inChannels)], 'in_conv', ch0, { fromInput: true });
  const skips = [h];
  let ch = ch0;
  a.channelMult.forEach((mult, level) => {
    let index = 0;
    for (let i = 0; i < a.blocksPerLevel; i++) {
      h = resBlock([h], `down.${level}.${index++}`, ch0 * mult);
      ch = ch0 * mult;
      if (a.attentionLevels.includes(level)) h = attention(h, `down.${level}.${index++}`);
      skips.push(h);
    }
    if (level < levels - 1) {
      index++;
      const pooled = act(d === 2 ? h.H / 2 : 1, h.W / 2, h.C);
      ops.push({ kind: 'pool', src: h, out: pooled });
      h = pooled;
      skips.push(h);
    }
  });
  h = resBlock([h], 'mid1', ch);
  if (a.midAttention) h = attention(h, 'mid_attn');
  h = resBlock([h], 'mid2', ch);
  let upIndex = 0;
  for (let level = levels - 1; level >= 0; level--) {
    let index = 0;
    const cOut = ch0 * a.channelMult[level]!;
    for (let i = 0; i < a.blocksPerLevel + 1; i++) {
      const skip = skips.pop()!;
      h = resBlock([h, skip], `up.${upIndex}.${index++}`, cOut);
      ch = cOut;
      if (a.attentionLevels.includes(level)) h = attention(h, `up.${upIndex}.${index++}`);
    }
    if (level > 0) h = conv([h], `up.${upIndex}.${index}.conv`, ch, { upsample: true });
    upIndex++;
  }
  const out = conv([h], 'out_conv', a.inChannels, { norm: gn('out_norm', ch, true), toOutput: true });
  return { params, paramFloats, acts, ops, input: (ops[1] as Extract<Op, { kind: 'conv' }>).src[0]!, out, emb, D };
}

/**
 * Places every tensor in the per-sample slab, reusing the space of tensors no later op reads;
 * the network's input and output tensors live in their own buffers and take no space.
 * Returns the slab's size in floats.
 */
function place(acts: Act[], ops: Op[], input: Act, output: Act): number {
  const lastUse = new Map<Act, number>();
  const reads = (op: Op): Act[] => {
    switch (op.kind) {
      case 'embed': return [];
      case 'conv': return [...op.src, ...(op.emb ? [op.emb.src] : []), ...(op.residual ? op.residual.src : [])];
      case 'pool': return [op.src];
      case 'attention': return [op.qkv, op.x];
    }
  };
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
    if (op.out !== output) {
      const at = alloc(sizeOf(op.out));
      op.out.off = at;
      op.out.stats = at + op.out.H * op.out.W * op.out.C;
    }
    // What op i - 1 read last is freed only now: op i's output never takes the place of what the
    // dispatch just before it read (without this, SwiftShader's results come out wrong)
    for (const t of i > 0 ? reads(ops[i - 1]!) : []) {
      if (lastUse.get(t) === i - 1 && t !== input) release(t.off, sizeOf(t));
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

/** Every kernel's entry point: one workgroup per (block of 4 channels, sample); lid its thread. */
const ENTRY = /* wgsl */ `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(local_invocation_id) lv : vec3<u32>) {
  let lid = lv.x;`;

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

/** Stores acc at position p of `out` and adds to the statistics' first pass; used by every producer. */
function statsEpilogue(out: Act, slab: number): string {
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

function convShader(op: Extract<Op, { kind: 'conv' }>, slab: number, dims: number, inChannels: number): string {
  const { out, k } = op;
  const cIn = op.src.reduce((s, t) => s + t.C, 0);
  const cOut4 = Math.ceil(out.C / LANES);
  const HW = out.H * out.W;
  const inW = op.upsample ? out.W / 2 : out.W;
  const half = (k - 1) / 2;
  const kh = dims === 2 ? k : 1;
  // The input value of channel ci (of source s) at position q, normalised where the conv normalises
  const load = (s: number, first: number, t: Act) => {
    const raw = op.fromInput ? `X[b * ${u(t.H * t.W * inChannels)} + q * ${u(t.C)} + ci]` : `A[base + ${u(t.off)} + q * ${u(t.C)} + ci]`;
    if (!op.norm) return raw;
    const v = `${raw} * nscale[ci + ${u(first)}] + nshift[ci + ${u(first)}]`;
    return op.norm.silu ? `silu(${v})` : `(${v})`;
  };
  // A vec4 of weights per (tap, input channel), or for the output conv (1 or 3 channels) scalars
  const weight = op.toOutput
    ? `vec4<f32>(${Array.from({ length: LANES }, (_, i) => (i < out.C ? `p1(wrow + (ci + FIRST) * ${u(out.C)} + ${u(i)})` : '0.0')).join(', ')})`
    : `P[wrow + (ci + FIRST) * ${u(cOut4)} + blk]`;
  let first = 0;
  const loops = op.src.map((t, s) => {
    const code = `
        for (var ci = 0u; ci < ${u(t.C)}; ci = ci + 1u) {
          let v = ${load(s, first, t)};
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
  const store = op.toOutput
    ? Array.from({ length: out.C }, (_, i) => `Y[b * ${u(HW * out.C)} + p * ${u(out.C)} + ${u(i)}] = acc[${i}];`).join(' ')
    : `store4(base + ${u(out.off)} + p * ${u(out.C)} + blk * 4u, acc);
    s1 = s1 + acc;`;
  return `${HEADER}
${op.norm ? normPrologue(op.src, op.norm, slab) : ''}
var<workgroup> embv : vec4<f32>;
${ENTRY}
  let blk = wid.x;
  let b = wid.y;
  let base = b * ${u(slab)};
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
  ${op.toOutput ? '' : statsEpilogue(out, slab)}
}`;
}

function poolShader(op: Extract<Op, { kind: 'pool' }>, slab: number, dims: number): string {
  const { src, out } = op;
  const HW = out.H * out.W;
  const at = (dy: number, dx: number) => `A[base + ${u(src.off)} + ((y * ${dims === 2 ? 2 : 1}u + ${dy}u) * ${u(src.W)} + x * 2u + ${dx}u) * ${u(src.C)} + c]`;
  const cells = dims === 2 ? [[0, 0], [0, 1], [1, 0], [1, 1]] : [[0, 0], [0, 1]];
  return `${HEADER}
${ENTRY}
  let blk = wid.x;
  let b = wid.y;
  let base = b * ${u(slab)};
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
  ${statsEpilogue(out, slab)}
}`;
}

function attentionShader(op: Extract<Op, { kind: 'attention' }>, slab: number): string {
  const { qkv, x, out } = op;
  const N = x.H * x.W;
  const C = x.C;
  const C4 = C / LANES;
  const row = (p: string) => `base + ${u(qkv.off)} + ${p} * ${u(3 * C)}`;
  return `${HEADER}
${ENTRY}
  let b = wid.y;
  let base = b * ${u(slab)};
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

function embedShader(op: Extract<Op, { kind: 'embed' }>, slab: number, D: number): string {
  const E = op.out.C;
  return `${HEADER}
var<workgroup> hidden : array<f32, ${E}>;
${ENTRY}
  let b = wid.y;
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
    A[b * ${u(slab)} + ${u(op.out.off)} + e] = silu(a);
  }
}`;
}

// --- The compiled network -----------------------------------------------------------------------

/** One kernel: its pipeline and its workgroups per sample along x. */
interface Kernel { pipeline: GPUComputePipeline; blocks: number }

interface Compiled {
  device: GPUDevice;
  layout: GPUBindGroupLayout;
  kernels: Kernel[];
  params: GPUBuffer;
  slab: number;
  inputSize: number;
  /** Values of the widest activation of one sample. */
  widest: number;
  D: number;
  freqs: Float32Array;
}

/** Dispatches recorded by every plan so far, for the benchmark (`bench:node -- --probe-loop`). */
export const planDispatches = { count: 0 };

type Backend = WebGPUBackend;

/** Submits what tfjs has recorded, so that work queued after this runs after it. */
function flush(backend: Backend): void {
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
}

/** The GPU buffer of a float32 tensor on `backend`, uploaded if it was not yet. */
function bufferOf(backend: Backend, t: tf.Tensor, what: string): GPUBuffer {
  backend.uploadToGPU(t.dataId);
  const buffer = backend.tensorMap.get(t.dataId).resource as GPUBuffer | null;
  if (!buffer) throw new Error(`compiled UNet plan: ${what} is not on the GPU`);
  return buffer;
}

/** Each kernel's WGSL, its label and its workgroups per sample. */
function kernelSources(a: UNetArchitecture, net: ReturnType<typeof lower>, slab: number): { code: string; label: string; blocks: number }[] {
  return net.ops.map((op) => {
    const label = `msl-unet-${op.kind}`;
    switch (op.kind) {
      case 'embed': return { code: embedShader(op, slab, net.D), label, blocks: 1 };
      case 'conv': return { code: convShader(op, slab, a.dims, a.inChannels), label, blocks: Math.ceil(op.out.C / LANES) };
      case 'pool': return { code: poolShader(op, slab, a.dims), label, blocks: op.out.C / LANES };
      case 'attention': return { code: attentionShader(op, slab), label, blocks: 1 };
    }
  });
}

/**
 * Per device: the one bind group layout every kernel shares, and the pipelines compiled so far by
 * their WGSL (a model's kernels are the same whatever the batch size, so they compile once).
 */
const perDevice = new WeakMap<GPUDevice, { layout: GPUBindGroupLayout; pipelineLayout: GPUPipelineLayout; pipelines: Map<string, GPUComputePipeline> }>();

function devicePipelines(device: GPUDevice) {
  let entry = perDevice.get(device);
  if (entry === undefined) {
    const storage = (type: GPUBufferBindingType) => ({ visibility: GPUShaderStage.COMPUTE, buffer: { type } });
    const layout = device.createBindGroupLayout({
      entries: [storage('read-only-storage'), storage('storage'), storage('read-only-storage'), storage('read-only-storage'), storage('storage')]
        .map((e, binding) => ({ binding, ...e })),
    });
    entry = { layout, pipelineLayout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), pipelines: new Map() };
    perDevice.set(device, entry);
  }
  return entry;
}

function pipelineDescriptor(device: GPUDevice, code: string, label: string): GPUComputePipelineDescriptor {
  const module = device.createShaderModule({ code, label });
  return { layout: devicePipelines(device).pipelineLayout, compute: { module, entryPoint: 'main' }, label };
}

/**
 * Compiles every kernel of this UNet's plan on `device` at once (createComputePipelineAsync), so
 * that the first pass finds them ready; the loader awaits it before its warm-up. Nothing to do for
 * a UNet the plan cannot run.
 */
export async function precompileUNetPlan(a: UNetArchitecture, device: GPUDevice): Promise<void> {
  if (planSupport(a) !== null) return;
  const net = lower(a);
  const slab = place(net.acts, net.ops, net.input, net.out);
  const { pipelines } = devicePipelines(device);
  await Promise.all(kernelSources(a, net, slab).filter(({ code }) => !pipelines.has(code)).map(async ({ code, label }) => {
    pipelines.set(code, await device.createComputePipelineAsync(pipelineDescriptor(device, code, label)));
  }));
}

/**
 * The compiled UNet of one model on tfjs's WebGPU backend: the network as WGSL, its weights copied
 * once into one parameter buffer. run() takes what predictNoise takes and returns a new tfjs tensor.
 * Weights stay the caller's (they are copied on the GPU here, not kept).
 */
export class UNetPlan {
  private readonly compiled: Compiled;
  private readonly batches = new Map<number, { chunk: number; acts: GPUBuffer; x: GPUBuffer; t: GPUBuffer; y: GPUBuffer; bind: GPUBindGroup }>();
  private steps: GPUBuffer | null = null;
  private out: GPUBuffer | null = null;
  private disposed = false;

  /**
   * `maxValuesPerPass`: a chunk of samples holds at most this many values of the widest activation
   * (the rule unet.ts's tfjs path chunks by), and its activations fit one binding of the device.
   */
  constructor(a: UNetArchitecture, weights: (name: string) => tf.Tensor, readonly backend: Backend, private readonly maxValuesPerPass: number) {
    const reason = planSupport(a);
    if (reason !== null) throw new Error(`the compiled WebGPU plan cannot run this UNet: ${reason}`);
    const net = lower(a);
    const slab = place(net.acts, net.ops, net.input, net.out);
    const device = backend.device;
    const params = device.createBuffer({ size: net.paramFloats * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    // Copy each weight from tfjs's buffers into the parameter buffer
    const sources = net.params.map((p) => {
      const t = weights(p.name);
      if (t.size !== p.size) throw new Error(`compiled UNet plan: weight '${p.name}' has ${t.size} values, expected ${p.size}`);
      return bufferOf(backend, t, `weight '${p.name}'`);
    });
    flush(backend);                                // the uploads before the copies
    const encoder = device.createCommandEncoder();
    let off = 0;
    net.params.forEach((p, i) => {
      encoder.copyBufferToBuffer(sources[i]!, 0, params, off * 4, p.size * 4);
      off += Math.ceil(p.size / LANES) * LANES;
    });
    device.queue.submit([encoder.finish()]);

    const { layout, pipelines } = devicePipelines(device);
    const kernels = kernelSources(a, net, slab).map(({ code, label, blocks }): Kernel => {
      let pipeline = pipelines.get(code);
      if (pipeline === undefined) {
        pipeline = device.createComputePipeline(pipelineDescriptor(device, code, label));
        pipelines.set(code, pipeline);
      }
      return { pipeline, blocks };
    });
    this.compiled = {
      device, layout, kernels, params, slab, D: net.D, freqs: timestepFrequencies(net.D),
      widest: Math.max(...net.acts.map((t) => t.H * t.W * t.C)),
      inputSize: net.input.H * net.input.W * a.inChannels,
    };
  }

  /** Samples per chunk. */
  private chunkFor(batch: number): number {
    const { device, slab, widest } = this.compiled;
    const bytes = Math.min(device.limits.maxStorageBufferBindingSize, MAX_ACTIVATION_BYTES);
    return Math.max(1, Math.min(batch, Math.floor(bytes / (slab * 4)), Math.floor(this.maxValuesPerPass / widest), device.limits.maxComputeWorkgroupsPerDimension));
  }

  /** The buffers and bind group for `batch` samples; those of another batch size are freed (one size is kept). */
  private buffersFor(batch: number) {
    let b = this.batches.get(batch);
    if (b) return b;
    this.freeBatches();
    const { device, slab, inputSize, D, layout, params } = this.compiled;
    const chunk = this.chunkFor(batch);
    const make = (floats: number, usage: number) => device.createBuffer({ size: Math.max(16, floats * 4), usage });
    const acts = make(chunk * slab, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const x = make(chunk * inputSize, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    const t = make(chunk * (D + 1), GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    const y = make(chunk * inputSize, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const bind = device.createBindGroup({ layout, entries: [params, acts, x, t, y].map((buffer, binding) => ({ binding, resource: { buffer } })) });
    b = { chunk, acts, x, t, y, bind };
    this.batches.set(batch, b);
    return b;
  }

  /** Grows a reusable buffer to at least `bytes`. */
  private grown(current: GPUBuffer | null, bytes: number, usage: number): GPUBuffer {
    if (current && current.size >= bytes) return current;
    current?.destroy();
    return this.compiled.device.createBuffer({ size: Math.max(16, bytes), usage });
  }

  /**
   * The predicted noise of x (B, *S, C) at timesteps t for classes y (numClasses = the null
   * class), as a new tensor. The caller checked the shapes and the class ids.
   */
  run(x: tf.Tensor, t: readonly number[], y: readonly number[]): tf.Tensor {
    if (this.disposed) throw new Error('the compiled UNet plan has been disposed');
    const B = x.shape[0]!;
    const { device, kernels, inputSize, D, freqs } = this.compiled;
    const buffers = this.buffersFor(B);
    // Timestep sinusoids in float64 of the float32 argument, as timestepEmbedding, and the class id
    const steps = new Float32Array(B * (D + 1));
    const half = D / 2;
    for (let b = 0; b < B; b++) {
      const row = b * (D + 1);
      for (let i = 0; i < half; i++) {
        const arg = Math.fround(Math.fround(t[b]!) * freqs[i]!);
        steps[row + i] = Math.sin(arg);
        steps[row + half + i] = Math.cos(arg);
      }
      steps[row + D] = y[b]!;
    }
    this.steps = this.grown(this.steps, steps.byteLength, GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.out = this.grown(this.out, B * inputSize * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);

    const backend = this.backend;
    const source = bufferOf(backend, x, 'the input');
    flush(backend);                                // tfjs's queued work (x among it) runs first
    device.queue.writeBuffer(this.steps, 0, steps);
    const encoder = device.createCommandEncoder();
    for (let start = 0; start < B; start += buffers.chunk) {
      const n = Math.min(buffers.chunk, B - start);
      encoder.copyBufferToBuffer(source, start * inputSize * 4, buffers.x, 0, n * inputSize * 4);
      encoder.copyBufferToBuffer(this.steps, start * (D + 1) * 4, buffers.t, 0, n * (D + 1) * 4);
      const pass = encoder.beginComputePass();
      pass.setBindGroup(0, buffers.bind);
      for (const kernel of kernels) {
        pass.setPipeline(kernel.pipeline);
        pass.dispatchWorkgroups(kernel.blocks, n);
      }
      pass.end();
      planDispatches.count += kernels.length;
      encoder.copyBufferToBuffer(buffers.y, 0, this.out, start * inputSize * 4, n * inputSize * 4);
    }
    device.queue.submit([encoder.finish()]);
    // tfjs copies the result into a buffer of its own, after this submission, before the next run's
    return backend.createTensorFromGPUData({ buffer: this.out }, x.shape, 'float32');
  }

  /** Frees the plan's buffers (the pipelines go with the device). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.compiled.params.destroy();
    this.freeBatches();
    this.steps?.destroy();
    this.out?.destroy();
  }

  /** Destroys the per-batch buffers (work already submitted that uses them still completes). */
  private freeBatches(): void {
    for (const b of this.batches.values()) [b.acts, b.x, b.t, b.y].forEach((g) => g.destroy());
    this.batches.clear();
  }
}
