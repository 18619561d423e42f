import { css, html, nothing } from 'lit';
import { PlaybackController } from './playback.js';
import { SampleHost } from './sample-host.js';
import './schedule-chart.js';

/** One position of the viewer: plain arrays in display units. */
export interface ViewerFrame {
  timestep: number | null;
  xt: Float32Array;
  x0: Float32Array | null;
}

/** The viewer moved to another step (by the scrubber, or when playing stopped). */
export class FrameChangeEvent extends CustomEvent<{ frame: number }> {
  constructor(frame: number) {
    super('msl-frame-change', { detail: { frame }, bubbles: true, composed: true });
  }
}

/** A different sample should be watched on the next run. */
export class WatchChangeEvent extends CustomEvent<{ watch: number }> {
  constructor(watch: number) {
    super('msl-watch-change', { detail: { watch }, bubbles: true, composed: true });
  }
}

/**
 * Steps through a diffusion run of one sample: at each step, x_t (what the model is given) and
 * its prediction of the clean sample x0, beside the noise schedule with the step marked.
 *
 * @property frames - x_T, then the input of every later step, then the finished sample
 * @property shape, sampleRateHz, startMs, range - of the samples (see SampleHost)
 * @property position - the frame on show; null shows the last
 * @property watch - which sample of the run the frames are of; count - how many the run made
 * @fires msl-frame-change - the scrubber moved, or playing stopped
 * @fires msl-watch-change - another sample was chosen for the next run
 * @csspart frames - the two pictures
 */
export class DiffusionViewer extends SampleHost {
  static override properties = {
    frames: { attribute: false },
    alphaBar: { attribute: false },
    timesteps: { attribute: false },
    position: { type: Number },
    watch: { type: Number },
    count: { type: Number },
    size: { type: Number },
    shown: { state: true },
  };

  declare frames: ViewerFrame[];
  declare alphaBar: ArrayLike<number>;
  declare timesteps: number[];
  declare position: number | null;
  declare watch: number;
  declare count: number;
  declare size: number;
  /** The frame on screen while playing or scrubbing, ahead of `position`. */
  private declare shown: number | null;

  private readonly playback = new PlaybackController(this);

  constructor() {
    super();
    this.frames = [];
    this.alphaBar = [];
    this.timesteps = [];
    this.position = null;
    this.watch = 0;
    this.count = 1;
    this.size = 224;
    this.shown = null;
  }

  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-bottom: 0.6rem; }
    input[type='range'] { flex: 1 1 12rem; min-width: 10rem; accent-color: #1d4f91; }
    button, select { font: inherit; padding: 0.3rem 0.8rem; border-radius: 0.35rem; border: 1px solid #57606a;
      background: #fff; color: #1b1f24; }
    button:focus-visible, select:focus-visible, input:focus-visible { outline: 3px solid #1d4f91; outline-offset: 2px; }
    .body { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
    figure { margin: 0; max-width: 100%; }
    figcaption { font-size: 0.9em; color: #24292f; margin-top: 0.3rem; }
    msl-schedule-chart { flex: 1 1 18rem; min-width: 14rem; }
    .status { font-variant-numeric: tabular-nums; min-width: 11rem; }
  `;

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('frames') || changed.has('position')) {
      if (changed.has('frames')) this.playback.stop();
      if (!this.playback.playing) this.shown = null;
    }
  }

  override render() {
    const last = this.frames.length - 1;
    if (last < 0) return html`<p>Generate with a diffusion model to watch its steps here.</p>`;
    const at = Math.min(this.shown ?? this.position ?? last, last);
    const frame = this.frames[at]!;
    const steps = last;
    const where = at === last ? `Finished sample (after all ${steps} steps)` : `Step ${at + 1} of ${steps}, t = ${frame.timestep}`;
    return html`
      <div class="controls">
        <button type="button" data-testid="play" aria-pressed=${String(this.playback.playing)}
          @click=${this.togglePlay}>${this.playback.playing ? 'Pause' : 'Play'}</button>
        <input type="range" data-testid="scrubber" min="0" max=${last} .value=${String(at)}
          aria-label="Denoising step" aria-valuetext=${where} @input=${this.scrub} @change=${this.scrubbed} />
        <span class="status" aria-live="off">${where}</span>
        ${this.count > 1
          ? html`<label>Next run, watch sample
              <select @change=${(e: Event) => this.dispatchEvent(new WatchChangeEvent(Number((e.target as HTMLSelectElement).value)))}>
                ${Array.from({ length: this.count }, (_, i) => html`<option value=${i} ?selected=${i === this.watch}>${i + 1}</option>`)}
              </select></label>`
          : nothing}
      </div>
      <div class="body">
        <figure part="frames">
          ${this.sampleView(frame.xt, this.size, `x_t: the noisy sample the model is given, ${where}`, true)}
          <figcaption>x<sub>t</sub>: what the model is given</figcaption>
        </figure>
        <figure part="frames">
          ${frame.x0
            ? this.sampleView(frame.x0, this.size, `predicted clean sample at ${where}`, true)
            : html`<p>No prediction yet.</p>`}
          <figcaption>x̂<sub>0</sub>: its guess of the clean sample</figcaption>
        </figure>
        <msl-schedule-chart data-testid="schedule-chart" .alphaBar=${this.alphaBar} .timesteps=${this.timesteps}
          .current=${at === last ? null : frame.timestep}></msl-schedule-chart>
      </div>
    `;
  }

  private readonly togglePlay = () => {
    if (this.playback.playing) {
      this.playback.stop();
      if (this.shown !== null) this.dispatchEvent(new FrameChangeEvent(this.shown));
      return;
    }
    const last = this.frames.length - 1;
    const from = this.shown ?? this.position ?? last;
    this.playback.play(from >= last ? 0 : from, last, (position) => {
      this.shown = position;
      if (position === last) this.dispatchEvent(new FrameChangeEvent(position));
    });
  };

  private readonly scrub = (event: Event) => {
    this.playback.stop();
    this.shown = Number((event.target as HTMLInputElement).value);
  };

  private readonly scrubbed = (event: Event) => {
    this.dispatchEvent(new FrameChangeEvent(Number((event.target as HTMLInputElement).value)));
  };
}

customElements.define('msl-diffusion-viewer', DiffusionViewer);

declare global {
  interface HTMLElementTagNameMap {
    'msl-diffusion-viewer': DiffusionViewer;
  }
  interface GlobalEventHandlersEventMap {
    'msl-frame-change': FrameChangeEvent;
    'msl-watch-change': WatchChangeEvent;
  }
}
