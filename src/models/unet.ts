/**
 * The class-conditional epsilon-prediction UNet of training/medsynth/unet.py, in tfjs, channels-last.
 *
 *   emb  = time_mlp(timestep_embedding(t)) + class_emb(y)          y = numClasses is the null class
 *   h    = in_conv(x)                                               skips = [h]
 *   down : per level, blocksPerLevel ResBlocks (+ attention at attentionLevels), each pushing a
 *          skip (attention replaces the last one); then, except at the lowest level, avg-pool /2
 *          pushing a skip
 *   mid  : ResBlock, SelfAttention (if midAttention), ResBlock
 *   up   : per level, lowest first, blocksPerLevel + 1 ResBlocks on concat([h, skips.pop()]) along
 *          channels (h first), (+ attention), then, except at level 0, nearest x2 + conv
 *   out  = out_conv(silu(out_norm(h)))
 *
 * The module paths that name the weights (`down.<level>.<index>`, `up.<j>.<index>`) come from the
 * same loops as unet.py's constructor, so a config change renames weights the same way on both sides.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelCard, UNetArchitecture } from './card.js';
import {
  type EmbeddedLayer, type Layer, type StageTrace, avgPool2x, buildFromWeights, checkClassIds, checkInput, classIds, conv, dense, groupNorm,
  resBlock, selfAttention, silu, timestepEmbedding, traced, upsample2x,
} from './layers.js';
import { PlanSlot, blockerOf } from './gpu-plan.js';
import { makeUNetPlan, planSupport, unetRows } from './unet-plan.js';

export interface UNet {
  readonly card: ModelCard;
  readonly architecture: UNetArchitecture;
  /**
   * x: (B, *S, C) noisy sample x_t; t: (B,) timesteps 0..steps-1 (float ok; pass numbers for exact
   * sinusoids); y: (B,) class ids, numClasses = the null class -> predicted noise eps, (B, *S, C).
   * The caller disposes the result.
   */
  predictNoise(x: tf.Tensor, t: tf.Tensor1D | readonly number[], y: tf.Tensor1D | readonly number[], trace?: StageTrace): tf.Tensor;
  /**
   * Classifier-free guidance in one compiled pass where the plan runs (denoise.ts's guidedNoise,
   * with the conditional and unconditional passes, and their combination, on the GPU in one
   * submission): eps_u + guidance (eps_c - eps_u) at timestep t for x (B, *S, C); null where the
   * plan does not run (then the caller composes it from predictNoise, as on every other backend).
   */
  predictGuided(x: tf.Tensor, t: number, classes: readonly number[], nullClass: number, guidance: number): tf.Tensor | null;
  /** (B,) timesteps and (B,) class ids -> (B, timeEmbedDim) embedding. The caller disposes it. */
  embed(t: tf.Tensor1D | readonly number[], y: tf.Tensor1D | readonly number[]): tf.Tensor2D;
  /**
   * Whether predictNoise runs the compiled WebGPU plan (unet-plan.ts) where it can: on by default;
   * off, every backend runs tfjs's ops (the reference the plan is tested against).
   */
  compiled: boolean;
  /** What the last predictNoise ran: 'compiled WebGPU plan', or 'tfjs ops' and why not the plan. */
  readonly lastPath: string;
  /**
   * Resolves once the compiled plan's first run has been checked for GPU errors (after one, later
   * passes run tfjs's ops); the loader awaits it after its warm-up pass.
   */
  compiledChecked(): Promise<void>;
  /** Frees the weights (and the compiled plan's buffers). */
  dispose(): void;
}

/** Values of the widest activation (full resolution, first level's channels) in one pass. */
export const MAX_VALUES_PER_PASS = 2 ** 23;

/** One entry of a down/up ModuleList, in unet.py's order, with its module path and what it does in words. */
type Step = { path: string; what: string } & (
  | { kind: 'res'; run: EmbeddedLayer }
  | { kind: 'attention'; run: Layer }
  | { kind: 'pool' }
  | { kind: 'upsample'; run: Layer });

/**
 * Builds the UNet of `card` (method 'ddpm', from parseCard) from its weights, which it takes
 * ownership of: they are freed by the UNet's dispose(), or before an error is thrown here.
 * A batch whose widest activation would exceed `maxValuesPerPass` values runs in chunks.
 */
