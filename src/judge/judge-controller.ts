/**
 * The judge's state behind <msl-judge-panel>: it owns every tfjs resource the judge uses (the
 * evaluator model; the tensors of a run live inside the run) and frees them when its host goes
 * away, keeps what one audit can hand the next (the evaluator, the real data and the evaluator's
 * outputs on it), and keeps the panel's `view` (plain data) up to date as a run goes, so results
 * appear as soon as each part is done. The computing is in src/judge/audit.ts; every run goes
 * through a job runner (src/util/jobs.ts), so a stale run cannot touch the view. The generator is
 * borrowed from the page (its model slot owns it): the page must cancel the judge before it frees
 * or replaces that model (see `cancel()`).
 *
 *   audit(generator):  load the evaluator of the generator's dataset and the real reference pack,
 *                      then runAudit(): samples, class faithfulness, distances with intervals,
 *                      memorisation, ECG beat features; the seconds of each part go into the
 *                      view (`timing`), for the next audit's time estimate (src/judge/estimate.ts).
 *   usefulness():      train on the audit's synthetic samples, test on real held-out data, beside the
 *                      same classifier trained on as many real training samples per class.
 *   membership(generator): the membership test of a diffusion model (src/judge/membership.ts) on
 *                      the real pack's training and held-out images; needs no audit.
 */
import { getBackend } from '@tensorflow/tfjs';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type JudgeReference, loadJudgeReference } from '../data/reference-packs.js';
import { ownJudgeReference } from '../data/own-data.js';
import { type LoadedModel, loadModel } from '../models/loader.js';
import { SHIPPED_MODELS, type ModelSummary } from '../models/registry.js';
import { JobRunner } from '../util/jobs.js';
import { AUDIT_STAGES, type AuditSamples, type ClassifierModel, type RealOutputs, runAudit, usefulnessOf } from './audit.js';
import { type GeneratorModel, samplerDefaultsOf } from '../pipeline/pipeline.js';
import type { AuditTiming } from './estimate.js';
import { canSampleUnconditionally } from './generate.js';
import { membershipTest } from './membership.js';
import type { JudgeProgress } from './tasks.js';
import {
  EMPTY_JUDGE_VIEW,
  type JudgeSettings,
  type JudgeTask,
  type JudgeView,
  type TstrView,
  cardFigures,
  clampJudgeSettings,
} from './view.js';

type Get = (url: string, init?: RequestInit) => Promise<Response>;

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
  return model && model.kind !== 'classifier' ? model : null;
}

/** The evaluator of a dataset: its shipped classifier (not a feature extractor). */
export function evaluatorFor(dataset: string, models: readonly ModelSummary[] = SHIPPED_MODELS): ModelSummary | null {
  return models.find((m) => m.method === 'classifier' && !m.featuresFor && m.dataset === dataset) ?? null;
}

/** The feature extractor that measures a dataset (a card with features.for), or null. */
export function extractorFor(dataset: string, models: readonly ModelSummary[] = SHIPPED_MODELS): ModelSummary | null {
  return models.find((m) => m.method === 'classifier' && (m.featuresFor ?? []).includes(dataset)) ?? null;
}

/**
 * Whether the page's loaded model can be judged now, and if not, a sentence saying why: for the
 * panel's `disabled` and `disabled-reason`.
 */
export function judgeAvailability(model: LoadedModel | null | undefined, models: readonly ModelSummary[] = SHIPPED_MODELS): { ok: boolean; reason: string } {
  if (!model) return { ok: false, reason: 'Load a generator (a diffusion model, a VAE or a GAN) to judge its samples.' };
  if (!judgeable(model)) return { ok: false, reason: `${model.card.name} is an evaluator, not a generator: pick a diffusion model, a VAE or a GAN.` };
  if (!evaluatorFor(model.card.dataset, models)) return { ok: false, reason: `No evaluator ships for ${model.card.dataset}, so its samples cannot be judged here.` };
  return { ok: true, reason: '' };
}

/** What a run may do to the view while it goes: both do nothing once the run is stale. */
interface RunReports {
  /** Progress within stage `n` of the run. */
  stage(n: number, progress: JudgeProgress): void;
  update(patch: Partial<JudgeView>): void;
}

export class JudgeController implements ReactiveController {
  view: JudgeView = EMPTY_JUDGE_VIEW;
  settings: JudgeSettings;

