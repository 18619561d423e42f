import { LitElement, css, html, nothing } from 'lit';
import { formatBytes, isGenerator, methodName, suggestedStart } from '../models/catalogue.js';
import { privacyGroups } from '../privacy/variants.js';
import { SHIPPED_MODELS } from '../models/registry.js';
import { fmt } from './judge-charts.js';
import { isImage, symmetricToLevels, viewWidth } from '../display/convert.js';
import type { ViewerPrediction } from './diffusion-viewer.js';
import { type WatchFrame, isGuidable, predictNoiseAt, rerunFrom } from '../pipeline/pipeline.js';
import { JobRunner } from '../util/jobs.js';
import { noiseTo } from '../diffusion/schedule.js';
import { scalingOf } from '../models/scaling.js';
import { voltRange, windowStartMs } from '../display/ecg-axes.js';
import { FamilyCompare, familiesOf } from '../app/family-compare.js';
import { GameController } from '../app/game-controller.js';
import { SWEEP_KNOBS, SweepController } from '../app/sweep.js';
import { LatentExplorer } from '../app/latent-map.js';
import { OfflineController } from '../app/offline.js';
import { FederatedController, FeedbackController, trainDatasets } from '../app/training-controllers.js';
import { DEFAULT_EXPERIMENT } from '../federated/experiment.js';
import { DEFAULT_FEEDBACK } from '../federated/feedback.js';
import { type TrainingParam, readTraining, writeTraining } from '../app/training-address.js';
import { type AddressBar, type LabResult, LabController, type ModelOutput } from '../app/lab-controller.js';
import { siteUrl } from '../util/site-base.js';
import { GLOSSARY, METHOD_TERM } from '../lessons/glossary.js';
import { baseName, beatsCsv, beatsWfdb, gridPng, judgeJson, provenanceOf, samplePng, samplesNpz } from '../export/exports.js';
import { LESSONS, type LessonLive, type SectionKey, readLesson, slideAddress } from '../lessons/lessons.js';
import { JudgeController, evaluatorFor, judgeAvailability } from '../judge/judge-controller.js';
import { LONG_RUN_MS, formatDuration, formatElapsed } from '../pipeline/estimate.js';
import { LABELS, describeSettings, limitsOf, randomSeed } from '../pipeline/settings.js';
import type { LoadPhase, LoadedModel } from '../models/loader.js';
import type { PickedFile } from '../models/local-folder.js';
import { type ArchitecturePicture, traceArchitecture } from '../models/architecture.js';
import { SHORT_NAMES, parseBackendParam } from '../runtime/backends.js';
import { RuntimeController } from '../runtime/runtime-controller.js';
import { type SelfCheck, runSelfCheck } from '../runtime/self-check.js';
import './architecture-view.js';
import './backend-badge.js';
import { type ExportFormat, download } from './export-bar.js';
import './offline-panel.js';
import './own-model.js';
import './diffusion-viewer.js';
import './token-viewer.js';
import './family-compare.js';
import './spot-the-fake.js';
import './sweep-row.js';
import './latent-explorer.js';
import './interpolation-strip.js';
import './judge-panel.js';
import './federated-panel.js';
import './feedback-panel.js';
import './dp-variants.js';
import './glossary-list.js';
import './lesson-panel.js';
import './model-details.js';
import './model-picker.js';
import './progress-bar.js';
import './sample-controls.js';
import './sample-panels.js';
import './sample-view.js';

export type AppState = 'loading' | 'idle' | 'generating' | 'done' | 'error';

/** What each phase of a model load is doing, in words. */
const PHASES: Record<LoadPhase, string> = {
  card: 'reading its card',
  download: 'downloading the weights',
  verify: 'checking the weights',
  build: 'building the network',
  'warm-up': 'compiling its GPU programs (slow the first time)',
};

/**
 * How an AppRoot made for a view embedded in another page runs (src/embed/embed.ts): its state
 * from `query` (the site's own address form), not from the page's address, which it never
 * touches; only the sections in `show`; no header, lessons, glossary or offline panel.
 */
export interface EmbedOptions {
  query: string;
  show: readonly SectionKey[];
}

/** The options of the AppRoot being made by createEmbeddedApp (read by its constructor). */
let embedding: EmbedOptions | null = null;

/** An AppRoot for an embedded view; the caller puts it in the page. */
export function createEmbeddedApp(options: EmbedOptions): AppRoot {
  embedding = options;
  try {
    return document.createElement('msl-app');
  } finally {
    embedding = null;
  }
}

/**
 * The page's root: starts the compute runtime, then lets people pick a model, generate, set the
 * samples beside real ones and beside the other method's, and watch a sample being made. All the
 * working parts live in LabController; this element lays them out and forwards what people do.
 *
 * @attr state - loading, idle, generating, done or error, for people and for automation
 * @attr presenter - larger everything, fewer details (also `?presenter=1`)
 */
export class AppRoot extends LitElement {
  static override properties = {
    state: { reflect: true },
    presenter: { type: Boolean, reflect: true },
    check: { state: true },
  };

  declare state: AppState;
  declare presenter: boolean;
  declare check: SelfCheck | null;

  /** Set when this is an embedded view (createEmbeddedApp); read first, as the fields below start in order. */
  private readonly embed = embedding;
  private readonly request = parseBackendParam(this.embed ? this.embed.query : location.search);
  /**
   * The lesson and slide on show, from the address. Read before the lab is made (fields start in
   * order): a lesson's link that names no model is given its slide's state, which the lab opens.
   */
  private lesson = this.embed ? null : startLesson();
  /** The run made on each slide of the lesson in this visit, for the figures that compare slides. */
  private lessonRuns: (LabResult | null)[] = [];
  /** The model's noise prediction at a step of the watched sample, with the frames it is of (a new run's frames drop it). */
  private prediction: { frames: readonly unknown[]; view: ViewerPrediction } | null = null;
  private readonly predicting = new JobRunner();
  /**
   * The watched sample made again from a step (the step viewer's "re-run from here"): the run's
   * frames it branched from, the frames on show (the run's up to the step, the re-run's after it),
   * and what was changed, in words. A new run's frames drop it.
   */
  private branch: { source: readonly WatchFrame[]; from: number; frames: WatchFrame[]; what: string } | null = null;
  private readonly rerunning = new JobRunner();
  /** The forward-noising view's function, kept while its real sample and noise stay (a new one each render would redraw it). */
  private forwardCache: { sample: Float32Array; noise: Float32Array; show: (alphaBar: number) => { display: Float32Array; network: Float32Array } } | null = null;
  /** The newest run already filed under a slide: a run on screen from before a slide change is not the slide's. */
  private filed: LabResult | null = null;
  private readonly runtime = new RuntimeController(this, () => this.request.forced);
  private readonly lab = new LabController(this, this.embed ? { address: heldAddress(this.embed.query) } : {});
  /** Borrows lab.main.model while it audits: stopped before the lab frees or replaces it. */
  private readonly judge = new JudgeController(this);
  /** Its own models of every family of the chosen model's data, loaded when first run. */
  private readonly families = new FamilyCompare(this);
  /** Spot the fake: rounds dealt from the chosen model and real held-out samples. */
  private readonly game = new GameController(this);
  /** One seed, one knob, a row of values, with the chosen model. */
  private readonly sweep = new SweepController(this);
  /** A VAE's latent space mapped with real data. */
  private readonly latent = new LatentExplorer(this);
  /** The site and chosen models saved for offline use, on request. */
  private readonly offline = new OfflineController(this);
  /** Hospitals training together: the page's own small networks, trained here. */
  private readonly federated = new FederatedController(this);
  /** The bias feedback loop: generations of a small VAE, each trained on the one before's samples. */
  private readonly feedback = new FeedbackController(this);
  /** The training views' settings a link gave (?train=, ?loop=): the forms start from them. */
  private readonly trainingLink = {
    train: this.embed ? null : readTraining(location.search, 'train', DEFAULT_EXPERIMENT),
    loop: this.embed ? null : readTraining(location.search, 'loop', DEFAULT_FEEDBACK),
  };
  private checkedReport: unknown = null;
  private started = false;
  /** Set by the start button: the picker shows only the chosen model, so the run is in view. */
  private focusRun = false;
  /** Each model's traced network, made when its section first opens (a pass of one example). */
  private readonly pictures = new WeakMap<LoadedModel, { picture: ArchitecturePicture | null; message: string }>();
  /** Whether the full lab's "Inside the network" is open (a slide that shows it always is). */
  private networkOpen = false;
  /** Sections are numbered in the order they show, counted afresh each render. */
  private sectionCount = 0;

