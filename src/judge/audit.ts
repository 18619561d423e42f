/**
 * The judge's audit as plain computation: given a generator, the evaluator of its dataset and the
 * real reference pack, it makes the samples, measures them and hands back the figures the panel
 * shows, each part as soon as it is done (so a cancelled audit still shows what had finished).
 * No DOM, no Lit, no state: src/judge/judge-controller.ts loads what it takes, keeps it between
 * runs and runs it as a cancellable job.
 *
 *   1-2  (the caller) load the evaluator, the modality's feature extractor and the reference pack
 *   3    generate `perClass` samples of every class, plus unconditional ones where the model can
 *   4    the evaluator on the generated samples (classes, features), then the extractor (features)
 *   5    both on the real sets (skipped when the caller kept them from an earlier audit)
 *        -> class faithfulness, and the class mix of the unconditional samples
 *   6    Frechet and kernel distances with bootstrap intervals, beside real-vs-real (kept with the
 *        real outputs too: the same rows and settings give the same figure); PRDC
 *   7    memorisation: each generated sample's nearest training samples, in pixel and feature space,
 *        beside the held-out samples' (kept with the real outputs)
 *        -> for ECG, the beat features of generated and real beats, per class
 *
 * Each part's wall-clock seconds come back with the samples, for the next audit's time estimate.
 * Usefulness (train on synthetic, test on real) then trains on the audit's samples: usefulnessOf().
 */
import { type JudgeReference, subset } from '../data/reference-packs.js';
import type { LoadedModel } from '../models/loader.js';
import { scalingOf } from '../models/scaling.js';
import { borderCheck } from './artefacts.js';
import { compareBeatFeatures } from './ecg-features.js';
import type { AuditWork, KeptWork } from './estimate.js';
import { classFaithfulness, classMix } from './faithfulness.js';
import { type EvaluatorOutput, evaluateSamples } from './features.js';
import { type SetComparison, fidelity } from './fidelity.js';
import type { GeneratorModel } from '../pipeline/pipeline.js';
import { canSampleUnconditionally, generateSamples, perClassRequests } from './generate.js';
import { type NearestResult, memorisationAudit, packRows } from './memorisation.js';
import type { JudgeProgress } from './tasks.js';
import { type TstrOptions, type TstrReport, matchClassCounts, trainOnSyntheticTestOnReal } from './tstr.js';
import { type JudgeSettings, type JudgeView, memorisationView } from './view.js';

export type ClassifierModel = Extract<LoadedModel, { kind: 'classifier' }>;

/** The stages of an audit as its progress bar names them; the first two are the caller's (loading). */
export const AUDIT_STAGES = [
  'loading the evaluator and the feature extractor',
  'reading the real samples',
  'generating samples',
  'evaluator and extractor on the generated samples',
  'evaluator and extractor on the real samples',
  'Frechet and kernel distances',
  'memorisation audit',
];

/**
 * What depends on the evaluator and the reference pack only, kept from one audit of a dataset to
 * the next: the evaluator's outputs on the real sets, and what audits measure on real data alone,
 * filled in as they go: real training vs held-out comparisons (fidelity()'s `realComparisons`)
 * and the held-out samples' nearest training samples (memorisationAudit()'s `heldout`).
 */
export interface RealOutputs {
  heldout: EvaluatorOutput;
  train: EvaluatorOutput | null;
  comparisons: Map<string, SetComparison>;
  nearest: Map<string, NearestResult>;
  /** The feature extractor's outputs on the real sets and its real-vs-real comparisons; null without one. */
  extracted: ExtractedReal | null;
}

export interface ExtractedReal {
  extractor: string;
  heldout: EvaluatorOutput;
  train: EvaluatorOutput | null;
  comparisons: Map<string, SetComparison>;
}

/** Flagged samples the surround check shows. */
const SURROUND_SHOWN = 12;

/** The parts of the panel's view an audit fills in. */
export type AuditFigures = Pick<JudgeView, 'generatedCount' | 'unconditionalCount' | 'faithfulness' | 'surround' | 'fidelity' | 'evaluatorFidelity' | 'memorisation' | 'ecg'>;

