/** The results table: units, significant figures, spreads, alignment and notes. */
import { describe, expect, it } from 'vitest';
import { type BenchResult, emptyResult } from '../../../src/bench/result.js';
import { spread } from '../../../src/bench/stats.js';
import {
  COLUMNS, compareSpeed, describeDevices, formatBytes, formatDuration, formatResults, formatSpread, formatTextTable, resultCells, speedups, tableData,
} from '../../../src/bench/table.js';

function ddpmResult(over: Partial<BenchResult> = {}): BenchResult {
  return {
    ...emptyResult('xray-ddpm', 'webgpu', 16, 3),
    method: 'ddpm', steps: 50, guidance: 2, device: 'SwiftShader',
    loadMs: 800, firstRunMs: 4200, coldMs: 5000,
    stepMs: spread([45.1, 44.0, 47.2]), encodeMs: spread([1.2, 1.1, 1.3]), dispatches: 34, runMs: spread([2300, 2250, 2390]),
    samplesPerSecond: spread([16000 / 2300, 16000 / 2250, 16000 / 2390]),
    bytesDownloaded: 1_342_177,
    memoryAfterRuns: { numTensors: 120, numBytes: 1_500_000, numBytesInGPU: 1_480_000, numBytesInGPUAllocated: 9_000_000 },
    leakCheck: { runs: 5, tensorsBefore: 120, tensorsAfter: 120 },
    tensorsLeftAfterDispose: 0,
    ...over,
  };
}

describe('formatting figures', () => {
  it('writes durations with 3 significant figures, in ms below a second and s above', () => {
    expect(formatDuration(0.4216)).toBe('0.422 ms');
    expect(formatDuration(45.12)).toBe('45.1 ms');
    expect(formatDuration(999.4)).toBe('999 ms');
    expect(formatDuration(999.6)).toBe('1.00 s');
    expect(formatDuration(61_234)).toBe('61.2 s');
  });

  it('writes bytes in decimal units', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(76_962)).toBe('77.0 kB');
    expect(formatBytes(1_342_177)).toBe('1.34 MB');
    expect(formatBytes(2.5e9)).toBe('2.50 GB');
  });

  it('writes a spread as the median and the range, the shared unit once', () => {
    expect(formatSpread(spread([45.1, 44.0, 47.2]), formatDuration)).toBe('45.1 ms (44.0–47.2)');
    expect(formatSpread(spread([950, 1020]), formatDuration)).toBe('985 ms (950 ms–1.02 s)');
    expect(formatSpread(spread([10.6, 10.5, 10.7]), (v) => v.toFixed(1))).toBe('10.6 (10.5–10.7)');
    expect(formatSpread(spread([45.1]), formatDuration)).toBe('45.1 ms (n=1)');
    expect(formatSpread(null, formatDuration)).toBe('–');
  });

  it('says how much faster or slower in words', () => {
    expect(compareSpeed(3.2)).toBe('3.20x faster');
    expect(compareSpeed(0.018)).toBe('55.6x slower');
  });
});

describe('the results table', () => {
  it('gives one cell per column for a complete result', () => {
    expect(resultCells(ddpmResult(), null)).toEqual([
      'xray-ddpm', 'webgpu', '16', '50', '5.00 s', '45.1 ms (44.0–47.2)', '1.20 ms (1.10–1.30)', '34', '2.30 s (2.25–2.39)', '6.96 (6.69–7.11)',
      '1.34 MB', '120 / 1.48 MB', 'none in 5 runs', '',
    ]);
    expect(resultCells(ddpmResult(), null)).toHaveLength(COLUMNS.length);
  });

  it('shows a leak as the tensors gained, a VAE as a decode and a CPU backend without GPU bytes', () => {
    const cells = resultCells(ddpmResult({
      method: 'vae', steps: null, backend: 'wasm',
      memoryAfterRuns: { numTensors: 22, numBytes: 63_332, numBytesInGPU: null, numBytesInGPUAllocated: null },
      leakCheck: { runs: 5, tensorsBefore: 22, tensorsAfter: 27 },
    }), null);
    expect(cells[3]).toBe('decode');
    expect(cells[11]).toBe('22 / – (not a GPU)');
    expect(cells[12]).toBe('+5 tensors in 5 runs');
  });

  it('shows GPU buffers that kept growing after the first run, and says nothing of a steady pool', () => {
    const leak = (after: number) => resultCells(ddpmResult({
      leakCheck: { runs: 100, tensorsBefore: 120, tensorsAfter: 120, gpuBytesAfterFirstRun: 2_000_000, gpuBytesAfter: after },
    }), null)[12];
    expect(leak(2_000_000)).toBe('none in 100 runs');
    expect(leak(2_500_000)).toBe('none in 100 runs, GPU buffers +500 kB after the first run');
  });

  it('numbers the notes of results that have one and leaves unmeasured figures as dashes', () => {
    const cut = ddpmResult({
      batch: 64, status: 'partial', note: 'stopped at the 120 s limit during the first run',
      firstRunMs: null, coldMs: null, stepMs: null, encodeMs: null, dispatches: null, runMs: null, samplesPerSecond: null,
    });
    const skipped = { ...emptyResult('xray-ddpm', 'webgl', 1, 3), status: 'skipped' as const, note: 'webgl is not available here' };
    const { rows, notes } = tableData([ddpmResult(), cut, skipped]);
    expect(rows[1]!.slice(4, 10)).toEqual(['–', '–', '–', '–', '–', '–']);
    expect(rows[1]!.at(-1)).toBe('partial [1]');
    expect(rows[2]!.at(-1)).toBe('skipped [2]');
    expect(notes).toEqual([
      '[1] xray-ddpm on webgpu, batch 64: stopped at the 120 s limit during the first run',
      '[2] xray-ddpm on webgl, batch 1: webgl is not available here',
    ]);
    expect(formatResults([cut])).toContain('\n\n[1] xray-ddpm on webgpu, batch 64');
  });

  it('pads columns to their widest cell, numbers to the right', () => {
    const text = formatTextTable(
      [{ title: 'model', align: 'left' }, { title: 'ms', align: 'right' }],
      [['a', '1.5'], ['longer', '12']],
    );
    expect(text).toBe(['model    ms', '------  ---', 'a       1.5', 'longer   12'].join('\n'));
  });

  it('names the device each backend ran on once', () => {
    const wasm = ddpmResult({ backend: 'wasm', device: 'WebAssembly, SIMD, 1 thread' });
    expect(describeDevices([ddpmResult(), ddpmResult({ batch: 1 }), wasm, { ...wasm, device: null }]))
      .toBe('webgpu on SwiftShader; wasm on WebAssembly, SIMD, 1 thread');
  });

  it('compares two backends on the models and batches both measured', () => {
    const wasm = ddpmResult({ backend: 'wasm', stepMs: spread([90.2]) });
    const other = ddpmResult({ backend: 'wasm', batch: 1, stepMs: spread([5]) });
    expect(speedups([ddpmResult(), wasm, other], 'webgpu', 'wasm')).toEqual([['xray-ddpm', '16', '45.1 ms', '90.2 ms', '2.00x faster']]);
  });
});