  /** The dataset's evaluator and its feature extractor, each loaded once and kept for the next audit. */
  private readonly evaluator = new KeptClassifier('evaluator', (summary, signal, onProgress) => this.loadClassifier(summary, signal, onProgress));
  private readonly extractor = new KeptClassifier('feature extractor', (summary, signal, onProgress) => this.loadClassifier(summary, signal, onProgress));
  /** Evaluator outputs of the real sets, by evaluator and dataset: plain numbers, no tensors. */
  private readonly realOutputs = new Map<string, RealOutputs>();
  private last: AuditSamples | null = null;
  private readonly jobs = new JobRunner();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: JudgeControllerOptions = {},
  ) {
    host.addController(this);
    this.settings = clampJudgeSettings(options.settings ?? {});
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    // nothing of a run may reach the view now; the evaluator goes once the run has let go of it
    this.jobs.invalidate();
    void this.jobs.cancel().then(() => this.dispose());
  }

  /**
   * The person's own real data (src/data/own-data.ts), which the judge compares with in place of
   * the site's pack until the page's model changes; `message` says what it holds, or why a file was refused.
   */
  own: { name: string; reference: JudgeReference | null; message: string; error: boolean } | null = null;

  /** Reads a MedMNIST-form .npz for `generator`; a refused file leaves the data the judge had. */
  async useOwnData(file: Blob, name: string, generator: LoadedModel | null): Promise<void> {
    const model = judgeable(generator);
    const kept = this.own?.reference ? this.own : null;
    try {
      if (!model) throw new Error('Pick a generator first: your data must have its image shape and classes.');
      const reference = ownJudgeReference(new Uint8Array(await file.arrayBuffer()), name, model.card);
      const counts = (split: { classCounts: number[]; count: number }) =>
        `${split.count.toLocaleString('en')} (${split.classCounts.map((n, c) => `${n} ${model.card.classes[c]}`).join(', ')})`;
      const { heldout, train } = reference.index.splits;
      // the evaluator's outputs on an earlier file of the same name are not this file's
      for (const key of this.realOutputs.keys()) if (key.endsWith(`/${reference.index.dataset}`)) this.realOutputs.delete(key);
      this.own = {
        name, reference, error: false,
        message: `The judge compares with ${name}: ${counts(heldout)} ${heldout.x.split('_')[0]} images as held-out data` +
          `${train ? `, and ${counts(train)} training images for the memorisation audit and the membership test`
            : `; it has no training split, so the memorisation audit and the membership test look in the model's own training data (${model.card.dataset})`}. ` +
          'Read here; nothing was uploaded.',
      };
      await this.forget(true);
    } catch (error) {
      this.own = { ...(kept ?? { name, reference: null }), error: true, message: `${name} was not used: ${(error as Error).message}${kept ? ` The judge still compares with ${kept.name}.` : ''}` };
    }
    this.host.requestUpdate();
  }

  /** Back to the site's own real data. */
  async dropOwnData(): Promise<void> {
    this.own = null;
    await this.forget(true);
  }

  /** Whether a run is in progress. */
  get running(): boolean {
    return this.view.status === 'running';
  }

  /** Asks the run in progress to stop and waits until it has (its tensors freed). */
  cancel(): Promise<void> {
    return this.jobs.cancel();
  }

  /**
   * Forgets the results (the page's model changed) after stopping any run. Keeps the evaluator and
   * the site's real data, which a model of the same dataset uses again; the person's own data goes
   * with the model it was read for, unless `keepOwn`.
   */
  async forget(keepOwn = false): Promise<void> {
    if (!keepOwn) this.own = null;
    await this.cancel();
    this.jobs.invalidate();
    this.last = null;
    this.view = EMPTY_JUDGE_VIEW;
    this.host.requestUpdate();
  }

  /** After a lost GPU device or a backend change: the evaluator's weights are gone; load it again next time. */
  async reset(): Promise<void> {
    await this.forget();
    this.dispose();
  }

  /** Frees the evaluator and the feature extractor. */
  dispose(): void {
    this.evaluator.dispose();
    this.extractor.dispose();
  }

  /** Runs the audit on `generator`; resolves true when it finished. */
  async audit(generator: LoadedModel | null, settings: Partial<JudgeSettings> = {}): Promise<boolean> {
    const model = judgeable(generator);
    if (!model) {
      this.view = { ...this.view, status: 'error', message: 'Pick a generator (a diffusion model, a VAE or a GAN) to judge.' };
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
      // a membership test of this model stands (it does not depend on the audit's settings)
      membership: this.view.model?.id === card.id && !this.view.membership?.running ? this.view.membership : null,
      // a rerun keeps the estimate it was started from, should it be cancelled
      timing: this.view.timing?.model === card.id ? this.view.timing : null,
    };
    const audited = await this.run('audit', fresh, AUDIT_STAGES.length, async (signal, { stage, update }) => {
      const summary = evaluatorFor(card.dataset, this.options.models);
      if (!summary) throw new Error(`no evaluator is shipped for ${card.dataset}`);
      update({ evaluator: summary.id });
      stage(1, { phase: `loading ${summary.id}`, done: 0, total: 0 });
      const evaluator = await this.evaluator.get(summary, signal, (p) => stage(1, p));
      const features = extractorFor(card.dataset, this.options.models);
      if (!features) this.extractor.dispose();
      const extractor = features ? await this.extractor.get(features, signal, (p) => stage(1, p)) : null;
      stage(2, { phase: 'reading the real samples', done: 0, total: 0 });
      const reference = await this.loadReference(card.dataset, signal);
      // the evaluator's outputs on the real data are the same for every audit of this dataset: kept
      const key = `${summary.id}/${reference.index.dataset}`;
      const done = await runAudit(
        { generator: model, evaluator, extractor, reference, real: this.realOutputs.get(key) },
        { settings: s, signal, onProgress: stage, onFigures: update, onRealOutputs: (real) => this.realOutputs.set(key, real) },
      );
      const timing: AuditTiming = {
        model: card.id,
        backend: getBackend(),
        generator: { classes: card.classes.length, unconditional: canSampleUnconditionally(model), defaultSteps: model.kind === 'ddpm' ? samplerDefaultsOf(card).steps : null },
        real: { heldout: reference.heldout.samples.length, train: reference.train?.samples.length ?? 0, kept: done.kept },
        settings: { perClass: s.perClass, unconditional: s.unconditional, resamples: s.resamples, steps: s.steps, seed: s.seed },
        seconds: done.seconds,
      };
      update({ timing });
      return done;
    });
    if (audited) this.last = audited;
    return audited !== null;
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
    const usefulness = usefulnessOf(last);
    const tstr: TstrView = {
      running: true,
      epochs,
      batchLosses: { synthetic: [], real: [] },
      epochLosses: { synthetic: [], real: [] },
      batchesPerEpoch: { synthetic: 0, real: 0 },
      report: null,
      note: usefulness.note,
    };
    const report = await this.run('tstr', { ...this.view, tstr }, 1, async (signal, { stage, update }) => {
      const report = await usefulness.run({
        epochs,
        signal,
        onProgress: (p) => stage(1, p),
        // the live loss curve: every batch's loss as it arrives
        onBatch: (b) => {
          const t = this.view.tstr;
          if (!t) return;
          update({
            tstr: {
              ...t,
              batchLosses: { ...t.batchLosses, [b.run]: [...t.batchLosses[b.run], b.loss] },
              batchesPerEpoch: { ...t.batchesPerEpoch, [b.run]: b.batches },
            },
          });
        },
        onEpoch: (e) => {
          const t = this.view.tstr;
          if (t) update({ tstr: { ...t, epochLosses: { ...t.epochLosses, [e.run]: [...t.epochLosses[e.run], e.loss] } } });
        },
      });
      update({ tstr: { ...this.view.tstr!, running: false, report } });
      return report;
    });
    return report !== null;
  }

  /** Runs the membership test on a diffusion model; resolves true when it finished. */
  async membership(generator: LoadedModel | null, settings: Partial<JudgeSettings> = {}): Promise<boolean> {
    const model = judgeable(generator);
    if (!model || model.kind !== 'ddpm') {
      this.update({ message: 'The membership test measures a diffusion model\'s denoising error: load a diffusion model.' });
      return false;
    }
    this.settings = clampJudgeSettings({ ...this.settings, ...settings });
    const card = model.card;
    // the audit's figures stay when they are of this model; a test of another model starts afresh
    const base = this.view.model?.id === card.id ? this.view : { ...EMPTY_JUDGE_VIEW, timing: null };
    const initial: JudgeView = {
      ...base,
      model: { id: card.id, name: card.name, method: card.method, dataset: card.dataset },
      classes: [...card.classes],
      membership: { running: true, report: null },
    };
    const report = await this.run('membership', initial, 1, async (signal, { stage, update }) => {
      stage(1, { phase: 'reading the real samples', done: 0, total: 0 });
      const reference = await this.loadReference(card.dataset, signal);
      const report = await membershipTest(model, reference, { seed: this.settings.seed, signal, onProgress: (p) => stage(1, p) });
      update({ membership: { running: false, report } });
      return report;
    });
    if (!report && this.view.membership?.running) this.update({ membership: { running: false, report: null } });
    return report !== null;
  }

  /**
   * Runs `job` as the one run in progress (the run before is stopped first) and says in the view
   * how it went. Resolves with the job's value, or null when it was cancelled, failed or overtaken.
   */
  private async run<T>(task: JudgeTask, initial: JudgeView, stages: number, job: (signal: AbortSignal, reports: RunReports) => Promise<T>): Promise<T | null> {
    this.view = { ...initial, status: 'running', task, message: null, progress: { task, stage: 1, stages, phase: 'starting', done: 0, total: 0 } };
    this.host.requestUpdate();
    const outcome = await this.jobs.start((signal, isCurrent) =>
      job(signal, {
        stage: (n, p) => {
          if (!isCurrent()) return;
          const phase = task === 'audit' ? `${AUDIT_STAGES[n - 1] ?? p.phase}: ${p.phase}` : p.phase;
          this.update({ progress: { task, stage: n, stages, phase, done: p.done, total: p.total } });
        },
        update: (patch) => {
          if (isCurrent()) this.update(patch);
        },
      }),
    );
    if (outcome.status === 'stale') return null;
    if (outcome.status === 'done') {
      this.update({ status: 'done', progress: null });
      return outcome.value;
    }
    const cancelled = outcome.status === 'cancelled';
    const what = task === 'audit' ? 'The audit' : task === 'membership' ? 'The membership test' : 'Training';
    this.update({
      status: cancelled ? 'cancelled' : 'error',
      progress: null,
      message: cancelled ? `${what} was cancelled; what had finished is shown.` : `${what} failed: ${(outcome.error as Error).message}`,
      tstr: this.view.tstr && task === 'tstr' ? { ...this.view.tstr, running: false } : this.view.tstr,
    });
    return null;
  }

  private update(patch: Partial<JudgeView>): void {
    this.view = { ...this.view, ...patch };
    this.host.requestUpdate();
  }

  private loadClassifier(summary: ModelSummary, signal: AbortSignal, onProgress: (p: JudgeProgress) => void): Promise<ClassifierModel> {
    const load = this.options.load ?? loadModel;
    return load(summary.path, {
      signal,
      onProgress: (p) => onProgress({ phase: `${summary.id}: ${p.phase}`, done: p.loaded, total: p.total }),
    }).then((model) => {
      if (model.kind !== 'classifier') {
        model.dispose();
        throw new Error(`${summary.id} is not a classifier`);
      }
      return model;
    });
  }

  /**
   * The person's own data where they gave it, else the reference pack of `dataset`, from the page's
   * one pack cache (src/data/reference-packs.ts); an abort stops the waiting, not the read (the next
   * run wants it too).
   */
  private loadReference(dataset: string, signal: AbortSignal): Promise<JudgeReference> {
    const own = this.own?.reference;
    const site = () => loadJudgeReference(dataset, { root: this.options.referenceRoot, fetch: this.options.fetch });
    // the person's file for the held-out role; its training split, else the site's, for the training role
    const pack = !own ? site() : own.train ? Promise.resolve(own) : site().then((pack) => ({
      index: { ...own.index, splits: { ...own.index.splits, ...(pack.index.splits.train ? { train: pack.index.splits.train } : {}) } },
      heldout: own.heldout,
      train: pack.train,
    }));
    return Promise.race([
      pack,
      new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
    ]);
  }
}