export interface AuditInputs {
  generator: GeneratorModel;
  evaluator: ClassifierModel;
  /**
   * A feature extractor of the dataset (src/judge/judge-controller.ts extractorFor): when given,
   * distances are measured in its features, and in the evaluator's as a second view.
   */
  extractor?: ClassifierModel | null;
  reference: JudgeReference;
  /** The evaluator's outputs on `reference`, when kept from an earlier audit. */
  real?: RealOutputs | null;
}

export interface AuditOptions {
  settings: JudgeSettings;
  signal?: AbortSignal;
  /** Progress within stage `stage` (1-based, of AUDIT_STAGES). */
  onProgress?: (stage: number, progress: JudgeProgress) => void;
  /** Figures, as soon as each part is done. */
  onFigures?: (figures: Partial<AuditFigures>) => void;
  /** The evaluator's outputs on the real sets, as soon as they are computed, for the caller to keep. */
  onRealOutputs?: (real: RealOutputs) => void;
}

/** What a finished audit leaves for usefulness: its conditional samples (display units) and the class each was asked for. */
export interface AuditSamples {
  generator: GeneratorModel;
  settings: JudgeSettings;
  reference: JudgeReference;
  samples: Float32Array[];
  requested: number[];
  /** Wall-clock seconds of each part (src/judge/estimate.ts scales them into the next audit's estimate). */
  seconds: AuditWork;
  /** What of the work on real data came from an earlier audit, not done here. */
  kept: KeptWork;
}

