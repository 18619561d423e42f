/**
 * One scheduler update, written once:
 *
 *   x0   = (x - sqrt(1 - alphaBar) eps) / sqrt(alphaBar),  clipped to [-clip, clip] where the
 *          schedule clips, and then eps = (x - sqrt(alphaBar) x0) / sqrt(1 - alphaBar)
 *   prev = cX0 x0 + cOther (eps for DDIM, x_t for DDPM) + cNoise z
 *
 * As tfjs ops that is ten kernels, so ten WebGPU dispatches per denoising step, more than the rest
 * of a step beside the compiled UNet (unet-plan.ts). On WebGPU it runs as two elementwise
 * dispatches (one writes x0, one prev, each from x, eps and z with the same float32 operations in
 * the same order); on every other backend as the ops.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export interface StepScalars {
  alphaBar: number;
  cX0: number;
  cOther: number;
  cNoise: number;
  /** DDIM adds cOther x eps, DDPM cOther x x_t. */
  ddim: boolean;
  clip: number | null;
}

const WORKGROUP = 128;

/** Writes x0 (`output` 'clean') or x_prev (`output` 'prev') of every element. */
class StepProgram implements WebGPUProgram {
  readonly variableNames: string[];
  readonly uniforms = 'sqrtA : f32, sqrtOneMinusA : f32, clipAt : f32, cX0 : f32, cOther : f32, cNoise : f32,';
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly size = true;
  readonly shaderKey: string;

  constructor(shape: number[], private readonly output: 'clean' | 'prev', private readonly s: StepScalars, private readonly noise: boolean) {
    this.outputShape = shape;
    this.variableNames = noise ? ['x', 'eps', 'fresh'] : ['x', 'eps'];
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(tf.util.sizeFromShape(shape) / WORKGROUP), 1, 1];
    this.shaderKey = `msl_step_${output}_${s.ddim ? 'ddim' : 'ddpm'}_${s.clip === null ? 'free' : 'clip'}_${noise ? 'z' : 'noz'}`;
  }

  getUserCode(): string {
    const clip = this.s.clip !== null;
    const other = this.s.ddim ? 'e' : 'xi';
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let xi = x[index];
          var e = eps[index];
          var x0 = (xi - e * uniforms.sqrtOneMinusA) / uniforms.sqrtA;
          ${clip ? `x0 = clamp(x0, -uniforms.clipAt, uniforms.clipAt);
          e = (xi - x0 * uniforms.sqrtA) / uniforms.sqrtOneMinusA;` : ''}
          ${this.output === 'clean' ? 'setOutputAtIndex(index, x0);' : `
          var prev = x0 * uniforms.cX0 + ${other} * uniforms.cOther;
          ${this.noise ? 'prev = prev + fresh[index] * uniforms.cNoise;' : ''}
          setOutputAtIndex(index, prev);`}
        }
      }`;
  }
}

/**
 * x_prev and x0 from x_t, the predicted noise and (where cNoise > 0) fresh noise z, as new tensors
 * the caller disposes. `path` 'composed' runs the ops on WebGPU too (for the tests that compare).
 */
export function schedulerStep(
  x: tf.Tensor, eps: tf.Tensor, z: tf.Tensor | undefined, s: StepScalars, path: 'kernel' | 'composed' = 'kernel',
): { prevSample: tf.Tensor; predictedClean: tf.Tensor } {
  const noise = s.cNoise > 0 ? z : undefined;
  if (path === 'kernel' && tf.getBackend() === 'webgpu' && x.dtype === 'float32' && eps.dtype === 'float32') {
    const backend = tf.backend() as WebGPUBackend;
    const uniforms = [Math.sqrt(s.alphaBar), Math.sqrt(1 - s.alphaBar), s.clip ?? 0, s.cX0, s.cOther, s.cNoise].map((v) => ({ type: 'float32', data: [v] }));
    // Only x_prev reads the fresh noise (a shader's bindings are the inputs it reads)
    const run = (output: 'clean' | 'prev') => {
      const z = output === 'prev' ? noise : undefined;
      const info = backend.runWebGPUProgram(new StepProgram(x.shape, output, s, z !== undefined), z ? [x, eps, z] : [x, eps], 'float32', uniforms);
      return tf.engine().makeTensorFromTensorInfo(info);
    };
    return { prevSample: run('prev'), predictedClean: run('clean') };
  }
  return tf.tidy(() => {
    let x0 = x.sub(eps.mul(Math.sqrt(1 - s.alphaBar))).div(Math.sqrt(s.alphaBar));
    let e = eps;
    if (s.clip !== null) {
      x0 = x0.clipByValue(-s.clip, s.clip);
      e = x.sub(x0.mul(Math.sqrt(s.alphaBar))).div(Math.sqrt(1 - s.alphaBar));
    }
    let prev = x0.mul(s.cX0).add((s.ddim ? e : x).mul(s.cOther));
    if (noise) prev = prev.add(noise.mul(s.cNoise));
    return { prevSample: prev, predictedClean: x0 };
  });
}
