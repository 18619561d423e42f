import * as tf from '@tensorflow/tfjs';

export interface SelfCheck {
  ok: boolean;
  /** Largest absolute difference from the answer computed in plain JavaScript. */
  maxError: number;
  ms: number;
}

/**
 * Runs one small convolution on the active backend and compares it with the
 * same sum done in JavaScript: a backend that starts but computes wrongly
 * (a broken driver, a lost device) shows up here, before any model runs.
 */
export async function runSelfCheck(size = 16): Promise<SelfCheck> {
  const input = Float32Array.from({ length: size * size }, (_, i) => ((i * 37) % 11) / 10 - 0.5);
  const kernel = Float32Array.from({ length: 9 }, (_, i) => (i - 4) / 4);
  const started = performance.now();
  const out = tf.tidy(() =>
    tf.conv2d(tf.tensor4d(input, [1, size, size, 1]), tf.tensor4d(kernel, [3, 3, 1, 1]), 1, 'valid'),
  );
  const got = await out.data();
  out.dispose();
  const ms = performance.now() - started;

  let maxError = 0;
  const n = size - 2;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let want = 0;
      for (let ky = 0; ky < 3; ky++) {
        for (let kx = 0; kx < 3; kx++) want += input[(y + ky) * size + x + kx]! * kernel[ky * 3 + kx]!;
      }
      maxError = Math.max(maxError, Math.abs(want - got[y * n + x]!));
    }
  }
  return { ok: maxError < 1e-4, maxError, ms };
}