/** Runs the audit (stages 3 to 7); rejects with the signal's reason when aborted. */
export async function runAudit(inputs: AuditInputs, options: AuditOptions): Promise<AuditSamples> {
  const { generator: model, evaluator, reference } = inputs;
  const { settings: s, signal } = options;
  const stage = (n: number) => (p: JudgeProgress) => options.onProgress?.(n, p);
  const show = (figures: Partial<AuditFigures>) => options.onFigures?.(figures);
  const card = model.card;
  const train = reference.train;
  if (!train) throw new Error(`the ${card.dataset} reference pack has no training samples: run \`npm run data\` again`);
  const toNetwork = scalingOf(evaluator.card).toNetwork;
  const seconds: AuditWork = { generate: 0, evaluate: 0, distances: 0, memorisation: 0 };
  let clock = performance.now();
  const lap = (part: keyof AuditWork) => {
    const now = performance.now();
    seconds[part] += (now - clock) / 1000;
    clock = now;
  };

  // 3. samples: the conditional ones first, then the unconditional ones (the class mix)
  const requested = perClassRequests(card.classes.length, s.perClass);
  const unconditional = canSampleUnconditionally(model) ? s.unconditional : 0;
  const classes: (number | null)[] = [...requested, ...new Array<null>(unconditional).fill(null)];
  const sampler = s.steps === null ? {} : { steps: s.steps };
  const made = await generateSamples(model, { classes, seed: s.seed, batchSize: 32, sampler, signal, onProgress: stage(3) });
  const samples = made.slice(0, requested.length);
  const free = made.slice(requested.length);
  show({ generatedCount: samples.length, unconditionalCount: free.length });
  const shape = card.architecture.inputShape;
  if (shape.length === 3) {
    const check = borderCheck(
      { generated: samples, requested, heldout: reference.heldout.samples, heldoutLabels: reference.heldout.labels, train: train.samples, trainLabels: train.labels },
      shape,
      card.classes.length,
    );
    show({ surround: { check, classes: [...card.classes], shape: [...shape], samples: check.flaggedSamples.slice(0, SURROUND_SHOWN).map((i) => samples[i]!) } });
  }
  lap('generate');

  // 4, 5. the evaluator's view of every set
  const generated = await evaluateSamples(evaluator.net, made, { toNetwork, signal, onProgress: stage(4), phase: 'evaluator on the generated samples' });
  const extractor = inputs.extractor ?? null;
  const extractedGenerated = extractor
    ? await evaluateSamples(extractor.net, samples, { toNetwork: scalingOf(extractor.card).toNetwork, signal, onProgress: stage(4), phase: `${extractor.card.id} on the generated samples` })
    : null;
  let real = inputs.real;
  const keptExtracted = !extractor || real?.extracted?.extractor === extractor.card.id;
  if (!real || !keptExtracted) {
    real = {
      ...(real ?? (await evaluateReal(evaluator, reference, { toNetwork, signal, onProgress: stage(5) }))),
      extracted: extractor ? await extractReal(extractor, reference, { signal, onProgress: stage(5) }) : null,
    };
    options.onRealOutputs?.(real);
  }
  const predicted = generated.predicted.subarray(0, requested.length);
  const predictedFree = generated.predicted.subarray(requested.length);
  const trainCounts = (card.provenance.trainedOn as { classCounts?: number[] } | undefined)?.classCounts ?? reference.index.splits.train?.classCounts ?? [];
  show({
    faithfulness: {
      generated: classFaithfulness(requested, predicted, card.classes),
      heldout: classFaithfulness(reference.heldout.labels, real.heldout.predicted, card.classes),
      mix: free.length && trainCounts.length === card.classes.length ? classMix(predictedFree, trainCounts, card.classes) : null,
      mixNote: free.length ? null : noMixReason(model),
    },
  });
  lap('evaluate');

  // 6. distances of the conditional samples: in the extractor's features where there is one, and in the evaluator's
  const firstRows = (m: EvaluatorOutput['features'], n: number) => ({ rows: n, cols: m.cols, data: m.data.subarray(0, n * m.cols) });
  const generatedFeatures = firstRows(generated.features, requested.length);
  const comparisonsBefore = real.comparisons.size + (real.extracted?.comparisons.size ?? 0);
  const distancesIn = (space: string, generatedRows: EvaluatorOutput['features'], realSets: { heldout: EvaluatorOutput; train: EvaluatorOutput | null }, comparisons: Map<string, SetComparison>, part: number, parts: number) =>
    fidelity(
      {
        generated: { features: generatedRows, labels: requested },
        heldout: { features: realSets.heldout.features, labels: reference.heldout.labels },
        train: realSets.train ? { features: realSets.train.features, labels: train.labels } : null,
      },
      {
        classes: card.classes, space, resamples: s.resamples, seed: s.seed, signal, realComparisons: comparisons,
        onProgress: (p) => options.onProgress?.(6, { phase: `${space}: ${p.phase}`, done: p.total * part + p.done, total: p.total * parts }),
      },
    );
  const evaluatorSpace = `the evaluator's features (${evaluator.card.id})`;
  if (real.extracted && extractedGenerated) {
    show({ fidelity: await distancesIn(`independent features (${real.extracted.extractor})`, extractedGenerated.features, real.extracted, real.extracted.comparisons, 0, 2) });
    show({ evaluatorFidelity: await distancesIn(evaluatorSpace, generatedFeatures, real, real.comparisons, 1, 2) });
  } else {
    show({ fidelity: await distancesIn(evaluatorSpace, generatedFeatures, real, real.comparisons, 0, 1), evaluatorFidelity: null });
  }
  lap('distances');
  // fidelity() and memorisationAudit() add what they measure on real data: nothing added, it was kept
  const comparisonKept = real.train !== null && real.comparisons.size + (real.extracted?.comparisons.size ?? 0) === comparisonsBefore;

  // 7. memorisation, in the generator's network units and in the evaluator's features
  const toPixels = scalingOf(card).toNetwork;
  const nearestBefore = real.nearest.size;
  const memo = await memorisationAudit(
    { generated: packRows(samples, toPixels), heldout: packRows(reference.heldout.samples, toPixels), train: packRows(train.samples, toPixels) },
    real.train ? { generated: generatedFeatures, heldout: real.heldout.features, train: real.train.features } : null,
    { k: s.neighbours, signal, onProgress: stage(7), heldout: { nearest: real.nearest, pixelUnits: JSON.stringify(card.scaling) } },
  );
  const nearestKept = real.nearest.size === nearestBefore;
  show({
    memorisation: memorisationView(memo, { samples, requested, predicted }, train, card.classes, reference.index.splits.train?.selection ?? null),
  });

  if (card.architecture.inputShape.length !== 3) {
    show({
      ecg: {
        realSet: 'real training beats of the same class (the reference pack)',
        classes: card.classes.map((name, c) => {
          const g = samples.filter((_, i) => requested[i] === c);
          const r = train.samples.filter((_, i) => train.labels[i] === c);
          return { name, generated: g.length, real: r.length, features: g.length && r.length ? compareBeatFeatures(g, r) : [] };
        }),
      },
    });
  }
  lap('memorisation');
  const kept = { outputs: inputs.real != null, comparison: comparisonKept, nearest: nearestKept };
  return { generator: model, settings: s, reference, samples, requested, seconds, kept };
}

