/**
 * What the judge panel shows, as plain data: the figures of every part of the judge plus the few
 * samples the memorisation audit puts side by side, in display units. The controller builds it;
 * the panel only draws it (no tensors, no models). Pure, and type-only imports of the judge's
 * computing modules, so importing it pulls in no tfjs.
 */
import type { BorderCheck } from './artefacts.js';
import type { AuditTiming } from './estimate.js';
import type { ClassMix, Faithfulness } from './faithfulness.js';
import type { FeatureComparison } from './ecg-features.js';
import type { FidelityReport } from './fidelity.js';
import type { AucFigure, MembershipReport } from './membership.js';
import type { MemorisationReport } from './memorisation.js';
import type { OverlaidHistogram } from './histograms.js';
import type { JudgeProgress } from './tasks.js';
import type { TstrReport } from './tstr.js';

export type JudgeStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';
export type JudgeTask = 'audit' | 'tstr' | 'membership';

/** The settings a run takes; the panel's form edits them and sends them with its events. */
export interface JudgeSettings {
  /** Samples generated per class. */
  perClass: number;
  /** Unconditional samples for the class mix (diffusion models only; 0: none). */
  unconditional: number;
  /** Bootstrap resamples of the Frechet and kernel distances. */
  resamples: number;
  seed: number;
  /** Nearest training samples shown per generated sample. */
  neighbours: number;
  /** Diffusion steps; null: the card's. */
  steps: number | null;
  /** TSTR training epochs. */
  epochs: number;
}

export const DEFAULT_JUDGE_SETTINGS: JudgeSettings = {
  perClass: 64,
  unconditional: 64,
  resamples: 100,
  seed: 1,
  neighbours: 3,
  steps: null,
  epochs: 8,
};

/** The limits the panel's form and the controller hold settings to. */
export const JUDGE_LIMITS: Record<Exclude<keyof JudgeSettings, 'steps'>, { min: number; max: number }> & { steps: { min: number; max: number } } = {
  perClass: { min: 4, max: 256 },
  unconditional: { min: 0, max: 256 },
  resamples: { min: 0, max: 500 },
  seed: { min: 0, max: 2 ** 32 - 1 },
  neighbours: { min: 1, max: 8 },
  steps: { min: 1, max: 1000 },
  epochs: { min: 1, max: 50 },
};

/** Each setting made a whole number within its limits (steps may stay null). */
export function clampJudgeSettings(raw: Partial<JudgeSettings>): JudgeSettings {
  const s = { ...DEFAULT_JUDGE_SETTINGS, ...raw };
  const clamp = (key: keyof typeof JUDGE_LIMITS, v: number) => {
    const { min, max } = JUDGE_LIMITS[key];
    return Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : (DEFAULT_JUDGE_SETTINGS[key] ?? min);
  };
  return {
    perClass: clamp('perClass', s.perClass),
    unconditional: clamp('unconditional', s.unconditional),
    resamples: clamp('resamples', s.resamples),
    seed: clamp('seed', s.seed),
    neighbours: clamp('neighbours', s.neighbours),
    steps: s.steps === null ? null : clamp('steps', s.steps),
    epochs: clamp('epochs', s.epochs),
  };
}

export interface JudgeRunProgress extends JudgeProgress {
  task: JudgeTask;
  /** 1-based stage of `stages` ("3 of 6: evaluator on the training samples"). */
  stage: number;
  stages: number;
}

export interface SampleMeta {
  kind: 'image' | 'signal';
  /** One sample's shape, channels-last: [H, W, C] or [L] / [L, C]. */
  shape: number[];
  sampleRateHz: number;
  /** Time of a beat's first sample from the R peak (negative). */
  startMs: number;
}

export interface NeighbourView {
  /** Row of the training pack. */
  index: number;
  distance: number;
  label: string;
  sample: Float32Array;
}

export interface AuditItem {
  /** Index among the generated samples. */
  index: number;
  requested: string;
  /** The evaluator's class. */
  predicted: string;
  sample: Float32Array;
  /** Distance to the closest training sample, pixel space (network units). */
  dcr: number;
  flagged: boolean;
  featureDcr: number | null;
  featureFlagged: boolean;
  pixel: NeighbourView[];
  feature: NeighbourView[];
}

