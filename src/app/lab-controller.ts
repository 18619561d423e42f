/**
 * The page's working parts behind the UI: which models are offered, which one is loaded (and its
 * partner of the other method, for the side-by-side compare), the settings, the runs, the real
 * samples they are set beside, and the address that records all of it.
 *
 * Components read its fields and call its actions; it keeps the address up to date after every
 * action (history.replaceState), so the address is always a link to what is on screen.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { SHIPPED_MODELS, type ModelSummary } from '../models/registry.js';
import { type GeneratorMethod, tokenCountOf } from '../models/card.js';
import type { LoadedModel } from '../models/loader.js';
import { buildCatalogue, isGenerator, partnerOf } from '../models/catalogue.js';
import { forgetLocalFolder, isLocalPath } from '../models/local-files.js';
import { type PickedFile, currentBackend, openLocalModel } from '../models/local-folder.js';
import { BACKEND_LABELS } from '../runtime/backends.js';
import { GenerationController } from './generation.js';
import { ModelSlot } from './model-slot.js';
import { type ReferencePack, ReferenceMissingError, loadReferencePack, samplesOfClass } from '../data/reference-packs.js';
import {
  type GeneratorModel, type LatentModel, type RunOutput, cardTruncationOf, decodePath, latentsOf, sampleAr, sampleDiffusion, sampleLatentModel,
  samplerDefaultsOf, timePass, tokenSamplingOf,
} from '../pipeline/pipeline.js';
import { LIVE_RUN_MS, LONG_RUN_MS, type PassTime, estimateMs, quickerSettings, recordTime, runWork } from '../pipeline/estimate.js';
import { type Note, type RawSettings, type SettingName, type Settings, clampSettings, defaultsOf, limitsOf, randomSeed } from '../pipeline/settings.js';
import { JobRunner } from '../util/jobs.js';
import { type Address, type PageState, type PathState, readAddress, resolveState, writeAddress } from './url-state.js';

/** What one model made in a run, ready to draw. */
export interface ModelOutput extends RunOutput {
  model: ModelSummary;
  method: GeneratorMethod;
  /** One sample's shape, channels-last: [H, W, C] or [L, C]. */
  shape: number[];
  sampleRateHz: number;
  window?: { before?: number };
}

export interface LabResult {
  settings: Settings;
  /** The sample whose steps the diffusion frames are of. */
  watch: number;
  main: ModelOutput;
  /** The other method's samples, same class and seed, when comparing. */
  partner: ModelOutput | null;
  /** The query string that reproduces this run. */
  link: string;
  /** The latent walk (VAE or GAN) at the time of the run. */
  strip: Float32Array[];
}

export type ReferenceState =
  | { status: 'none' | 'loading' }
  | { status: 'ready'; pack: ReferencePack }
  | { status: 'missing' | 'error'; message: string };

/** How the lab reaches the address; tests pass a stand-in. */
export interface AddressBar {
  read(): string;
  write(query: string): void;
}

const PAGE_ADDRESS: AddressBar = {
  read: () => location.search,
  write: (query) => history.replaceState(history.state, '', `${location.pathname}${query}${location.hash}`),
};

export interface LabOptions {
  shipped?: readonly ModelSummary[];
  address?: AddressBar;
  load?: ConstructorParameters<typeof ModelSlot>[1];
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** Times one pass of a loaded model (tests pass a stand-in to play a slow machine). */
  timePass?: typeof timePass;
  /** The clock a run's own pace is read from, in ms (tests pass one that plays a fast or slow machine). */
  now?: () => number;
}

/** A link's run that was not started because it would take long here: its estimate, until Generate or an edit. */
export interface HeldRun {
  ms: number;
}

/** A model folder from disk being checked, or what came of the last one. */
export interface OwnModelState {
  status: 'idle' | 'checking' | 'done' | 'error';
  message: string;
}

