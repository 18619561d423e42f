/**
 * The shipped privacy variants (issue 20): grouped baseline first, then by falling epsilon; each card's
 * epsilon reproduced by this site's accountant from the card's own settings (the PyTorch run's
 * accountant is training/medsynth/privacy.py; the two agree on a grid in accountant.test.ts); a
 * malformed DP record refused.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCard } from '../../../src/models/card.js';
import { SHIPPED_MODELS, type ModelSummary } from '../../../src/models/registry.js';
import { dpSgdEpsilon } from '../../../src/privacy/accountant.js';
import { privacyGroups, privacyVariant } from '../../../src/privacy/variants.js';

const summary = (id: string, privacy?: ModelSummary['privacy']): ModelSummary => ({
  id, name: id, modality: '', method: 'vae', dataset: 'mitbih', classes: ['N'], path: `models/${id}/`, bytes: 1, licence: 'x', ...(privacy ? { privacy } : {}),
});

const shippedCard = (id: string) => parseCard(JSON.parse(readFileSync(`models/${id}/card.json`, 'utf8')));

describe('privacy variants', () => {
  it('groups each baseline with its variants, the largest epsilon first', () => {
    const models = [
      summary('plain'), summary('a-eps1', { epsilon: 1, delta: 1e-5, baseline: 'a' }), summary('a'),
      summary('a-eps8', { epsilon: 8, delta: 1e-5, baseline: 'a' }), summary('b-eps3', { epsilon: 3, delta: 1e-5, baseline: 'missing' }),
    ];
    expect(privacyGroups(models).map((g) => g.map((m) => m.id))).toEqual([['a', 'a-eps8', 'a-eps1'], ['b-eps3']]);
    expect(privacyGroups([summary('plain')])).toEqual([]);
  });

  it('ships one ECG VAE without DP and at epsilon 10 and 1', () => {
    expect(privacyGroups(SHIPPED_MODELS).map((g) => g.map((m) => m.id))).toEqual([['ecg-vae-nodp', 'ecg-vae-dp10', 'ecg-vae-dp1']]);
  });

  it("reproduces each variant's epsilon from its card's settings, within its budget", () => {
    for (const [id, budget] of [['ecg-vae-dp10', 10], ['ecg-vae-dp1', 1]] as const) {
      const v = privacyVariant(shippedCard(id));
      const p = v.privacy!;
      const q = p.expectedLot / v.trainedOn!.reduce((a, b) => a + b, 0);
      expect(dpSgdEpsilon(q, p.noiseMultiplier, p.steps, p.delta).epsilon).toBeCloseTo(p.epsilon, 6);
      expect(p.epsilon).toBeLessThanOrEqual(budget);
      expect(p.epsilon).toBeGreaterThan(0.95 * budget);
      expect(p.baseline).toBe('ecg-vae-nodp');
      // measured, not blank: the judge's figures and the membership test are on every card
      expect(Object.keys(v.figures!.classifiedAsRequested!)).toEqual(v.classes);
      expect(v.figures!.membership!.all.low).toBeLessThan(v.figures!.membership!.all.high);
      expect(v.figures!.independent!.frechetGenerated).toBeGreaterThan(0);
    }
    const baseline = privacyVariant(shippedCard('ecg-vae-nodp'));
    expect(baseline.privacy).toBeNull();
    // the collapse the cards report: the DP variants' decoders ignore z, the baseline's does not
    expect(baseline.heldOutKl).toBeGreaterThan(10);
    for (const id of ['ecg-vae-dp10', 'ecg-vae-dp1']) expect(privacyVariant(shippedCard(id)).heldOutKl).toBeLessThan(1);
  });

  it('refuses a card whose DP record is malformed, naming the field', () => {
    const card = JSON.parse(readFileSync('models/ecg-vae-dp1/card.json', 'utf8'));
    card.training.privacy.delta = 2;
    expect(() => parseCard(card)).toThrow('card for ecg-vae-dp1: training.privacy.delta must be between 0 and 1, got 2');
    card.training.privacy = { ...card.training.privacy, delta: 1e-5, baseline: 7 };
    expect(() => parseCard(card)).toThrow('training.privacy.baseline must be a model id or null');
  });
});
