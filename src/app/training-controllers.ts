/**
 * The page's training runs, on a dataset's real records (the judge's reference pack) with its
 * shipped evaluator as the judge of the samples:
 *
 *   FederatedController  hospitals training together (src/federated/experiment.ts), round by round
 *   FeedbackController   the bias feedback loop (src/federated/feedback.ts), generation by generation
 *
 * Both share TrainingRun: one run at a time, each unit of progress (a round, a generation) handed to
 * the page as it comes; a run can be paused (after the training step in progress) and cancelled,
 * also while paused; starting a run cancels the one before. The evaluator is loaded for a run and
 * freed when it ends, however it ends. Settings out of range are refused, with the reason, before
 * any training.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { loadJudgeReference } from '../data/reference-packs.js';
import { type ExperimentData, type ExperimentResult, type ExperimentSettings, type MembershipFigure, type RoundUpdate, checkExperiment, runExperiment } from '../federated/experiment.js';
import { type FeedbackSettings, type GenerationReport, checkFeedback, runFeedbackLoop } from '../federated/feedback.js';
import type { Hospitals } from '../federated/split.js';
import { evaluateSamples } from '../judge/features.js';
import { evaluatorFor } from '../judge/judge-controller.js';
import { type LoadOptions, type LoadedModel, loadModel } from '../models/loader.js';
import { type ModelSummary, SHIPPED_MODELS } from '../models/registry.js';
import { scalingOf } from '../models/scaling.js';
import { JobRunner } from '../util/jobs.js';
import { Pacer, PauseGate } from '../util/pacing.js';

export type TrainStatus = 'idle' | 'loading' | 'running' | 'paused' | 'done' | 'cancelled' | 'error';

/** A dataset the views can train on: one whose evaluator ships, small enough for dense networks. */
export interface TrainDataset {
  dataset: string;
  name: string;
  classes: string[];
  /** Whether its samples carry patients (MIT-BIH's records), so it can be split by patient. */
  patients: boolean;
}

/** Values per sample above which a dense network is too slow to train here (BCCD's 64 x 64 x 3 crops are 12,288). */
const MAX_VALUES = 4096;

/** The datasets the views offer: every shipped evaluator's (not a feature extractor's) whose samples are small enough. */
export function trainDatasets(models: readonly ModelSummary[] = SHIPPED_MODELS): TrainDataset[] {
  return models
    .filter((m) => evaluatorFor(m.dataset, models)?.id === m.id && (m.inputShape?.length ?? 0) > 0 && m.inputShape!.reduce((a, b) => a * b, 1) <= MAX_VALUES)
    .map((m) => ({ dataset: m.dataset, name: m.modality, classes: m.classes, patients: m.dataset === 'mitbih' }));
}

export interface TrainingOptions {
  load?: (path: string, options: LoadOptions) => Promise<LoadedModel>;
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  models?: readonly ModelSummary[];
}

/** What a run's body gets: the data in network units, the evaluator, and where to yield and pause. */
interface Prepared {
  data: ExperimentData;
  classify: (samples: Float32Array[]) => Promise<ArrayLike<number>>;
  afterStep: () => Promise<void>;
  /** Call once per unit of progress (it yields to the page). */
  progressed: () => Promise<void>;
  signal: AbortSignal;
  isCurrent: () => boolean;
}

abstract class TrainingRun<S> implements ReactiveController {
  status: TrainStatus = 'idle';
  message: string | null = null;
  dataset: TrainDataset | null = null;
  settings: S | null = null;
  /** Network units to display units, for the samples on show. */
  toDisplay: ((x: ArrayLike<number>) => Float32Array) | null = null;
  shape: number[] = [];
  /** Seconds per unit (round, generation), mean so far. */
  secondsPer: number | null = null;

  private readonly jobs = new JobRunner();
  private readonly gate = new PauseGate();

  constructor(
    protected readonly host: ReactiveControllerHost,
    private readonly options: TrainingOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    void this.cancel();
  }

  get running(): boolean {
    return this.status === 'loading' || this.status === 'running' || this.status === 'paused';
  }

  pause(): void {
    if (this.status !== 'running') return;
    this.gate.pause();
    this.status = 'paused';
    this.host.requestUpdate();
  }

  resume(): void {
    if (this.status !== 'paused') return;
    this.gate.resume();
    this.status = 'running';
    this.host.requestUpdate();
  }

  async cancel(): Promise<void> {
    await this.jobs.cancel();
  }

  /** Units done so far, for the cancelled message. */
  protected abstract done(): number;
  protected abstract total(settings: S): number;
  protected abstract readonly unit: string;