export interface MemorisationView {
  k: number;
  space: string;
  featureSpace: string | null;
  threshold: number;
  featureThreshold: number | null;
  flaggedCount: number;
  fractionFlagged: number;
  featureFlaggedCount: number | null;
  medianGenerated: number;
  medianHeldOut: number;
  /** DCR histograms, [generated, held-out], pixel space and feature space. */
  histogram: OverlaidHistogram;
  /** Shares of generated and held-out samples matched to one training sample (memorisation.ts LONE_RATIO), pixel space. */
  lone: { generated: number; heldout: number };
  featureHistogram: OverlaidHistogram | null;
  generatedCount: number;
  heldoutCount: number;
  trainCount: number;
  /** How the pack chose its training samples ("all of each class of the train split"). */
  trainSelection: string | null;
  /** Every generated sample, closest to the training set first. */
  items: AuditItem[];
}

export interface FaithfulnessView {
  /** Generated samples classified as requested, per class. */
  generated: Faithfulness;
  /** Real held-out samples classified as labelled: the evaluator's own ceiling. */
  heldout: Faithfulness;
  /** Unconditional samples' class mix against the training mix; null when not made. */
  mix: ClassMix | null;
  /** Why there is no mix, when there is none. */
  mixNote: string | null;
}

export interface EcgView {
  /** Real beats compared against: "training" pack beats. */
  realSet: string;
  classes: { name: string; generated: number; real: number; features: FeatureComparison[] }[];
}

export interface TstrView {
  running: boolean;
  epochs: number;
  /** Losses as they arrive, for the live curve. */
  batchLosses: { synthetic: number[]; real: number[] };
  epochLosses: { synthetic: number[]; real: number[] };
  /** Batches per epoch of each run (0 until known). */
  batchesPerEpoch: { synthetic: number; real: number };
  report: TstrReport | null;
  /** What the comparison is (sizes, what "real" means). */
  note: string | null;
}

export interface SurroundView {
  check: BorderCheck;
  classes: string[];
  shape: number[];
  /** The first few flagged samples, display units, brightest surround first. */
  samples: Float32Array[];
}

export interface MembershipView {
  running: boolean;
  report: MembershipReport | null;
}

/** The figures the model card reports (measured in PyTorch), to set beside the browser's. */
export interface CardFigures {
  samplesPerClass: number | null;
  frechetGenerated: number | null;
  frechetReal: number | null;
  classifiedAsRequested: Record<string, number> | null;
  realHeldOutClassifiedAsLabelled: Record<string, number | null> | null;
  memorisationFraction: number | null;
  memorisationMedianGenerated: number | null;
  memorisationMedianHeldOut: number | null;
  /** The distances the card measured in its feature extractor's features (training/evaluate.py), or null. */
  independent: {
    extractor: string;
    frechetGenerated: number | null;
    frechetReal: number | null;
    infinityGenerated: number | null;
    infinityReal: number | null;
    /** 95% intervals of the two Frechet distances (normal bootstrap, floored at 0). */
    frechetIntervalGenerated: [number, number] | null;
    frechetIntervalReal: [number, number] | null;
    /** Samples per set the card's distances were measured on. */
    n: number | null;
  } | null;
  /** The membership test the card records (training/membership.py), or null. */
  membership: {
    all: AucFigure;
    /** The AUC with held-out near-copies of training images left out, and how many were. */
    dedup: AucFigure | null;
    nearCopies: number;
    /** Held-out records come from other patients than the training records. */
    splitByPatient: boolean;
    /** What the test scores an image by: a diffusion model's denoising error, or (VAE, GAN) the distance to the nearest generated sample of its class. */
    attack: string;
  } | null;
  /** The surround check over all classes: [unusual, checked] for generated and real training images. */
  surround: { generated: [number, number]; realTrain: [number, number] } | null;
}

