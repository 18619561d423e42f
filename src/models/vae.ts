/**
 * The class-conditional VAE of training/medsynth/vae.py, in tfjs, channels-last.
 *
 *   encoder: concat(x, one_hot(y) planes) -> [conv, SiLU, avg-pool /2] per level -> conv, SiLU
 *            -> flatten (channels-last) -> dense, SiLU -> (mu, logvar), each (B, latentDim)
 *   decoder: concat(z, one_hot(y)) -> dense, SiLU -> dense, SiLU -> unflatten to (B, *S_low, c_low)
 *            -> [nearest x2, conv, SiLU] per level (channels reversed) -> conv -> x_hat
 *
 * The browser samples z ~ N(0, I) and decodes; the encoder is there for latent maps.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelCard, VaeArchitecture } from './card.js';
import {
  type StageTrace, avgPool2x, buildFromWeights, channelsLastFlatten, channelsLastUnflatten, checkInput, classIds, conv, dense,
  silu, traced, upsample2x,
} from './layers.js';
import { decodeCompiled, decoderPlanSlot } from './decoder-plan.js';

export interface Vae {
  readonly card: ModelCard;
  readonly architecture: VaeArchitecture;
  /** z: (B, latentDim), y: (B,) class ids -> x_hat (B, *S, C), unclipped. The caller disposes it. */
  decode(z: tf.Tensor2D, y: tf.Tensor1D | readonly number[], trace?: StageTrace): tf.Tensor;
  /** x: (B, *S, C), y: (B,) class ids -> q(z | x, y) as mu and logvar, each (B, latentDim). The caller disposes both. */
  encode(x: tf.Tensor, y: tf.Tensor1D | readonly number[], trace?: StageTrace): { mu: tf.Tensor2D; logvar: tf.Tensor2D };
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
 * Builds the VAE of `card` (method 'vae', from parseCard) from its weights, which it takes
 * ownership of: they are freed by the VAE's dispose(), or before an error is thrown here.
 */
export function createVae(card: ModelCard, tensors: Record<string, tf.Tensor>): Vae {
  if (card.architecture.type !== 'cvae') throw new Error(`${card.id}: not a VAE (architecture ${card.architecture.type})`);
  const a = card.architecture;
  const owner = `VAE ${card.id}`;
  const d = a.dims;
  const k = a.kernel;
  const K = a.numClasses;
  const low = Math.floor(a.size / 2 ** a.channels.length);              // lowest resolution
  const lowSpatial = new Array<number>(d).fill(low);
  const cLow = a.channels[a.channels.length - 1] ?? 0;
  const flat = cLow * low ** d;

  const [net, weights] = buildFromWeights(owner, tensors, (w) => {
    let c = a.inChannels + K;
    const encConvs = a.channels.map((cOut, i) => {
      const layer = conv(w, `encoder.convs.${i}`, d, c, cOut, k);
      c = cOut;
      return layer;
    });
    const encOut = conv(w, 'encoder.conv_out', d, c, c, k);
    const encFc = dense(w, 'encoder.fc', flat, a.hidden);
    const mu = dense(w, 'encoder.mu', a.hidden, a.latentDim);
    const logvar = dense(w, 'encoder.logvar', a.hidden, a.latentDim);

    const fc1 = dense(w, 'decoder.fc1', a.latentDim + K, a.hidden);
    const fc2 = dense(w, 'decoder.fc2', a.hidden, flat);
    c = cLow;
    const decConvs = [...a.channels].reverse().map((cOut, i) => {
      const layer = conv(w, `decoder.convs.${i}`, d, c, cOut, k);
      c = cOut;
      return layer;
    });
    const decOut = conv(w, 'decoder.conv_out', d, c, a.inChannels, k);
    return { encConvs, encOut, encFc, mu, logvar, fc1, fc2, decConvs, decOut };
  });

  const plan = decoderPlanSlot(owner, a, tensors);

  let disposed = false;
  const alive = () => {
    if (disposed) throw new Error(`${owner} has been disposed`);
  };
  const oneHot = (y: tf.Tensor1D | readonly number[], batch: number): tf.Tensor2D => {
    const ids = classIds(y, K, owner);
    if (ids.shape[0] !== batch) throw new Error(`${owner}: ${batch} samples but ${ids.shape[0]} class ids`);
    return tf.cast(tf.oneHot(ids, K), 'float32') as tf.Tensor2D;         // (B, K)
  };

  const model: Vae = {
    card,
    architecture: a,
    compiled: true,
    get lastPath() {
      return plan.lastPath;
    },
    compiledChecked: () => plan.checked(),
    decode(z, y, trace) {
      alive();
      if (z.rank !== 2 || z.shape[1] !== a.latentDim) {
        throw new Error(`${owner}: expected z of shape [B, ${a.latentDim}], got [${z.shape.join(', ')}]`);
      }
      const compiled = decodeCompiled(plan, a, owner, model.compiled, z, y, trace);
      if (compiled !== null) return compiled;
      return tf.tidy(() => {
        let h: tf.Tensor = traced(trace, tf.concat([z, oneHot(y, z.shape[0])], 1), 'z, with the class as a one-hot');   // (B, latent + K)
        h = traced(trace, silu(net.fc1(h)), 'dense, SiLU', 'decoder.fc1');        // (B, hidden)
        h = silu(net.fc2(h));                                                     // (B, low^d * c_low)
        h = traced(trace, channelsLastUnflatten(h, lowSpatial, cLow), 'dense, SiLU, reshaped to a small image', 'decoder.fc2');   // (B, *S_low, c_low)
        net.decConvs.forEach((c, i) => {
          h = traced(trace, silu(c(upsample2x(h, d))), 'nearest ×2, conv, SiLU: double the size', `decoder.convs.${i}`);
        });
        return traced(trace, net.decOut(h), 'conv: the decoded sample x̂', 'decoder.conv_out');   // (B, *S, C)
      });
    },
    encode(x, y, trace) {
      alive();
      checkInput(owner, x, d, a.inChannels, a.size);
      return tf.tidy(() => {
        const B = x.shape[0] ?? 1;
        const planes = tf.broadcastTo(
          tf.reshape(oneHot(y, B), [B, ...new Array<number>(d).fill(1), K]),
          [B, ...x.shape.slice(1, d + 1), K]);                                   // (B, *S, K)
        let h: tf.Tensor = traced(trace, tf.concat([x, planes], d + 1), 'x, with the class as one-hot planes');   // (B, *S, C + K)
        net.encConvs.forEach((c, i) => {
          h = traced(trace, avgPool2x(silu(c(h)), d), 'conv, SiLU, average pool: half the size', `encoder.convs.${i}`);
        });
        h = traced(trace, silu(net.encOut(h)), 'conv, SiLU', 'encoder.conv_out');   // (B, *S_low, c_last)
        h = traced(trace, silu(net.encFc(channelsLastFlatten(h))), 'flattened, dense, SiLU', 'encoder.fc');   // (B, hidden)
        const mu = traced(trace, net.mu(h) as tf.Tensor2D, 'dense: μ, and beside it log σ², of q(z | x, y)', 'encoder.mu', 'encoder.logvar');
        return { mu, logvar: net.logvar(h) as tf.Tensor2D };
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
