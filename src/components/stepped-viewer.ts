import { type PropertyDeclarations, css, html, nothing } from 'lit';
import { PlaybackController } from './playback.js';
import { SampleHost } from './sample-host.js';

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
 * What the step viewer (diffusion steps) and the token viewer (tokens) share: a run of one sample
 * laid out as frames, a Play button, a scrubber and the choice of the sample watched next time.
 * Subclasses say how many frames there are and render each.
 *
 * @property position - the frame on show; null shows the last
 * @property watch - which sample of the run the frames are of; count - how many the run made
 * @fires msl-frame-change - the scrubber moved, or playing stopped
 * @fires msl-watch-change - another sample was chosen for the next run
 */
export abstract class SteppedViewer extends SampleHost {
  static override properties: PropertyDeclarations = {
    position: { type: Number },
    watch: { type: Number },
    count: { type: Number },
    size: { type: Number },
    shown: { state: true },
  };

  declare position: number | null;
  declare watch: number;
  declare count: number;
  declare size: number;
  /** The frame on screen while playing or scrubbing, ahead of `position`. */
  protected declare shown: number | null;

  protected readonly playback = new PlaybackController(this);

  static readonly controlStyles = css`
    .controls { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-bottom: 0.6rem; }
    input[type='range'] { flex: 1 1 12rem; min-width: 10rem; accent-color: #1d4f91; }
    button, select { font: inherit; padding: 0.3rem 0.8rem; border-radius: 0.35rem; border: 1px solid #57606a;
      background: #fff; color: #1b1f24; }
    button:focus-visible, select:focus-visible, input:focus-visible { outline: 3px solid #1d4f91; outline-offset: 2px; }
    .status { font-variant-numeric: tabular-nums; min-width: 11rem; }
  `;

  constructor() {
    super();
    this.position = null;
    this.watch = 0;
    this.count = 1;
    this.size = 224;
    this.shown = null;
  }

  /** Frames in the run (0 before any). */
  protected abstract get frameCount(): number;

  /** The frame on show: while playing or scrubbing, that one; else `position`, or the last. */
  protected get at(): number {
    const last = this.frameCount - 1;
    return Math.min(this.shown ?? this.position ?? last, last);
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('frames') || changed.has('position')) {
      if (changed.has('frames')) this.playback.stop();
      if (!this.playback.playing) this.shown = null;
    }
  }

  /** Play, the scrubber (`what` names its positions for assistive technology), where it is, and the sample watched next. */
  protected controls(ids: { play: string; scrubber: string; status?: string }, what: string, where: string) {
    return html`<div class="controls">
      <button type="button" data-testid=${ids.play} aria-pressed=${String(this.playback.playing)}
        @click=${this.togglePlay}>${this.playback.playing ? 'Pause' : 'Play'}</button>
      <input type="range" data-testid=${ids.scrubber} min="0" max=${this.frameCount - 1} .value=${String(this.at)}
        aria-label=${what} aria-valuetext=${where} @input=${this.scrub} @change=${this.scrubbed} />
      <span class="status" data-testid=${ids.status ?? nothing} aria-live="off">${where}</span>
      ${this.count > 1
        ? html`<label>Next run, watch sample
            <select @change=${(e: Event) => this.dispatchEvent(new WatchChangeEvent(Number((e.target as HTMLSelectElement).value)))}>
              ${Array.from({ length: this.count }, (_, i) => html`<option value=${i} ?selected=${i === this.watch}>${i + 1}</option>`)}
            </select></label>`
        : nothing}
    </div>`;
  }

  private readonly togglePlay = () => {
    if (this.playback.playing) {
      this.playback.stop();
      if (this.shown !== null) this.dispatchEvent(new FrameChangeEvent(this.shown));
      return;
    }
    const last = this.frameCount - 1;
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

declare global {
  interface GlobalEventHandlersEventMap {
    'msl-frame-change': FrameChangeEvent;
    'msl-watch-change': WatchChangeEvent;
  }
}
