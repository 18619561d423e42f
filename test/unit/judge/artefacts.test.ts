/**
 * The surround check (src/judge/artefacts.ts): the border mean by hand (the same value
 * training/tests/test_yardstick.py asserts of training/medsynth/evaluate.py border_mean), and the
 * flags against the range of real training images.
 */
import { describe, expect, it } from 'vitest';
import { borderCheck, borderMean } from '../../../src/judge/artefacts.js';

describe('the surround check', () => {
  it('averages the outer ring of every channel', () => {
    const ramp = Float32Array.from({ length: 16 }, (_, i) => i); // 4x4x1: the inner 2x2 are 5, 6, 9, 10
    expect(borderMean(ramp, [4, 4, 1], 1)).toBe(7.5);
    const twoChannels = Float32Array.from({ length: 32 }, (_, i) => (i % 2 ? 100 : i >> 1));
    expect(borderMean(twoChannels, [4, 4, 2], 1)).toBe((7.5 + 100) / 2);
    expect(() => borderMean(ramp, [4, 4, 3])).toThrow('not 4x4x3');
  });

  it('flags samples whose surround lies outside every real training image, per class, brightest first', () => {
    const image = (border: number, centre = 50) => Float32Array.from({ length: 36 }, (_, i) => {
      const y = Math.floor(i / 6), x = i % 6;
      return y >= 2 && y < 4 && x >= 2 && x < 4 ? centre : border;
    });
    const train = [image(0), image(10), image(5, 255)];
    const check = borderCheck(
      { generated: [image(3), image(200), image(30), image(-1)], requested: [0, 1, 1, 0], heldout: [image(4), image(11)], heldoutLabels: [0, 1], train },
      [6, 6, 1],
      2,
    );
    expect(check.realRange).toEqual({ low: 0, high: 10 });
    expect(check.generated).toEqual([{ flagged: 1, checked: 2 }, { flagged: 2, checked: 2 }]);
    expect(check.heldout).toEqual([{ flagged: 0, checked: 1 }, { flagged: 1, checked: 1 }]);
    expect(check.flaggedSamples).toEqual([1, 2, 3]);
  });
});
