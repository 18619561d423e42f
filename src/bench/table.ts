/**
 * The results table, as cells (the page renders them as HTML) and as monospaced text (the scripts
 * print it). Every timing is shown as the median with the range of what was measured; a cell with
 * one measurement says n=1, and a figure that was not measured is a dash with a numbered note.
 */
import type { BenchResult } from './result.js';
import type { Spread } from './stats.js';

export interface Column {
  title: string;
  align: 'left' | 'right';
}

export const COLUMNS: readonly Column[] = [
  { title: 'model', align: 'left' },
  { title: 'backend', align: 'left' },
  { title: 'batch', align: 'right' },
  { title: 'steps', align: 'right' },
  { title: 'cold: first samples', align: 'right' },
  { title: 'per step, token or decode', align: 'right' },
  { title: 'encode (JavaScript)', align: 'right' },
  { title: 'GPU dispatches', align: 'right' },
  { title: 'full run (warm)', align: 'right' },
  { title: 'samples/s', align: 'right' },
  { title: 'downloaded', align: 'right' },
  { title: 'tensors / GPU bytes held', align: 'right' },
  { title: 'leak check', align: 'right' },
  { title: 'note', align: 'left' },
];

const DASH = '–';

/** 3 significant figures: ms below a second, seconds above. */
export function formatDuration(ms: number): string {
  if (ms < 999.5) return `${significant(ms)} ms`; // 999.6 ms would round to "1000 ms"
  return `${significant(ms / 1000)} s`;
}

/** Decimal units (1 kB = 1000 bytes), 3 significant figures. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 999.5 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${significant(value)} ${units[unit]}`;
}

/**
 * "45.1 ms (44.0–47.2)": the median and the range, the unit written once where all three share it;
 * "45.1 ms (n=1)" for a single measurement.
 */
export function formatSpread(s: Spread | null, format: (v: number) => string): string {
  if (!s) return DASH;
  const median = format(s.median);
  if (s.n === 1) return `${median} (n=1)`;
  let [min, max] = [format(s.min), format(s.max)];
  const unit = / \S+$/.exec(median)?.[0];
  if (unit && min.endsWith(unit) && max.endsWith(unit)) [min, max] = [min.slice(0, -unit.length), max.slice(0, -unit.length)];
  return `${median} (${min}${DASH}${max})`;
}

export function significant(value: number, digits = 3): string {
  if (value === 0) return '0';
  const rounded = Number(value.toPrecision(digits)); // 0.9996 -> 1.00, not 1.000
  const magnitude = Math.floor(Math.log10(Math.abs(rounded)));
  return rounded.toFixed(Math.max(0, digits - 1 - magnitude));
}

function leakCell({ runs, tensorsBefore, tensorsAfter, gpuBytesAfterFirstRun, gpuBytesAfter }: NonNullable<BenchResult['leakCheck']>): string {
  const grew = typeof gpuBytesAfterFirstRun === 'number' && typeof gpuBytesAfter === 'number' && gpuBytesAfter !== gpuBytesAfterFirstRun
    ? `, GPU buffers ${gpuBytesAfter > gpuBytesAfterFirstRun ? '+' : '-'}${formatBytes(Math.abs(gpuBytesAfter - gpuBytesAfterFirstRun))} after the first run`
    : '';
  const tensors = tensorsAfter === tensorsBefore ? 'none' : `${signed(tensorsAfter - tensorsBefore)} tensors`;
  return `${tensors} in ${runs} runs${grew}`;
}

/** The cells of one result, in COLUMNS order; `noteRef` is the note's number, if it has one. */
export function resultCells(r: BenchResult, noteRef: number | null): string[] {
  const rate = (v: number) => significant(v);
  const memory = r.memoryAfterRuns;
  const held = memory
    ? `${memory.numTensors} / ${memory.numBytesInGPU === null ? `${DASH} (not a GPU)` : formatBytes(memory.numBytesInGPU)}`
    : DASH;
  const leak = r.leakCheck ? leakCell(r.leakCheck) : DASH;
  return [
    r.model,
    r.backend,
    String(r.batch),
    r.method === 'vae' ? 'decode' : r.method === 'gan' ? 'one pass' : r.method === 'ar' ? 'token by token' : r.steps === null ? DASH : String(r.steps),
    r.coldMs === null ? DASH : formatDuration(r.coldMs),
    formatSpread(r.stepMs, formatDuration),
    formatSpread(r.encodeMs, formatDuration),
    r.dispatches === null ? DASH : String(r.dispatches),
    formatSpread(r.runMs, formatDuration),
    formatSpread(r.samplesPerSecond, rate),
    r.bytesDownloaded === null ? DASH : formatBytes(r.bytesDownloaded),
    held,
    leak,
    noteRef === null ? (r.status === 'ok' ? '' : r.status) : `${r.status} [${noteRef}]`,
  ];
}

export interface TableData {
  rows: string[][];
  /** "[1] ...": the notes the rows refer to. */
  notes: string[];
}

export function tableData(results: readonly BenchResult[]): TableData {
  const notes: string[] = [];
  const rows = results.map((r) => {
    if (!r.note) return resultCells(r, null);
    notes.push(`[${notes.length + 1}] ${r.model} on ${r.backend}, batch ${r.batch}: ${r.note}`);
    return resultCells(r, notes.length);
  });
  return { rows, notes };
}

/** Columns padded to their widest cell, numbers right-aligned, a rule under the header. */
export function formatTextTable(columns: readonly Column[], rows: readonly string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => (c.align === 'right' ? (cells[i] ?? '').padStart(widths[i]!) : (cells[i] ?? '').padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The whole report as text: the table, then its notes. */
export function formatResults(results: readonly BenchResult[]): string {
  const { rows, notes } = tableData(results);
  return [formatTextTable(COLUMNS, rows), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/**
 * `fast` against `slow` per step (or decode), median against median, for every model and batch
 * measured on both: "3.2x faster" or "55x slower".
 */
export function speedups(results: readonly BenchResult[], fast: string, slow: string): string[][] {
  const rows: string[][] = [];
  for (const a of results) {
    if (a.backend !== fast || !a.stepMs) continue;
    const b = results.find((r) => r.backend === slow && r.model === a.model && r.batch === a.batch && r.stepMs);
    if (!b?.stepMs) continue;
    rows.push([a.model, String(a.batch), formatDuration(a.stepMs.median), formatDuration(b.stepMs.median), compareSpeed(b.stepMs.median / a.stepMs.median)]);
  }
  return rows;
}

/** A time ratio (slow / fast) in words. */
export function compareSpeed(ratio: number): string {
  return ratio >= 1 ? `${significant(ratio)}x faster` : `${significant(1 / ratio)}x slower`;
}

export function speedupColumns(fast: string, slow: string): Column[] {
  return [
    { title: 'model', align: 'left' },
    { title: 'batch', align: 'right' },
    { title: `${fast} per step`, align: 'right' },
    { title: `${slow} per step`, align: 'right' },
    { title: `${fast} against ${slow}`, align: 'right' },
  ];
}

/** Each backend that ran, with the device it ran on: "webgpu on google swiftshader; wasm on ...". */
export function describeDevices(results: readonly BenchResult[]): string {
  const seen = new Map<string, string>();
  for (const r of results) if (r.device && !seen.has(r.backend)) seen.set(r.backend, r.device);
  return [...seen].map(([backend, device]) => `${backend} on ${device}`).join('; ');
}

/** Adapters that emulate a GPU on the CPU (as src/components/backend-badge.ts recognises them). */
export const SOFTWARE_GPU = /swiftshader|llvmpipe|lavapipe|software/i;

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