export function createUNet(card: ModelCard, tensors: Record<string, tf.Tensor>, maxValuesPerPass = MAX_VALUES_PER_PASS): UNet {
  if (card.architecture.type !== 'unet') throw new Error(`${card.id}: not a UNet (architecture ${card.architecture.type})`);
  const a = card.architecture;
  const owner = `UNet ${card.id}`;
  const d = a.dims;
  const g = a.groups;
  const E = a.timeEmbedDim;
  const ch0 = a.baseChannels;
  const levels = a.channelMult.length;

  const [net, weights] = buildFromWeights(owner, tensors, (w) => {
    const time1 = dense(w, 'time_mlp.0', ch0, E);
    const time2 = dense(w, 'time_mlp.2', E, E);
    const classEmb = w.get('class_emb.weight', [a.numClasses + 1, E]);   // + 1: the learned null class
    const inConv = conv(w, 'in_conv', d, a.inChannels, ch0);

    const down: Step[][] = [];
    const skipCh = [ch0];
    let ch = ch0;
    a.channelMult.forEach((mult, level) => {
      const blocks: Step[] = [];
      const path = () => `down.${level}.${blocks.length}`;
      for (let i = 0; i < a.blocksPerLevel; i++) {
        blocks.push({ kind: 'res', path: path(), what: `ResBlock ${ch}→${ch0 * mult} channels, + embedding`, run: resBlock(w, path(), d, ch, ch0 * mult, E, g) });
        ch = ch0 * mult;
        if (a.attentionLevels.includes(level)) blocks.push({ kind: 'attention', path: path(), what: 'self-attention over every position', run: selfAttention(w, path(), d, ch, g) });
        skipCh.push(ch);
      }
      if (level < levels - 1) {
        blocks.push({ kind: 'pool', path: path(), what: 'average pool, half the size' });
        skipCh.push(ch);
      }
      down.push(blocks);
    });

    const mid1 = resBlock(w, 'mid1', d, ch, ch, E, g);
    const midAttn = a.midAttention ? selfAttention(w, 'mid_attn', d, ch, g) : null;
    const mid2 = resBlock(w, 'mid2', d, ch, ch, E, g);

    const up: Step[][] = [];
    for (let level = levels - 1; level >= 0; level--) {
      const blocks: Step[] = [];
      const path = () => `up.${up.length}.${blocks.length}`;
      const cOut = ch0 * (a.channelMult[level] ?? 0);
      for (let i = 0; i < a.blocksPerLevel + 1; i++) {
        const skip = skipCh.pop();
        if (skip === undefined) throw new Error(`${owner}: ran out of skip connections`);
        blocks.push({ kind: 'res', path: path(), what: `joined with a ${skip}-channel skip, ResBlock ${ch + skip}→${cOut}, + embedding`, run: resBlock(w, path(), d, ch + skip, cOut, E, g) });
        ch = cOut;
        if (a.attentionLevels.includes(level)) blocks.push({ kind: 'attention', path: path(), what: 'self-attention over every position', run: selfAttention(w, path(), d, ch, g) });
      }
      if (level > 0) {
        const upConv = conv(w, `${path()}.conv`, d, ch, ch);
        blocks.push({ kind: 'upsample', path: path(), what: 'nearest ×2, conv: double the size', run: (h) => upConv(upsample2x(h, d)) });
      }
      up.push(blocks);
    }

    const outNorm = groupNorm(w, 'out_norm', ch, g, true);
    const outConv = conv(w, 'out_conv', d, ch, a.inChannels);
    return { time1, time2, classEmb, inConv, down, mid1, midAttn, mid2, up, outNorm, outConv };
  });

  let disposed = false;
  const alive = () => {
    if (disposed) throw new Error(`${owner} has been disposed`);
  };

  const plan = new PlanSlot(owner, planSupport(a), (backend) => makeUNetPlan(a, tensors, backend, maxValuesPerPass));

  /** Runs inside the caller's tidy. */
  const embedding = (t: tf.Tensor1D | readonly number[], y: tf.Tensor1D | readonly number[]): tf.Tensor2D => {
    const n = t instanceof tf.Tensor ? t.shape[0] : t.length;
    const m = y instanceof tf.Tensor ? y.shape[0] : y.length;
    if (n !== m) throw new Error(`${owner}: ${n} timesteps but ${m} class ids`);
    const temb = net.time2(silu(net.time1(timestepEmbedding(t, ch0))));          // (B, E)
    return tf.add(temb, tf.gather(net.classEmb, classIds(y, a.numClasses + 1, owner))) as tf.Tensor2D;
  };

  const applyStep = (step: Step, h: tf.Tensor, embSilu: tf.Tensor): tf.Tensor => {
    switch (step.kind) {
      case 'res': return step.run(h, embSilu);
      case 'pool': return avgPool2x(h, d);
      default: return step.run(h);
    }
  };

  const unet: UNet = {
    card,
    architecture: a,
    compiled: true,
    get lastPath() {
      return plan.lastPath;
    },
    compiledChecked: () => plan.checked(),
    embed(t, y) {
      alive();
      return tf.tidy(() => embedding(t, y));
    },
    predictGuided(x, t, classes, nullClass, guidance) {
      alive();
      checkInput(owner, x, d, a.inChannels, null);
      if (classes.length !== x.shape[0]) throw new Error(`${owner}: ${x.shape[0]} samples but ${classes.length} class ids`);
      const compiled = plan.choose(blockerOf(unet.compiled, undefined)
        ?? (x.shape.slice(1, d + 1).some((s) => s !== a.size) ? `the input is not ${a.size} wide` : null));
      if (compiled === null) return null;
      const both = [...classes, ...classes.map(() => nullClass)];
      checkClassIds(both, a.numClasses + 1, owner);
      return compiled.runGuided(x, unetRows(a, both.map(() => t), both), guidance);
    },
    predictNoise(x, t, y, trace) {
      alive();
      checkInput(owner, x, d, a.inChannels, null);
      const B = x.shape[0];
      const n = t instanceof tf.Tensor ? t.shape[0] : t.length;
      if (n !== B) throw new Error(`${owner}: ${B} samples but ${n} timesteps`);
      const multiple = 2 ** (levels - 1);
      if (x.shape.slice(1, d + 1).some((s) => s % multiple !== 0)) {
        throw new Error(`${owner}: spatial size [${x.shape.slice(1, d + 1).join(', ')}] is not divisible by ${multiple}`);
      }
      const compiled = plan.choose(blockerOf(unet.compiled, trace)
        ?? (t instanceof tf.Tensor || y instanceof tf.Tensor ? 'timesteps or classes came as tensors'
          : x.shape.slice(1, d + 1).some((s) => s !== a.size) ? `the input is not ${a.size} wide` : null));
      if (compiled !== null) {
        checkClassIds(y as readonly number[], a.numClasses + 1, owner);
        return compiled.run(x, unetRows(a, t as readonly number[], y as readonly number[]), x.shape);
      }
      const forward = (x: tf.Tensor, t: tf.Tensor1D | readonly number[], y: tf.Tensor1D | readonly number[], trace?: StageTrace) => tf.tidy(() => {
        traced(trace, x, 'x_t, the noisy sample');
        const embSilu = silu(traced(trace, embedding(t, y), 'sinusoid of t through an MLP, + the class embedding of y', 'time_mlp', 'class_emb'));   // (B, E), as every block takes it
        // Each step in its own tidy: only its output outlives it, so the peak is the skips, not
        // every temporary of the whole pass
        const apply = (step: Step, h: tf.Tensor) => tf.tidy(() => applyStep(step, h, embSilu));
        let h = traced(trace, net.inConv(x), `conv, ${a.inChannels}→${ch0} channels`, 'in_conv');   // (B, *S, ch0)
        const skips = [h];
        for (const blocks of net.down) {
          for (const step of blocks) {
            h = traced(trace, apply(step, h), step.what, ...(step.kind === 'pool' ? [] : [step.path]));
            if (step.kind === 'attention') skips[skips.length - 1] = h;          // attention refines the last skip
            else skips.push(h);
          }
        }
        h = traced(trace, net.mid1(h, embSilu), 'ResBlock, + embedding', 'mid1');
        if (net.midAttn !== null) h = traced(trace, net.midAttn(h), 'self-attention over every position', 'mid_attn');
        h = traced(trace, net.mid2(h, embSilu), 'ResBlock, + embedding', 'mid2');
        for (const blocks of net.up) {
          for (const step of blocks) {
            if (step.kind === 'res') {
              const skip = skips.pop();
              if (skip === undefined) throw new Error(`${owner}: ran out of skips`);
              h = tf.concat([h, skip], d + 1);                                   // (B, *S, ch + skip_ch)
            }
            h = traced(trace, apply(step, h), step.what, step.path);
          }
        }
        return traced(trace, net.outConv(net.outNorm(h)), 'GroupNorm, SiLU, conv: the predicted noise ε', 'out_norm', 'out_conv');   // (B, *S, C)
      });
      // Every operation is per sample (GroupNorm and attention included), so a large batch runs
      // as chunks with the same result; the chunk keeps the widest activation near 32 MB, which
      // lets 64 guided 64x64 samples run on WASM (one pass of 128 ran out of its memory)
      const chunk = Math.max(1, Math.floor(maxValuesPerPass / (x.size / B * ch0 * a.channelMult[0]! / a.inChannels)));
      if (B <= chunk) return forward(x, t, y, trace);
      const ids = (v: tf.Tensor1D | readonly number[], start: number, end: number) =>
        v instanceof tf.Tensor ? v.slice(start, end - start) : v.slice(start, end);
      return tf.tidy(() => {
        const parts: tf.Tensor[] = [];
        for (let start = 0; start < B; start += chunk) {
          const end = Math.min(B, start + chunk);
          parts.push(forward(x.slice(start, end - start), ids(t, start, end), ids(y, start, end), start === 0 ? trace : undefined));
        }
        return tf.concat(parts);
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      plan.dispose();
      weights.dispose();
    },
  };
  return unet;
}
