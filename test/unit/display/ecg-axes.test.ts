import { describe, expect, it } from 'vitest';
import { ecgAxes, voltRange, windowStartMs } from '../../../src/display/ecg-axes.js';

describe('ECG paper', () => {
  it('puts minor lines every 40 ms and 0.1 mV, major every 200 ms and 0.5 mV, heavy through 0', () => {
    // a 256-sample MIT-BIH beat: 90 samples before the R peak at 360 Hz
    const start = windowStartMs({ before: 90 }, 360);
    expect(start).toBe(-250);
    const axes = ecgAxes(256, 360, start, { minMv: -1, maxMv: 1.5 });
    expect(axes.endMs).toBeCloseTo(-250 + (255 * 1000) / 360, 9);
    expect(axes.time[0]).toEqual({ value: -240, major: false });
    expect(axes.time.filter((l) => l.major).map((l) => l.value)).toEqual([-200, 0, 200, 400]);
    expect(axes.time.length).toBe(18); // -240 .. 440 in 40 ms steps
    expect(axes.volt.length).toBe(26); // -1.0 .. 1.5 in 0.1 mV steps
    expect(axes.volt.filter((l) => l.major).map((l) => l.value)).toEqual([-1, -0.5, 0, 0.5, 1, 1.5]);
    expect(axes.volt.map((l) => l.value)).toContain(0.3); // no 0.30000000000000004
  });

  it('fits the voltage range to whole 0.5 mV squares holding every sample', () => {
    expect(voltRange([Float32Array.of(-0.3, 1.2), Float32Array.of(0.1, 1.7)])).toEqual({ minMv: -0.5, maxMv: 2 });
  });

  it('keeps a flat or empty trace on a readable chart', () => {
    const flat = voltRange([new Float32Array(10)]);
    expect(flat.maxMv - flat.minMv).toBeGreaterThanOrEqual(1.5);
    expect(voltRange([])).toEqual({ minMv: -0.5, maxMv: 1 });
  });

  it('starts at 0 ms without a window', () => {
    expect(windowStartMs(undefined, 360)).toBe(0);
  });
});

describe('ECG paper for a trace far off the chart', () => {
  it('clips the range at +-4 mV', () => {
    expect(voltRange([Float32Array.of(-12, 30)])).toEqual({ minMv: -4, maxMv: 4 });
  });
});
