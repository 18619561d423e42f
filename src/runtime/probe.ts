/**
 * What the automatic backend choice measures: the WebGL renderer's name, and the time one test
 * block of the default run takes on the active tfjs backend, within a cap.
 */
import * as tf from '@tensorflow/tfjs';
import { Weights, resBlock } from '../models/layers.js';
import { RUN_CAP_MS, WARM_UP_CAP_MS } from './choice.js';

/**
 * The test block: one ResBlock (GroupNorm+SiLU, 3x3 convolution, time embedding, GroupNorm+SiLU,
 * 3x3 convolution, residual add) at the default run's scale: the chest X-ray UNet's 28x28 images,
 * 8 samples guided (two passes each, so a batch of 16), its 128-wide embedding and 8 groups, at
 * 32 channels (its second level's width). The same kernels as the real model, about a seventh of a
 * denoising step on WASM, a few milliseconds on a hardware GPU.
 */
export const TEST_BLOCK = { batch: 16, size: 28, channels: 32, embedding: 128, groups: 8 } as const;

export type BlockTime = { ms: number } | { overCapMs: number };

/**
 * Times the test block on the active backend: one warm-up run (it compiles the shaders), then
 * `runs` timed runs, best of them. A run that takes longer than its cap is left to finish on its
 * own (no GPU work can be cancelled) and the backend counts as over the cap. Leaves no tensors
 * behind once every run has finished.
 */
export async function timeTestBlock(
  caps: { warmUpMs: number; runMs: number } = { warmUpMs: WARM_UP_CAP_MS, runMs: RUN_CAP_MS },
  runs = 2,
): Promise<BlockTime> {
  const { batch, size, channels: C, embedding: E, groups } = TEST_BLOCK;
  const tensors = blockWeights(C, E);
  const block = resBlock(new Weights(tensors, 'test block'), 'block', 2, C, C, E, groups);
  const x = tf.randomNormal([batch, size, size, C], 0, 1, 'float32', 1);   // (B, H, W, C)
  const emb = tf.randomNormal([batch, E], 0, 1, 'float32', 2);             // (B, E), already silu'd
  let pending = 0;
  const release = () => {
    if (--pending > 0) return;
    for (const t of [...Object.values(tensors), x, emb]) {
      try {
        t.dispose();
      } catch {
        // its backend was removed while a run over the cap went on: nothing left to free
      }
    }
  };
  const once = async (): Promise<number> => {
    pending += 1;
    const started = performance.now();
    try {
      const y = tf.tidy(() => block(x, emb));
      try {
        await y.data();
      } finally {
        y.dispose();
      }
      return performance.now() - started;
    } finally {
      release();
    }
  };

  pending += 1; // held by this function until it returns
  try {
    if ((await within(once(), caps.warmUpMs)) === null) return { overCapMs: caps.warmUpMs };
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      const ms = await within(once(), caps.runMs);
      if (ms === null) return { overCapMs: caps.runMs };
      best = Math.min(best, ms);
    }
    return { ms: best };
  } finally {
    release();
  }
}

/** The test block's weights, small and seeded: the time does not depend on their values. */
function blockWeights(C: number, E: number): Record<string, tf.Tensor> {
  const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 0.05, 'float32', seed);
  return {
    'block.norm1.weight': tf.ones([C]),
    'block.norm1.bias': tf.zeros([C]),
    'block.conv1.weight': normal([3, 3, C, C], 3),
    'block.conv1.bias': tf.zeros([C]),
    'block.emb_proj.weight': normal([E, C], 4),
    'block.emb_proj.bias': tf.zeros([C]),
    'block.norm2.weight': tf.ones([C]),
    'block.norm2.bias': tf.zeros([C]),
    'block.conv2.weight': normal([3, 3, C, C], 5),
    'block.conv2.bias': tf.zeros([C]),
  };
}

/** The value of `work`, or null if it takes longer than `ms` (it then runs on, and its failure is ignored). */
async function within<T>(work: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  work.catch(() => undefined);
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The WebGL renderer's name (the unmasked one where the browser gives it), or null without WebGL 2.
 * The context is released at once: tfjs makes its own.
 */
export function webGlRenderer(): string | null {
  if (typeof document === 'undefined') return null;
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return null;
  try {
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const name: unknown = gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
    return typeof name === 'string' ? name : null;
  } finally {
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}
