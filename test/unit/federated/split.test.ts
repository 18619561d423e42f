/**
 * Simulated hospitals: every sample dealt to exactly one, a patient never split, the class skew
 * following the Dirichlet concentration, the same seed dealing the same hospitals, and absurd
 * settings refused with a message.
 */
import { describe, expect, it } from 'vitest';
import { type Hospitals, splitByClassSkew, splitByPatient } from '../../../src/federated/split.js';
import { Rng } from '../../../src/util/random.js';

/** 3,000 samples of 3 classes in 6 : 3 : 1, and 40 patients of uneven sizes. */
const rng = new Rng(5);
const labels = Uint8Array.from({ length: 3000 }, () => { const u = rng.next(); return u < 0.6 ? 0 : u < 0.9 ? 1 : 2; });
const patients = Uint16Array.from({ length: 3000 }, (_, i) => Math.floor(Math.sqrt(i / 3000) * 40));

function everyOnce(h: Hospitals): void {
  const all = h.members.flat().sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: labels.length }, (_, i) => i));
  h.members.forEach((m, i) => expect(h.classCounts[i]!.reduce((a, b) => a + b, 0)).toBe(m.length));
}

/** The mean, over hospitals, of the share of a hospital's samples in its own commonest class. */
const topShare = (h: Hospitals) => h.classCounts.map((c) => Math.max(...c) / c.reduce((a, b) => a + b, 0)).reduce((a, b) => a + b, 0) / h.classCounts.length;

describe('hospitals with a chosen class skew', () => {
  it('deals every sample once; a large concentration gives each hospital the pooled mix, a small one few classes', () => {
    const even = splitByClassSkew(labels, 3, 5, 1e4, 1);
    const skewed = splitByClassSkew(labels, 3, 5, 0.05, 1);
    everyOnce(even);
    everyOnce(skewed);
    const pooled = [0, 1, 2].map((c) => labels.filter((l) => l === c).length / labels.length);
    for (const counts of even.classCounts) {
      const n = counts.reduce((a, b) => a + b, 0);
      expect(n).toBeGreaterThan(500);
      counts.forEach((k, c) => expect(Math.abs(k / n - pooled[c]!)).toBeLessThan(0.05));
    }
    expect(topShare(even)).toBeLessThan(0.66);
    expect(topShare(skewed)).toBeGreaterThan(0.8);
    expect(skewed.members.every((m) => m.length > 0)).toBe(true);
  });

  it('deals the same hospitals from the same seed, and others from another', () => {
    expect(splitByClassSkew(labels, 3, 4, 0.5, 9)).toEqual(splitByClassSkew(labels, 3, 4, 0.5, 9));
    expect(splitByClassSkew(labels, 3, 4, 0.5, 10).members).not.toEqual(splitByClassSkew(labels, 3, 4, 0.5, 9).members);
  });

  it('refuses absurd settings', () => {
    expect(() => splitByClassSkew(labels, 3, 0, 1, 1)).toThrow('the number of hospitals must be a whole number from 1 to 64, got 0');
    expect(() => splitByClassSkew(labels, 3, 2.5, 1, 1)).toThrow('got 2.5');
    expect(() => splitByClassSkew(labels, 3, 4, 0, 1)).toThrow('the concentration must be a positive number, got 0');
    expect(() => splitByClassSkew(labels, 3, 4, NaN, 1)).toThrow('got NaN');
    expect(() => splitByClassSkew(labels.subarray(0, 3), 3, 4, 1, 1)).toThrow('3 samples cannot be dealt among 4 hospitals');
  });
});

describe('hospitals by patient', () => {
  it('never splits a patient, deals every sample once, and keeps the hospitals near one size', () => {
    const h = splitByPatient(labels, 3, patients, 4, 3);
    everyOnce(h);
    const owner = new Map<number, number>();
    h.members.forEach((m, i) => m.forEach((s) => {
      const before = owner.get(patients[s]!);
      expect(before === undefined || before === i).toBe(true);
      owner.set(patients[s]!, i);
    }));
    expect(owner.size).toBe(40);
    const sizes = h.members.map((m) => m.length);
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeLessThan(1.2);
    expect(splitByPatient(labels, 3, patients, 4, 3)).toEqual(h);
  });

  it('refuses fewer patients than hospitals, and ids that do not match the samples', () => {
    expect(() => splitByPatient(labels, 3, new Uint16Array(3000), 2, 1)).toThrow('1 patients cannot be dealt among 2 hospitals');
    expect(() => splitByPatient(labels, 3, patients.subarray(0, 10), 2, 1)).toThrow('10 patient ids for 3000 samples');
  });
});

describe('the seeded gamma and Dirichlet draws', () => {
  it('have the gamma distribution\'s mean and variance (shape), and proportions that sum to 1', () => {
    for (const shape of [0.3, 1, 2.5, 9]) {
      const r = new Rng(11);
      const draws = Array.from({ length: 40_000 }, () => r.gamma(shape));
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
      const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
      expect(Math.abs(mean - shape) / shape, `mean at shape ${shape}`).toBeLessThan(0.03);
      expect(Math.abs(variance - shape) / shape, `variance at shape ${shape}`).toBeLessThan(0.08);
    }
    const p = new Rng(2).dirichlet(0.2, 6);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(() => new Rng(1).gamma(0)).toThrow('a gamma shape must be positive, got 0');
  });
});
