/**
 * Trailing timesteps for every count 1..1000 of T = 1000, against the golden file the training
 * code's test reads too (test/fixtures/trailing-timesteps-1000.txt.gz, made by
 * test/fixtures/make-scheduler-golden.py; line n holds the n timesteps of count n). Every count,
 * not a sample: 62 of them once came out one timestep too long on the Python side.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { trailingTimesteps } from '../../../src/diffusion/schedule.js';

const GOLDEN = new URL('../../fixtures/trailing-timesteps-1000.txt.gz', import.meta.url);

describe('trailing timesteps', () => {
  it('match the training code for every count from 1 to 1000', () => {
    const lines = strFromU8(gunzipSync(readFileSync(GOLDEN))).trimEnd().split('\n');
    expect(lines).toHaveLength(1000);
    const wrong = lines
      .map((line, i) => ({ count: i + 1, want: line.split(' ').map(Number) }))
      .filter(({ count, want }) => JSON.stringify(trailingTimesteps(count, 1000)) !== JSON.stringify(want))
      .map(({ count }) => count);
    expect(wrong).toEqual([]);
  });
});
