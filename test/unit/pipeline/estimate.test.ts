import { describe, expect, it } from 'vitest';
import { estimateMs, formatDuration, quickerSettings, recordTime, runWork } from '../../../src/pipeline/estimate.js';

describe('run estimates', () => {
  it('counts the passes and batch rows of a run', () => {
    expect(runWork('ddpm', { count: 8, steps: 50, guidance: 2 })).toEqual({ passes: 50, rows: 16 });
    expect(runWork('ddpm', { count: 8, steps: 50, guidance: 1 })).toEqual({ passes: 50, rows: 8 });
    expect(runWork('ddpm', { count: 8, steps: 50, guidance: 0 })).toEqual({ passes: 50, rows: 8 });
    expect(runWork('vae', { count: 8, steps: 50, guidance: 2 })).toEqual({ passes: 1, rows: 8 });
  });

  it('scales the timing nearest in batch size, linearly in rows', () => {
    const times = [{ rows: 2, ms: 10 }, { rows: 16, ms: 40 }];
    expect(estimateMs(times, { passes: 50, rows: 16 })).toBe(2000);
    expect(estimateMs(times, { passes: 50, rows: 32 })).toBe(4000);
    expect(estimateMs(times, { passes: 10, rows: 2 })).toBe(100);
    expect(estimateMs(times, { passes: 10, rows: 1 })).toBe(50);
    expect(estimateMs([], { passes: 10, rows: 1 })).toBeNull();
  });

  it('keeps the newest timing of each batch size', () => {
    expect(recordTime([{ rows: 2, ms: 10 }, { rows: 4, ms: 30 }], { rows: 2, ms: 12 })).toEqual([{ rows: 4, ms: 30 }, { rows: 2, ms: 12 }]);
  });

  it('offers fewer steps or samples when a run would be slow, never below 10 steps or 1 sample', () => {
    const times = [{ rows: 16, ms: 1000 }]; // 50 guided steps of 8 samples: 50 s
    expect(quickerSettings(times, { count: 8, steps: 50, guidance: 2 }, 10_000)).toEqual({ steps: 10, count: 1 });
    expect(quickerSettings(times, { count: 8, steps: 50, guidance: 2 }, 25_000)).toEqual({ steps: 25, count: 4 });
    expect(quickerSettings(times, { count: 8, steps: 10, guidance: 2 }, 5_000)).toEqual({ steps: null, count: 4 });
    expect(quickerSettings(times, { count: 8, steps: 5, guidance: 2 }, 60_000)).toEqual({ steps: null, count: null });
  });

  it('says durations in round words', () => {
    expect(formatDuration(400)).toBe('under a second');
    expect(formatDuration(4_200)).toBe('about 4 s');
    expect(formatDuration(43_000)).toBe('about 45 s');
    expect(formatDuration(150_000)).toBe('about 3 min');
    expect(formatDuration(12 * 3_600_000)).toBe('about 12.0 h');
  });
});