export class LabController implements ReactiveController {
  models: ModelSummary[] = [];
  own: OwnModelState = { status: 'idle', message: '' };
  /** False until the list of models is known (extra folders are fetched). */
  catalogued = false;
  /** Problems worth telling the user: unreadable model folders, unknown model ids. */
  problems: string[] = [];
  state: PageState;
  /** Values that had to be clamped, as sentences. */
  notes: Note[] = [];
  reference: ReferenceState = { status: 'none' };
  /** A link's run held back (it would take long here); null when none is. */
  held: HeldRun | null = null;
  /** The latent walk (VAE or GAN), decoded: the run's own, or one asked for since. */
  get path(): Float32Array[] {
    return this.pathSince ?? this.run.result?.strip ?? [];
  }

  readonly main: ModelSlot;
  readonly partner: ModelSlot;
  readonly run: GenerationController<LabResult>;

  private address: Address;
  private catalogueReady: Promise<void> = Promise.resolve();
  /** Re-decodes the interpolation strip when its path changes after a run. */
  private readonly paths = new JobRunner();
  private pathSince: Float32Array[] | null = null;
  /** The real samples drawn for the run on screen: drawn once, so every render passes the same arrays. */
  private realDrawn: { result: LabResult; pack: ReferencePack; samples: Float32Array[] } | null = null;
  private readonly bar: AddressBar;
  /** Passes timed on this machine, per model id: at load, and from every finished run. */
  private readonly times = new Map<string, PassTime[]>();
  /** Opens in flight (a newer pick may start before an older one has wound down). */
  private openings = 0;
  /** Whether the run in flight came from a live edit, and whether a live edit waits for it to end. */
  private liveRun = false;
  private liveQueued = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: LabOptions = {},
  ) {
    host.addController(this);
    this.bar = options.address ?? PAGE_ADDRESS;
    this.main = new ModelSlot(host, options.load);
    this.partner = new ModelSlot(host, options.load);
    this.run = new GenerationController(host);
    this.address = readAddress(this.bar.read());
    this.state = resolveState(this.address, { classes: ['-'], trainingSteps: 1000, guidable: true }, defaultsOf(null)).state;
  }

  hostConnected(): void {
    this.catalogueReady = buildCatalogue(this.options.shipped ?? SHIPPED_MODELS, this.state.extra, this.options.fetch).then(
      ({ models, problems }) => {
        this.models = models;
        this.problems = problems;
        this.catalogued = true;
        this.host.requestUpdate();
      },
    );
  }

  hostDisconnected(): void {
    // before the slots free the models: no step may start on a freed model
    this.run.reset();
  }

  get summary(): ModelSummary | null {
    return this.models.find((m) => m.id === this.state.model) ?? null;
  }

  get partnerSummary(): ModelSummary | null {
    const summary = this.summary;
    return summary ? partnerOf(summary, this.models) : null;
  }

  /** The methods whose settings are on show: the chosen model's, and its partner's when comparing. */
  get methods(): GeneratorMethod[] {
    const methods = new Set<GeneratorMethod>();
    for (const m of [this.summary, this.state.compare ? this.partnerSummary : null]) if (m && isGenerator(m)) methods.add(m.method);
    return [...methods];
  }

  /**
   * Checks a model folder from the person's disk (src/models/local-folder.ts) and, when it passes,
   * offers it with the others (in place of one loaded before under the same id). Resolves with its
   * id, to be opened; null when it was refused, which changes nothing but the message.
   */
  async openOwn(files: readonly PickedFile[]): Promise<string | null> {
    if (this.own.status === 'checking') return null;
    this.own = { status: 'checking', message: `Checking ${files.length} file${files.length === 1 ? '' : 's'}…` };
    this.host.requestUpdate();
    const shipped = this.options.shipped ?? SHIPPED_MODELS;
    const takenIds = new Set([...shipped, ...this.models.filter((m) => !isLocalPath(m.path))].map((m) => m.id));
    const backend = currentBackend();
    try {
      const local = await openLocalModel(files, { takenIds, backend });
      const before = this.models.find((m) => m.id === local.summary.id);
      this.models = [...this.models.filter((m) => m.id !== local.summary.id), local.summary];
      // the slot keeps its loaded model; the files of the one replaced are not needed again
      if (before) forgetLocalFolder(before.path);
      const worst = local.verdict.outputs[0]!;
      this.own = {
        status: 'done',
        message: `Loaded ${local.card.name} (${local.card.id}) from ${local.folder}: every weight file matches the card's SHA-256, and ` +
          `${local.verdict.outputs.length === 1 ? 'its parity output matches' : `its ${local.verdict.outputs.length} parity outputs match`} PyTorch on ${BACKEND_LABELS[backend]} within ${local.verdict.tolerance.toExponential(0)} ` +
          `of their scale (worst ${worst.output}, ${worst.relativeError.toExponential(1)}).`,
      };
      return local.summary.id;
    } catch (error) {
      this.own = { status: 'error', message: `Not loaded: ${(error as Error).message}` };
      return null;
    } finally {
      this.host.requestUpdate();
    }
  }

  /** Called once the compute backend runs: opens the model the address names, and runs it. */
  async start(): Promise<void> {
    await this.catalogueReady;
    if (this.address.model) await this.select(this.address.model, { fromAddress: true });
  }

  /**
   * Goes to a whole page state as a link to it would (a lesson's slide): the model, every setting
   * and the compare from `query`, then runs it, or holds a run that would take long here. The
   * address becomes `query`, with the parameters of the current one that the lab does not own.
   */
  async openAddress(query: string): Promise<void> {
    this.address = readAddress(query);
    if (!this.address.model) return;
    this.bar.write(query);
    // the run in flight may be using the partner: stopped (its tensors freed) before the partner goes
    await this.run.cancel();
    const compare = this.address.compare;
    if (!compare) this.partner.clear();
    this.state = { ...this.state, compare };
    this.held = null;
    await this.select(this.address.model, { fromAddress: true });
  }

  /** Opens a model, replacing the one loaded; `fromAddress` takes every setting from the address and runs. */
  async select(id: string, { fromAddress = false } = {}): Promise<void> {
    const summary = this.models.find((m) => m.id === id);
    if (!summary) {
      const evaluator = (this.options.shipped ?? SHIPPED_MODELS).find((m) => m.id === id && m.method === 'classifier');
      const problem = evaluator
        ? `"${id}" is an evaluator (a classifier the judge scores samples with), not a generator; pick a generator below.`
        : `There is no model "${id}" on this site; pick one of the models below. (A model loaded from your disk is not kept when the page reloads: load its folder again.)`;
      this.problems = [...this.problems, problem];
      // nothing is open: the page offers its start again
      if (this.state.model === id) this.state = { ...this.state, model: null };
      this.host.requestUpdate();
      return;
    }
    await this.run.cancel();
    this.run.reset();
    this.paths.invalidate();
    this.pathSince = null;
    const carried = this.portableSettings(summary.classes);
    this.state = { ...this.state, model: id, frame: fromAddress ? this.state.frame : null, selected: null };
    this.partner.clear();
    this.reference = { status: 'none' };
    if (!fromAddress) this.write();
    this.openings += 1;
    try {
      const model = await this.main.open(summary);
      if (!model) return;
      this.applyCard(model, fromAddress ? 'address' : { ...carried, ...methodDefaults(model) });
      void this.loadReference(summary.dataset);
      await this.timeModel(model);
      if (this.state.compare) await this.openPartner(fromAddress);
    } finally {
      this.openings -= 1;
      this.host.requestUpdate();
    }
    if (!fromAddress || this.main.status !== 'ready') return;
    // a shared link may ask for 64 samples x 1,000 guided steps: say what it costs here first
    const ms = this.estimate;
    if (ms !== null && ms > LONG_RUN_MS) {
      this.held = { ms };
      this.host.requestUpdate();
    } else await this.generate({ keepView: true });
  }

  /**
   * About how long a run with the settings on screen takes here, in ms (both models when
   * comparing); null until each has a pass timed.
   */
  get estimate(): number | null {
    const models = [this.main.model, this.state.compare ? this.partner.model : null];
    let total = 0;
    for (const model of models) {
      if (!model || model.kind === 'classifier') continue;
      const ms = estimateMs(this.times.get(model.card.id) ?? [], runWork(model.kind, this.state.settings, tokenCountOf(model.card)));
      if (ms === null) return null;
      total += ms;
    }
    return total;
  }

  /** Smaller settings that make the diffusion model's run quick here, where it would take long; null otherwise. */
  get quicker(): { steps: number | null; count: number | null } | null {
    const model = this.main.model;
    const ms = this.estimate;
    if (model?.kind !== 'ddpm' || ms === null || ms <= LONG_RUN_MS) return null;
    return quickerSettings(this.times.get(model.card.id) ?? [], this.state.settings);
  }

  /**
   * Whether a model is being opened: loaded, its pace timed, its partner loaded. The page counts
   * as loading until all of it is done, so no run starts without the partner it will compare with.
   */
  get opening(): boolean {
    return this.openings > 0;
  }

  /** Whether a run is in flight: its settings are locked until it ends, so the fields and the address stay those of the samples made. */
  get running(): boolean {
    return this.run.status === 'running';
  }

  /**
   * Whether edits regenerate as they are made: a run with the settings on screen takes about
   * LIVE_RUN_MS or less here, as measured from this device's own passes (never assumed). While
   * live, a live edit is taken even during a run, and the run that follows shows it.
   */
  get live(): boolean {
    const ms = this.estimate;
    return ms !== null && ms <= LIVE_RUN_MS && !this.opening;
  }

  /**
   * A setting changed in a form field: clamped, noted, written to the address. Refused while a run
   * is in flight, unless it is a `live` edit and runs are live here (generateLive then follows it).
   */
  update(field: SettingName, raw: unknown, { live = false } = {}): void {
    const model = this.main.model;
    if (!model || (this.running && !(live && this.live))) return;
    const { settings, notes } = clampSettings({ ...this.state.settings, [field]: raw }, limitsOf(model.card), defaultsOf(model.card));
    this.notes = [...this.notes.filter((n) => n.field !== field), ...notes.filter((n) => n.field === field)];
    this.held = null;
    const last = settings.count - 1;
    this.state = {
      ...this.state,
      settings,
      watch: Math.min(this.state.watch, last),
      selected: this.state.selected === null ? null : Math.min(this.state.selected, last),
    };
    this.write();
  }

  newSeed({ live = false } = {}): void {
    this.update('seed', randomSeed(), { live });
  }

  /**
   * After a live edit: a run with the settings now on screen, at once, or if a run is in flight,
   * once it ends (edits meanwhile make that one run, not one each). Nothing where runs are not live
   * here: the person presses Generate, as on a slow device.
   */
  generateLive(): void {
    if (!this.live) return;
    if (this.running) this.liveQueued = true;
    else void this.generate({ keepView: true, live: true });
  }

  /** Whether the run in flight was started by a live edit: the page keeps the last samples in view meanwhile. */
  get liveRunning(): boolean {
    return this.running && this.liveRun;
  }

  async generate({ keepView = false, live = false } = {}): Promise<void> {
    const main = this.main.model;
    if (!main || main.kind === 'classifier') return;
    this.liveRun = live;
    this.held = null;
    const partner = this.state.compare ? this.partner.model : null;
    const settings = this.state.settings;
    const watch = this.state.watch;
    if (!keepView) this.state = { ...this.state, frame: null };
    const link = this.write();
    const stepsOf = (m: LoadedModel | null) => (m?.kind === 'ddpm' ? settings.steps : m?.kind === 'ar' ? tokenCountOf(m.card) : m ? 1 : 0);
    const mainSteps = stepsOf(main);
    const total = mainSteps + stepsOf(partner);
    this.paths.invalidate();
    this.pathSince = null;
    await this.run.start(async (signal, onStep) => {
      const first = await this.runModel(main, settings, watch, signal, (r) => onStep({ ...r, total }));
      const second = partner
        ? await this.runModel(partner, settings, watch, signal, (r) => onStep({ ...r, done: mainSteps + r.done, total }))
        : null;
      const strip = await this.decodeStrip(settings);
      return { settings, watch: Math.min(watch, settings.count - 1), main: first, partner: second, link, strip };
    }, total);
    if (this.liveQueued && !this.running) {
      this.liveQueued = false;
      this.generateLive();
    }
  }

  cancel(): Promise<void> {
    this.liveQueued = false;
    return this.run.cancel();
  }

  /**
   * Refused while a run is in flight, as the settings are. Opening the partner counts as opening a
   * model: the page is loading (Generate waits) until the partner is loaded, timed and its card's
   * knobs applied, so neither a run nor an edit made meanwhile meets half a compare.
   */
  async setCompare(on: boolean): Promise<void> {
    if (this.running) return;
    this.state = { ...this.state, compare: on };
    this.write();
    if (on) {
      this.openings += 1;
      try {
        await this.openPartner();
      } finally {
        this.openings -= 1;
      }
    } else this.partner.clear();
    this.host.requestUpdate();
  }

  setPresenter(on: boolean): void {
    this.state = { ...this.state, presenter: on };
    this.write();
  }

  /** View positions: which sample is large, which step is shown, which sample is watched. */
  setView(view: Partial<Pick<PageState, 'selected' | 'frame' | 'watch'>>): void {
    this.state = { ...this.state, ...view };
    this.write();
  }

  async setPath(path: PathState): Promise<void> {
    this.state = { ...this.state, path };
    this.write();
    const result = this.run.result;
    if (!result) return;
    const outcome = await this.paths.start(() => this.decodeStrip(result.settings));
    if (outcome.status === 'failed') throw outcome.error;
    if (outcome.status !== 'done') return;
    this.pathSince = outcome.value;
    this.host.requestUpdate();
  }

  /** After a lost GPU device: every tensor is gone, so load the models again. */
  async reload(): Promise<void> {
    const id = this.state.model;
    await this.run.cancel();
    this.run.reset();
    this.main.clear();
    this.partner.clear();
    if (id) await this.select(id);
  }

  /**
   * Real held-out samples to set beside the run on screen: of its class, as many as it made, drawn
   * by its seed; not of the settings being edited, which no run has made yet. Null while the pack
   * is not ready; none without a run, or when the pack's samples are not the size of the model's
   * (drawn in its shape, they would be noise).
   */
  realSamples(): Float32Array[] | null {
    if (this.reference.status !== 'ready') return null;
    const pack = this.reference.pack;
    const result = this.run.result;
    if (!result) return [];
    const shape = result.main.shape;
    const values = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
    if (values(pack.index.sampleShape) !== values(shape)) return [];
    if (this.realDrawn?.result !== result || this.realDrawn.pack !== pack) {
      const { classIndex, seed } = result.settings;
      const name = result.main.model.classes[classIndex];
      const index = name === undefined ? -1 : pack.index.classes.indexOf(name);
      this.realDrawn = { result, pack, samples: index < 0 ? [] : samplesOfClass(pack, index, result.main.samples.length, seed) };
    }
    return this.realDrawn.samples;
  }

  private async runModel(model: LoadedModel, settings: Settings, watch: number, signal: AbortSignal, onStep: (r: { done: number; total: number }) => void): Promise<ModelOutput> {
    const card = model.card;
    const base = {
      model: this.models.find((m) => m.id === card.id)!,
      shape: card.architecture.inputShape,
      sampleRateHz: card.signal?.sampleRateHz ?? 360,
      window: card.signal?.window,
    };
    const now = this.options.now ?? (() => performance.now());
    const started = now();
    let output: ModelOutput;
    if (model.kind === 'ddpm') output = { ...base, ...(await sampleDiffusion(model, settings, { watch, signal, onStep })), method: 'ddpm' };
    else if (model.kind === 'ar') output = { ...base, ...(await sampleAr(model, settings, { watch, signal, onStep, frames: true })), method: 'ar' };
    else output = { ...base, ...(await sampleLatentModel(model as LatentModel, settings, { signal, onStep })), method: model.kind as 'vae' | 'gan' };
    // the run's own pace, read-backs and pauses for the page included: the best estimate of the next
    const work = runWork(output.method, settings, tokenCountOf(card));
    this.record(card.id, { rows: work.rows, ms: (now() - started) / work.passes });
    return output;
  }

  /** Times one pass at the batch the settings on screen make, so an estimate shows before the first run. */
  private async timeModel(model: LoadedModel): Promise<void> {
    if (model.kind === 'classifier' || this.times.has(model.card.id)) return;
    const { rows } = runWork(model.kind, this.state.settings, tokenCountOf(model.card));
    this.record(model.card.id, await (this.options.timePass ?? timePass)(model as GeneratorModel, rows));
  }

  private record(id: string, time: PassTime): void {
    this.times.set(id, recordTime(this.times.get(id) ?? [], time));
    this.host.requestUpdate();
  }

  /** The latent walk between the two samples the state names, of the main model if it has a latent space (VAE, GAN), else of its partner; empty without one. */
  private async decodeStrip(settings: Settings): Promise<Float32Array[]> {
    const model = [this.main.model, this.partner.model].find((m): m is LatentModel => m?.kind === 'vae' || m?.kind === 'gan');
    if (!model) return [];
    const { from, to, mode } = this.state.path;
    const latents = latentsOf(model, settings, Math.max(from, to) + 1);
    return decodePath(model, latents[from]!, latents[to]!, settings.classIndex, 8, mode);
  }

  private async openPartner(fromAddress = false): Promise<void> {
    const partner = this.partnerSummary;
    if (!partner || this.partner.summary?.id === partner.id) return;
    const model = await this.partner.open(partner);
    if (model) await this.timeModel(model);
    // a partner of another family brings its own knobs (a diffusion model's sampler, a GAN's
    // truncation): from the address, else its card
    if (model && model.kind !== 'vae' && model.kind !== this.main.model?.kind) this.applyCard(model, fromAddress ? 'address' : methodDefaults(model));
    this.write();
  }

  /**
   * Settings a model switch carries over: what the data is, not how a method samples it. The class
   * goes over by name, to a model that has it (another model of the same data); a model of other
   * data starts at its first class.
   */
  private portableSettings(nextClasses: readonly string[]): RawSettings {
    const s = this.state.settings;
    const name = this.summary?.classes[s.classIndex];
    const classIndex = name !== undefined && nextClasses.includes(name) ? name : undefined;
    return { classIndex, count: s.count, seed: s.seed, temperature: s.temperature };
  }

  /** Holds the settings to a freshly loaded card: all from the address, or `raw` over the current ones. */
  private applyCard(model: LoadedModel, raw: RawSettings | 'address'): void {
    const limits = limitsOf(model.card);
    const defaults = defaultsOf(model.card);
    if (raw === 'address') {
      const { state, notes } = resolveState(this.address, limits, defaults);
      this.state = { ...state, model: this.state.model, compare: this.state.compare, presenter: this.state.presenter };
      this.notes = notes;
    } else {
      const { settings, notes } = clampSettings({ ...this.state.settings, ...raw }, limits, defaults);
      this.state = { ...this.state, settings, watch: Math.min(this.state.watch, settings.count - 1) };
      this.notes = notes;
    }
    this.write();
  }

  private async loadReference(dataset: string): Promise<void> {
    this.reference = { status: 'loading' };
    try {
      // read once per page, and shared with the judge (the module keeps the packs)
      const ready = await loadReferencePack(dataset, { fetch: this.options.fetch });
      if (this.summary?.dataset === dataset) this.reference = { status: 'ready', pack: ready };
    } catch (error) {
      this.reference = error instanceof ReferenceMissingError
        ? { status: 'missing', message: error.message }
        : { status: 'error', message: `Real samples could not be read: ${(error as Error).message}` };
    }
    this.host.requestUpdate();
  }

  /** Writes the state to the address; returns the query written. */
  private write(): string {
    const query = writeAddress(this.state, this.methods, this.summary?.classes ?? [], this.bar.read());
    this.bar.write(query);
    this.host.requestUpdate();
    return query;
  }
}

/** The knobs a model's card sets: a diffusion model's sampler, a GAN's truncation, an AR model's token sampling; nothing for a VAE. */
function methodDefaults(model: LoadedModel): RawSettings {
  if (model.kind === 'ddpm') return { ...samplerDefaultsOf(model.card) };
  if (model.kind === 'ar') return { ...tokenSamplingOf(model.card) };
  if (model.kind === 'gan') return { truncation: cardTruncationOf(model.card) ?? 0 };
  return {};
}