type LoadClassifier = (summary: ModelSummary, signal: AbortSignal, onProgress: (p: JudgeProgress) => void) => Promise<ClassifierModel>;

/** A classifier the judge loads once and keeps until another is asked for or it is disposed. */
class KeptClassifier {
  private kept: { id: string; model: ClassifierModel } | null = null;
  private loading: Promise<ClassifierModel> | null = null;

  constructor(
    private readonly what: string,
    private readonly load: LoadClassifier,
  ) {}

  /** The classifier `summary` names: the kept one, or loaded (replacing the kept one). */
  async get(summary: ModelSummary, signal: AbortSignal, onProgress: (p: JudgeProgress) => void): Promise<ClassifierModel> {
    if (this.kept?.id === summary.id) return this.kept.model;
    this.dispose();
    const loading = this.load(summary, signal, onProgress);
    this.loading = loading;
    const model = await loading;
    if (this.loading !== loading) {
      model.dispose(); // disposed or replaced meanwhile
      signal.throwIfAborted();
      throw new Error(`the ${this.what} was replaced while loading`);
    }
    this.kept = { id: summary.id, model };
    this.loading = null;
    return model;
  }

  dispose(): void {
    this.kept?.model.dispose();
    this.kept = null;
    this.loading = null;
  }
}
