/**
 * The page's "hospitals training together" run (src/federated/experiment.ts): reads the dataset's
 * real training and held-out samples (the judge's reference pack) and its shipped evaluator,
 * then trains round by round, handing each round's figures and samples to the page as they come.
 * One run at a time; it can be paused (after the training step in progress) and cancelled, also
 * while paused; a run started while another is going cancels that one first. The evaluator is
 * loaded for a run and freed when it ends, however it ends.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { loadJudgeReference } from '../data/reference-packs.js';
import { type ExperimentData, type ExperimentSettings, type MembershipFigure, type RoundUpdate, checkExperiment, runExperiment } from '../federated/experiment.js';
import type { Hospitals } from '../federated/split.js';
import { evaluateSamples } from '../judge/features.js';
import { evaluatorFor } from '../judge/judge-controller.js';
import { type LoadOptions, type LoadedModel, loadModel } from '../models/loader.js';
import { type ModelSummary, SHIPPED_MODELS } from '../models/registry.js';
import { scalingOf } from '../models/scaling.js';
import { JobRunner } from '../util/jobs.js';
import { Pacer, PauseGate } from '../util/pacing.js';

export type TrainStatus = 'idle' | 'loading' | 'running' | 'paused' | 'done' | 'cancelled' | 'error';

/** A dataset the view can train on: one whose evaluator ships, small enough for dense networks. */
export interface TrainDataset {
  dataset: string;
  name: string;
  classes: string[];
  /** Whether its samples carry patients (MIT-BIH's records), so it can be split by patient. */
  patients: boolean;
}

/** Values per sample above which a dense network is too slow to train here (BCCD's 64 x 64 x 3 crops are 12,288). */
const MAX_VALUES = 4096;

/** The datasets the view offers: every shipped evaluator's whose samples are small enough. */
export function trainDatasets(models: readonly ModelSummary[] = SHIPPED_MODELS): TrainDataset[] {
  return models
    .filter((m) => m.method === 'classifier' && (m.inputShape ?? []).reduce((a, b) => a * b, 1) <= MAX_VALUES && (m.inputShape?.length ?? 0) > 0)
    .map((m) => ({ dataset: m.dataset, name: m.modality, classes: m.classes, patients: m.dataset === 'mitbih' }));
}

export interface FederatedControllerOptions {
  load?: (path: string, options: LoadOptions) => Promise<LoadedModel>;
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  models?: readonly ModelSummary[];
}

export class FederatedController implements ReactiveController {
  status: TrainStatus = 'idle';
  message: string | null = null;
  /** The run on show: its dataset and settings, its hospitals, and its rounds so far. */
  dataset: TrainDataset | null = null;
  settings: ExperimentSettings | null = null;
  hospitals: Hospitals | null = null;
  rounds: RoundUpdate[] = [];
  membership: MembershipFigure[] = [];
  /** Network units to display units, for the samples on show. */
  toDisplay: ((x: ArrayLike<number>) => Float32Array) | null = null;
  shape: number[] = [];
  /** Seconds per round, mean so far. */
  secondsPerRound: number | null = null;

  private readonly jobs = new JobRunner();
  private readonly gate = new PauseGate();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: FederatedControllerOptions = {},
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

  /** Trains on `dataset` with `settings`, replacing what is on show. */
  async start(dataset: TrainDataset, settings: ExperimentSettings): Promise<void> {
    const summary = evaluatorFor(dataset.dataset, this.options.models);
    this.gate.resume();
    Object.assign(this, { status: 'loading', message: null, dataset, settings, hospitals: null, rounds: [], membership: [], secondsPerRound: null });
    this.host.requestUpdate();
    const outcome = await this.jobs.start(async (signal, isCurrent) => {
      if (!summary) throw new Error(`no evaluator ships for ${dataset.dataset}`);
      const evaluator = await (this.options.load ?? loadModel)(summary.path, { signal });
      try {
        const reference = await loadJudgeReference(dataset.dataset, { fetch: this.options.fetch });
        if (evaluator.kind !== 'classifier') throw new Error(`${summary.id} is not a classifier`);
        if (!reference.train) throw new Error(`the ${dataset.name} pack has no training split`);
        const scaling = scalingOf(evaluator.card);
        const rows = (samples: readonly Float32Array[]) => samples.map((s) => Float32Array.from(scaling.toNetwork(s)));
        const data: ExperimentData = {
          train: { samples: rows(reference.train.samples), labels: reference.train.labels, patients: reference.train.patients ?? null },
          heldout: { samples: rows(reference.heldout.samples), labels: reference.heldout.labels },
          classes: reference.index.classes,
        };
        checkExperiment(settings, data);
        if (!isCurrent()) return null;
        this.toDisplay = scaling.toDisplay;
        this.shape = [...evaluator.card.architecture.inputShape];
        this.status = this.gate.paused ? 'paused' : 'running';
        this.host.requestUpdate();
        const pacer = new Pacer(signal);
        const started = performance.now();
        return await runExperiment(data, settings, {
          signal,
          afterStep: async () => {
            await pacer.tick();
            await this.gate.wait(signal);
          },
          onSplit: (hospitals) => {
            if (!isCurrent()) return;
            this.hospitals = hospitals;
            this.host.requestUpdate();
          },
          onRound: async (update) => {
            if (!isCurrent()) return;
            this.rounds = [...this.rounds, update];
            this.secondsPerRound = (performance.now() - started) / 1000 / update.round;
            this.host.requestUpdate();
            await pacer.yield();
          },
          classify: async (samples) => (await evaluateSamples(evaluator.net, samples, { signal })).predicted,
        });
      } finally {
        evaluator.dispose();
      }
    });
    this.gate.resume();
    if (outcome.status === 'stale') return;
    if (outcome.status === 'done' && outcome.value) {
      this.membership = outcome.value.membership;
      this.status = 'done';
    } else if (outcome.status === 'cancelled') {
      this.status = 'cancelled';
      this.message = `Cancelled after ${this.rounds.length} of ${settings.rounds} rounds; the rounds done stay on show.`;
    } else if (outcome.status === 'failed') {
      this.status = 'error';
      const error = outcome.error as Error;
      this.message = error instanceof RangeError ? `Not run: ${error.message}.` : `Training failed: ${error.message}`;
    }
    this.host.requestUpdate();
  }
}
