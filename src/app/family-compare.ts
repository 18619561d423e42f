/**
 * Every family's model of one dataset, run on the same class with the same seed and count, one
 * after another: what each makes, what it costs here (milliseconds per sample, measured on this
 * device, and network passes per sample), how often the dataset's evaluator sees the requested
 * class in what it made, how close what it made lies to the training samples (beside real held-out
 * samples of the class: copies show as much closer), and the distance to real data its card measured.
 * A family whose knobs are on the page (steps, guidance, eta; temperature; truncation; token sampling) runs with
 * them; the others with their card's, each held to its own card's limits.
 *
 * The models are this comparison's own: loaded on first use, kept while the dataset stays, freed
 * when it changes or the page goes away. Nothing here touches the page's main and partner models.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type JudgeReference, loadJudgeReference } from '../data/reference-packs.js';
import { evaluateSamples } from '../judge/features.js';
import { type RowSet, nearestRows, packRows } from '../judge/memorisation.js';
import { type CardFigures, cardFigures } from '../judge/view.js';
import { type GeneratorMethod, tokenCountOf } from '../models/card.js';
import { isGenerator, methodName } from '../models/catalogue.js';
import { type LoadedModel, loadModel } from '../models/loader.js';
import type { ModelSummary } from '../models/registry.js';
import { scalingOf } from '../models/scaling.js';
import { runWork } from '../pipeline/estimate.js';
import { type DdpmModel, type LatentModel, sampleAr, sampleDiffusion, sampleLatentModel } from '../pipeline/pipeline.js';
import { type Settings, clampSettings, defaultsOf, describeKnobs, limitsOf } from '../pipeline/settings.js';
import { JobRunner } from '../util/jobs.js';
import { median } from '../util/stats.js';

/** The order the families are laid out in: many steps, one pass from a latent (two ways), token by token. */
export const FAMILY_ORDER: readonly GeneratorMethod[] = ['ddpm', 'vae', 'gan', 'ar'];

export interface FamilyRow {
  model: ModelSummary;
  method: GeneratorMethod;
  status: 'waiting' | 'loading' | 'running' | 'done' | 'error';
  message?: string;
  /** Display units, one array per sample. */
  samples: Float32Array[];
  shape: number[];
  sampleRateHz: number;
  window?: Record<string, number>;
  /** The settings this family ran with, in words. */
  how: string;
  /** Wall-clock milliseconds per sample of this run on this device (the model was loaded and warm). */
  msPerSample: number | null;
  /** Forward passes of the network per sample at these settings. */
  passesPerSample: number | null;
  /** How many of the samples the dataset's evaluator classified as the requested class. */
  recognised: { hits: number; of: number } | null;
  /**
   * Median distance (network units, Euclidean) from each sample to its nearest training sample of
   * the page's reference pack, and the same for the pack's real held-out samples of the class.
   */
  nearest: { generated: number; heldOut: number | null; train: number } | null;
  /** The card's measured figures (distances, real data's recognition rate). */
  card: CardFigures | null;
}

export interface FamilyRequest {
  /** Generators of one dataset; one per family is run, in FAMILY_ORDER. */
  models: readonly ModelSummary[];
  /** The dataset's evaluator, or null (no recognition figure then). */
  evaluator: ModelSummary | null;
  /** The class by name, and the page's other settings. */
  className: string;
  settings: Settings;
  /** The families whose knobs the page shows (the others take their card's); absent: every family takes the page's. */
  shown?: readonly GeneratorMethod[];
  /** Real training and held-out samples (the judge's pack), or null (no nearest-sample figure then). */
  reference?: JudgeReference | null;
}

export type FamilyStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

type Load = (summary: ModelSummary) => Promise<LoadedModel>;

/** One model per family for `models`' dataset, in FAMILY_ORDER (the first of each family). */
export function familiesOf(models: readonly ModelSummary[], dataset: string): ModelSummary[] {
  return FAMILY_ORDER.flatMap((method) => models.find((m) => m.dataset === dataset && m.method === method && isGenerator(m)) ?? []);
}

