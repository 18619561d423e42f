/**
 * How long the next audit should take, from what the last one measured on this machine and
 * backend, not from guesses. An audit's time is four parts, each about proportional to its work:
 *
 *   generate      samples x diffusion steps (one decoder pass per sample for a VAE)
 *   evaluate      samples through the evaluator: the generated ones, and the real reference
 *                 samples only where their outputs are not kept (the controller keeps them per
 *                 evaluator and dataset, so only a first audit of a dataset scores them)
 *   distances     bootstrap resamples of the Frechet and kernel distances, plus the full-set figure,
 *                 for generated vs held-out and, unless kept from an audit with the same rows and
 *                 settings (same samples per class, seed and resamples), real training vs held-out
 *   memorisation  rows whose nearest training samples are searched: the conditional samples, and
 *                 the held-out ones unless kept (with the real outputs)
 *
 * The estimate is each part's measured seconds per unit of work times its work under the new
 * settings. Loading the evaluator and the pack is left out: a repeat audit finds both loaded.
 * Pure, and type-only imports, so the panel can use it without pulling in tfjs.
 */
import type { JudgeSettings } from './view.js';

export type EstimateSettings = Pick<JudgeSettings, 'perClass' | 'unconditional' | 'resamples' | 'steps' | 'seed'>;

/** What the time depends on, of the generator. */
export interface GeneratorFacts {
  classes: number;
  /** Whether it makes unconditional samples (a diffusion model that learned a "no class" label). */
  unconditional: boolean;
  /** Diffusion steps per sample when the settings leave them to the card; null: a VAE (one pass). */
  defaultSteps: number | null;
}

/** What of the work on the real samples an audit found done by an earlier one. */
export interface KeptWork {
  /** The evaluator's outputs on them. */
  outputs: boolean;
  /** The real training vs held-out comparison of the audit's settings. */
  comparison: boolean;
  /** The held-out samples' nearest training samples. */
  nearest: boolean;
}

/** The reference pack's real samples, and what of the work on them was kept. */
export interface RealFacts {
  heldout: number;
  train: number;
  kept: KeptWork;
}

/** Work (or, in AuditTiming.seconds, measured seconds) of each timed part of an audit. */
export interface AuditWork {
  generate: number;
  evaluate: number;
  distances: number;
  memorisation: number;
}

/** What one finished audit measured: the seconds of each part, and what it ran on. */
export interface AuditTiming {
  /** The generator's id, and the tfjs backend the audit ran on. */
  model: string;
  backend: string;
  generator: GeneratorFacts;
  /** The real samples, and what of the work on them the audit found kept. */
  real: RealFacts;
  settings: EstimateSettings;
  seconds: AuditWork;
}

export interface AuditEstimate {
  total: number;
  parts: AuditWork;
}

const PARTS = ['generate', 'evaluate', 'distances', 'memorisation'] as const;

/** The work of each part of an audit of `generator` with `settings`. */
export function auditWork(generator: GeneratorFacts, real: RealFacts, settings: EstimateSettings): AuditWork {
  const conditional = generator.classes * settings.perClass;
  const samples = conditional + (generator.unconditional ? settings.unconditional : 0);
  const steps = generator.defaultSteps === null ? 1 : (settings.steps ?? generator.defaultSteps);
  return {
    generate: samples * steps,
    evaluate: samples + (real.kept.outputs ? 0 : real.heldout + real.train),
    distances: (settings.resamples + 1) * (real.train > 0 && !real.kept.comparison ? 2 : 1),
    memorisation: conditional + (real.kept.nearest ? 0 : real.heldout),
  };
}

/**
 * The next audit of the same model with `settings`, from `timing`. The audit that measured `timing`
 * finished, so the controller holds the evaluator's outputs on the real samples, the held-out
 * samples' nearest training samples, and the real comparison of its settings: reused when the new
 * settings select the same rows.
 */
export function estimateAudit(timing: AuditTiming, settings: EstimateSettings): AuditEstimate {
  const measured = auditWork(timing.generator, timing.real, timing.settings);
  const was = timing.settings;
  const sameRows = settings.perClass === was.perClass && settings.seed === was.seed && settings.resamples === was.resamples;
  const next = auditWork(timing.generator, { ...timing.real, kept: { outputs: true, comparison: sameRows, nearest: true } }, settings);
  const parts = { generate: 0, evaluate: 0, distances: 0, memorisation: 0 };
  for (const part of PARTS) parts[part] = measured[part] > 0 ? (timing.seconds[part] / measured[part]) * next[part] : 0;
  return { total: PARTS.reduce((sum, part) => sum + parts[part], 0), parts };
}

/** The panel's sentence before an audit: the estimate and where it comes from, or that there is none yet. */
export function estimateLine(timing: AuditTiming | null, settings: EstimateSettings): string {
  if (!timing) return 'First audit of this model: the time is unknown until one has been measured on this machine.';
  const { total } = estimateAudit(timing, settings);
  const real = timing.real.heldout + timing.real.train;
  return (
    `About ${formatDuration(total)} on ${timing.backend}, scaled from the last audit's measured times; ` +
    `the evaluator's outputs on the ${real} real samples are kept, so only the new samples are scored.`
  );
}

/** Seconds as a person reads them: "under 1 s", "1.9 s", "42 s", "2.2 min", "15 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
  if (seconds < 1) return 'under 1 s';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = seconds / 60;
  return minutes < 10 ? `${minutes.toFixed(1)} min` : `${Math.round(minutes)} min`;
}