  constructor() {
    super();
    this.state = 'loading';
    this.presenter = false;
    this.check = null;
  }

  static override styles = css`
    :host { display: block; max-width: 72rem; margin: 0 auto; padding: 1rem 1.25rem 3rem;
      font-family: system-ui, sans-serif; line-height: 1.5; color: #1b1f24; }
    :host([presenter]) { max-width: none; font-size: 1.3rem; }
    :host([presenter]) .details, :host([presenter]) .compute, :host([presenter]) .own-model { display: none; }
    header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: flex-start; gap: 0.5rem 1rem; }
    h1 { font-size: 1.8em; margin: 0.2em 0; }
    .lede { color: #424a53; max-width: 44rem; margin-top: 0; }
    .top { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; }
    .runs-on { margin: 0; font-size: 0.92em; }
    .header-note { flex-basis: 100%; margin: 0; }
    .why { font-size: 0.92em; color: #424a53; }
    section { border: 1px solid #d0d7de; border-radius: 0.5rem; padding: 0.75rem 1rem; margin: 1rem 0; }
    h2 { font-size: 1.15em; margin: 0 0 0.5rem; }
    .heading-row { display: flex; align-items: baseline; margin: 0 0 0.5rem; }
    .heading-row h2 { margin: 0; }
    button { font: inherit; padding: 0.4rem 1rem; border-radius: 0.4rem; border: 1px solid #57606a; background: #fff;
      color: #1b1f24; cursor: pointer; }
    button.primary { background: #1d4f91; border-color: #1d4f91; color: #fff; font-weight: 600; }
    button[aria-pressed='true'] { background: #dbe7f7; border-color: #1d4f91; box-shadow: inset 0 2px 3px rgb(0 0 0 / 0.25); }
    button:disabled { opacity: 0.55; cursor: not-allowed; }
    button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid #1d4f91; outline-offset: 2px; }
    .run { display: flex; flex-wrap: wrap; gap: 0.6rem 1rem; align-items: center; margin-top: 0.5rem; }
    msl-progress { flex: 1 1 16rem; }
    .error { color: #a40e26; }
    .note { color: #7a4100; }
    a { color: #0b4fa8; }
    label.toggle { display: inline-flex; gap: 0.4rem; align-items: center; }
    .start { border-left: 4px solid #1d4f91; background: #f1f6fd; padding: 0.5rem 0.9rem; margin: 0 0 0.8rem; }
    .start p { margin: 0 0 0.4rem; }
    .lessons { margin: 0.2rem 0 0.4rem; padding-left: 1.4rem; }
    summary { cursor: pointer; }
    msl-lesson-panel { margin: 0.6rem 0 1rem; }
    /* a slide on a projector: the lesson beside what it is about, nothing to scroll on a wide screen */
    :host([presenter]) main.lesson { display: grid; grid-template-columns: minmax(18rem, 2fr) 3fr; gap: 0 1.2rem; align-items: start; }
    /* a long slide scrolls inside its panel, so its figures and Back / Next stay in reach beside the stage */
    :host([presenter]) main.lesson msl-lesson-panel { position: sticky; top: 0.5rem; margin: 0.6rem 0 0; max-height: calc(100vh - 1rem); overflow-y: auto; }
    :host([presenter]) main.lesson .stage section { margin-top: 0.6rem; }
    .estimate { display: flex; flex-wrap: wrap; gap: 0.4rem 0.8rem; align-items: center; }
    .estimate p { margin: 0; }
    .forming { margin: 0.5rem 0 0; display: flex; gap: 0.8rem; align-items: center; }
    .forming figcaption { color: #424a53; font-size: 0.92em; max-width: 24rem; }
    @media (max-width: 60rem) {
      :host([presenter]) main.lesson { display: block; }
    }
    @media (max-width: 40rem) {
      :host { padding: 0.5rem 0.6rem 2rem; }
      section { padding: 0.6rem; }
      h1 { font-size: 1.4em; }
    }
  `;

  protected override willUpdate(): void {
    const { status, report } = this.runtime;
    if (status === 'ready' && report !== this.checkedReport) {
      // A new backend (first start, or after a lost device): check that it computes.
      const recovered = this.checkedReport !== null;
      this.checkedReport = report;
      this.check = null;
      void runSelfCheck().then(
        (check) => {
          this.check = check;
          if (!check.ok) return;
          if (!this.started) {
            this.started = true;
            void this.lab.start();
          } else if (recovered) {
            // a new backend: every model on the old one is gone, the comparison's too
            // every part stops (and lets go of the old models) before the lab loads them again
            void Promise.all([this.families.clear(), this.game.cancel(), this.sweep.cancel(), this.latent.cancel(), this.predicting.cancel(), this.rerunning.cancel(), this.federated.cancel(), this.feedback.cancel()])
              .then(() => {
                this.game.clear();
                this.sweep.clear();
                this.latent.clear();
                return this.judge.reset();
              })
              .then(() => this.lab.reload());
          }
        },
        () => (this.check = { ok: false, maxError: NaN, ms: 0 }),
      );
    }
    this.presenter = this.lab.state.presenter;
    this.state = this.computeState();
    const result = this.lab.run.result;
    if (this.lesson && result && result !== this.filed) {
      this.filed = result;
      this.lessonRuns[this.lesson.slide] = result;
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onLessonKey);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('keydown', this.onLessonKey);
    super.disconnectedCallback();
  }