/**
 * The page's settings held to one card, with the class given by name (a model without it takes its
 * first); with `ownKnobs` false, the family's knobs are its card's and only class, seed and count the page's.
 */
export function settingsFor(card: LoadedModel['card'], className: string, settings: Settings, ownKnobs = true): Settings {
  const defaults = defaultsOf(card);
  const page = ownKnobs ? settings : { ...defaults, count: settings.count, seed: settings.seed };
  const raw = { ...page, classIndex: card.classes.includes(className) ? className : undefined };
  return clampSettings(raw, limitsOf(card), defaults).settings;
}

/**
 * Runs each family's model in turn and reports each row as it changes. `load` gives a loaded model
 * (the controller caches them). Rejects with the signal's reason when aborted; a model that fails
 * is reported in its row and the next family still runs.
 */
export async function runFamilies(
  request: FamilyRequest,
  load: Load,
  options: { signal?: AbortSignal; onRow?: (index: number, row: FamilyRow) => void } = {},
): Promise<FamilyRow[]> {
  const { signal } = options;
  const rows: FamilyRow[] = request.models.map((model) => ({
    model, method: model.method as GeneratorMethod, status: 'waiting', samples: [], shape: model.inputShape ?? [], sampleRateHz: 360,
    how: '', msPerSample: null, passesPerSample: null, recognised: null, nearest: null, card: null,
  }));
  const update = (i: number, patch: Partial<FamilyRow>) => {
    rows[i] = { ...rows[i]!, ...patch };
    options.onRow?.(i, rows[i]!);
  };
  const evaluator = request.evaluator ? await load(request.evaluator) : null;
  // the pack's training samples and the median distance of its held-out samples of the class to
  // them, in network units: made once, with the first family's scaling (the families of one dataset
  // share it)
  const train = request.reference?.train ?? null;
  let pack: { rows: RowSet; heldOut: number | null } | null = null;
  const nearestMedian = async (samples: readonly Float32Array[], rows: RowSet, toNetwork: (x: ArrayLike<number>) => ArrayLike<number>) =>
    median((await nearestRows(packRows(samples, toNetwork), rows, 1, { signal })).distances);
  for (let i = 0; i < rows.length; i++) {
    signal?.throwIfAborted();
    update(i, { status: 'loading' });
    try {
      const model = await load(rows[i]!.model);
      signal?.throwIfAborted();
      const card = model.card;
      const settings = settingsFor(card, request.className, request.settings, request.shown?.includes(rows[i]!.method) ?? true);
      const work = runWork(rows[i]!.method, settings, tokenCountOf(card));
      update(i, {
        status: 'running', how: describeKnobs(rows[i]!.method, settings), shape: card.architecture.inputShape,
        sampleRateHz: card.signal?.sampleRateHz ?? 360, window: card.signal?.window, card: cardFigures(card.quality),
        passesPerSample: (work.passes * work.rows) / settings.count,
      });
      const started = performance.now();
      const out = model.kind === 'ddpm'
        ? await sampleDiffusion(model as DdpmModel, settings, { watch: 0, signal })
        : model.kind === 'ar'
          ? await sampleAr(model, settings, { signal })
          : await sampleLatentModel(model as LatentModel, settings, { signal });
      const msPerSample = (performance.now() - started) / settings.count;
      let recognised: FamilyRow['recognised'] = null;
      if (evaluator?.kind === 'classifier') {
        const judged = await evaluateSamples(evaluator.net, out.samples, { toNetwork: scalingOf(evaluator.card).toNetwork, signal });
        const wanted = evaluator.card.classes.indexOf(card.classes[settings.classIndex] ?? '');
        recognised = { hits: [...judged.predicted].filter((p) => p === wanted).length, of: out.samples.length };
      }
      let nearest: FamilyRow['nearest'] = null;
      if (train && train.samples[0]?.length === out.samples[0]?.length) {
        const toNetwork = scalingOf(card).toNetwork;
        if (!pack) {
          const rows = packRows(train.samples, toNetwork);
          const held = request.reference!.heldout;
          const ofClass = held.samples.filter((_, k) => held.labels[k] === settings.classIndex);
          pack = { rows, heldOut: ofClass.length ? await nearestMedian(ofClass, rows, toNetwork) : null };
        }
        nearest = { generated: await nearestMedian(out.samples, pack.rows, toNetwork), heldOut: pack.heldOut, train: train.samples.length };
      }
      update(i, { status: 'done', samples: out.samples, msPerSample, recognised, nearest });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      update(i, { status: 'error', message: `${methodName(rows[i]!.method)}: ${(error as Error).message}` });
    }
  }
  return rows;
}