  /**
   * Runs `body` on `dataset`'s data; `check` refuses settings out of range before any training.
   * Resolves when the run has ended (done, cancelled, failed or replaced).
   */
  protected async launch(dataset: TrainDataset, settings: S, check: (data: ExperimentData) => void, body: (p: Prepared) => Promise<void>): Promise<void> {
    const summary = evaluatorFor(dataset.dataset, this.options.models);
    this.gate.resume();
    Object.assign(this, { status: 'loading', message: null, dataset, settings, secondsPer: null });
    this.host.requestUpdate();
    const outcome = await this.jobs.start(async (signal, isCurrent) => {
      if (!summary) throw new Error(`no evaluator ships for ${dataset.dataset}`);
      const evaluator = await (this.options.load ?? loadModel)(summary.path, { signal });
      try {
        if (evaluator.kind !== 'classifier') throw new Error(`${summary.id} is not a classifier`);
        const reference = await loadJudgeReference(dataset.dataset, { fetch: this.options.fetch });
        if (!reference.train) throw new Error(`the ${dataset.name} pack has no training split`);
        const scaling = scalingOf(evaluator.card);
        const rows = (samples: readonly Float32Array[]) => samples.map((s) => Float32Array.from(scaling.toNetwork(s)));
        const data: ExperimentData = {
          train: { samples: rows(reference.train.samples), labels: reference.train.labels, patients: reference.train.patients ?? null },
          heldout: { samples: rows(reference.heldout.samples), labels: reference.heldout.labels },
          classes: reference.index.classes,
        };
        check(data);
        if (!isCurrent()) return;
        this.toDisplay = scaling.toDisplay;
        this.shape = [...evaluator.card.architecture.inputShape];
        this.status = this.gate.paused ? 'paused' : 'running';
        this.host.requestUpdate();
        const pacer = new Pacer(signal);
        const started = performance.now();
        let units = 0;
        await body({
          data, signal, isCurrent,
          classify: async (samples) => (await evaluateSamples(evaluator.net, samples, { signal })).predicted,
          afterStep: async () => {
            await pacer.tick();
            await this.gate.wait(signal);
          },
          progressed: async () => {
            units += 1;
            if (!isCurrent()) return;
            this.secondsPer = (performance.now() - started) / 1000 / units;
            this.host.requestUpdate();
            await pacer.yield();
          },
        });
      } finally {
        evaluator.dispose();
      }
    });
    this.gate.resume();
    if (outcome.status === 'stale') return;
    if (outcome.status === 'done') this.status = 'done';
    else if (outcome.status === 'cancelled') {
      this.status = 'cancelled';
      this.message = `Cancelled after ${this.done()} of ${this.total(settings)} ${this.unit}s; the ${this.unit}s done stay on show.`;
    } else {
      this.status = 'error';
      const error = outcome.error as Error;
      this.message = error instanceof RangeError ? `Not run: ${error.message}.` : `Training failed: ${error.message}`;
    }
    this.host.requestUpdate();
  }
}

/** Hospitals training together: the hospitals dealt, then every round's figures and samples, then the membership test. */
export class FederatedController extends TrainingRun<ExperimentSettings> {
  hospitals: Hospitals | null = null;
  rounds: RoundUpdate[] = [];
  membership: MembershipFigure[] = [];
  protected readonly unit = 'round';

  constructor(host: ReactiveControllerHost, options: TrainingOptions = {}) {
    super(host, options);
  }

  protected done(): number {
    return this.rounds.length;
  }

  protected total(settings: ExperimentSettings): number {
    return settings.rounds;
  }

  start(dataset: TrainDataset, settings: ExperimentSettings): Promise<void> {
    Object.assign(this, { hospitals: null, rounds: [], membership: [] });
    return this.launch(dataset, settings, (data) => checkExperiment(settings, data), async (p) => {
      const result: ExperimentResult = await runExperiment(p.data, settings, {
        signal: p.signal, afterStep: p.afterStep, classify: p.classify,
        onSplit: (hospitals) => {
          if (p.isCurrent()) this.hospitals = hospitals;
        },
        onRound: async (update) => {
          if (p.isCurrent()) this.rounds = [...this.rounds, update];
          await p.progressed();
        },
      });
      if (p.isCurrent()) this.membership = result.membership;
    });
  }
}

/** The bias feedback loop: every generation's class mixes, per-class fidelity and samples. */
export class FeedbackController extends TrainingRun<FeedbackSettings> {
  generations: GenerationReport[] = [];
  protected readonly unit = 'generation';

  constructor(host: ReactiveControllerHost, options: TrainingOptions = {}) {
    super(host, options);
  }

  protected done(): number {
    return this.generations.length;
  }

  protected total(settings: FeedbackSettings): number {
    return settings.generations + 1;
  }

  start(dataset: TrainDataset, settings: FeedbackSettings): Promise<void> {
    this.generations = [];
    return this.launch(dataset, settings, (data) => checkFeedback(settings, data), async (p) => {
      await runFeedbackLoop(p.data, settings, {
        signal: p.signal, afterStep: p.afterStep, classify: p.classify,
        onGeneration: async (report) => {
          if (p.isCurrent()) this.generations = [...this.generations, report];
          await p.progressed();
        },
      });
    });
  }
}
