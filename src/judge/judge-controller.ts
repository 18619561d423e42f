/**
 * The judge's working parts behind <msl-judge-panel>: it owns every tfjs resource the judge uses
 * (the evaluator model, the tensors of a run) and frees them when its host goes away, and it keeps
 * the panel's `view` (plain data) up to date as a run goes, so results appear as soon as each part
 * is done. The generator is borrowed from the page (its model slot owns it): the page must cancel
 * the judge before it frees or replaces that model (see `cancel()`).
 *
 *   audit(generator):  load the evaluator of the generator's dataset and both splits of the real
 *                      reference pack; generate `perClass` samples of every class (plus unconditional
 *                      ones for the class mix, where the model can); run the evaluator on all of them
 *                      (the real sets' outputs are cached); then class faithfulness, Frechet and
 *                      kernel distances with bootstrap intervals, PRDC, the memorisation audit, and
 *                      for ECG the beat features.
 *   usefulness():      train on the audit's synthetic samples, test on real held-out data, beside the
 *                      same classifier trained on as many real training samples per class.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type LoadedModel, loadModel } from '../models/loader.js';
import { SHIPPED_MODELS, type ModelSummary } from '../models/registry.js';
import { scalingOf } from '../models/scaling.js';
import { compareBeatFeatures } from './ecg-features.js';
import { classFaithfulness, classMix } from './faithfulness.js';
import { type EvaluatorOutput, evaluateSamples } from './features.js';
import { fidelity } from './fidelity.js';
import { type GeneratorModel, canSampleUnconditionally, generateSamples, perClassRequests } from './generate.js';
import { memorisationAudit, packRows } from './memorisation.js';
import { type JudgeReference, loadJudgeReference, subset } from './reference.js';
import { isAbort } from './tasks.js';
import { matchClassCounts, trainOnSyntheticTestOnReal } from './tstr.js';
import {
  EMPTY_JUDGE_VIEW,
  type JudgeRunProgress,
  type JudgeSettings,
  type JudgeTask,
  type JudgeView,
  cardFigures,
  clampJudgeSettings,
  memorisationView,
} from './view.js';

type Get = (url: string, init?: RequestInit) => Promise<Response>;
type ClassifierModel = Extract<LoadedModel, { kind: 'classifier' }>;

export interface JudgeControllerOptions {
  /** Where evaluators are found (a classifier with the generator's dataset); default the shipped models. */
  models?: readonly ModelSummary[];
  load?: typeof loadModel;
  fetch?: Get;
  /** Folder of the reference packs, relative to the page (default 'reference/'). */
  referenceRoot?: string;
  settings?: Partial<JudgeSettings>;
}

/** The generator the judge can measure, or null (nothing loaded, or an evaluator). */
export function judgeable(model: LoadedModel | null | undefined): GeneratorModel | null {
  return model && (model.kind === 'ddpm' || model.kind === 'vae') ? model : null;
}

/** The evaluator of a dataset: its shipped classifier. */
export function evaluatorFor(dataset: string, models: readonly ModelSummary[] = SHIPPED_MODELS): ModelSummary | null {
  return models.find((m) => m.method === 'classifier' && m.dataset === dataset) ?? null;
}

/**
 * Whether the page's loaded model can be judged now, and if not, a sentence saying why: for the
 * panel's `disabled` and `disabled-reason`.
 */
export function judgeAvailability(model: LoadedModel | null | undefined, models: readonly ModelSummary[] = SHIPPED_MODELS): { ok: boolean; reason: string } {
  if (!model) return { ok: false, reason: 'Load a generator (a diffusion model or a VAE) to judge its samples.' };
  if (!judgeable(model)) return { ok: false, reason: `${model.card.name} is an evaluator, not a generator: pick a diffusion model or a VAE.` };
  if (!evaluatorFor(model.card.dataset, models)) return { ok: false, reason: `No evaluator ships for ${model.card.dataset}, so its samples cannot be judged here.` };
  return { ok: true, reason: '' };
}

interface AuditState {
  generator: GeneratorModel;
  settings: JudgeSettings;
  reference: JudgeReference;
  /** Conditional samples (display units) and the class each was asked for. */
  samples: Float32Array[];
  requested: number[];
}

const AUDIT_STAGES = ['loading the evaluator', 'reading the real samples', 'generating samples', 'evaluator on the generated samples', 'evaluator on the real samples', 'Frechet and kernel distances', 'memorisation audit'];

export class JudgeController implements ReactiveController {
  view: JudgeView = EMPTY_JUDGE_VIEW;
  settings: JudgeSettings;

