/**
 * The transformer's token step (ar.ts `next`) as one WebGPU dispatch: a workgroup per row of the
 * batch runs the whole pass over one position, its activations in workgroup memory, its keys and
 * values in a cache buffer made once per run (`startCache`), on tfjs's own GPUDevice.
 *
 * tfjs runs a token step of a 4-block transformer as about 105 dispatches, each with its own
 * uniform buffer and bind group; the step's arithmetic (12 W^2 multiply-adds a block and row) is
 * a few hundred thousand operations, far less than that overhead on a fast GPU. Here, per row:
 *
 *   h       = embedding row (the class at position 0, the code before it after) + pos[p]
 *   a block:  x = LayerNorm1(h); q, k, v = x Wqkv + b (k and v into the cache's slot p)
 *             s = softmax over j <= p of q_head . k_j,head / sqrt(hd) per head
 *             h = h + (s v) Wproj + b
 *             x = LayerNorm2(h); h = h + gelu_tanh(x W1 + b1) W2 + b2
 *   logits  = LayerNorm_f(h) Whead + b
 *
 * The kernel reads the position and each row's embedding offset from a small buffer written per
 * step, so one compiled pipeline serves every position. The slots after p are never read (the
 * tfjs path masks them). Within the parity tolerances of tfjs's ops and PyTorch; a model whose
 * shapes do not fit (tokenPlanSupport) or whose plan meets a GPU error runs tfjs's ops (PlanSlot).
 */
import type * as tf from '@tensorflow/tfjs';
import { type ArArchitecture, tokenCountOf } from './card.js';
import { type Backend, cachedPipeline, devicePipelines, flush, forgetPipelines, packParams, paramOffsets, planDispatches, precompileKernel, scoped, weightBuffers } from './gpu-plan.js';
import { LN_EPS } from './layers.js';

/** Threads a row (a power of two: the reductions halve it). */
const WORKGROUP = 128;
/** Workgroup memory every WebGPU device offers (the spec's minimum of maxComputeWorkgroupStorageSize). */
const WORKGROUP_BYTES = 16384;
/** A cache is kept under this, whatever the device allows. */
const MAX_CACHE_BYTES = 256 * 2 ** 20;

/** The kernel's label (a test breaks the kernel by it). */
const LABEL = 'msl-ar-token';

const u = (n: number) => `${n}u`;

/** The transformer's sizes: width W, heads H (hd = W / H), MLP width M, positions N, codes K, blocks L. */
function sizes(a: ArArchitecture) {
  const W = a.width;
  return { W, H: a.heads, hd: W / a.heads, M: a.mlpRatio * W, N: tokenCountOf({ architecture: a }), K: a.codebookSize, L: a.layers };
}

/** Floats of workgroup memory the kernel declares: h, x, q, the attended values, the MLP, the scores, the reduction. */
function workgroupFloats(a: ArArchitecture): number {
  const { W, H, M, N } = sizes(a);
  return 4 * W + M + H * N + WORKGROUP;
}

/** Why the plan cannot run this transformer, or null when it can (every shipped one can). */
export function tokenPlanSupport(a: ArArchitecture): string | null {
  if (a.width % a.heads !== 0) return `width ${a.width} does not split into ${a.heads} heads`;
  if (a.heads > WORKGROUP) return `${a.heads} heads (at most ${WORKGROUP}: a thread each for the softmax)`;
  const bytes = workgroupFloats(a) * 4;
  if (bytes > WORKGROUP_BYTES) return `a row needs ${bytes} bytes of workgroup memory (at most ${WORKGROUP_BYTES})`;
  return null;
}

/** The weights in the parameter buffer's order: embeddings, then each block's (all alike: a fixed stride), then the head. */
function paramList(a: ArArchitecture): { name: string; size: number }[] {
  const { W, M, N, K, L } = sizes(a);
  const block = (i: number) => {
    const p = `gpt.blocks.${i}`;
    return [
      [`${p}.ln1.weight`, W], [`${p}.ln1.bias`, W], [`${p}.qkv.weight`, W * 3 * W], [`${p}.qkv.bias`, 3 * W],
      [`${p}.proj.weight`, W * W], [`${p}.proj.bias`, W], [`${p}.ln2.weight`, W], [`${p}.ln2.bias`, W],
      [`${p}.fc1.weight`, W * M], [`${p}.fc1.bias`, M], [`${p}.fc2.weight`, M * W], [`${p}.fc2.bias`, W],
    ] as const;
  };
  return [
    ['gpt.tok.weight', K * W], ['gpt.cls.weight', (a.numClasses + 1) * W], ['gpt.pos', N * W],
    ...Array.from({ length: L }, (_, i) => block(i)).flat(),
    ['gpt.ln_f.weight', W], ['gpt.ln_f.bias', W], ['gpt.head.weight', W * K], ['gpt.head.bias', K],
  ].map(([name, size]) => ({ name: name as string, size: size as number }));
}