/** Why an audit has no class mix, in a sentence. */
function noMixReason(model: GeneratorModel): string {
  if (model.kind !== 'ddpm') return `A ${model.kind.toUpperCase()} here is conditional only: it has no unconditional samples to take the class mix of.`;
  return canSampleUnconditionally(model) ? 'No unconditional samples were asked for.' : 'This model never learned a "no class" label, so it cannot sample unconditionally.';
}

/** The evaluator on the held-out and the training samples of the pack, with one progress count over both. */
export async function evaluateReal(
  evaluator: ClassifierModel,
  reference: JudgeReference,
  options: { toNetwork: (x: ArrayLike<number>) => Float32Array; signal?: AbortSignal; onProgress?: (p: JudgeProgress) => void },
): Promise<RealOutputs> {
  const { toNetwork, signal, onProgress } = options;
  const total = reference.heldout.samples.length + (reference.train?.samples.length ?? 0);
  const heldout = await evaluateSamples(evaluator.net, reference.heldout.samples, {
    toNetwork,
    signal,
    batchSize: 64,
    onProgress: (p) => onProgress?.({ phase: 'held-out samples', done: p.done, total }),
  });
  const train = reference.train
    ? await evaluateSamples(evaluator.net, reference.train.samples, {
        toNetwork,
        signal,
        batchSize: 64,
        onProgress: (p) => onProgress?.({ phase: 'training samples', done: heldout.predicted.length + p.done, total }),
      })
    : null;
  return { heldout, train, comparisons: new Map(), nearest: new Map(), extracted: null };
}

/** The feature extractor on the held-out and the training samples of the pack, in its own input units. */
export async function extractReal(extractor: ClassifierModel, reference: JudgeReference, options: { signal?: AbortSignal; onProgress?: (p: JudgeProgress) => void }): Promise<ExtractedReal> {
  const { heldout, train } = await evaluateReal(extractor, reference, { ...options, toNetwork: scalingOf(extractor.card).toNetwork });
  return { extractor: extractor.card.id, heldout, train, comparisons: new Map() };
}

export type UsefulnessOptions = Pick<TstrOptions, 'epochs' | 'signal' | 'onProgress' | 'onBatch' | 'onEpoch'>;

export interface Usefulness {
  /** What is compared, in a sentence: sizes, and what "real" means. */
  note: string;
  /** Trains on the synthetic samples and, separately, on as many real ones; tests both on the real held-out samples. */
  run(options: UsefulnessOptions): Promise<TstrReport>;
}

/**
 * Train on synthetic, test on real, after `audit`: the yardstick is the same classifier trained on
 * real training samples, as many per class as there are synthetic ones (where the pack has them).
 */
export function usefulnessOf(audit: AuditSamples): Usefulness {
  const card = audit.generator.card;
  const { heldout, train } = audit.reference;
  const counts = card.classes.map((_, c) => audit.requested.filter((r) => r === c).length);
  const realRows = train ? matchClassCounts(train.labels, counts, audit.settings.seed) : [];
  const realSet = train ? subset(train, realRows) : null;
  const toNetwork = scalingOf(card).toNetwork;
  return {
    note:
      `Trained on ${audit.samples.length} synthetic samples, and separately on ${realRows.length} real training samples ` +
      `(as many per class as there are synthetic ones, where the pack has them); both tested on ${heldout.samples.length} real held-out samples.`,
    run: (options) =>
      trainOnSyntheticTestOnReal(
        {
          synthetic: { samples: audit.samples.map((x) => toNetwork(x)), labels: audit.requested },
          real: realSet ? { samples: realSet.samples.map((x) => toNetwork(x)), labels: realSet.labels } : null,
          test: { samples: heldout.samples.map((x) => toNetwork(x)), labels: heldout.labels },
        },
        { ...options, shape: card.architecture.inputShape, numClasses: card.classes.length, seed: audit.settings.seed },
      ),
  };
}
