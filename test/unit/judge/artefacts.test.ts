/**
 * The surround check (src/judge/artefacts.ts): the border mean by hand (the same value
 * training/tests/test_yardstick.py asserts of training/medsynth/evaluate.py border_mean), and the
 * flags against the far-out fences of real training images' surrounds.
 */
import { describe, expect, it } from 'vitest';
import { borderCheck, borderMean, farOutFences } from '../../../src/judge/artefacts.js';

describe('the surround check', () => {
  it('averages the outer ring of every channel', () => {
    const ramp = Float32Array.from({ length: 16 }, (_, i) => i); // 4x4x1: the inner 2x2 are 5, 6, 9, 10
    expect(borderMean(ramp, [4, 4, 1], 1)).toBe(7.5);
    const twoChannels = Float32Array.from({ length: 32 }, (_, i) => (i % 2 ? 100 : i >> 1));
    expect(borderMean(twoChannels, [4, 4, 2], 1)).toBe((7.5 + 100) / 2);
    expect(() => borderMean(ramp, [4, 4, 3])).toThrow('not 4x4x3');
  });

  it('puts the far-out fences where numpy quartiles do', () => {
    // np.percentile([0, 1, 2, 3, 4, 5, 6, 7, 8, 100], [25, 75]) = 2.25, 6.75
    expect(farOutFences([0, 1, 2, 3, 4, 5, 6, 7, 8, 100])).toEqual({ low: 2.25 - 13.5, high: 6.75 + 13.5 });
    expect(() => farOutFences([])).toThrow('at least one value');
  });

  it('flags surrounds beyond the training fences, counts real images the same way, most unusual first', () => {
    const image = (border: number, centre = 50) => Float32Array.from({ length: 36 }, (_, i) => {
      const y = Math.floor(i / 6), x = i % 6;
      return y >= 2 && y < 4 && x >= 2 && x < 4 ? centre : border;
    });
    // twenty dark training surrounds (0 to 9.5) and one bright one, as RetinaMNIST has
    const train = [...Array.from({ length: 20 }, (_, i) => image(i / 2, 255)), image(180)];
    const trainLabels = [...new Array(20).fill(0), 1];
    const check = borderCheck(
      { generated: [image(3), image(200), image(120), image(-40)], requested: [0, 1, 1, 0], heldout: [image(4), image(11)], heldoutLabels: [0, 1], train, trainLabels },
      [6, 6, 1],
      2,
    );
    const sorted = train.map((x) => borderMean(x, [6, 6, 1])).sort((a, b) => a - b);
    expect(check.fences.high).toBeCloseTo(sorted[15]! + 3 * (sorted[15]! - sorted[5]!), 9);
    expect(check.train).toEqual([{ flagged: 0, checked: 20 }, { flagged: 1, checked: 1 }]);
    expect(check.generated).toEqual([{ flagged: 1, checked: 2 }, { flagged: 2, checked: 2 }]);
    expect(check.heldout).toEqual([{ flagged: 0, checked: 1 }, { flagged: 0, checked: 1 }]);
    expect(check.flaggedSamples).toEqual([1, 2, 3]);
  });
});
