import { css, html, nothing } from 'lit';
import { symmetricToLevels } from '../display/convert.js';
import { SteppedViewer } from './stepped-viewer.js';
import './schedule-chart.js';
import './explain-tip.js';

/** One position of the viewer: plain arrays in display units. */
export interface ViewerFrame {
  timestep: number | null;
  xt: Float32Array;
  /** x_t in network units (unclipped), for showing it scaled to its own range; images only. */
  xtNetwork?: Float32Array;
  x0: Float32Array | null;
}

/** The model's noise prediction at one frame, ready to draw (display units). */
export interface ViewerPrediction {
  frame: number;
  /** The guided prediction: the noise the step removes. */
  guided: Float32Array;
  /** Conditional minus unconditional: what guidance scales up. */
  difference: Float32Array;
  /** How the two were mapped for display, in words ("from -3 to 3"). */
  guidedScale: string;
  differenceScale: string;
  guidance: number;
}

export { FrameChangeEvent, WatchChangeEvent } from './stepped-viewer.js';

/** Asks what the model predicts at frame `frame`. */
export class PredictEvent extends Event {
  constructor(readonly frame: number) {
    super('msl-predict', { bubbles: true, composed: true });
  }
}

/**
 * Asks for the watched sample to be made again from frame `frame` with the settings now on the
 * page (the step viewer's "re-run from here"); `frame` null: back to the run's own frames.
 */
export class RerunEvent extends Event {
  constructor(readonly frame: number | null) {
    super('msl-rerun', { bubbles: true, composed: true });
  }
}

/**
 * Steps through a diffusion run of one sample: at each step, x_t (what the model is given) and
 * its prediction of the clean sample x0, beside the noise schedule with the step marked.
 *
 * @property frames - x_T, then the input of every later step, then the finished sample
 * @property shape, sampleRateHz, startMs, range - of the samples (see SampleHost)
 * @property forward - a real sample noised to a level, to set beside x_t (null: not shown)
 * @property position - the frame on show; null shows the last
 * @property watch - which sample of the run the frames are of; count - how many the run made
 * @fires msl-frame-change - the scrubber moved, or playing stopped
 * @property canRerun - whether a re-run from a step can start now
 * @property rerun - the frames on show were re-run from frame `from`, with `what` changed; null: the run's own
 * @fires msl-watch-change - another sample was chosen for the next run
 * @fires msl-rerun - make the sample again from the frame on show (or go back to the run's frames)
 * @csspart frames - the two pictures
 */
export class DiffusionViewer extends SteppedViewer {
  static override properties = {
    frames: { attribute: false },
    alphaBar: { attribute: false },
    timesteps: { attribute: false },
    forward: { attribute: false },
    forwardLabel: { attribute: 'forward-label' },
    prediction: { attribute: false },
    canPredict: { type: Boolean, attribute: 'can-predict' },
    canRerun: { type: Boolean, attribute: 'can-rerun' },
    rerun: { attribute: false },
    scaled: { type: Boolean },
  };

  declare frames: ViewerFrame[];
  declare alphaBar: ArrayLike<number>;
  declare timesteps: number[];
  /** A real sample noised to a level (its alpha-bar; 1: the clean sample), in display and network units; null: none to show. */
  declare forward: ((alphaBar: number) => { display: Float32Array; network: Float32Array }) | null;
  /** What that real sample is ("a real held-out pneumonia image"). */
  declare forwardLabel: string;
  /** The model's noise prediction at a frame, when asked for. */
  declare prediction: ViewerPrediction | null;
  /** Whether the model can be asked (it has a "no class" label, and nothing else runs). */
  declare canPredict: boolean;
  declare canRerun: boolean;
  declare rerun: { from: number; what: string } | null;
  /**
   * Show x_t scaled to its own range rather than clipped to the image's (images only). On by
   * default: clipped, x_t looks like pure noise until the last steps although its signal is there.
   */
  declare scaled: boolean;

