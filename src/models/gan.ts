/**
 * The class-conditional GAN generator of training/medsynth/gan.py, in tfjs, channels-last.
 *
 *   concat(z, one_hot(y)) -> dense -> unflatten to (B, *S_low, c_low) -> GroupNorm, SiLU
 *   -> [nearest x2, conv, GroupNorm, SiLU] per level (channels reversed) -> conv -> outScale * tanh
 *
 * One forward pass per sample. The discriminator it was trained against is not shipped.
 */
import * as tf from '@tensorflow/tfjs';
import type { GanArchitecture, ModelCard } from './card.js';
import { type StageTrace, buildFromWeights, channelsLastUnflatten, classIds, conv, dense, groupNorm, traced, upsample2x } from './layers.js';
import { decodeCompiled, decoderPlanSlot } from './decoder-plan.js';

export interface Gan {
  readonly card: ModelCard;
  readonly architecture: GanArchitecture;
  /** z: (B, latentDim), y: (B,) class ids -> x (B, *S, C) in network units. The caller disposes it. */
  decode(z: tf.Tensor2D, y: tf.Tensor1D | readonly number[], trace?: StageTrace): tf.Tensor;
  /**
   * Whether decode runs the compiled WebGPU plan (decoder-plan.ts) where it can: on by default;
   * off, every backend runs tfjs's ops (the reference the plan is tested against).
   */
  compiled: boolean;
  /** What the last decode ran: 'compiled WebGPU plan', or 'tfjs ops' and why not the plan. */
  readonly lastPath: string;
  /** Resolves once the compiled plan's first run has been checked for GPU errors (see unet.ts). */
  compiledChecked(): Promise<void>;
  /** Frees the weights (and the compiled plan's buffers). */
  dispose(): void;
}

/**
 * Builds the generator of `card` (method 'gan', from parseCard) from its weights, which it takes
 * ownership of: they are freed by dispose(), or before an error is thrown here.
 */
export function createGan(card: ModelCard, tensors: Record<string, tf.Tensor>): Gan {
  if (card.architecture.type !== 'cgan') throw new Error(`${card.id}: not a GAN (architecture ${card.architecture.type})`);
  const a = card.architecture;
  const owner = `GAN ${card.id}`;
  const d = a.dims;
  const K = a.numClasses;
  const low = a.size / 2 ** a.channels.length;                          // parseCard checked it divides
  const cLow = a.channels[a.channels.length - 1] ?? 0;

  const [net, weights] = buildFromWeights(owner, tensors, (w) => {
    const fc = dense(w, 'fc', a.latentDim + K, cLow * low ** d);
    const normIn = groupNorm(w, 'norm_in', cLow, a.groups, true);
    let c = cLow;
    const levels = [...a.channels].reverse().map((cOut, i) => {
      const level = { conv: conv(w, `convs.${i}`, d, c, cOut, a.kernel), norm: groupNorm(w, `norms.${i}`, cOut, a.groups, true) };
      c = cOut;
      return level;
    });
    const convOut = conv(w, 'conv_out', d, c, a.inChannels, a.kernel);
    return { fc, normIn, levels, convOut };
  });

  const plan = decoderPlanSlot(owner, a, tensors);

  let disposed = false;
  const model: Gan = {
    card,
    architecture: a,
    compiled: true,
    get lastPath() {
      return plan.lastPath;
    },
    compiledChecked: () => plan.checked(),
    decode(z, y, trace) {
      if (disposed) throw new Error(`${owner} has been disposed`);
      if (z.rank !== 2 || z.shape[1] !== a.latentDim) {
        throw new Error(`${owner}: expected z of shape [B, ${a.latentDim}], got [${z.shape.join(', ')}]`);
      }
      const compiled = decodeCompiled(plan, a, owner, model.compiled, z, y, trace);
      if (compiled !== null) return compiled;
      return tf.tidy(() => {
        const ids = classIds(y, K, owner);
        if (ids.shape[0] !== z.shape[0]) throw new Error(`${owner}: ${z.shape[0]} samples but ${ids.shape[0]} class ids`);
        let h: tf.Tensor = traced(trace, tf.concat([z, tf.cast(tf.oneHot(ids, K), 'float32')], 1), 'z, with the class as a one-hot');   // (B, latent + K)
        h = net.normIn(channelsLastUnflatten(net.fc(h), new Array<number>(d).fill(low), cLow)); // (B, *S_low, c_low)
        traced(trace, h, 'dense, reshaped to a small image, GroupNorm, SiLU', 'fc', 'norm_in');
        net.levels.forEach((level, i) => {
          h = traced(trace, level.norm(level.conv(upsample2x(h, d))), 'nearest ×2, conv, GroupNorm, SiLU: double the size', `convs.${i}`, `norms.${i}`);
        });
        return traced(trace, tf.mul(tf.tanh(net.convOut(h)), a.outScale), 'conv, tanh: the sample', 'conv_out');   // (B, *S, C)
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      plan.dispose();
      weights.dispose();
    },
  };
  return model;
}