  private evaluator: { id: string; model: ClassifierModel } | null = null;
  private evaluatorLoading: Promise<ClassifierModel> | null = null;
  private readonly references = new Map<string, Promise<JudgeReference>>();
  /** Evaluator outputs of the real sets, by evaluator id: plain numbers, no tensors. */
  private readonly realOutputs = new Map<string, { heldout: EvaluatorOutput; train: EvaluatorOutput | null }>();
  private last: AuditState | null = null;
  private runs = 0;
  private abort: AbortController | null = null;
  private current: Promise<unknown> | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: JudgeControllerOptions = {},
  ) {
    host.addController(this);
    this.settings = clampJudgeSettings(options.settings ?? {});
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.runs += 1;
    this.abort?.abort();
    void (this.current ?? Promise.resolve()).finally(() => this.dispose());
  }

  /** Whether a run is in progress. */
  get running(): boolean {
    return this.view.status === 'running';
  }

  /** Asks the run in progress to stop and waits until it has (its tensors freed). */
  async cancel(): Promise<void> {
    this.abort?.abort();
    await this.current;
  }

  /**
   * Forgets the results (the page's model changed) after stopping any run. Keeps the evaluator and
   * the real data, which a model of the same dataset uses again.
   */
  async forget(): Promise<void> {
    await this.cancel();
    this.runs += 1;
    this.last = null;
    this.view = EMPTY_JUDGE_VIEW;
    this.host.requestUpdate();
  }

  /** After a lost GPU device or a backend change: the evaluator's weights are gone; load it again next time. */
  async reset(): Promise<void> {
    await this.forget();
    this.dispose();
  }

  /** Frees the evaluator. */
  dispose(): void {
    this.evaluator?.model.dispose();
    this.evaluator = null;
    this.evaluatorLoading = null;
  }

  /** Runs the audit on `generator`; resolves true when it finished. */
  async audit(generator: LoadedModel | null, settings: Partial<JudgeSettings> = {}): Promise<boolean> {
    const model = judgeable(generator);
    if (!model) {
      this.view = { ...this.view, status: 'error', message: 'Pick a generator (a diffusion model or a VAE) to judge.' };
      this.host.requestUpdate();
      return false;
    }
    this.settings = clampJudgeSettings({ ...this.settings, ...settings });
    const s = this.settings;
    const card = model.card;
    const shape = card.architecture.inputShape;
    const before = card.signal?.window?.before ?? 0;
    const rate = card.signal?.sampleRateHz ?? 360;
    const fresh: JudgeView = {
      ...EMPTY_JUDGE_VIEW,
      model: { id: card.id, name: card.name, method: card.method, dataset: card.dataset },
      classes: [...card.classes],
      sample: { kind: shape.length === 3 ? 'image' : 'signal', shape: [...shape], sampleRateHz: rate, startMs: (-before * 1000) / rate },
      card: cardFigures(card.quality),
    };
    return this.start('audit', fresh, async (signal, stage) => {
      const summary = evaluatorFor(card.dataset, this.options.models);
      if (!summary) throw new Error(`no evaluator is shipped for ${card.dataset}`);
      this.update({ evaluator: summary.id });

      stage(1, { phase: `loading ${summary.id}`, done: 0, total: 0 });
      const evaluator = await this.loadEvaluator(summary, signal, (p) => stage(1, p));
      stage(2, { phase: 'reading the real samples', done: 0, total: 0 });
      const reference = await this.loadReference(card.dataset, signal);
      if (!reference.train) throw new Error(`the ${card.dataset} reference pack has no training samples: run \`npm run data\` again`);
      const train = reference.train;
      const toNetwork = scalingOf(evaluator.card).toNetwork;

      const requested = perClassRequests(card.classes.length, s.perClass);
      const unconditional = canSampleUnconditionally(model) ? s.unconditional : 0;
      const classes: (number | null)[] = [...requested, ...new Array<null>(unconditional).fill(null)];
      const sampler = s.steps === null ? {} : { steps: s.steps };
      const made = await generateSamples(model, { classes, seed: s.seed, batchSize: 32, sampler, signal, onProgress: (p) => stage(3, p) });
      const samples = made.slice(0, requested.length);
      const free = made.slice(requested.length);
      this.update({ generatedCount: samples.length, unconditionalCount: free.length });

      const generated = await evaluateSamples(evaluator.net, made, { toNetwork, signal, onProgress: (p) => stage(4, p), phase: 'evaluator on the generated samples' });
      const real = await this.realOutputsOf(summary.id, evaluator, reference, toNetwork, signal, (p) => stage(5, p));
      const predicted = generated.predicted.subarray(0, requested.length);
      const predictedFree = generated.predicted.subarray(requested.length);
      const trainCounts = (card.provenance.trainedOn as { classCounts?: number[] } | undefined)?.classCounts ?? reference.index.splits.train?.classCounts ?? [];
      this.update({
        faithfulness: {
          generated: classFaithfulness(requested, predicted, card.classes),
          heldout: classFaithfulness(reference.heldout.labels, real.heldout.predicted, card.classes),
          mix: free.length && trainCounts.length === card.classes.length ? classMix(predictedFree, trainCounts, card.classes) : null,
          mixNote: free.length
            ? null
            : model.kind === 'vae'
              ? 'A VAE here is conditional only: it has no unconditional samples to take the class mix of.'
              : canSampleUnconditionally(model)
                ? 'No unconditional samples were asked for.'
                : 'This model never learned a "no class" label, so it cannot sample unconditionally.',
        },
      });

      const firstRows = (m: EvaluatorOutput['features'], n: number) => ({ rows: n, cols: m.cols, data: m.data.subarray(0, n * m.cols) });
      const generatedFeatures = firstRows(generated.features, requested.length);
      const fid = await fidelity(
        {
          generated: { features: generatedFeatures, labels: requested },
          heldout: { features: real.heldout.features, labels: reference.heldout.labels },
          train: real.train ? { features: real.train.features, labels: train.labels } : null,
        },
        { classes: card.classes, resamples: s.resamples, seed: s.seed, signal, onProgress: (p) => stage(6, p) },
      );
      this.update({ fidelity: fid });

      const toPixels = scalingOf(card).toNetwork;
      const memo = await memorisationAudit(
        { generated: packRows(samples, toPixels), heldout: packRows(reference.heldout.samples, toPixels), train: packRows(train.samples, toPixels) },
        real.train ? { generated: generatedFeatures, heldout: real.heldout.features, train: real.train.features } : null,
        { k: s.neighbours, signal, onProgress: (p) => stage(7, p) },
      );
      this.update({
        memorisation: memorisationView(memo, { samples, requested, predicted }, train, card.classes, reference.index.splits.train?.selection ?? null),
      });

      if (shape.length !== 3) {
        this.update({
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
      this.last = { generator: model, settings: s, reference, samples, requested };
    });
  }

  /** Trains on the last audit's synthetic samples and tests on real held-out data; resolves true when it finished. */
  async usefulness(settings: Partial<JudgeSettings> = {}): Promise<boolean> {
    const last = this.last;
    if (!last) {
      this.view = { ...this.view, message: 'Run the audit first: the classifier trains on its samples.' };
      this.host.requestUpdate();
      return false;
    }
    this.settings = clampJudgeSettings({ ...this.settings, ...settings });
    const epochs = this.settings.epochs;
    const card = last.generator.card;
    const { heldout, train } = last.reference;
    const counts = card.classes.map((_, c) => last.requested.filter((r) => r === c).length);
    const realRows = train ? matchClassCounts(train.labels, counts, last.settings.seed) : [];
    const realSet = train ? subset(train, realRows) : null;
    const toNetwork = scalingOf(card).toNetwork;
    const tstr = {
      running: true,
      epochs,
      batchLosses: { synthetic: [] as number[], real: [] as number[] },
      epochLosses: { synthetic: [] as number[], real: [] as number[] },
      batchesPerEpoch: { synthetic: 0, real: 0 },
      report: null,
      note:
        `Trained on ${last.samples.length} synthetic samples, and separately on ${realRows.length} real training samples ` +
        `(as many per class as there are synthetic ones, where the pack has them); both tested on ${heldout.samples.length} real held-out samples.`,
    };
    return this.start('tstr', { ...this.view, tstr }, async (signal, stage) => {
      const report = await trainOnSyntheticTestOnReal(
        {
          synthetic: { samples: last.samples.map((x) => toNetwork(x)), labels: last.requested },
          real: realSet ? { samples: realSet.samples.map((x) => toNetwork(x)), labels: realSet.labels } : null,
          test: { samples: heldout.samples.map((x) => toNetwork(x)), labels: heldout.labels },
        },
        {
          shape: card.architecture.inputShape,
          numClasses: card.classes.length,
          epochs,
          seed: last.settings.seed,
          signal,
          onProgress: (p) => stage(1, p),
          onBatch: (b) => {
            const t = this.view.tstr;
            if (!t) return;
            this.update({
              tstr: {
                ...t,
                batchLosses: { ...t.batchLosses, [b.run]: [...t.batchLosses[b.run], b.loss] },
                batchesPerEpoch: { ...t.batchesPerEpoch, [b.run]: b.batches },
              },
            });
          },
          onEpoch: (e) => {
            const t = this.view.tstr;
            if (t) this.update({ tstr: { ...t, epochLosses: { ...t.epochLosses, [e.run]: [...t.epochLosses[e.run], e.loss] } } });
          },
        },
      );
      this.update({ tstr: { ...this.view.tstr!, running: false, report } });
    }, 1);
  }

  /** Runs `job` as the one run in progress: numbered (a stale run cannot touch the view), abortable. */
  private async start(
    task: JudgeTask,
    initial: JudgeView,
    job: (signal: AbortSignal, stage: (n: number, p: { phase: string; done: number; total: number }) => void) => Promise<void>,
    stages = AUDIT_STAGES.length,
  ): Promise<boolean> {
    await this.cancel();
    const run = ++this.runs;
    const abort = new AbortController();
    this.abort = abort;
    this.view = { ...initial, status: 'running', task, message: null, progress: { task, stage: 1, stages, phase: 'starting', done: 0, total: 0 } };
    this.host.requestUpdate();
    const stage = (n: number, p: { phase: string; done: number; total: number }) => {
      if (run !== this.runs) return;
      const progress: JudgeRunProgress = { task, stage: n, stages, phase: task === 'audit' ? `${AUDIT_STAGES[n - 1] ?? p.phase}: ${p.phase}` : p.phase, done: p.done, total: p.total };
      this.view = { ...this.view, progress };
      this.host.requestUpdate();
    };
    const work = job(abort.signal, stage);
    this.current = work.catch(() => undefined);
    try {
      await work;
      if (run !== this.runs) return false;
      this.view = { ...this.view, status: 'done', progress: null };
      return true;
    } catch (error) {
      if (run !== this.runs) return false;
      const cancelled = isAbort(error, abort.signal);
      const what = task === 'audit' ? 'The audit' : 'Training';
      this.view = {
        ...this.view,
        status: cancelled ? 'cancelled' : 'error',
        progress: null,
        message: cancelled ? `${what} was cancelled; what had finished is shown.` : `${what} failed: ${(error as Error).message}`,
        tstr: this.view.tstr && task === 'tstr' ? { ...this.view.tstr, running: false } : this.view.tstr,
      };
      return false;
    } finally {
      if (run === this.runs) {
        this.abort = null;
        this.current = null;
        this.host.requestUpdate();
      }
    }
  }

  private update(patch: Partial<JudgeView>): void {
    this.view = { ...this.view, ...patch };
    this.host.requestUpdate();
  }

  private async loadEvaluator(summary: ModelSummary, signal: AbortSignal, onProgress: (p: { phase: string; done: number; total: number }) => void): Promise<ClassifierModel> {
    if (this.evaluator?.id === summary.id) return this.evaluator.model;
    this.dispose();
    const load = this.options.load ?? loadModel;
    const loading = load(summary.path, {
      signal,
      onProgress: (p) => onProgress({ phase: `${summary.id}: ${p.phase}`, done: p.loaded, total: p.total }),
    }).then((model) => {
      if (model.kind !== 'classifier') {
        model.dispose();
        throw new Error(`${summary.id} is not a classifier`);
      }
      return model;
    });
    this.evaluatorLoading = loading;
    const model = await loading;
    if (this.evaluatorLoading !== loading) {
      model.dispose(); // disposed or replaced meanwhile
      signal.throwIfAborted();
      throw new Error('the evaluator was replaced while loading');
    }
    this.evaluator = { id: summary.id, model };
    this.evaluatorLoading = null;
    return model;
  }

  private loadReference(dataset: string, signal: AbortSignal): Promise<JudgeReference> {
    let pack = this.references.get(dataset);
    if (!pack) {
      pack = loadJudgeReference(dataset, { root: this.options.referenceRoot, fetch: this.options.fetch });
      this.references.set(dataset, pack);
      pack.catch(() => this.references.delete(dataset));
    }
    return Promise.race([
      pack,
      new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
    ]);
  }

  private async realOutputsOf(
    evaluatorId: string,
    evaluator: ClassifierModel,
    reference: JudgeReference,
    toNetwork: (x: ArrayLike<number>) => Float32Array,
    signal: AbortSignal,
    onProgress: (p: { phase: string; done: number; total: number }) => void,
  ): Promise<{ heldout: EvaluatorOutput; train: EvaluatorOutput | null }> {
    const key = `${evaluatorId}/${reference.index.dataset}`;
    const cached = this.realOutputs.get(key);
    if (cached) return cached;
    const total = reference.heldout.samples.length + (reference.train?.samples.length ?? 0);
    const heldout = await evaluateSamples(evaluator.net, reference.heldout.samples, {
      toNetwork,
      signal,
      batchSize: 64,
      onProgress: (p) => onProgress({ phase: 'held-out samples', done: p.done, total }),
    });
    const train = reference.train
      ? await evaluateSamples(evaluator.net, reference.train.samples, {
          toNetwork,
          signal,
          batchSize: 64,
          onProgress: (p) => onProgress({ phase: 'training samples', done: heldout.predicted.length + p.done, total }),
        })
      : null;
    const out = { heldout, train };
    this.realOutputs.set(key, out);
    return out;
  }
}