export interface JudgeView {
  model: { id: string; name: string; method: string; dataset: string } | null;
  /** The evaluator's id, once known. */
  evaluator: string | null;
  classes: string[];
  sample: SampleMeta;
  status: JudgeStatus;
  task: JudgeTask | null;
  progress: JudgeRunProgress | null;
  /** What the last run came to, in a sentence (cancelled, failed, or a note). */
  message: string | null;
  /** Conditional samples generated, and unconditional. */
  generatedCount: number;
  unconditionalCount: number;
  /** Distances in the dataset's feature extractor's features, or in the evaluator's where none ships. */
  fidelity: FidelityReport | null;
  /** The same in the evaluator's features, as a second view, when `fidelity` is the extractor's. */
  evaluatorFidelity: FidelityReport | null;
  faithfulness: FaithfulnessView | null;
  /** The surround check of image samples; null for beats. */
  surround: SurroundView | null;
  memorisation: MemorisationView | null;
  ecg: EcgView | null;
  tstr: TstrView | null;
  /** The membership test (diffusion models): null before it is asked for. */
  membership: MembershipView | null;
  card: CardFigures | null;
  /** What the last finished audit of this model measured, for the next one's time estimate. */
  timing: AuditTiming | null;
}

export const EMPTY_JUDGE_VIEW: JudgeView = {
  model: null,
  evaluator: null,
  classes: [],
  sample: { kind: 'image', shape: [28, 28, 1], sampleRateHz: 360, startMs: 0 },
  status: 'idle',
  task: null,
  progress: null,
  message: null,
  generatedCount: 0,
  unconditionalCount: 0,
  fidelity: null,
  evaluatorFidelity: null,
  faithfulness: null,
  surround: null,
  memorisation: null,
  ecg: null,
  tstr: null,
  membership: null,
  card: null,
  timing: null,
};

/**
 * The audit as the panel shows it: every generated sample beside its nearest training samples
 * (looked up in `train`, display units), closest to the training set first.
 */
export function memorisationView(
  report: MemorisationReport,
  generated: { samples: readonly Float32Array[]; requested: ArrayLike<number>; predicted: ArrayLike<number> },
  train: { samples: readonly Float32Array[]; labels: ArrayLike<number> },
  classes: readonly string[],
  trainSelection: string | null = null,
): MemorisationView {
  const name = (c: number | undefined) => (c === undefined ? '?' : (classes[c] ?? String(c)));
  const neighbour = (m: { index: number; distance: number }): NeighbourView => ({
    index: m.index,
    distance: m.distance,
    label: name(train.labels[m.index]),
    sample: train.samples[m.index]!,
  });
  const flagged = new Set(report.pixel.flagged);
  const featureFlagged = new Set(report.feature?.flagged ?? []);
  const items: AuditItem[] = report.pixel.neighbours.map((row, i) => ({
    index: i,
    requested: name(generated.requested[i]),
    predicted: name(generated.predicted[i]),
    sample: generated.samples[i]!,
    dcr: report.pixel.generatedDcr[i]!,
    flagged: flagged.has(i),
    featureDcr: report.feature?.generatedDcr[i] ?? null,
    featureFlagged: featureFlagged.has(i),
    pixel: row.map(neighbour),
    feature: (report.feature?.neighbours[i] ?? []).map(neighbour),
  }));
  items.sort((a, b) => a.dcr - b.dcr || a.index - b.index);
  return {
    k: report.k,
    space: report.pixel.space,
    featureSpace: report.feature?.space ?? null,
    threshold: report.pixel.threshold,
    featureThreshold: report.feature?.threshold ?? null,
    flaggedCount: report.pixel.flagged.length,
    fractionFlagged: report.pixel.fractionFlagged,
    featureFlaggedCount: report.feature ? report.feature.flagged.length : null,
    medianGenerated: report.pixel.medianGenerated,
    medianHeldOut: report.pixel.medianHeldOut,
    histogram: report.pixel.histogram,
    lone: report.pixel.lone,
    featureHistogram: report.feature?.histogram ?? null,
    generatedCount: report.pixel.generatedDcr.length,
    heldoutCount: report.pixel.heldoutDcr.length,
    trainCount: train.samples.length,
    trainSelection,
    items,
  };
}

/**
 * What a gap between precision and recall means, in plain words, where the two differ by at least
 * `gap`; null where they do not. Precision is the share of generated samples that lie among real
 * ones (in the evaluator's features), recall the share of real samples that lie among generated
 * ones, so each reads as the other's opposite failure.
 */
