/**
 * The UNet of unet.ts lowered to the compiled WebGPU plan's ops (gpu-plan.ts): the time and class
 * embedding, then each ResBlock as two convolutions (GroupNorm and SiLU on load; the embedding's
 * projection in the first, the residual in the second), attention, pooling and upsampling, in
 * createUNet's order. xray-ddpm's whole network is 31 dispatches.
 */
import type * as tf from '@tensorflow/tfjs';
import type { UNetArchitecture } from './card.js';
import { type Act, type Backend, GpuPlan, LANES, type Lowered, PlanBuilder, precompilePlan } from './gpu-plan.js';
import { groupCount, timestepFrequencies } from './layers.js';

/** Positions beyond which the attention kernel's per-thread score array would be too large. */
const MAX_ATTENTION_POSITIONS = 256;

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
export function lowerUNet(a: UNetArchitecture): Lowered {
  const d = a.dims;
  const n = new PlanBuilder(d, 'unet');
  const E = a.timeEmbedDim;
  const D = a.baseChannels;          // the sinusoid's width, as unet.ts's timestepEmbedding(t, ch0)
  const gn = (path: string, C: number) => n.norm(path, C, groupCount(C, a.groups));

  const emb = n.act(1, 1, E);
  n.ops.push({
    kind: 'embed', w1: n.param('time_mlp.0.weight', D * E), b1: n.param('time_mlp.0.bias', E),
    w2: n.param('time_mlp.2.weight', E * E), b2: n.param('time_mlp.2.bias', E), cls: n.param('class_emb.weight', (a.numClasses + 1) * E), D, out: emb,
  });
  const resBlock = (src: Act[], path: string, cOut: number): Act => {
    const cIn = src.reduce((s, t) => s + t.C, 0);
    const h = n.conv(src, `${path}.conv1`, cOut, { norm: gn(`${path}.norm1`, cIn), silu: true });
    n.lastConv().emb = { w: n.param(`${path}.emb_proj.weight`, E * cOut), b: n.param(`${path}.emb_proj.bias`, cOut), src: emb };
    const out = n.conv([h], `${path}.conv2`, cOut, { norm: gn(`${path}.norm2`, cOut), silu: true });
    const second = n.lastConv();
    if (cIn !== cOut) second.residual = { src, w: n.param(`${path}.skip.weight`, cIn * cOut), b: n.param(`${path}.skip.bias`, cOut) };
    else if (src.length === 1) second.residual = { src, w: null, b: null };
    else throw new Error(`${path}: a residual over a concatenation needs a projection`);
    return out;
  };
  const attention = (x: Act, path: string): Act => {
    const qkv = n.conv([x], `${path}.qkv`, 3 * x.C, { norm: gn(`${path}.norm`, x.C), k: 1 });
    const out = n.act(x.H, x.W, x.C);
    n.ops.push({ kind: 'attention', qkv, x, w: n.param(`${path}.proj.weight`, x.C * x.C), b: n.param(`${path}.proj.bias`, x.C), out });
    return out;
  };

  const size = a.size;
  const ch0 = a.baseChannels;
  const levels = a.channelMult.length;
  const input = n.act(d === 2 ? size : 1, size, a.inChannels);
  let h = n.conv([input], 'in_conv', ch0, { fromInput: true });
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
      const pooled = n.act(d === 2 ? h.H / 2 : 1, h.W / 2, h.C);
      n.ops.push({ kind: 'pool', src: h, out: pooled });
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
    if (level > 0) h = n.conv([h], `up.${upIndex}.${index}.conv`, ch, { upsample: true });
    upIndex++;
  }
  const out = n.conv([h], 'out_conv', a.inChannels, { norm: gn('out_norm', ch), silu: true, toOutput: true });
  return n.finish(input, out, D + 1);        // T: the sinusoids of t, then the class id
}

/** Compiles every kernel of this UNet's plan on `device` at once; nothing to do where the plan cannot run it. */
export async function precompileUNetPlan(a: UNetArchitecture, device: GPUDevice): Promise<void> {
  if (planSupport(a) === null) await precompilePlan(lowerUNet(a), a.dims, device);
}

/** The compiled plan of this UNet on tfjs's WebGPU backend (`weights` by name; they stay the caller's). */
export function makeUNetPlan(a: UNetArchitecture, weights: Readonly<Record<string, tf.Tensor>>, backend: Backend, maxValuesPerPass: number): GpuPlan {
  const reason = planSupport(a);
  if (reason !== null) throw new Error(`the compiled WebGPU plan cannot run this UNet: ${reason}`);
  return new GpuPlan(lowerUNet(a), a.dims, weights, backend, maxValuesPerPass);
}

/**
 * The plan's per-sample rows for timesteps t and classes y: the sinusoids of t in float64 of the
 * float32 argument, as timestepEmbedding computes them, then the class id.
 */
export function unetRows(a: UNetArchitecture, t: readonly number[], y: readonly number[]): Float32Array<ArrayBuffer> {
  const D = a.baseChannels;
  const freqs = timestepFrequencies(D);
  const rows = new Float32Array(t.length * (D + 1));
  const half = D / 2;
  t.forEach((step, b) => {
    const row = b * (D + 1);
    for (let i = 0; i < half; i++) {
      const arg = Math.fround(Math.fround(step) * freqs[i]!);
      rows[row + i] = Math.sin(arg);
      rows[row + half + i] = Math.cos(arg);
    }
    rows[row + D] = y[b]!;
  });
  return rows;
}
