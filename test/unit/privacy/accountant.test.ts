/**
 * The browser's DP-SGD accountant against the PyTorch side's (training/medsynth/privacy.py, through
 * test/fixtures/privacy-golden.json) and against TensorFlow Privacy's published test values
 * (rdp_accountant_test.py: compute_rdp(q, sigma, steps, orders)).
 */
import { describe, expect, it } from 'vitest';
import golden from '../../fixtures/privacy-golden.json';
import { dpSgdEpsilon, rdpSampledGaussian } from '../../../src/privacy/accountant.js';

const close = (actual: number, expected: number, relative = 1e-12) =>
  expect(Math.abs(actual - expected), `${actual} against ${expected}`).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(expected)));

describe('the DP-SGD accountant', () => {
  it("computes PyTorch side's RDP of the sampled Gaussian mechanism, on a grid of rates, noise and orders", () => {
    expect(golden.rdp).toHaveLength(120);
    for (const g of golden.rdp) close(rdpSampledGaussian(g.q, g.sigma, g.order), g.rdp);
  });

  it('gives the epsilon and best order the PyTorch side gives', () => {
    for (const g of golden.epsilon) {
      const { epsilon, order } = dpSgdEpsilon(g.q, g.sigma, g.steps, g.delta);
      close(epsilon, g.epsilon);
      expect(order).toBe(g.order);
    }
  });

  it("matches TensorFlow Privacy's published values", () => {
    close(10 * rdpSampledGaussian(0.1, 2, 5), 0.07737, 1e-5 / 0.07737);
    const rdp = [5, 50, 100].map((order) => 50 * rdpSampledGaussian(0.01, 2.5, order));
    [0.00218075, 0.023846, 167.416307].forEach((expected, i) => expect(Math.abs(rdp[i]! - expected)).toBeLessThan(1e-5));
    expect(rdpSampledGaussian(1, 10, 20)).toBe(0.1); // no sampling: the Gaussian mechanism's alpha / (2 sigma^2)
  });

  it('spends nothing without steps or sampling, more with every step, and refuses absurd settings', () => {
    expect(rdpSampledGaussian(0, 1, 8)).toBe(0);
    const spent = [10, 100, 1000].map((steps) => dpSgdEpsilon(0.01, 1, steps, 1e-5).epsilon);
    expect(spent[0]).toBeLessThan(spent[1]!);
    expect(spent[1]).toBeLessThan(spent[2]!);
    expect(() => rdpSampledGaussian(1.5, 1, 8)).toThrow('the sampling rate must be in [0, 1], got 1.5');
    expect(() => rdpSampledGaussian(0.1, 0, 8)).toThrow('the noise multiplier must be positive, got 0');
    expect(() => rdpSampledGaussian(0.1, 1, 2.5)).toThrow('the order must be an integer of at least 2, got 2.5');
    expect(() => dpSgdEpsilon(0.1, 1, 10, 0)).toThrow('delta must be in (0, 1), got 0');
    expect(() => dpSgdEpsilon(0.1, 1, -1, 1e-5)).toThrow('steps must be a whole number of at least 0, got -1');
  });
});