export function precisionRecallNote(prdc: { precision: number; recall: number } | null, gap = 0.1): string | null {
  if (!prdc || !(Math.abs(prdc.precision - prdc.recall) >= gap)) return null;
  const p = prdc.precision.toFixed(2);
  const r = prdc.recall.toFixed(2);
  return prdc.precision > prdc.recall
    ? `Precision ${p} is above recall ${r}: most generated samples look like real ones, but together they cover only ` +
        'part of the real variety; some kinds of real sample are rarely or never generated.'
    : `Recall ${r} is above precision ${p}: the generated samples spread over most of the real variety, but many of ` +
        'them look unlike any real sample.';
}

/** The figures a generator's card reports, where it has them. */
export function cardFigures(quality: Record<string, unknown> | undefined): CardFigures | null {
  if (!quality) return null;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const obj = (v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
  const frechet = obj(quality.frechet);
  const memo = obj(quality.memorisation);
  const rates = obj(quality.classifiedAsRequested);
  const held = obj(quality.realHeldOutClassifiedAsLabelled);
  const pair = (v: unknown): [number, number] | null =>
    Array.isArray(v) && v.length === 2 && num(v[0]) !== null && num(v[1]) !== null ? [v[0] as number, v[1] as number] : null;
  const out: CardFigures = {
    samplesPerClass: num(quality.samplesPerClass),
    frechetGenerated: num(frechet?.generatedVsHeldOut),
    frechetReal: num(frechet?.realTrainVsHeldOut),
    classifiedAsRequested: rates ? Object.fromEntries(Object.entries(rates).filter(([, v]) => num(v) !== null)) as Record<string, number> : null,
    realHeldOutClassifiedAsLabelled: held ? Object.fromEntries(Object.entries(held).map(([k, v]) => [k, num(v)])) : null,
    memorisationFraction: num(memo?.fractionGeneratedBelowHeldOutFirstPercentile),
    memorisationMedianGenerated: num(memo?.medianGeneratedToTrain),
    memorisationMedianHeldOut: num(memo?.medianHeldOutToTrain),
    independent: null,
    membership: null,
    surround: null,
  };
  const independent = obj(quality.independentFeatures);
  if (independent && typeof independent.extractor === 'string') {
    const generated = obj(independent.generatedVsHeldOut);
    const real = obj(independent.realTrainVsHeldOut);
    const sizes = generated?.n;
    out.independent = {
      extractor: independent.extractor,
      frechetGenerated: num(generated?.frechet),
      frechetReal: num(real?.frechet),
      infinityGenerated: num(generated?.frechetInfinity),
      infinityReal: num(real?.frechetInfinity),
      frechetIntervalGenerated: pair(generated?.frechetInterval95),
      frechetIntervalReal: pair(real?.frechetInterval95),
      n: Array.isArray(sizes) ? num(sizes[0]) : null,
    };
  }
  const membership = obj(quality.membership);
  const aucOf = (v: unknown): AucFigure | null => {
    const auc = num(obj(v)?.auc);
    const interval = pair(obj(v)?.interval95);
    return auc !== null && interval ? { auc, low: interval[0], high: interval[1] } : null;
  };
  const all = aucOf(membership?.all);
  if (all) {
    out.membership = {
      all, dedup: aucOf(membership?.dedup), nearCopies: num(membership?.heldOutNearCopies) ?? 0, splitByPatient: membership?.splitByPatient === true,
      // cards measured before the test took VAEs and GANs name no attack: theirs is the denoising error
      attack: typeof membership?.attack === 'string' ? membership.attack : 'denoising error',
    };
  }
  const surround = obj(quality.surround);
  const total = (v: unknown): [number, number] | null => {
    const byClass = obj(v);
    const counts = byClass ? Object.values(byClass).map(pair) : [];
    return counts.length && counts.every((c) => c !== null)
      ? (counts as [number, number][]).reduce<[number, number]>((t, c) => [t[0] + c[0], t[1] + c[1]], [0, 0])
      : null;
  };
  const generatedSurround = total(surround?.generated);
  const trainSurround = total(surround?.realTrain);
  if (generatedSurround && trainSurround) out.surround = { generated: generatedSurround, realTrain: trainSurround };
  return Object.values(out).some((v) => v !== null) ? out : null;
}
