import { describe, expect, it } from 'vitest';
import { evenSize, imageSize, imageToRgba, viewWidth } from '../../../src/display/convert.js';

describe('from samples to canvas pixels', () => {
  it('copies a grey level into red, green and blue, and takes RGB channels-last as they are', () => {
    expect([...imageToRgba([0, 128, 255])]).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]);
    expect([...imageToRgba([10, 20, 30, 40, 50, 60], 3)]).toEqual([10, 20, 30, 255, 40, 50, 60, 255]);
    expect([...imageToRgba([-5, 300, 12.6], 3)]).toEqual([0, 255, 13, 255]);
    expect(() => imageToRgba([1, 2, 3, 4], 3)).toThrow(/not whole pixels/);
    expect(() => imageToRgba([1, 2], 2)).toThrow(/1 \(grey\) or 3 \(RGB\)/);
  });

  it('reads an image shape channels-last, and a signal as none', () => {
    expect(imageSize([64, 48, 3])).toEqual({ width: 48, height: 64, channels: 3 });
    expect(imageSize([256, 1])).toBeNull();
  });

  it('shows images at whole CSS pixels per image pixel, or reduced by a whole factor', () => {
    expect([evenSize(28, 224), evenSize(28, 196), evenSize(28, 84), evenSize(28, 50)]).toEqual([224, 196, 84, 28]);
    expect([evenSize(64, 224), evenSize(64, 196), evenSize(64, 84), evenSize(64, 40), evenSize(64, 20)]).toEqual([192, 192, 64, 32, 16]);
    expect(viewWidth([64, 64, 3], { image: 224, signal: 420 }, 1.6)).toBe(320);
    expect(viewWidth([256, 1], { image: 224, signal: 420 }, 1.6)).toBe(672);
  });
});