/** Each weight's offset in floats in the parameter buffer (as packParams lays them), by name. */
function offsets(params: readonly { name: string; size: number }[]): Map<string, number> {
  const { at } = paramOffsets(params);
  return new Map(params.map((p, i) => [p.name, at[i]!]));
}

/**
 * The kernel. Bindings as every plan's (gpu-plan.ts): P the weights, A the cache (per row, per
 * block: N keys then N values of W), X the step (the position, then each row's embedding offset),
 * T unused, Y the logits (rows x K).
 */
function tokenShader(a: ArArchitecture): string {
  const { W, H, hd, M, N, K, L } = sizes(a);
  const at = offsets(paramList(a));
  const off = (name: string) => u(at.get(name)!);
  const stride = at.get('gpt.blocks.1.ln1.weight') === undefined ? 0 : at.get('gpt.blocks.1.ln1.weight')! - at.get('gpt.blocks.0.ln1.weight')!;
  const inBlock = (name: string) => u(at.get(`gpt.blocks.0.${name}`)! - at.get('gpt.blocks.0.ln1.weight')!);
  const loop = (v: string, n: string | number) => `for (var ${v} = lid; ${v} < ${typeof n === 'number' ? u(n) : n}; ${v} = ${v} + ${u(WORKGROUP)})`;
  /** out_j = bias_j + sum_i in[i] w[i, j] for j in 0..n (a weight [in, out] at `w`), then `then`. */
  const dense = (input: string, nIn: number, w: string, b: string, nOut: number, then: string) => `
    ${loop('j', nOut)} {
      var acc = 0.0;
      for (var i = 0u; i < ${u(nIn)}; i = i + 1u) { acc = acc + ${input}[i] * P[${w} + i * ${u(nOut)} + j]; }
      acc = acc + P[${b} + j];
      ${then}
    }
    workgroupBarrier();`;
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> P : array<f32>;
@group(0) @binding(1) var<storage, read_write> A : array<f32>;
@group(0) @binding(2) var<storage, read> X : array<u32>;
@group(0) @binding(3) var<storage, read> T : array<f32>;
@group(0) @binding(4) var<storage, read_write> Y : array<f32>;
var<workgroup> h : array<f32, ${W}>;
var<workgroup> x : array<f32, ${W}>;
var<workgroup> q : array<f32, ${W}>;
var<workgroup> att : array<f32, ${W}>;
var<workgroup> mid : array<f32, ${M}>;
var<workgroup> s : array<f32, ${H * N}>;
var<workgroup> red : array<f32, ${WORKGROUP}>;

// The workgroup's sum of v (every thread gets it); called in uniform control flow
fn total(v : f32, lid : u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var k = ${u(WORKGROUP / 2)}; k > 0u; k = k / 2u) {
    if (lid < k) { red[lid] = red[lid] + red[lid + k]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

// x = LayerNorm(h), its weight at g and bias at b (biased variance, two passes)
fn layerNorm(g : u32, b : u32, lid : u32) {
  var s1 = 0.0;
  ${loop('c', W)} { s1 = s1 + h[c]; }
  let mean = total(s1, lid) / ${W}.0;
  var s2 = 0.0;
  ${loop('c', W)} { let d = h[c] - mean; s2 = s2 + d * d; }
  let rstd = inverseSqrt(total(s2, lid) / ${W}.0 + ${LN_EPS});
  ${loop('c', W)} { x[c] = (h[c] - mean) * rstd * P[g + c] + P[b + c]; }
  workgroupBarrier();
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(local_invocation_id) lv : vec3<u32>) {
  let lid = lv.x;
  let row = wid.x;
  let p = X[0];
  let seen = p + 1u;
  ${loop('c', W)} { h[c] = P[X[1u + row] + c] + P[${off('gpt.pos')} + p * ${u(W)} + c]; }
  workgroupBarrier();
  for (var l = 0u; l < ${u(L)}; l = l + 1u) {
    let o = ${off('gpt.blocks.0.ln1.weight')} + l * ${u(stride)};
    let keys = (row * ${u(L)} + l) * ${u(2 * N * W)};
    let values = keys + ${u(N * W)};
    layerNorm(o, o + ${inBlock('ln1.bias')}, lid);
    ${dense('x', W, `o + ${inBlock('qkv.weight')}`, `o + ${inBlock('qkv.bias')}`, 3 * W, `if (j < ${u(W)}) { q[j] = acc * ${1 / Math.sqrt(hd)}; }
      else if (j < ${u(2 * W)}) { A[keys + p * ${u(W)} + j - ${u(W)}] = acc; }
      else { A[values + p * ${u(W)} + j - ${u(2 * W)}] = acc; }`)}
    storageBarrier();
    // each head's scores over the positions so far
    for (var e = lid; e < ${u(H)} * seen; e = e + ${u(WORKGROUP)}) {
      let head = e / seen;
      let j = e % seen;
      var dot = 0.0;
      for (var c = 0u; c < ${u(hd)}; c = c + 1u) { dot = dot + q[head * ${u(hd)} + c] * A[keys + j * ${u(W)} + head * ${u(hd)} + c]; }
      s[head * ${u(N)} + j] = dot;
    }
    workgroupBarrier();
    if (lid < ${u(H)}) {
      var top = -3.0e38;
      for (var j = 0u; j < seen; j = j + 1u) { top = max(top, s[lid * ${u(N)} + j]); }
      var sum = 0.0;
      for (var j = 0u; j < seen; j = j + 1u) { let w = exp(s[lid * ${u(N)} + j] - top); s[lid * ${u(N)} + j] = w; sum = sum + w; }
      for (var j = 0u; j < seen; j = j + 1u) { s[lid * ${u(N)} + j] = s[lid * ${u(N)} + j] / sum; }
    }
    workgroupBarrier();
    ${loop('c', W)} {
      let head = c / ${u(hd)};
      var acc = 0.0;
      for (var j = 0u; j < seen; j = j + 1u) { acc = acc + s[head * ${u(N)} + j] * A[values + j * ${u(W)} + c]; }
      att[c] = acc;
    }
    workgroupBarrier();
    ${dense('att', W, `o + ${inBlock('proj.weight')}`, `o + ${inBlock('proj.bias')}`, W, 'h[j] = h[j] + acc;')}
    layerNorm(o + ${inBlock('ln2.weight')}, o + ${inBlock('ln2.bias')}, lid);
    ${dense('x', W, `o + ${inBlock('fc1.weight')}`, `o + ${inBlock('fc1.bias')}`, M,
      // gelu, tanh approximation, as ar.ts geluTanh computes it: x sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3))
      `mid[j] = acc / (1.0 + exp(-(acc + acc * acc * acc * 0.044715) * ${2 * Math.sqrt(2 / Math.PI)}));`)}
    ${dense('mid', M, `o + ${inBlock('fc2.weight')}`, `o + ${inBlock('fc2.bias')}`, W, 'h[j] = h[j] + acc;')}
  }
  layerNorm(${off('gpt.ln_f.weight')}, ${off('gpt.ln_f.bias')}, lid);
  ${dense('x', W, off('gpt.head.weight'), off('gpt.head.bias'), K, `Y[row * ${u(K)} + j] = acc;`)}
}`;
}

/** Compiles the plan's kernel on `device` ahead of its first step (the loader, before its warm-up). */
export async function precompileTokenPlan(a: ArArchitecture, device: GPUDevice): Promise<void> {
  if (tokenPlanSupport(a) === null) await precompileKernel(device, tokenShader(a), LABEL);
}

/** One sampling run's cache, step buffer, logits and bind group; freed by dispose(). */
export class TokenCache {
  disposed = false;
  constructor(readonly rows: number, readonly buffers: { cache: GPUBuffer; step: GPUBuffer; unused: GPUBuffer; logits: GPUBuffer }, readonly bind: GPUBindGroup) {}

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Object.values(this.buffers).forEach((b) => b.destroy());
  }
}

/** A transformer's token step compiled on tfjs's WebGPU backend; its weights (by name) are copied once and stay the caller's. */
export class TokenPlan {
  readonly device: GPUDevice;
  private readonly params: GPUBuffer;
  private readonly pipeline: GPUComputePipeline;
  private readonly made: Promise<string | null>;
  /** The GPU's errors from the first step, once it has run (a cache may start well before its first step). */
  private readonly firstRun: Promise<string | null>;
  private ranFirst: ((errors: Promise<string | null>) => void) | null = null;
  private disposed = false;
  private readonly cacheFloatsPerRow: number;
  /** Where the code embeddings and the class embeddings start, in floats. */
  private readonly tokAt: number;
  private readonly clsAt: number;

  constructor(private readonly a: ArArchitecture, weights: Readonly<Record<string, tf.Tensor>>, readonly backend: Backend) {
    const reason = tokenPlanSupport(a);
    if (reason !== null) throw new Error(`the compiled WebGPU plan cannot run this transformer: ${reason}`);
    const device = backend.device;
    this.device = device;
    this.firstRun = new Promise((resolve) => { this.ranFirst = resolve; });
    const { W, N, L } = sizes(a);
    this.cacheFloatsPerRow = L * 2 * N * W;
    const params = paramList(a);
    const at = offsets(params);
    this.tokAt = at.get('gpt.tok.weight')!;
    this.clsAt = at.get('gpt.cls.weight')!;
    const sources = weightBuffers(backend, params, weights);
    [[this.params, this.pipeline], this.made] = scoped(device, () => [packParams(device, params, sources), cachedPipeline(device, tokenShader(a), LABEL)] as const);
  }

  /** Why a run of `rows` rows cannot use the plan (its cache would not fit one binding), or null. */
  fits(rows: number): string | null {
    if (rows < 1) return 'no rows';
    const bytes = rows * this.cacheFloatsPerRow * 4;
    const limit = Math.min(this.device.limits.maxStorageBufferBindingSize, MAX_CACHE_BYTES);
    if (bytes > limit) return `a cache of ${rows} rows needs ${bytes} bytes (at most ${limit})`;
    if (rows > this.device.limits.maxComputeWorkgroupsPerDimension) return `${rows} rows (at most ${this.device.limits.maxComputeWorkgroupsPerDimension})`;
    return null;
  }

  /** The buffers of a run of `rows` rows (the caller checked `fits`). */
  startCache(rows: number): TokenCache {
    if (this.disposed) throw new Error('the compiled plan has been disposed');
    const { device } = this;
    const make = (bytes: number, usage: number) => device.createBuffer({ size: Math.max(16, bytes), usage });
    const buffers = {
      cache: make(rows * this.cacheFloatsPerRow * 4, GPUBufferUsage.STORAGE),
      step: make((rows + 1) * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST),
      unused: make(16, GPUBufferUsage.STORAGE),
      // exactly the logits' size, COPY_DST too: tfjs copies a result buffer whole, with its usage
      logits: device.createBuffer({ size: rows * this.a.codebookSize * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }),
    };
    const { cache, step, unused, logits } = buffers;
    const bind = device.createBindGroup({
      layout: devicePipelines(device).layout,
      entries: [this.params, cache, step, unused, logits].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    return new TokenCache(rows, buffers, bind);
  }

  /**
   * Logits (rows, K) at position p: each row's input is its class (p = 0) or the code chosen
   * before (`inputs`, one per row; checked by the caller). Writes the slot p of the cache.
   */
  next(cache: TokenCache, p: number, inputs: readonly number[]): tf.Tensor2D {
    if (this.disposed) throw new Error('the compiled plan has been disposed');
    if (cache.disposed) throw new Error('the cache has been disposed');
    const { device, a } = this;
    const step = new Uint32Array(cache.rows + 1);
    step[0] = p;
    inputs.forEach((v, r) => { step[r + 1] = p === 0 ? this.clsAt + v * a.width : this.tokAt + v * a.width; });
    flush(this.backend);                           // tfjs's queued work first
    const record = () => {
      device.queue.writeBuffer(cache.buffers.step, 0, step);
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(this.pipeline);
      pass.setBindGroup(0, cache.bind);
      pass.dispatchWorkgroups(cache.rows);
      pass.end();
      device.queue.submit([encoder.finish()]);
      planDispatches.count += 1;
    };
    if (this.ranFirst) {
      const [, errors] = scoped(device, record);
      this.ranFirst(errors);
      this.ranFirst = null;
    } else {
      record();
    }
    return this.backend.createTensorFromGPUData({ buffer: cache.buffers.logits }, [cache.rows, a.codebookSize], 'float32') as tf.Tensor2D;
  }

  /**
   * The first GPU error from making the plan and from its first step, or null, once that step has
   * run (the loader's warm-up runs it); the kernel leaves the device's cache after one.
   */
  async gpuError(): Promise<string | null> {
    const error = (await this.made) ?? (await this.firstRun);
    if (error !== null) forgetPipelines(this.device, [this.pipeline]);
    return error;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.params.destroy();
  }
}

