/**
 * The VAE decoder (vae.ts) and the GAN generator (gan.ts) lowered to the compiled WebGPU plan's ops
 * (gpu-plan.ts). Both start from (z, one-hot class) through dense layers to a small image, then
 * double its size per level:
 *
 *   VAE  dense (z | class) -> dense (SiLU on load) -> [nearest x2, conv (SiLU on load)] per level
 *        -> conv (SiLU on load)                                                  3 + levels dispatches
 *   GAN  dense (z | class) -> statistics -> [nearest x2, conv (GroupNorm, SiLU on load)] per level
 *        -> conv (GroupNorm, SiLU on load), outScale * tanh                      3 + levels dispatches
 *
 * The dense layers' outputs are channels-last, so the last one is already the small image.
 */
import * as tf from '@tensorflow/tfjs';
import type { GanArchitecture, VaeArchitecture } from './card.js';
import { type Act, type Backend, GpuPlan, LANES, type Lowered, PlanBuilder, PlanSlot, blockerOf, precompilePlan } from './gpu-plan.js';
import { type StageTrace, checkClassIds, groupCount } from './layers.js';

type DecoderArchitecture = VaeArchitecture | GanArchitecture;

/** Why the plan cannot run this decoder, or null when it can (every shipped VAE and GAN can). */
export function decoderPlanSupport(a: DecoderArchitecture): string | null {
  const widths = [...a.channels, ...(a.type === 'cvae' ? [a.hidden] : [])];
  if (widths.some((c) => c % LANES !== 0)) return `widths ${widths.join(', ')} are not all multiples of ${LANES}`;
  if (a.inChannels > LANES) return `${a.inChannels} output channels (at most ${LANES})`;
  if (a.size % 2 ** a.channels.length !== 0) return `size ${a.size} does not halve ${a.channels.length} times`;
  return null;
}

/** The decoder's layers as the plan's ops, with each weight's name; mirrors createVae's and createGan's. */
export function lowerDecoder(a: DecoderArchitecture): Lowered {
  const d = a.dims;
  const n = new PlanBuilder(d, a.type === 'cvae' ? 'vae' : 'gan');
  const K = a.numClasses;
  const low = a.size / 2 ** a.channels.length;
  const cLow = a.channels[a.channels.length - 1]!;
  const input = n.act(1, 1, a.latentDim);
  const small = n.act(d === 2 ? low : 1, low, cLow);
  const dense = (src: Act, path: string, out: Act, fromInput: boolean, silu: boolean) => {
    const nIn = src.H * src.W * src.C;
    const classes = fromInput ? K : 0;
    n.ops.push({
      kind: 'dense', src, fromInput, silu, classes, out,
      w: n.param(`${path}.weight`, (nIn + classes) * out.H * out.W * out.C), b: n.param(`${path}.bias`, out.H * out.W * out.C),
    });
  };
  const reversed = [...a.channels].reverse();
  let h = small;
  if (a.type === 'cvae') {
    const hidden = n.act(1, 1, a.hidden);
    dense(input, 'decoder.fc1', hidden, true, false);
    dense(hidden, 'decoder.fc2', small, false, true);
    reversed.forEach((cOut, i) => {
      h = n.conv([h], `decoder.convs.${i}`, cOut, { k: a.kernel, upsample: true, silu: true });
    });
    return n.finish(input, n.conv([h], 'decoder.conv_out', a.inChannels, { k: a.kernel, silu: true, toOutput: true }), 1);
  }
  dense(input, 'fc', small, true, false);
  n.ops.push({ kind: 'stats', out: small });
  let norm = n.norm('norm_in', cLow, groupCount(cLow, a.groups));
  reversed.forEach((cOut, i) => {
    h = n.conv([h], `convs.${i}`, cOut, { k: a.kernel, upsample: true, norm, silu: true });
    norm = n.norm(`norms.${i}`, cOut, groupCount(cOut, a.groups));
  });
  const out = n.conv([h], 'conv_out', a.inChannels, { k: a.kernel, norm, silu: true, toOutput: true, tanhScale: a.outScale });
  return n.finish(input, out, 1);            // T: the class id
}

/** Compiles every kernel of this decoder's plan on `device` at once; nothing to do where the plan cannot run it. */
export async function precompileDecoderPlan(a: DecoderArchitecture, device: GPUDevice): Promise<void> {
  if (decoderPlanSupport(a) === null) await precompilePlan(lowerDecoder(a), a.dims, device);
}

/**
 * The slot of a decoder's compiled plan (made on first use on WebGPU); `tensors` are the model's
 * weights by name, which stay the model's.
 */
export function decoderPlanSlot(owner: string, a: DecoderArchitecture, tensors: Record<string, tf.Tensor>): PlanSlot {
  // Every layer works per sample and a sample's activations are small: chunks only by the device's limits
  return new PlanSlot(owner, decoderPlanSupport(a), (backend) => new GpuPlan(lowerDecoder(a), a.dims, tensors, backend, Number.POSITIVE_INFINITY));
}

/**
 * z (B, latentDim) decoded for classes y by the compiled plan, as a new (B, *S, C) tensor; or null
 * where tfjs's ops must run (`compiled` off, another backend, a trace, classes as a tensor), which
 * the slot's lastPath then says. Class ids are checked as the ops path checks them.
 */
export function decodeCompiled(
  slot: PlanSlot, a: DecoderArchitecture, owner: string, compiled: boolean,
  z: tf.Tensor2D, y: tf.Tensor1D | readonly number[], trace: StageTrace | undefined,
): tf.Tensor | null {
  const plan = slot.choose(blockerOf(compiled, trace) ?? (y instanceof tf.Tensor ? 'the classes came as a tensor' : null));
  if (plan === null) return null;
  const ids = y as readonly number[];
  checkClassIds(ids, a.numClasses, owner);
  if (ids.length !== z.shape[0]) throw new Error(`${owner}: ${z.shape[0]} samples but ${ids.length} class ids`);
  return plan.run(z, Float32Array.from(ids), [z.shape[0], ...a.inputShape]);
}
