/** Printing and saving a benchmark report, the same for the browser and the Node benchmark. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { BenchProgress } from '../../src/bench/runner.js';
import type { BenchReport, BenchResult } from '../../src/bench/result.js';
import { describeDevices, formatDuration, formatResults, formatTextTable, speedupColumns, speedups } from '../../src/bench/table.js';

/** The host machine. */
export function machine(): Record<string, string | number> {
  const cpu = cpus();
  return { cpu: `${cpu[0]?.model ?? 'unknown'} x ${cpu.length}`, memory: `${Math.round(totalmem() / 1e9)} GB` };
}

/** How busy the machine is: the load averages over 1, 5 and 15 minutes (runnable processes). */
export function loadAverage(): string {
  return loadavg().map((v) => v.toFixed(2)).join(' ');
}

export function progressLine(p: BenchProgress): string {
  return `[${p.index + 1}/${p.total}] ${p.model} ${p.backend} batch ${p.batch}: ${p.phase}${p.detail ? ` (${p.detail})` : ''}`;
}

/** One line per finished configuration, for the log. */
export function resultLine(r: BenchResult): string {
  const parts = [`${r.model} ${r.backend} batch ${r.batch}: ${r.status}`];
  if (r.coldMs !== null) parts.push(`cold ${formatDuration(r.coldMs)}`);
  if (r.stepMs) parts.push(`${formatDuration(r.stepMs.median)}/${r.method === 'ddpm' ? 'step' : r.method === 'vae' ? 'decode' : 'pass'}`);
  if (r.encodeMs) parts.push(`${formatDuration(r.encodeMs.median)} to encode`);
  if (r.dispatches !== null) parts.push(`${r.dispatches} dispatches`);
  if (r.samplesPerSecond) parts.push(`${r.samplesPerSecond.median.toPrecision(3)} samples/s`);
  if (r.note) parts.push(r.note);
  return parts.join(', ');
}

/** The table, the speed-up of the first backend over the others, and what was measured. */
export function formatReport(report: BenchReport, title: string): string {
  const s = report.settings;
  const lines = [
    `${title}, ${report.date}`,
    ...Object.entries(report.environment).map(([k, v]) => `  ${k}: ${v}`),
    `  devices: ${describeDevices(report.results) || 'none started'}`,
    `  measured: DDIM with guidance (eta 0), ${s.steps} steps per full run, ${s.repeats} warm runs, ` +
      `${s.stepSamples} steps timed one at a time (each read back); VAE: one decode per run; ` +
      `time limit ${s.budgetS ? `${s.budgetS} s` : 'none'} per configuration; nothing extrapolated`,
    '',
    formatResults(report.results),
  ];
  const backends = [...new Set(report.results.map((r) => r.backend))];
  const fast = backends.find((b) => b === 'webgpu');
  for (const slow of backends.filter((b) => b !== fast && fast)) {
    const rows = speedups(report.results, fast!, slow);
    if (rows.length) lines.push('', formatTextTable(speedupColumns(fast!, slow), rows));
  }
  return lines.join('\n');
}

/** Writes `<out>/<kind>-<date>.json` and returns its path. */
export function saveReport(report: BenchReport, out: string, kind: string): string {
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${kind}-${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