  constructor() {
    super();
    this.frames = [];
    this.alphaBar = [];
    this.timesteps = [];
    this.forward = null;
    this.forwardLabel = 'a real held-out sample';
    this.prediction = null;
    this.canPredict = false;
    this.canRerun = false;
    this.rerun = null;
    this.scaled = true;
  }

  static override styles = [SteppedViewer.controlStyles, css`
    :host { display: block; }
    .body { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
    /* a caption wraps to its picture's width (at least 12rem), so the pictures line up in rows */
    figure { margin: 0; max-width: 100%; width: min-content; min-width: 12rem; }
    figcaption { font-size: 0.9em; color: #24292f; margin-top: 0.3rem; }
    msl-schedule-chart { flex: 1 1 18rem; min-width: 14rem; }
    .ask { align-self: center; }
    label.scale { display: block; font-size: 0.9em; margin: 0.2rem 0 0.4rem; }
    .ask button { font: inherit; padding: 0.3rem 0.8rem; border: 1px solid #57606a; border-radius: 0.35rem; background: #fff; color: #1b1f24; }
    .ask button:disabled { opacity: 0.55; }
    .ask button:focus-visible, .rerun button:focus-visible { outline: 3px solid #1d4f91; outline-offset: 2px; }
    .rerun { margin: 0.2rem 0 0.6rem; color: #1a5e2a; }
    .rerun button { font: inherit; padding: 0.2rem 0.6rem; border: 1px solid #57606a; border-radius: 0.35rem; background: #fff; color: #1b1f24; }
  `];

  protected override get frameCount(): number {
    return this.frames.length;
  }

