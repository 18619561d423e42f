/**
 * A sweep: one seed, one knob, a row of values. The first sample of the page's run, made again at
 * each value of the knob with every other setting as on the page, side by side: what guidance,
 * steps, eta, temperature, truncation or top-k change, with nothing else changing.
 *
 * The values and the runs are pure functions of the model and the settings; the controller is a
 * generation like any other (cancellable, one at a time, a stale run dropped).
 */
import type { ReactiveControllerHost } from 'lit';
import type { GeneratorMethod } from '../models/card.js';
import { type GeneratorModel, type LatentModel, sampleAr, sampleDiffusion, sampleLatentModel, timePass } from '../pipeline/pipeline.js';
import { LABELS, type SettingName, type Settings, clampSettings, defaultsOf, limitsOf } from '../pipeline/settings.js';
import { GenerationController } from './generation.js';

export type SweepKnob = Extract<SettingName, 'guidance' | 'steps' | 'eta' | 'temperature' | 'truncation' | 'topK'>;

/** The knobs a family's row can sweep, the most telling first. */
export const SWEEP_KNOBS: Record<GeneratorMethod, SweepKnob[]> = {
  ddpm: ['guidance', 'steps', 'eta'],
  vae: ['temperature'],
  gan: ['truncation'],
  ar: ['temperature', 'guidance', 'topK'],
};

/** The row of values for a knob: from "off" to past the usual range. */
const VALUES: Record<SweepKnob, Partial<Record<GeneratorMethod, number[]>> & { all?: number[] }> = {
  guidance: { all: [0, 1, 2, 4, 8] },
  steps: { all: [1, 2, 5, 10, 25, 50] },
  eta: { all: [0, 0.5, 1] },
  temperature: { vae: [0, 0.5, 1, 1.5, 2], ar: [0, 0.5, 1, 1.5] },
  // 0 is "not truncated"
  truncation: { all: [0.25, 0.5, 1, 2, 0] },
  topK: { all: [1, 2, 8, 32, 0] },
};

/** The values a sweep of `knob` runs, for a model: those its card allows (a model without a "no class" label takes guidance 1 only). */
export function sweepValues(knob: SweepKnob, model: GeneratorModel): number[] {
  const row = VALUES[knob][model.kind] ?? VALUES[knob].all ?? [];
  const limits = limitsOf(model.card);
  if (knob === 'guidance' && !limits.guidable) return [1];
  if (knob === 'steps') return row.filter((v) => v <= limits.trainingSteps);
  return row;
}

/** The knob and value in words: "guidance 4", "truncation off", "top-k all". */
export function sweepLabel(knob: SweepKnob, value: number): string {
  const name = LABELS[knob].replace(/ scale$/, '').toLowerCase();
  if (knob === 'truncation' && value === 0) return 'no truncation';
  if (knob === 'topK' && value === 0) return 'top-k: all codes';
  return `${name} ${value}`;
}

export interface SweepCell {
  value: number;
  label: string;
  sample: Float32Array;
  ms: number;
}

export interface SweepResult {
  model: { id: string; method: GeneratorMethod };
  knob: SweepKnob;
  /** The settings every cell shares (count 1). */
  settings: Settings;
  cells: SweepCell[];
  shape: number[];
  sampleRateHz: number;
  window?: { before?: number };
}

/** The settings of one cell: the page's, one sample, the knob at `value`, held to the card's limits. */
export function cellSettings(model: GeneratorModel, settings: Settings, knob: SweepKnob, value: number): Settings {
  return clampSettings({ ...settings, count: 1, [knob]: value }, limitsOf(model.card), defaultsOf(model.card)).settings;
}

/** Runs the row: one sample per value, each from the same seed. */
export async function runSweep(
  model: GeneratorModel,
  settings: Settings,
  knob: SweepKnob,
  options: { signal?: AbortSignal; onCell?: (done: number, total: number) => void } = {},
): Promise<SweepResult> {
  const values = sweepValues(knob, model);
  const cells: SweepCell[] = [];
  // untimed passes at the batches the row takes first (two rows: a guided pass): the first value's
  // time would otherwise carry the backend's first use of the shape, and read as its setting's cost
  for (const rows of model.kind === 'ddpm' || model.kind === 'ar' ? [1, 2] : [1]) await timePass(model, rows);
  for (const value of values) {
    const s = cellSettings(model, settings, knob, value);
    const started = performance.now();
    const out = model.kind === 'ddpm'
      ? await sampleDiffusion(model, s, { watch: 0, signal: options.signal })
      : model.kind === 'ar'
        ? await sampleAr(model, s, { signal: options.signal })
        : await sampleLatentModel(model as LatentModel, s, { signal: options.signal });
    cells.push({ value, label: sweepLabel(knob, value), sample: out.samples[0]!, ms: performance.now() - started });
    options.onCell?.(cells.length, values.length);
  }
  const card = model.card;
  return {
    model: { id: card.id, method: model.kind }, knob, settings: { ...settings, count: 1 }, cells,
    shape: [...card.architecture.inputShape], sampleRateHz: card.signal?.sampleRateHz ?? 360, window: card.signal?.window,
  };
}

/** The sweep of the page: its knob, and the newest row made. */
export class SweepController {
  readonly run: GenerationController<SweepResult>;
  knob: SweepKnob | null = null;

  constructor(host: ReactiveControllerHost) {
    this.run = new GenerationController(host);
  }

  get running(): boolean {
    return this.run.status === 'running';
  }

  async start(model: GeneratorModel, settings: Settings, knob: SweepKnob): Promise<void> {
    this.knob = knob;
    await this.run.start((signal, onStep) => runSweep(model, settings, knob, { signal, onCell: (done, total) => onStep({ done, total }) }), sweepValues(knob, model).length);
  }

  cancel(): Promise<void> {
    return this.run.cancel();
  }

  /** The model changed: the row on show goes. */
  clear(): void {
    this.run.reset();
  }
}