  /** A lesson's slides step with the arrow keys and a clicker's page keys, unless a field has them. */
  private readonly onLessonKey = (e: KeyboardEvent) => {
    if (!this.lesson || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const step = { ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 }[e.key];
    if (!step) return;
    const target = e.composedPath()[0];
    if (target instanceof HTMLElement && (target.closest('input, select, textarea, [contenteditable], [role="slider"]') || target.isContentEditable)) return;
    e.preventDefault();
    void this.goToSlide(this.lesson.slide + step);
  };

  /** Shows slide `index` of the lesson: whatever runs stops, and the slide's state opens and runs. */
  private async goToSlide(index: number): Promise<void> {
    const at = this.lesson;
    if (!at) return;
    const slide = Math.max(0, Math.min(at.lesson.slides.length - 1, index));
    if (slide === at.slide) return;
    this.lesson = { ...at, slide };
    this.filed = this.lab.run.result;
    this.requestUpdate();
    await Promise.all([
      this.lab.cancel(), this.families.cancel(), this.game.cancel(), this.judge.cancel(), this.sweep.cancel(), this.latent.cancel(), this.predicting.cancel(), this.rerunning.cancel(),
      this.federated.cancel(), this.feedback.cancel(),
    ]);
    const query = slideAddress(at.lesson, slide, location.search);
    if (new URLSearchParams(query).get('model') !== this.lab.state.model) {
      // another model: the judge, the game and the sweep let go of the old one first
      this.game.clear();
      this.sweep.clear();
      this.latent.clear();
      await this.judge.forget();
    }
    await this.lab.openAddress(query);
  }

  /** Whether a section is on screen: a lesson's slide shows only what it is about (the full lab is a link away). */
  private shows(part: SectionKey | 'models'): boolean {
    if (this.embed) return part !== 'models' && this.embed.show.includes(part);
    if (!this.lesson) return true;
    return part !== 'models' && (this.lesson.lesson.slides[this.lesson.slide]?.show ?? []).includes(part);
  }

  private computeState(): AppState {
    const { status } = this.runtime;
    const { main, partner, run } = this.lab;
    if (status === 'error' || this.check?.ok === false) return 'error';
    if (status !== 'ready' || !this.check || !this.lab.catalogued) return 'loading';
    if (main.status === 'loading' || partner.status === 'loading' || this.lab.opening) return 'loading';
    if (main.status === 'error' || run.status === 'error') return 'error';
    if (run.status === 'running') return 'generating';
    if (run.status === 'done') return 'done';
    return 'idle';
  }

  /** A numbered section heading with its glossary term one tap away. */
  private heading(id: string, title: string, term: string, label: string) {
    return html`<div class="heading-row"><h2 id=${id}>${this.section(title)}</h2><msl-explain term=${term} label=${label}></msl-explain></div>`;
  }

  /** The next section's number: sections come and go with the run, and the numbers never skip. */
  private section(title: string): string {
    this.sectionCount += 1;
    return `${this.sectionCount}. ${title}`;
  }

  override render() {
    this.sectionCount = 0;
    const { report, message, status } = this.runtime;
    const notice = [this.request.notice, message].filter(Boolean).join(' ') || null;
    const lab = this.lab;
    return html`
      ${this.embed ? this.renderEmbedTop(notice) : html`<header>
        <div>
          <h1>MedSynth Lab</h1>
          <p class="lede details">
            Small pretrained generative models of medical images and signals, running entirely on your own GPU.
            Nothing you do here leaves your browser. For teaching only: never for clinical use.
          </p>
        </div>
        <div class="top">
          <p class="runs-on" data-testid="runs-on">${report
            ? html`Runs on <strong>${report.label}</strong>${report.adapter ? html`, ${report.adapter.description}` : nothing}`
            : status === 'error' ? html`<span class="error">No compute backend could start (see Compute below).</span>`
            : 'Starting the compute backend…'}</p>
          <button type="button" data-testid="presenter" aria-pressed=${String(this.presenter)}
            @click=${() => lab.setPresenter(!this.presenter)}>Presenter mode</button>
        </div>
        ${report ? html`<p class="header-note why" data-testid="backend-reason">${report.reason}</p>` : nothing}
        ${notice ? html`<p class="note header-note">${notice}</p>` : nothing}
      </header>`}
      <main class=${this.lesson ? 'lesson' : ''}>
        ${this.renderLesson()}
        <div class="stage">
        ${this.shows('models') ? this.renderModels() : [this.renderProblems(), this.renderLoadError()]}
        ${lab.main.model && this.shows('run') ? this.renderRun() : nothing}
        ${this.renderResults()}
        ${lab.main.model && this.shows('network') ? this.renderNetwork(lab.main.model) : nothing}
        ${lab.main.model && this.shows('sweep') ? this.renderSweep() : nothing}
        ${lab.main.model && this.shows('latent') ? this.renderLatent() : nothing}
        ${lab.main.model && this.shows('families') ? this.renderFamilies() : nothing}
        ${lab.main.model && this.shows('game') ? this.renderGame() : nothing}
        ${lab.main.model && this.shows('judge') ? this.renderJudge() : nothing}
        ${this.shows('train') ? this.renderTrain() : nothing}
        ${this.shows('feedback') ? this.renderFeedback() : nothing}
        ${this.embed || (this.lesson && this.presenter) ? nothing : html`<section aria-labelledby="glossary-heading" data-testid="glossary">
          <h2 id="glossary-heading">Glossary and the maths</h2>
          <details>
            <summary>Every term the page uses, in plain words, with the update equations</summary>
            <msl-glossary .terms=${GLOSSARY}></msl-glossary>
          </details>
        </section>`}
        ${this.embed || (this.lesson && this.presenter) ? nothing : this.renderOffline()}
        ${this.embed ? nothing : html`<section class="compute" aria-labelledby="compute-heading">
          <h2 id="compute-heading">Compute</h2>
          <msl-backend-badge .report=${report} .message=${notice}></msl-backend-badge>
          ${this.check
            ? html`<p class="details" data-testid="self-check" data-ok=${String(this.check.ok)}>
                Self-check: a small convolution ${this.check.ok ? 'matches' : 'does not match'} the
                JavaScript answer (max error ${this.check.maxError.toExponential(1)}, ${this.check.ms.toFixed(0)} ms).
              </p>`
            : nothing}
          ${status === 'error' ? html`<p class="error" role="alert">${message}</p>` : nothing}
        </section>`}
        </div>
      </main>
    `;
  }

  /** An embedded view's one line at the top: what it runs on, that it is synthetic, and the site it comes from. */
  private renderEmbedTop(notice: string | null) {
    const { report, status, message } = this.runtime;
    return html`<p class="note embed-top" data-testid="runs-on">
      <a href=${siteUrl('./')} target="_blank" rel="noopener">MedSynth Lab</a>: synthetic data, for teaching only.
      ${report ? html`Runs on <strong>${report.label}</strong> in your browser; nothing leaves it.` : status === 'error' ? nothing : 'Starting the compute backend…'}
      ${notice && status !== 'error' ? notice : nothing}
      ${status === 'error' || this.check?.ok === false
        ? html`<span class="error" role="alert">${status === 'error' ? message : 'This device computes wrongly (the self-check failed); nothing is run.'}</span>`
        : nothing}
    </p>`;
  }

  /** The lesson's slide on show, with its live run's figures. */
  private renderLesson() {
    const at = this.lesson;
    if (!at) return nothing;
    const lab = this.lab;
    const run = this.lessonRuns[at.slide] ?? null;
    // the figures of the run on screen are this slide's only once a run was made on it
    const current = run !== null && run === lab.run.result;
    const live: LessonLive = {
      run: current ? run : null,
      seconds: lab.run.seconds,
      earlier: this.lessonRuns.slice(0, at.slide).map((r) => r ?? null),
      backend: this.runtime.report ? SHORT_NAMES[this.runtime.report.backend] : 'this device',
      real: current ? lab.realSamples() : null,
      card: lab.main.model?.card ?? null,
      game: this.game.roundScore,
      sweep: this.sweep.run.result?.model.id === lab.main.model?.card.id ? this.sweep.run.result : null,
      latent: this.latent.map && this.latent.map.modelId === lab.main.model?.card.id ? { map: this.latent.map, inspected: this.latent.inspected } : null,
      network: lab.main.model && at.lesson.slides[at.slide]?.show.includes('network') ? this.networkOf(lab.main.model).picture : null,
      judge: this.judge.view.model?.id === lab.main.model?.card.id
        ? { membership: this.judge.view.membership?.report ?? null, tstr: this.judge.view.tstr?.report ?? null }
        : { membership: null, tstr: null },
    };
    const slide = at.lesson.slides[at.slide]!;
    const waiting = lab.held ? `This slide's run would take ${formatDuration(lab.held.ms)} here: press Generate to run it, or make it smaller first.`
      : lab.running ? 'Running the slide…' : this.computeState() === 'loading' ? 'Loading the slide\'s model…' : '';
    const full = new URLSearchParams(location.search);
    full.delete('lesson');
    full.delete('slide');
    return html`<msl-lesson-panel data-testid="lesson" .lesson=${at.lesson} slide=${at.slide} ?presenter=${this.presenter}
      full-lab=${`?${full.toString().replace(/%2F/g, '/').replace(/%2C/g, ',')}`} keep=${keptParams(location.search)}
      .live=${slide.live?.(live) ?? []} waiting=${waiting}
      @msl-lesson-go=${(e: HTMLElementEventMap['msl-lesson-go']) => void this.goToSlide(e.slide)}></msl-lesson-panel>`;
  }

  /** Every family trained on the chosen model's data, side by side, where the data has more than one. */
  private renderFamilies() {
    const lab = this.lab;
    const summary = lab.summary;
    if (!summary) return nothing;
    const models = familiesOf(lab.models, summary.dataset);
    if (models.length < 2) return nothing;
    const f = this.families;
    const shown = f.made?.dataset === summary.dataset;
    const className = shown ? f.made!.className : summary.classes[lab.state.settings.classIndex] ?? '';
    const busy = this.busyReason('families');
    return html`<section aria-labelledby="families-heading">
      ${this.heading('families-heading', 'Every family on this data', 'families', 'the four families')}
      <msl-family-compare data-testid="family-compare" .rows=${shown ? f.rows : []} status=${shown ? f.status : 'idle'}
        .message=${shown ? f.message : null} class-name=${className} families=${models.length} ?disabled=${busy !== ''} reason=${busy}
        .scale=${this.presenter ? 1.6 : 1}
        @msl-family-run=${() => {
          if (this.busyReason('families')) return;
          const name = summary.classes[lab.state.settings.classIndex] ?? '';
          void this.families.run({ models, evaluator: evaluatorFor(summary.dataset), className: name, settings: lab.state.settings, shown: lab.methods });
        }}
        @msl-family-cancel=${() => void this.families.cancel()}></msl-family-compare>
    </section>`;
  }

  private renderJudge() {
    const model = this.lab.main.model;
    const can = judgeAvailability(model);
    // a lesson about the judge shows it in presenter mode too
    return html`<section class=${this.lesson ? '' : 'details'} aria-labelledby="judge-heading" data-testid="judge-section">
      ${this.heading('judge-heading', 'Judge the synthetic data', 'held-out', 'held-out data')}
      <msl-judge-panel data-testid="judge-panel" .view=${this.judge.view} .settings=${this.judge.settings}
        ?disabled=${!can.ok} disabled-reason=${can.reason} .method=${model && model.kind !== 'classifier' ? model.kind : null}
        ?busy=${this.busyReason('judge') !== ''}
        @msl-judge-run=${(e: HTMLElementEventMap['msl-judge-run']) => {
          if (!this.busyReason('judge')) void this.judge.audit(model, e.detail.settings);
        }}
        @msl-judge-train=${(e: HTMLElementEventMap['msl-judge-train']) => {
          if (!this.busyReason('judge')) void this.judge.usefulness(e.detail.settings);
        }}
        @msl-judge-membership=${() => {
          if (!this.busyReason('judge')) void this.judge.membership(model);
        }}
        @msl-judge-cancel=${() => void this.judge.cancel()}></msl-judge-panel>
      ${this.renderOwnData(model)}
      ${this.renderJudgeExport()}
    </section>`;
  }

  /** Hospitals training together: FedAvg, FedProx, pooled and alone, with DP-SGD on request. */
  private renderTrain() {
    const f = this.federated;
    const datasets = trainDatasets();
    if (!datasets.length) return nothing;
    const busy = this.busyReason('train') || (this.runtime.status === 'ready' ? '' : 'Waiting for the compute backend…');
    return html`<section class=${this.lesson ? '' : 'details'} aria-labelledby="train-heading" data-testid="train-section">
      ${this.heading('train-heading', 'Hospitals training together', 'federated', 'federated learning')}
      <msl-federated data-testid="federated" .datasets=${datasets} dataset-id=${f.dataset?.dataset ?? this.trainingLink.train?.dataset ?? 'pneumoniamnist'}
        .settings=${f.settings ?? this.trainingLink.train?.settings ?? DEFAULT_EXPERIMENT} status=${f.status} .message=${f.message} .hospitals=${f.hospitals}
        .rounds=${f.rounds} .membership=${f.membership} .toDisplay=${f.toDisplay} .shape=${f.shape} .secondsPerRound=${f.secondsPer}
        backend=${this.runtime.report?.label ?? ''} ?disabled=${busy !== ''} reason=${busy}
        @msl-federated-run=${(e: HTMLElementEventMap['msl-federated-run']) => {
          const dataset = datasets.find((d) => d.dataset === e.dataset);
          if (this.busyReason('train') || !dataset) return;
          this.linkTraining('train', e.dataset, e.settings);
          void f.start(dataset, e.settings);
        }}
        @msl-federated-control=${(e: HTMLElementEventMap['msl-federated-control']) => {
          if (e.action === 'pause') f.pause();
          else if (e.action === 'resume') f.resume();
          else void f.cancel();
        }}></msl-federated>
      ${this.embed ? nothing : this.renderDpVariants()}
    </section>`;
  }

  /** Beside the live run: the shipped generators trained in PyTorch with DP-SGD at several budgets and alike without it. */
  private renderDpVariants() {
    return privacyGroups(SHIPPED_MODELS).map((group) => {
      const budgets = group.filter((m) => m.privacy).map((m) => fmt(m.privacy!.epsilon, 2));
      return html`<h3 data-testid="dp-variants-heading">Without waiting: one ${methodName(group[0]!.method)} trained with DP-SGD at epsilon ${budgets.join(' and ')}, and without</h3>
        <msl-dp-variants .models=${group} @msl-model-select=${(e: HTMLElementEventMap['msl-model-select']) => {
          void this.pick(e.detail.id);
          this.renderRoot.querySelector('#models-heading')?.scrollIntoView({ block: 'start' });
        }}></msl-dp-variants>`;
    });
  }

  /** Puts a training run's settings in the address (not an embedded view's: the page's address is its own). */
  private linkTraining(param: TrainingParam, dataset: string, settings: Parameters<typeof writeTraining>[3]): void {
    if (this.embed) return;
    history.replaceState(history.state, '', `${location.pathname}${writeTraining(location.search, param, dataset, settings)}${location.hash}`);
  }

  /** The bias feedback loop, on its own small VAE. */
  private renderFeedback() {
    const f = this.feedback;
    const datasets = trainDatasets();
    if (!datasets.length) return nothing;
    const busy = this.busyReason('feedback') || (this.runtime.status === 'ready' ? '' : 'Waiting for the compute backend…');
    return html`<section class=${this.lesson ? '' : 'details'} aria-labelledby="feedback-heading" data-testid="feedback-section">
      ${this.heading('feedback-heading', 'Synthetic data feeding on itself', 'feedback-loop', 'the feedback loop')}
      <msl-feedback-loop data-testid="feedback" .datasets=${datasets} dataset-id=${f.dataset?.dataset ?? this.trainingLink.loop?.dataset ?? 'mitbih'}
        .settings=${f.settings ?? this.trainingLink.loop?.settings ?? DEFAULT_FEEDBACK} status=${f.status} .message=${f.message} .generations=${f.generations}
        .toDisplay=${f.toDisplay} .shape=${f.shape} .secondsPer=${f.secondsPer} ?disabled=${busy !== ''} reason=${busy}
        @msl-feedback-run=${(e: HTMLElementEventMap['msl-feedback-run']) => {
          const dataset = datasets.find((d) => d.dataset === e.dataset);
          if (this.busyReason('feedback') || !dataset) return;
          this.linkTraining('loop', e.dataset, e.settings);
          void f.start(dataset, e.settings);
        }}
        @msl-feedback-control=${(e: HTMLElementEventMap['msl-feedback-control']) => {
          if (e.action === 'pause') f.pause();
          else if (e.action === 'resume') f.resume();
          else void f.cancel();
        }}></msl-feedback-loop>
    </section>`;
  }

  /** The judge against the person's own real data: a MedMNIST-form .npz, read here. */
  private renderOwnData(model: LoadedModel | null) {
    const own = this.judge.own;
    const busy = this.judge.running;
    return html`<details class="own-data" data-testid="own-data" ?open=${own !== null}>
      <summary>Judge against your own real data (.npz)</summary>
      <p class="note">A MedMNIST-form <code>.npz</code> for a model of the same image shape and classes: <code>test_images</code> and
        <code>test_labels</code> stand for the held-out data, <code>train_images</code> and <code>train_labels</code> (if any) for the
        training data that the memorisation audit and the membership test look for. It is read in this tab; nothing is uploaded.</p>
      <label>Your file <input type="file" accept=".npz" data-testid="own-data-file" ?disabled=${busy}
        @change=${(e: Event) => {
          const input = e.target as HTMLInputElement;
          const file = input.files?.[0];
          input.value = '';
          if (file) void this.judge.useOwnData(file, file.name, model);
        }} /></label>
      ${own?.reference ? html`<button type="button" data-testid="own-data-drop" ?disabled=${busy} @click=${() => void this.judge.dropOwnData()}>Use the site's data again</button>` : nothing}
      ${own ? html`<p class=${own.error ? 'error' : 'note'} role=${own.error ? 'alert' : 'status'} data-testid="own-data-status">${own.message}</p>` : nothing}
    </details>`;
  }

  /** Saving the site and chosen models in this browser, for a room without a network. */
  private renderOffline() {
    const o = this.offline;
    const m = o.manifest;
    const bytes = (files: readonly { bytes: number }[] | undefined) => (files ?? []).reduce((n, f) => n + f.bytes, 0);
    // a generator comes with what its data needs: the real samples, and the judge's evaluator and feature extractor
    const judgeModels = (dataset: string) => this.lab.models.filter((s) => !isGenerator(s) && (s.dataset === dataset || s.featuresFor?.includes(dataset)));
    const withData = (ids: ReadonlySet<string>) => this.lab.models.filter((s) => ids.has(s.id)).flatMap((s) => [s, ...judgeModels(s.dataset)]);
    const choices = m ? this.lab.models.filter((s) => isGenerator(s) && m.models[s.id]).map((s) => ({
      id: s.id, name: s.name, dataset: s.dataset, modelBytes: bytes(m.models[s.id]),
      dataBytes: bytes(m.reference[s.dataset]) + judgeModels(s.dataset).reduce((n, j) => n + bytes(m.models[j.id]), 0),
    })) : [];
    return html`<section aria-labelledby="offline-heading" data-testid="offline">
      <h2 id="offline-heading">Use it offline</h2>
      <details>
        <summary>Save the site and chosen models in this browser, for a room without a network</summary>
        <msl-offline-panel .choices=${choices} .saved=${o.saved} ?site-saved=${o.siteSaved} site-bytes=${bytes(m?.site)}
          .progress=${o.progress} status=${o.status} message=${o.message} current=${this.lab.state.model ?? ''}
          @msl-offline-save=${(e: HTMLElementEventMap['msl-offline-save']) => {
            void o.save(withData(new Set(e.ids)), e.ids.length);
          }}
          @msl-offline-cancel=${() => o.cancel()} @msl-offline-clear=${() => void o.clear()}></msl-offline-panel>
      </details>
    </section>`;
  }

  /** The judge's figures as JSON, once it has measured any. */
  private renderJudgeExport() {
    const v = this.judge.view;
    const measured = v.fidelity !== null || v.memorisation !== null || v.tstr?.report || v.membership?.report;
    if (!measured || this.judge.running) return nothing;
    return html`<p><button type="button" data-testid="export-judge" @click=${() => {
      const card = this.lab.main.model?.card.id === v.model?.id ? this.lab.main.model!.card : null;
      download(judgeJson(v, this.judge.settings, __MSL_SITE__, new Date(), card), `medsynth-judge-${v.model?.id ?? 'model'}.json`, 'application/json');
    }}>Download the judge's figures (JSON)</button></p>`;
  }

  /** The run's samples as a file, with their provenance (src/export/exports.ts). */
  private exportSamples(result: LabResult, format: ExportFormat): void {
    const model = [this.lab.main.model, this.lab.partner.model].find((m) => m?.card.id === result.main.model.id);
    if (!model) return;
    const { card } = model;
    const out = result.main;
    const p = provenanceOf(card, result.settings, result.link, __MSL_SITE__, new Date());
    const name = baseName(p);
    const rate = card.signal?.sampleRateHz ?? 360;
    const beatWindow = { sampleRateHz: rate, before: card.signal?.window?.before ?? 0 };
    const shown = Math.min(this.lab.state.selected ?? 0, out.samples.length - 1);
    try {
      switch (format) {
        case 'grid-png': return download(gridPng(out.samples, out.shape, p), `${name}.png`, 'image/png');
        case 'sample-png': return download(samplePng(out.samples[shown]!, out.shape, p, shown), `${name}-${shown + 1}.png`, 'image/png');
        case 'npz': return download(samplesNpz(out.samples, out.shape, result.settings.classIndex, p), `${name}.npz`, 'application/octet-stream');
        case 'csv': return download(beatsCsv(out.samples, beatWindow, p), `${name}.csv`, 'text/csv');
        case 'wfdb': return download(beatsWfdb(out.samples, beatWindow, p), `${name}-wfdb.zip`, 'application/zip');
      }
    } catch (error) {
      this.lab.problems = [...this.lab.problems, `Could not export the samples: ${(error as Error).message}`];
      this.requestUpdate();
    }
  }

  /** What went wrong with the address or a request to a model, in the models section (or, where a slide hides it, above the slide's sections). */
  private renderProblems() {
    return this.lab.problems.map((p) => html`<p class="note" role="alert" data-testid="problem">${p}</p>`);
  }

  private renderLoadError() {
    const error = this.lab.main.error;
    return error ? html`<p class="error" role="alert" data-testid="load-error">${error}</p>` : nothing;
  }

  private renderModels() {
    const lab = this.lab;
    const slot = lab.main;
    const progress = slot.progress;
    return html`
      <section aria-labelledby="models-heading">
        ${this.heading('models-heading', 'Pick a model', 'families', 'the four families')}
        ${this.renderProblems()}
        ${this.renderStart()}
        <msl-model-picker data-testid="model-picker" .models=${lab.models} .selected=${lab.state.model} ?compact=${this.presenter}
          ?collapsed=${this.presenter || this.focusRun} .suggested=${suggestedStart(lab.models)}
          @msl-model-select=${(e: HTMLElementEventMap['msl-model-select']) => void this.pick(e.detail.id)}></msl-model-picker>
        ${progress && slot.summary
          ? html`<msl-progress data-testid="load-progress" label="Loading ${slot.summary.name}: ${PHASES[progress.phase]}"
              .value=${progress.loaded} .max=${progress.total}
              detail="${formatBytes(progress.loaded)} of ${formatBytes(progress.total)}"></msl-progress>`
          : nothing}
        ${this.renderLoadError()}
        ${lab.partner.error ? html`<p class="error" role="alert">${lab.partner.error}</p>` : nothing}
        <details class="own-model" data-testid="own-model" ?open=${lab.own.status !== 'idle'}>
          <summary>Your own model, from your disk</summary>
          <msl-own-model status=${lab.own.status} message=${lab.own.message}
            @msl-own-model=${(e: HTMLElementEventMap['msl-own-model']) => void this.openOwn(e.files)}></msl-own-model>
        </details>
        <msl-model-details class="details" .card=${slot.model?.card ?? null}></msl-model-details>
      </section>
    `;
  }

  /** Checks a model folder from disk and, when it passes, opens it. */
  private async openOwn(files: PickedFile[]): Promise<void> {
    const id = await this.lab.openOwn(files);
    if (id) await this.pick(id);
  }

  /** Opens a model (the judge and the game let go of the old one first). */
  private async pick(id: string): Promise<void> {
    await Promise.all([this.game.cancel(), this.sweep.cancel(), this.latent.cancel(), this.predicting.cancel(), this.rerunning.cancel()]);
    this.game.clear();
    this.sweep.clear();
    this.latent.clear();
    await this.judge.forget();
    await this.lab.select(id);
  }

  /**
   * Why `part` of the page cannot use the GPU now ('' when it can): one computation at a time,
   * whichever started first.
   */
  private busyReason(part: 'families' | 'game' | 'judge' | 'sweep' | 'latent' | 'train' | 'feedback'): string {
    if (this.lab.running) return 'Wait for the run above to finish.';
    if (this.lab.opening && part !== 'train' && part !== 'feedback') return 'Wait for the model to load.';
    if (part !== 'train' && this.federated.running) return 'Wait for the hospitals\' training to finish.';
    if (part !== 'feedback' && this.feedback.running) return 'Wait for the feedback loop to finish.';
    if (part !== 'judge' && this.judge.running) return 'Wait for the judge to finish.';
    if (part !== 'families' && this.families.running) return 'Wait for the family comparison to finish.';
    if (part !== 'game' && this.game.running) return 'Wait for the game to deal its round.';
    if (part !== 'sweep' && this.sweep.running) return 'Wait for the row of values to finish.';
    if (part !== 'latent' && this.latent.running) return 'Wait for the latent map to finish.';
    return '';
  }

  /** `model`'s network traced, once per model. */
  private networkOf(model: LoadedModel): { picture: ArchitecturePicture | null; message: string } {
    let traced = this.pictures.get(model);
    if (!traced) {
      try {
        traced = { picture: traceArchitecture(model), message: '' };
      } catch (error) {
        traced = { picture: null, message: `Could not trace the network: ${(error as Error).message}` };
      }
      this.pictures.set(model, traced);
    }
    return traced;
  }

  /** The chosen model's network, stage by stage with its shapes: open on a slide, folded in the full lab. */
  private renderNetwork(model: LoadedModel) {
    const open = this.lesson !== null || this.networkOpen;
    const traced = open ? this.networkOf(model) : undefined;
    const view = html`<msl-architecture data-testid="architecture" .picture=${traced?.picture ?? null} message=${traced?.message ?? ''}></msl-architecture>`;
    return html`<section aria-labelledby="network-heading">
      ${this.heading('network-heading', 'Inside the network', 'architecture', 'the network')}
      ${this.lesson ? view : html`<details ?open=${this.networkOpen} @toggle=${(e: Event) => {
        this.networkOpen = (e.target as HTMLDetailsElement).open;
        this.requestUpdate();
      }}><summary>Stage by stage, with the shape of one example at each: ${model.card.id} (${methodName(model.card.method)})</summary>${open ? view : nothing}</details>`}
    </section>`;
  }

  /** A VAE's latent space, mapped with real held-out samples of its data. */
  private renderLatent() {
    const lab = this.lab;
    const model = lab.main.model;
    if (model?.kind !== 'vae') return nothing;
    const x = this.latent;
    const reference = lab.reference;
    const shown = x.map?.modelId === model.card.id;
    const busy = this.busyReason('latent')
      || (reference.status === 'ready' ? '' : reference.status === 'missing' || reference.status === 'error' ? reference.message : 'Reading the real samples…');
    const card = model.card;
    const rate = card.signal?.sampleRateHz ?? 360;
    return html`<section aria-labelledby="latent-heading">
      ${this.heading('latent-heading', 'Inside the latent space, with real data', 'latent-map', 'the latent map')}
      <msl-latent-explorer data-testid="latent" .map=${shown ? x.map : null} .under=${shown ? x.under : null} .inspected=${shown ? x.inspected : null}
        .classNames=${card.classes} class-name=${card.classes[lab.state.settings.classIndex] ?? ''} .shape=${card.architecture.inputShape}
        .sampleRateHz=${rate} .startMs=${windowStartMs(card.signal?.window, rate)} status=${x.build.status} .message=${x.build.message}
        ?disabled=${busy !== ''} reason=${busy} .scale=${this.presenter ? 1.6 : 1}
        @msl-latent-map=${() => {
          if (this.busyReason('latent') || reference.status !== 'ready') return;
          const pack = reference.pack;
          void x.start(model, { samples: pack.samples, labels: pack.labels, classNames: pack.index.classes });
        }}
        @msl-latent-point=${(e: HTMLElementEventMap['msl-latent-point']) => {
          if (!this.busyReason('latent')) void x.decodeAt(model, e.point, lab.state.settings.classIndex);
        }}
        @msl-latent-choose=${(e: HTMLElementEventMap['msl-latent-choose']) => {
          if (!this.busyReason('latent')) void x.inspect(model, e.index);
        }}></msl-latent-explorer>
    </section>`;
  }

  /** One seed, one knob, a row of values: the chosen model at the settings on screen. */
  private renderSweep() {
    const model = this.lab.main.model;
    if (!model || model.kind === 'classifier') return nothing;
    const run = this.sweep.run;
    const shown = run.result?.model.id === model.card.id ? run.result : null;
    const busy = this.busyReason('sweep');
    const slideKnob = this.lesson?.lesson.slides[this.lesson.slide]?.sweep;
    return html`<section aria-labelledby="sweep-heading">
      ${this.heading('sweep-heading', 'One seed, a row of values', 'seed', 'the seed')}
      <msl-sweep-row data-testid="sweep" .knobs=${SWEEP_KNOBS[model.kind]} knob=${slideKnob ?? this.sweep.knob ?? ''} .result=${shown}
        status=${run.status} .message=${run.message} .progress=${run.progress} ?disabled=${busy !== ''} reason=${busy}
        .scale=${this.presenter ? 1.6 : 1}
        @msl-sweep-run=${(e: HTMLElementEventMap['msl-sweep-run']) => {
          if (!this.busyReason('sweep')) void this.sweep.start(model, this.lab.state.settings, e.knob);
        }}
        @msl-sweep-cancel=${() => void this.sweep.cancel()}></msl-sweep-row>
    </section>`;
  }

  /** Spot the fake with the chosen model, at the settings on screen, against its data's real held-out samples. */
  private renderGame() {
    const lab = this.lab;
    const model = lab.main.model;
    if (!model || model.kind === 'classifier') return nothing;
    const g = this.game;
    const reference = lab.reference;
    const busy = this.busyReason('game')
      || (reference.status === 'ready' ? '' : reference.status === 'missing' || reference.status === 'error' ? reference.message : 'Reading the real samples…');
    return html`<section aria-labelledby="game-heading">
      ${this.heading('game-heading', 'Spot the fake', 'visual-turing', 'spot the fake')}
      <msl-spot-the-fake data-testid="game" .round=${g.round} .answers=${g.answers} .position=${g.position}
        .roundScore=${g.roundScore} .modelScore=${g.modelScore} status=${g.dealing.status} .message=${g.dealing.message}
        .progress=${g.dealing.progress} size=${g.size} model-name=${model.card.name} ?disabled=${busy !== ''} reason=${busy}
        .scale=${this.presenter ? 1.6 : 1}
        @msl-game-deal=${(e: HTMLElementEventMap['msl-game-deal']) => {
          if (this.busyReason('game') || reference.status !== 'ready') return;
          void g.deal(model, reference.pack, lab.state.settings, randomSeed(), e.size);
        }}
        @msl-game-answer=${(e: HTMLElementEventMap['msl-game-answer']) => g.answer(e.source)}
        @msl-game-goto=${(e: HTMLElementEventMap['msl-game-goto']) => g.goTo(e.index)}
        @msl-game-cancel=${() => void g.cancel()}></msl-spot-the-fake>
    </section>`;
  }

  /**
   * Before any model is picked: one button to a first sample forming on screen, with the suggested
   * model at its card's defaults.
   */
  private renderStart() {
    const lab = this.lab;
    const id = suggestedStart(lab.models);
    const model = lab.models.find((m) => m.id === id);
    if (lab.state.model || !model || !lab.catalogued) return nothing;
    return html`<div class="start" data-testid="start">
      <p>New here? Start with <strong>${model.name}</strong>: it turns noise into ${model.modality} samples step by step, on this device.</p>
      <button class="primary" type="button" data-testid="start-button" ?disabled=${this.state === 'loading' && this.runtime.status !== 'ready'}
        @click=${() => void this.start(model.id)}>Make my first samples</button>
      <p>Or follow a lesson, each on the real models, live${this.presenter ? '' : ' (add presenter mode for a room)'}:</p>
      <ol class="lessons" data-testid="lesson-list">
        ${LESSONS.map((l) => html`<li><a href="?lesson=${l.id}${this.presenter ? '&presenter=1' : ''}">${l.title}</a>: ${l.summary}</li>`)}
      </ol>
    </div>`;
  }

  /** The start button: the model, then its run at once, in view, with the sample forming. */
  private async start(id: string): Promise<void> {
    this.focusRun = true;
    await this.pick(id);
    await this.updateComplete;
    this.renderRoot.querySelector('[data-testid="settings"]')?.scrollIntoView({ block: 'start', behavior: 'smooth' });
    this.generate();
  }

  /** One run at a time on the GPU: not while generating, loading, or while the judge audits or trains. */
  private get canGenerate(): boolean {
    return !this.lab.running && this.othersIdle;
  }

  /** Nothing but the lab wants the GPU, and no model is loading. */
  private get othersIdle(): boolean {
    // computed afresh: right after a load, `state` is still the one of the last render
    return !this.judge.running && !this.game.running && !this.sweep.running && !this.latent.running
      && !this.families.running && !this.predicting.running && !this.rerunning.running && this.computeState() !== 'loading';
  }

  /** Generate, by the button or by Enter in a field. */
  private generate(): void {
    if (this.canGenerate) void this.lab.generate();
  }

  /** After a live edit: the lab runs it now, or right after its run in flight (lab.generateLive). */
  private generateLive(): void {
    if (this.othersIdle) this.lab.generateLive();
  }

  private renderRun() {
    const lab = this.lab;
    const card = lab.main.model!.card;
    const limits = limitsOf(lab.partner.model?.kind === 'ddpm' ? lab.partner.model.card : card);
    const run = lab.run;
    const p = run.progress;
    const running = lab.running;
    const speed = p?.stepsPerSecond ? `, ${p.stepsPerSecond.toFixed(p.stepsPerSecond < 10 ? 2 : 0)} steps/s` : '';
    const partner = lab.partnerSummary;
    const controls = html`<msl-sample-controls .settings=${lab.state.settings} .classes=${card.classes} .methods=${lab.methods}
        .maxSteps=${limits.trainingSteps} ?guidable=${limits.guidable} .notes=${lab.notes} ?compact=${this.presenter}
        ?disabled=${running && !lab.live} ?live=${lab.live}
        @msl-setting-change=${(e: HTMLElementEventMap['msl-setting-change']) => {
          lab.update(e.detail.field, e.detail.value, { live: e.detail.live });
          if (e.detail.live) this.generateLive();
        }}
        @msl-new-seed=${(e: HTMLElementEventMap['msl-new-seed']) => {
          lab.newSeed({ live: e.live });
          if (e.live) this.generateLive();
        }} @msl-generate=${() => this.generate()}></msl-sample-controls>
      <label class="toggle">
        <input type="checkbox" data-testid="compare" .checked=${lab.state.compare} ?disabled=${!partner || running}
          @change=${(e: Event) => void lab.setCompare((e.target as HTMLInputElement).checked)} />
        ${partner ? html`Also run ${partner.name}, with the same class and seed` : 'No model of the other method is trained on this data'}
      </label>`;
    return html`
      <section aria-labelledby="settings-heading" data-testid="settings" data-model=${card.id}>
        ${this.heading('settings-heading', 'Set up and generate', 'seed', 'the seed')}
        ${this.presenter && this.lesson
          // a slide in front of a room: its settings in a line, the form a click away, so the samples stay in view
          ? html`<details data-testid="slide-settings"><summary>${describeSettings(lab.state.settings, lab.methods, card.classes)}
              <span class="note">(open to change them)</span></summary>${controls}</details>`
          : controls}
        <div class="run">
          <button class="primary" type="button" data-testid="generate" ?disabled=${!this.canGenerate}
            @click=${() => this.generate()}>Generate</button>
          <button type="button" data-testid="cancel" ?disabled=${!running} @click=${() => void lab.cancel()}>Cancel</button>
          ${this.judge.running ? html`<span class="note" data-testid="generate-waits">Generate waits for the judge to finish.</span>` : nothing}
          <msl-progress data-testid="progress" label=${running ? 'Generating' : 'Last run'} .value=${p?.done ?? 0}
            .max=${p?.total ?? 0} ?idle=${!p} detail=${p ? `step ${p.done} of ${p.total}${speed}` : 'not run yet'}></msl-progress>
        </div>
        ${running && !lab.liveRunning ? this.renderForming() : this.renderEstimate()}
        <p role="status" data-testid="run-status" class=${run.status === 'error' ? 'error' : run.status === 'cancelled' ? 'note' : ''}>
          ${run.message ?? (run.status === 'done' && run.result
            ? html`Made ${plural(run.result.main.samples.length, 'sample')} in ${formatElapsed(1000 * run.seconds)}.
                <a data-testid="permalink" href=${siteUrl(run.result.link || '?')}>Link to exactly these samples</a>`
            : nothing)}
        </p>
      </section>
    `;
  }

  /** The watched sample forming, while a diffusion run goes: its predicted clean sample at the latest step. */
  private renderForming() {
    const p = this.lab.run.progress;
    // the model whose run is going now: the main one first, then the partner (the preview is the running one's)
    const stepped = [this.lab.main.model, this.lab.state.compare ? this.lab.partner.model : null]
      .find((m) => m?.kind === 'ddpm' || m?.kind === 'ar');
    if (!p?.preview || !stepped) return nothing;
    const shape = stepped.card.architecture.inputShape;
    const what = stepped.kind === 'ar'
      ? `decoded from its first ${p.done} token${p.done === 1 ? '' : 's'}`
      : `the model's guess of the finished sample after step ${p.done}`;
    return html`<figure class="forming" data-testid="forming">
      <msl-sample-view .values=${p.preview} .shape=${shape} size=${viewWidth(shape, { image: 112, signal: 240 }, this.presenter ? 1.6 : 1)}
        label="sample ${this.lab.state.watch + 1} forming"></msl-sample-view>
      <figcaption>Sample ${this.lab.state.watch + 1} forming: ${what}.</figcaption>
    </figure>`;
  }

  /**
   * About how long Generate will take here, from passes timed on this device; before a long run,
   * smaller settings that come back quickly, and the automatic backend where one was forced.
   */
  private renderEstimate() {
    const lab = this.lab;
    const ms = lab.estimate;
    const model = lab.main.model;
    if (ms === null || !model) return nothing;
    const backend = this.runtime.report ? SHORT_NAMES[this.runtime.report.backend] : 'this backend';
    const long = ms > LONG_RUN_MS;
    const quicker = lab.quicker;
    const held = lab.held;
    return html`<div class=${long ? 'estimate long' : 'estimate'} data-testid="estimate" data-ms=${Math.round(ms)}>
      ${held
        ? html`<p class="note" role="status" data-testid="held">This link's run was not started: it would take ${formatDuration(held.ms)} on ${backend} here.
            Press Generate to run it as it is, or make it smaller first.</p>`
        : html`<p class=${long ? 'note' : 'why'}>Generate takes ${formatDuration(ms)} on ${backend} here (measured on this device).</p>`}
      ${quicker?.steps
        ? html`<button type="button" data-testid="fewer-steps" @click=${() => lab.update('steps', quicker.steps)}>Use ${quicker.steps} steps</button>`
        : nothing}
      ${quicker?.count
        ? html`<button type="button" data-testid="fewer-samples" @click=${() => lab.update('count', quicker.count)}>Make ${plural(quicker.count, 'sample')}</button>`
        : nothing}
      ${long && this.request.forced
        ? html`<a data-testid="automatic-backend" href=${withoutBackend(location.href)}>Let the site pick the fastest backend for this device</a>`
        : nothing}
    </div>`;
  }

  private renderResults() {
    const lab = this.lab;
    const result = lab.run.result;
    if (!result) return nothing;
    const scale = this.presenter ? 1.6 : 1;
    const className = lab.summary?.classes[result.settings.classIndex] ?? '';
    const outputs = [result.main, result.partner].filter((o): o is ModelOutput => o !== null);
    const diffusion = outputs.find((o) => o.method === 'ddpm');
    const tokens = outputs.find((o) => o.method === 'ar');
    // the model with a latent space to walk (VAE or GAN)
    const latent = outputs.find((o) => o.method === 'vae' || o.method === 'gan');
    // a compare shows the other family first, diffusion second
    const other = outputs.find((o) => o.method !== 'ddpm');
    const reference = lab.reference;
    return html`
      ${this.shows('samples') ? html`<section aria-labelledby="samples-heading">
        ${this.heading('samples-heading', 'Synthetic and real, side by side', 'held-out', 'held-out data')}
        <msl-samples-vs-real .output=${result.main} .real=${lab.realSamples()}
          real-message=${reference.status === 'missing' || reference.status === 'error' ? reference.message : ''}
          class-name=${className} .selected=${lab.state.selected} .scale=${scale}
          @msl-sample-select=${(e: HTMLElementEventMap['msl-sample-select']) => lab.setView({ selected: e.detail.index })}></msl-samples-vs-real>
        ${this.presenter ? nothing : html`<msl-export-bar data-testid="export" kind=${isImage(result.main.shape) ? 'image' : 'signal'}
          sample=${(lab.state.selected ?? 0) + 1} ?disabled=${lab.running}
          @msl-export=${(e: HTMLElementEventMap['msl-export']) => this.exportSamples(result, e.format)}></msl-export-bar>`}
      </section>` : nothing}
      ${diffusion && this.shows('watch') ? this.renderViewer(diffusion, result.watch, scale) : nothing}
      ${tokens && this.shows('tokens') ? this.renderTokenViewer(tokens, result.watch, scale) : nothing}
      ${latent && lab.path.length && this.shows('path')
        ? html`<section aria-labelledby="path-heading">
            ${this.heading('path-heading', `Walk through the ${methodName(latent.method)}'s latent space`, METHOD_TERM[latent.method], 'the latent space')}
            <msl-interpolation-strip data-testid="interpolation" .samples=${lab.path} .shape=${latent.shape}
              .sampleRateHz=${latent.sampleRateHz} .startMs=${windowStartMs(latent.window, latent.sampleRateHz)}
              .range=${isImage(latent.shape) ? null : voltRange(lab.path)} .path=${lab.state.path}
              .count=${latent.samples.length} .size=${viewWidth(latent.shape, { image: 84, signal: 120 }, scale)}
              @msl-path-change=${(e: HTMLElementEventMap['msl-path-change']) => void lab.setPath(e.detail)}></msl-interpolation-strip>
          </section>`
        : nothing}
      ${outputs.length === 2 && other && diffusion && this.shows('compare')
        ? html`<section aria-labelledby="compare-heading">
            ${this.heading('compare-heading', `${methodName(other.method)} and diffusion, same class, same seed`, 'diffusion', 'diffusion')}
            <msl-method-compare .outputs=${[other, diffusion]} class-name=${className} .scale=${scale}></msl-method-compare>
          </section>`
        : nothing}
    `;
  }

  private renderTokenViewer(out: ModelOutput, watch: number, scale: number) {
    const lab = this.lab;
    const model = [lab.main.model, lab.partner.model].find((m) => m?.card.id === out.model.id);
    if (model?.kind !== 'ar' || !out.tokenFrames?.length) return nothing;
    return html`
      <section aria-labelledby="tokens-heading">
        ${this.heading('tokens-heading', `Watch sample ${watch + 1} being made, token by token`, 'transformer', 'the transformer')}
        <msl-token-viewer data-testid="token-viewer" .frames=${out.tokenFrames} .tokenShape=${model.net.tokenShape}
          .codebookSize=${model.net.architecture.codebookSize} .shape=${out.shape} .sampleRateHz=${out.sampleRateHz}
          .startMs=${windowStartMs(out.window, out.sampleRateHz)}
          .range=${isImage(out.shape) ? null : voltRange(out.tokenFrames.map((f) => f.partial))}
          .position=${lab.state.frame} .watch=${watch} .count=${out.samples.length}
          .size=${viewWidth(out.shape, { image: 196, signal: 360 }, scale)}
          @msl-frame-change=${(e: HTMLElementEventMap['msl-frame-change']) => lab.setView({ frame: e.detail.frame })}
          @msl-watch-change=${(e: HTMLElementEventMap['msl-watch-change']) => lab.setView({ watch: e.detail.watch })}></msl-token-viewer>
      </section>
    `;
  }

  /**
   * A real held-out sample of the run's class (the one set beside the watched sample), noised to a
   * level with the watched sample's own starting noise: x_t had the run been heading for it.
   */
  private forwardOf(out: ModelOutput, watch: number): ((alphaBar: number) => { display: Float32Array; network: Float32Array }) | null {
    const real = this.lab.realSamples();
    const model = [this.lab.main.model, this.lab.partner.model].find((m) => m?.card.id === out.model.id);
    const sample = real?.[Math.min(watch, real.length - 1)];
    if (!sample || !out.watchNoise || !model || sample.length !== out.watchNoise.length) return null;
    if (this.forwardCache?.sample !== sample || this.forwardCache.noise !== out.watchNoise) {
      const { toDisplay, toNetwork } = scalingOf(model.card);
      const clean = toNetwork(sample);
      const noise = out.watchNoise;
      this.forwardCache = {
        sample, noise,
        show: (alphaBar) => {
          const network = noiseTo(clean, noise, alphaBar);
          return { display: toDisplay(network), network };
        },
      };
    }
    return this.forwardCache.show;
  }

  /** Whether the step viewer's model can be asked about a step now: it learned a "no class" label, and nothing else runs. */
  private canPredict(out: ModelOutput): boolean {
    const model = [this.lab.main.model, this.lab.partner.model].find((m) => m?.card.id === out.model.id);
    return model?.kind === 'ddpm' && isGuidable(model.card) && !this.busyReason('judge') && !this.judge.running;
  }

  /** Asks the diffusion model about frame `frame` of the watched sample again: its noise prediction, guided and the guidance difference. */
  private async predict(out: ModelOutput, frame: number): Promise<void> {
    const model = [this.lab.main.model, this.lab.partner.model].find((m) => m?.card.id === out.model.id);
    const frames = this.shownFrames(out);
    const at = frames[frame];
    const result = this.lab.run.result;
    if (model?.kind !== 'ddpm' || !at || at.timestep === null || !result || !this.canPredict(out)) return;
    const { settings } = result;
    const outcome = await this.predicting.start(() => predictNoiseAt(model, at.xtNetwork, at.timestep!, settings.classIndex, settings.guidance));
    if (outcome.status === 'failed') {
      this.lab.problems = [...this.lab.problems, `The model could not be asked about step ${frame + 1}: ${(outcome.error as Error).message}`];
    }
    if (outcome.status !== 'done') return;
    const p = outcome.value;
    const image = isImage(out.shape);
    const { toDisplay } = scalingOf(model.card);
    const bound = Math.max(1e-6, ...Array.from(p.difference, Math.abs));
    this.prediction = {
      frames,
      view: {
        frame, guidance: settings.guidance,
        guided: image ? symmetricToLevels(p.guided, 3) : toDisplay(p.guided),
        difference: image ? symmetricToLevels(p.difference, bound) : toDisplay(p.difference),
        guidedScale: image ? 'grey from −3 (black) to 3 (white)' : 'in mV',
        differenceScale: image ? `grey from −${bound.toPrecision(2)} to ${bound.toPrecision(2)}, its largest value` : 'in mV',
      },
    };
    this.requestUpdate();
  }

  /** The frames the step viewer shows: the run's, or a re-run's from one of its steps. */
  private shownFrames(out: ModelOutput): readonly WatchFrame[] {
    return this.branch?.source === out.frames ? this.branch.frames : out.frames;
  }

  /** Whether the watched sample can be made again from a step now: a diffusion model, and nothing else runs. */
  private canRerun(out: ModelOutput): boolean {
    const model = [this.lab.main.model, this.lab.partner.model].find((m) => m?.card.id === out.model.id);
    return model?.kind === 'ddpm' && !this.lab.running && !this.busyReason('judge') && !this.judge.running;
  }

  /**
   * The watched sample again from frame `frame` of the frames on show, with the run's class,
   * sampler and steps and the guidance, eta and seed now on the page; null: back to the run's frames.
   */
  private async rerun(out: ModelOutput, watch: number, frame: number | null): Promise<void> {
    if (frame === null) {
      this.branch = null;
      this.requestUpdate();
      return;
    }
    const model = [this.lab.main.model, this.lab.partner.model].find((m) => m?.card.id === out.model.id);
    const shown = this.shownFrames(out);
    const at = shown[frame];
    const result = this.lab.run.result;
    if (model?.kind !== 'ddpm' || !at?.xtNetwork || at.timestep === null || !result || !this.canRerun(out)) return;
    const run = result.settings;
    const now = this.lab.state.settings;
    const outcome = await this.rerunning.start((signal) => rerunFrom(model, run, now, watch, { index: frame, xt: at.xtNetwork! }, { signal }));
    if (outcome.status === 'failed') {
      this.lab.problems = [...this.lab.problems, `Step ${frame + 1} could not be run again: ${(outcome.error as Error).message}`];
    }
    if (outcome.status !== 'done') return;
    const changed = (['guidance', 'eta', 'seed'] as const).filter((k) => now[k] !== run[k] && (k !== 'eta' || run.sampler === 'ddim'));
    const what = changed.length
      ? changed.map((k) => `${LABELS[k].toLowerCase()} ${now[k]} (the run's: ${run[k]})`).join(', ')
      : 'the run\'s own settings, so it ends as the run did (change the guidance, eta or seed above to see what the later steps decide)';
    this.branch = { source: out.frames, from: frame, frames: [...shown.slice(0, frame), ...outcome.value], what };
    this.requestUpdate();
  }

  private renderViewer(out: ModelOutput, watch: number, scale: number) {
    const lab = this.lab;
    const frames = this.shownFrames(out);
    const branch = this.branch?.source === out.frames ? this.branch : null;
    return html`
      <section aria-labelledby="watch-heading">
        ${this.heading('watch-heading', `Watch sample ${watch + 1} being made`, 'diffusion', 'diffusion')}
        <msl-diffusion-viewer .frames=${frames} .shape=${out.shape} .sampleRateHz=${out.sampleRateHz}
          .startMs=${windowStartMs(out.window, out.sampleRateHz)}
          .range=${isImage(out.shape) ? null : voltRange(frames.flatMap((f) => (f.x0 ? [f.x0] : [])))}
          .alphaBar=${out.schedule?.alphaBar ?? []} .timesteps=${out.schedule?.timesteps ?? []}
          .prediction=${this.prediction?.frames === frames ? this.prediction.view : null}
          ?can-predict=${this.canPredict(out)}
          @msl-predict=${(e: HTMLElementEventMap['msl-predict']) => void this.predict(out, e.frame)}
          ?can-rerun=${this.canRerun(out)} .rerun=${branch ? { from: branch.from, what: branch.what } : null}
          @msl-rerun=${(e: HTMLElementEventMap['msl-rerun']) => void this.rerun(out, watch, e.frame)}
          .forward=${this.forwardOf(out, watch)} forward-label="a real held-out ${lab.summary?.classes[lab.run.result?.settings.classIndex ?? 0] ?? ''} sample"
          .position=${lab.state.frame} .watch=${watch} .count=${out.samples.length}
          .size=${viewWidth(out.shape, { image: 196, signal: 360 }, scale)}
          @msl-frame-change=${(e: HTMLElementEventMap['msl-frame-change']) => lab.setView({ frame: e.detail.frame })}
          @msl-watch-change=${(e: HTMLElementEventMap['msl-watch-change']) => lab.setView({ watch: e.detail.watch })}></msl-diffusion-viewer>
      </section>
    `;
  }
}

/**
 * The lesson the page's address asks for. A lesson's link that names no model is given its
 * slide's state before the lab reads the address, so the lab opens and runs the slide.
 */
/** An address held in memory: an embedded view's, which the page's own address never shows. */
function heldAddress(query: string): AddressBar {
  let held = query;
  return { read: () => held, write: (next) => { held = next; } };
}

function startLesson(): { lesson: (typeof LESSONS)[number]; slide: number } | null {
  const at = readLesson(location.search);
  if (at && !new URLSearchParams(location.search).has('model')) {
    history.replaceState(history.state, '', `${location.pathname}${slideAddress(at.lesson, at.slide, location.search)}${location.hash}`);
  }
  return at;
}

/** The parameters a link to another lesson keeps: how the page runs (`backend`, `extra`, `presenter`), as '&name=value...'. */
function keptParams(search: string): string {
  const now = new URLSearchParams(search);
  const kept = new URLSearchParams();
  for (const name of ['backend', 'extra', 'presenter']) {
    const value = now.get(name);
    if (value !== null) kept.set(name, value);
  }
  const query = kept.toString().replace(/%2F/g, '/').replace(/%2C/g, ',');
  return query ? `&${query}` : '';
}

/** The page's address without a forced backend: the automatic choice. */
function withoutBackend(href: string): string {
  const url = new URL(href);
  url.searchParams.delete('backend');
  return url.toString();
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

customElements.define('msl-app', AppRoot);

declare global {
  interface HTMLElementTagNameMap {
    'msl-app': AppRoot;
  }
}