  override render() {
    const last = this.frames.length - 1;
    if (last < 0) return html`<p>Generate with a diffusion model to watch its steps here.</p>`;
    const at = this.at;
    const frame = this.frames[at]!;
    const steps = last;
    const where = at === last ? `Finished sample (after all ${steps} steps)` : `Step ${at + 1} of ${steps}, t = ${frame.timestep}`;
    const shownXt = this.xtView(frame);
    const scalable = frame.xtNetwork !== undefined && this.shape.length === 3;
    return html`
      ${this.controls({ play: 'play', scrubber: 'scrubber' }, 'Denoising step', where)}
      ${scalable
        ? html`<label class="scale"><input type="checkbox" data-testid="xt-scaled" .checked=${this.scaled}
            @change=${(e: Event) => (this.scaled = (e.target as HTMLInputElement).checked)} />
            Show x<sub>t</sub> scaled to its own range (unticked: clipped to the image's range, which hides it while noise remains)</label>`
        : nothing}
      ${this.rerun
        ? html`<p class="rerun" data-testid="rerun-note">After step ${this.rerun.from + 1}, made again with ${this.rerun.what}.
            <button type="button" data-testid="rerun-back" @click=${() => this.dispatchEvent(new RerunEvent(null))}>Back to the run</button></p>`
        : nothing}
      <div class="body">
        <figure part="frames">
          ${this.sampleView(shownXt.values, this.size, `x_t: the noisy sample the model is given, ${where}`, true)}
          <figcaption>x<sub>t</sub>: what the model is given${shownXt.scale}<msl-explain term="x-t" label="x_t"></msl-explain></figcaption>
        </figure>
        <figure part="frames">
          ${frame.x0
            ? this.sampleView(frame.x0, this.size, `predicted clean sample at ${where}`, true)
            : html`<p>No prediction yet.</p>`}
          <figcaption>x̂<sub>0</sub>: its guess of the clean sample<msl-explain term="x0" label="the predicted clean sample"></msl-explain></figcaption>
        </figure>
        ${this.forward ? this.renderForward(frame, where) : nothing}
        ${this.renderPrediction(at, last)}
        <msl-schedule-chart data-testid="schedule-chart" .alphaBar=${this.alphaBar} .timesteps=${this.timesteps}
          .current=${at === last ? null : frame.timestep}></msl-schedule-chart>
      </div>
    `;
  }

  /**
   * x_t as shown: clipped to the image range as the sample's own pixels are (the default), or, for
   * an image, every value mapped from minus to plus its largest magnitude, so none is clipped.
   */
  private xtView(frame: ViewerFrame): { values: Float32Array; scale: string } {
    return frame.timestep === null ? { values: frame.xt, scale: '' } : this.scaledView(frame.xt, frame.xtNetwork);
  }

  /** A noisy picture as shown: its clipped display, or scaled from its network values when asked (images only). */
  private scaledView(display: Float32Array, network: Float32Array | undefined): { values: Float32Array; scale: string } {
    if (!this.scaled || !network || this.shape.length !== 3) return { values: display, scale: '' };
    const bound = Math.max(1e-6, ...Array.from(network, Math.abs));
    return { values: symmetricToLevels(network, bound), scale: `, grey from −${bound.toPrecision(2)} to ${bound.toPrecision(2)}` };
  }

  /** What the model predicts at this step: the guided noise it removes, and what guidance amplifies. */
  private renderPrediction(at: number, last: number) {
    if (at === last) return nothing;
    const p = this.prediction?.frame === at ? this.prediction : null;
    // the steps after this one, again, with the guidance, eta and seed now on the page
    const rerun = html`<button type="button" data-testid="rerun" ?disabled=${!this.canRerun}
      @click=${() => this.dispatchEvent(new RerunEvent(at))}>Re-run from here with the settings above</button>`;
    if (!p) {
      return html`<div class="ask"><button type="button" data-testid="predict" ?disabled=${!this.canPredict}
        @click=${() => this.dispatchEvent(new PredictEvent(at))}>What does the model predict here?</button> ${rerun}</div>`;
    }
    return html`<figure part="frames" data-testid="predicted-noise">
        ${this.sampleView(p.guided, this.size, `the noise the model predicts at step ${at + 1}`, true)}
        <figcaption>ε̂: the noise it predicts (guidance ${p.guidance}), ${p.guidedScale}<msl-explain term="predicted-noise" label="the predicted noise"></msl-explain></figcaption>
      </figure>
      <figure part="frames" data-testid="guidance-difference">
        ${this.sampleView(p.difference, this.size, `conditional minus unconditional prediction at step ${at + 1}`, true)}
        <figcaption>ε̂(class) − ε̂(no class): what guidance scales up, ${p.differenceScale}<msl-explain term="guidance" label="guidance"></msl-explain></figcaption>
      </figure>
      <div class="ask">${rerun}</div>`;
  }

  /** The real sample noised to this step's t with this run's starting noise: what x_t would be, had the run been heading for it. */
  private renderForward(frame: ViewerFrame, where: string) {
    const t = frame.timestep;
    const alphaBar = t === null ? 1 : this.alphaBar[t];
    if (alphaBar === undefined) return nothing;
    const noised = this.forward!(alphaBar);
    // scaled only where x_t beside it is, so the two always compare
    const shown = t === null ? { values: noised.display, scale: '' } : this.scaledView(noised.display, frame.xtNetwork && noised.network);
    return html`<figure part="frames" data-testid="forward">
      ${this.sampleView(shown.values, this.size, `${this.forwardLabel} noised to ${where}`, true)}
      <figcaption>${t === null ? html`${this.forwardLabel}, clean` : html`${this.forwardLabel} noised to t = ${t}, with this run's noise${shown.scale}`}<msl-explain term="forward-noising" label="forward noising"></msl-explain></figcaption>
    </figure>`;
  }
}

customElements.define('msl-diffusion-viewer', DiffusionViewer);

declare global {
  interface HTMLElementTagNameMap {
    'msl-diffusion-viewer': DiffusionViewer;
  }
  interface GlobalEventHandlersEventMap {
    'msl-predict': PredictEvent;
    'msl-rerun': RerunEvent;
  }
}
