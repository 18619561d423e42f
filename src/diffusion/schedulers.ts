/**
 * One step of the reverse process, for DDIM and ancestral DDPM: the
 * TypeScript twin of training/medsynth/sampling.py, checked against it.
 *
 * Notation (Ho et al. 2020 "DDPM"; Song et al. 2021 "DDIM"):
 *   a_t       alpha_bar at the current timestep t
 *   a_prev    alpha_bar at the next timestep of the sampling sequence (1 after the last)
 *   eps       the (guided) noise prediction for x_t
 *   x0        predicted clean sample (x_t - sqrt(1 - a_t) eps) / sqrt(a_t)      (DDPM eq. 15)
 * Both clip x0 to the data range and then recompute eps from it, as improved-diffusion does.
 */
import * as tf from '@tensorflow/tfjs';
import { type CosineParameters, alphasCumprod, makeBetas, trailingTimesteps } from './schedule.js';
import { schedulerStep } from './step-kernel.js';

/** The trained noise schedule, as the card gives it (src/pipeline/pipeline.ts reads it off the card). */
export interface NoiseSchedule extends CosineParameters {
  /** Training steps T. */
  steps: number;
  beta: string;
  /** |x0| bound while sampling, in network units; null for none. */
  clipSample: number | null;
}

export type SamplerKind = 'ddim' | 'ddpm';

export interface StepResult {
  /** x at the next timestep. Caller disposes. */
  prevSample: tf.Tensor;
  /** The clipped x0 prediction. Caller disposes. */
  predictedClean: tf.Tensor;
}

/** The per-step scalars, computed in float64 before anything touches a tensor. */
export interface StepCoefficients {
  t: number;
  alphaBar: number;
  alphaBarPrev: number;
  /** DDIM: weights of x0, eps and fresh noise. DDPM: of x0, x_t and fresh noise. */
  cX0: number;
  cOther: number;
  cNoise: number;
}

export class Scheduler {
  readonly alphaBar: Float64Array;
  readonly timesteps: number[];

  /**
   * @param kind  'ddim' (Song et al., with eta) or 'ddpm' (ancestral: the posterior q(x_prev | x_t, x0)
   *              on the chosen sub-sequence, Ho et al. eq. 6-7)
   * @param count how many denoising steps to take, spaced 'trailing' from T-1
   * @param eta   DDIM only: 0 deterministic, 1 as noisy as DDPM
   */
  constructor(
    readonly schedule: NoiseSchedule,
    readonly kind: SamplerKind,
    readonly count: number,
    readonly eta = 0,
  ) {
    if (!(eta >= 0 && eta <= 1)) throw new Error(`eta must be between 0 and 1, got ${eta}`);
    this.alphaBar = alphasCumprod(makeBetas(schedule.beta, schedule.steps, schedule));
    this.timesteps = trailingTimesteps(count, schedule.steps);
  }

  /** Whether step `index` adds fresh noise (so the caller draws some). */
  needsNoise(index: number): boolean {
    return this.coefficients(index).cNoise > 0;
  }

  coefficients(index: number): StepCoefficients {
    const t = this.timesteps[index];
    if (t === undefined) throw new Error(`step ${index} is outside the ${this.count} steps`);
    const next = this.timesteps[index + 1];
    const a = this.alphaBar[t]!;
    const aPrev = next === undefined ? 1 : this.alphaBar[next]!;
    if (this.kind === 'ddim') {
      // DDIM eq. 12 and 16: sigma^2 = eta^2 (1 - a_prev)/(1 - a_t) (1 - a_t/a_prev)
      const sigma = this.eta * Math.sqrt(((1 - aPrev) / (1 - a)) * (1 - a / aPrev));
      return { t, alphaBar: a, alphaBarPrev: aPrev, cX0: Math.sqrt(aPrev), cOther: Math.sqrt(Math.max(1 - aPrev - sigma ** 2, 0)), cNoise: sigma };
    }
    // DDPM posterior on the sub-sequence: beta' = 1 - a_t/a_prev;
    // mean = sqrt(a_prev) beta'/(1 - a_t) x0 + sqrt(1 - beta') (1 - a_prev)/(1 - a_t) x_t  (eq. 7)
    const betaStep = 1 - a / aPrev;
    const variance = (betaStep * (1 - aPrev)) / (1 - a);
    return {
      t, alphaBar: a, alphaBarPrev: aPrev,
      cX0: (Math.sqrt(aPrev) * betaStep) / (1 - a),
      cOther: (Math.sqrt(1 - betaStep) * (1 - aPrev)) / (1 - a),
      cNoise: Math.sqrt(Math.max(variance, 0)),
    };
  }

  /**
   * One reverse step. `noise` is needed only where needsNoise(index) is true.
   * Inputs stay with the caller; both outputs go to the caller.
   */
  step(index: number, x: tf.Tensor, eps: tf.Tensor, noise?: tf.Tensor): StepResult {
    const c = this.coefficients(index);
    if (c.cNoise > 0 && !noise) throw new Error(`step ${index} of ${this.kind} needs noise`);
    // The update itself (clip, x0, x_prev) is step-kernel.ts's, one dispatch per output on WebGPU
    return schedulerStep(x, eps, noise, {
      alphaBar: c.alphaBar, cX0: c.cX0, cOther: c.cOther, cNoise: c.cNoise, ddim: this.kind === 'ddim', clip: this.schedule.clipSample,
    });
  }
}
