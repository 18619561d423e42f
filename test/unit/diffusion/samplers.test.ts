/**
 * Schedules and samplers against golden numbers from the PyTorch training
 * code (test/fixtures/make-scheduler-golden.py), with a dummy noise model, as
 * schedulers are tested in well-known diffusion libraries.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import golden from '../../fixtures/scheduler-golden.json';
import { type NoisePredictor, denoise, sampleAll } from '../../../src/diffusion/denoise.js';
import { NICHOL_DHARIWAL, alphasCumprod, cosineBetas, linearBetas, noiseTo, trailingTimesteps } from '../../../src/diffusion/schedule.js';
import { Scheduler, type SamplerKind } from '../../../src/diffusion/schedulers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** eps(x, t, y) = 0.5 x + 0.3 t / 1000 + 0.1 y, elementwise. */
const dummy: NoisePredictor = {
  predictNoise: (x, t, y) =>
    tf.tidy(() => {
      const perSample = t.map((ti, i) => 0.3 * ti / 1000 + 0.1 * y[i]!);
      return x.mul(0.5).add(tf.tensor(perSample, [t.length, 1, 1]));
    }),
};

const schedule = { steps: 1000, beta: 'cosine', ...NICHOL_DHARIWAL, clipSample: golden.clip };
const fixedNoise = (draw: number) => Float32Array.from(draw === 0 ? golden.xT : golden.noise[String(draw) as '1']);

function expectClose(got: ArrayLike<number>, want: number[], tolerance: number) {
  expect(got.length).toBe(want.length);
  const worst = Math.max(...want.map((w, i) => Math.abs(w - got[i]!)));
  expect(worst).toBeLessThan(tolerance);
}

describe('noise schedules', () => {
  it('reproduce the cosine and linear betas and alpha-bars of the training code', () => {
    const at = golden.schedule.at;
    const cos = cosineBetas(1000);
    const lin = linearBetas(1000);
    expectClose(at.map((t) => cos[t]!), golden.schedule.cosineBetas, 1e-12);
    expectClose(at.map((t) => alphasCumprod(cos)[t]!), golden.schedule.cosineAlphaBar, 1e-12);
    expectClose(at.map((t) => lin[t]!), golden.schedule.linearBetas, 1e-12);
    expectClose(at.map((t) => alphasCumprod(lin)[t]!), golden.schedule.linearAlphaBar, 1e-12);
  });

  it('noise a clean sample forward to any level as the training code\'s q_sample does', () => {
    const abar = alphasCumprod(cosineBetas(1000));
    for (const [t, want] of Object.entries(golden.forward)) {
      // q_sample takes alpha-bar in float32: 1 - alpha-bar near t = 0 keeps few digits there
      expectClose(Array.from(noiseTo(golden.xT, golden.noise['1'], abar[Number(t)]!)), want, 1e-5);
    }
    expect(() => noiseTo([1, 2], [1], 0.5)).toThrow('a sample of 2 values and noise of 1');
  });

  it('space sampling steps "trailing" from T-1, for any count', () => {
    for (const [count, timesteps] of Object.entries(golden.trailing)) {
      expect(trailingTimesteps(Number(count), 1000)).toEqual(timesteps);
    }
    for (const count of [1, 3, 33, 49, 999, 1000]) {
      const ts = trailingTimesteps(count, 1000);
      expect(ts).toHaveLength(count);
      expect(ts[0]).toBe(999);
      expect(Math.min(...ts)).toBeGreaterThanOrEqual(0);
    }
  });

  it('refuse absurd settings with a clear message', () => {
    expect(() => trailingTimesteps(0, 1000)).toThrow('from 1 to 1000, got 0');
    expect(() => trailingTimesteps(2.5, 1000)).toThrow('whole number');
    expect(() => new Scheduler(schedule, 'ddim', 10, 1.5)).toThrow('eta must be between 0 and 1, got 1.5');
    expect(() => new Scheduler({ ...schedule, beta: 'sigmoid' }, 'ddim', 10)).toThrow('unknown beta schedule "sigmoid"');
  });
});

describe('the denoising loop with a dummy model', () => {
  for (const run of golden.runs) {
    const label = `${run.kind}, ${run.count} steps, eta ${run.eta ?? '-'}, guidance ${run.guidance}`;
    it(`matches the reference: ${label}`, async () => {
      const scheduler = new Scheduler(schedule, run.kind as SamplerKind, run.count, run.eta ?? 0);
      const sample = await sampleAll(dummy, scheduler, {
        sampleShape: golden.shape.slice(1), classes: golden.classes, nullClass: golden.nullClass,
        guidance: run.guidance, seed: 0, noise: fixedNoise,
      });
      expectClose(await sample.data(), run.sample, 1e-5);
      sample.dispose();
    });
  }

  it('DDPM is DDIM with eta = 1, as the algebra says', async () => {
    const options = { sampleShape: [4, 1], classes: [0, 1], nullClass: 2, guidance: 2, seed: 7 };
    const ddpm = await sampleAll(dummy, new Scheduler(schedule, 'ddpm', 10), options);
    const ddim = await sampleAll(dummy, new Scheduler(schedule, 'ddim', 10, 1), options);
    expectClose(await ddpm.data(), [...(await ddim.data())], 1e-5);
    tf.dispose([ddpm, ddim]);
  });

  it('gives the same samples for the same seed, and sample i does not depend on the batch size', async () => {
    const scheduler = new Scheduler(schedule, 'ddpm', 5);
    const run = (classes: number[], seed: number) =>
      sampleAll(dummy, scheduler, { sampleShape: [4, 1], classes, nullClass: 2, guidance: 2, seed });
    const [a, b, single, other] = await Promise.all([run([0, 1, 0], 42), run([0, 1, 0], 42), run([0], 42), run([0], 43)]);
    expect(await a.data()).toEqual(await b.data());
    expect([...(await a.data())].slice(0, 4)).toEqual([...(await single.data())]);
    expect(await single.data()).not.toEqual(await other.data());
    tf.dispose([a, b, single, other]);
  });

  it('yields every step with its timestep, sample and clean prediction, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const scheduler = new Scheduler(schedule, 'ddim', 4);
    const steps = denoise(dummy, scheduler, { sampleShape: [4, 1], classes: [0, 1], nullClass: 2, guidance: 3, seed: 1 });
    const seen: number[] = [];
    let next = await steps.next();
    while (!next.done) {
      seen.push(next.value.timestep);
      expect(next.value.sample.shape).toEqual([2, 4, 1]);
      expect(next.value.predictedClean.shape).toEqual([2, 4, 1]);
      expect(Math.max(...(await next.value.predictedClean.data()).map(Math.abs))).toBeLessThanOrEqual(golden.clip);
      next = await steps.next();
    }
    expect(seen).toEqual([999, 749, 499, 249]);
    next.value.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops between steps when aborted, frees everything, and says why', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const steps = denoise(dummy, new Scheduler(schedule, 'ddim', 10), {
      sampleShape: [4, 1], classes: [0], nullClass: 2, guidance: 2, seed: 1, signal: controller.signal,
    });
    await steps.next();
    await steps.next();
    controller.abort();
    await expect(steps.next()).rejects.toMatchObject({ name: 'AbortError' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('frees everything when the consumer stops early', async () => {
    const before = tf.memory().numTensors;
    for await (const step of denoise(dummy, new Scheduler(schedule, 'ddpm', 10), {
      sampleShape: [4, 1], classes: [0, 1], nullClass: 2, guidance: 2, seed: 1,
    })) {
      if (step.index === 3) break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