/**
 * The comparison's state for a page: the rows of the last or current run, the models it loaded
 * (kept for the next run on the same dataset), and cancelling.
 */
export class FamilyCompare implements ReactiveController {
  status: FamilyStatus = 'idle';
  rows: FamilyRow[] = [];
  message: string | null = null;
  /** The class and dataset the rows were made for. */
  made: { dataset: string; className: string } | null = null;

  private readonly loaded = new Map<string, Promise<LoadedModel>>();
  private dataset: string | null = null;
  private readonly runs = new JobRunner();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly load: (path: string) => Promise<LoadedModel> = (path) => loadModel(path),
    /** The judge's pack of real samples; without one (`npm run data` never ran) the nearest-sample figure is left out. */
    private readonly loadReference: (dataset: string) => Promise<JudgeReference | null> = (dataset) => loadJudgeReference(dataset).catch(() => null),
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    void this.clear();
  }

  get running(): boolean {
    return this.status === 'running';
  }

  /** Runs every family of `request`'s dataset; a run in flight is cancelled first. */
  async run(request: FamilyRequest): Promise<void> {
    const dataset = request.models[0]?.dataset ?? null;
    if (dataset !== this.dataset) await this.clear();
    this.dataset = dataset;
    this.status = 'running';
    this.message = null;
    this.made = dataset ? { dataset, className: request.className } : null;
    this.rows = [];
    this.host.requestUpdate();
    const outcome = await this.runs.start(async (signal, isCurrent) =>
      runFamilies({ ...request, reference: request.reference ?? (dataset ? await this.loadReference(dataset) : null) }, (summary) => this.model(summary), {
        signal,
        onRow: (i, row) => {
          if (!isCurrent()) return;
          const rows = [...this.rows];
          rows[i] = row;
          this.rows = rows;
          this.host.requestUpdate();
        },
      }),
    );
    if (outcome.status === 'stale') return;
    if (outcome.status === 'done') {
      this.rows = outcome.value;
      this.status = 'done';
    } else if (outcome.status === 'cancelled') {
      this.status = 'cancelled';
      this.message = 'Cancelled.';
    } else {
      this.status = 'error';
      this.message = `The comparison stopped: ${(outcome.error as Error).message}`;
    }
    this.host.requestUpdate();
  }

  async cancel(): Promise<void> {
    await this.runs.cancel();
  }

  /** Stops a run and frees every model this comparison loaded. */
  async clear(): Promise<void> {
    await this.runs.cancel();
    const models = [...this.loaded.values()];
    this.loaded.clear();
    this.dataset = null;
    for (const pending of models) void pending.then((m) => m.dispose(), () => undefined);
  }

  private model(summary: ModelSummary): Promise<LoadedModel> {
    let pending = this.loaded.get(summary.path);
    if (!pending) {
      pending = this.load(summary.path);
      this.loaded.set(summary.path, pending);
      // a load that failed is not kept: the next run tries again
      pending.catch(() => this.loaded.delete(summary.path));
    }
    return pending;
  }
}
