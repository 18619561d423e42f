import { LitElement, css, html, nothing } from 'lit';
import { panelStyles } from './panel-styles.js';
import type { SweepKnob, SweepResult } from '../app/sweep.js';
import { isImage, viewWidth } from '../display/convert.js';
import { voltRange, windowStartMs } from '../display/ecg-axes.js';
import { LABELS } from '../pipeline/settings.js';
import './sample-view.js';
import { formatElapsed } from '../pipeline/estimate.js';

/** Asks for a row of `knob`'s values. */
export class SweepRunEvent extends Event {
  constructor(readonly knob: SweepKnob) {
    super('msl-sweep-run', { bubbles: true, composed: true });
  }
}

export class SweepCancelEvent extends Event {
  constructor() {
    super('msl-sweep-cancel', { bubbles: true, composed: true });
  }
}

/**
 * One seed, one knob, a row of values: the first sample of the run above made again at each value
 * with every other setting unchanged, side by side, each with its time here.
 *
 * @property knobs - the knobs this model's row can sweep
 * @property result - the newest row (null before one)
 * @property status, message, progress - of the run
 * @property disabled - a row cannot be run now, with `reason` saying why
 * @fires msl-sweep-run, msl-sweep-cancel
 */
export class SweepRow extends LitElement {
  static override properties = {
    knobs: { attribute: false },
    knob: {},
    result: { attribute: false },
    status: {},
    message: {},
    progress: { attribute: false },
    disabled: { type: Boolean },
    reason: {},
    scale: { type: Number },
  };

  declare knobs: SweepKnob[];
  declare knob: SweepKnob | '';
  declare result: SweepResult | null;
  declare status: string;
  declare message: string | null;
  declare progress: { done: number; total: number } | null;
  declare disabled: boolean;
  declare reason: string;
  declare scale: number;

  constructor() {
    super();
    this.knobs = [];
    this.knob = '';
    this.result = null;
    this.status = 'idle';
    this.message = null;
    this.progress = null;
    this.disabled = false;
    this.reason = '';
    this.scale = 1;
  }

  static override styles = [panelStyles, css`
    .row { display: flex; flex-wrap: wrap; gap: 0.8rem; }
    figure { margin: 0; }
    figcaption { font-size: 0.88em; color: #24292f; margin-top: 0.2rem; }
  `];

  override render() {
    const running = this.status === 'running';
    const knob = this.knob || this.knobs[0];
    const r = this.result;
    const range = r && !isImage(r.shape) ? voltRange(r.cells.map((c) => c.sample)) : null;
    return html`
      <p class="note">The first sample of the settings above (a run with them makes it first), made again at each value of one knob,
        everything else unchanged: same seed, same class, same noise.</p>
      <div class="bar">
        <label>Knob <select data-testid="sweep-knob" ?disabled=${running}
          @change=${(e: Event) => (this.knob = (e.target as HTMLSelectElement).value as SweepKnob)}>
          ${this.knobs.map((k) => html`<option value=${k} ?selected=${k === knob}>${LABELS[k]}</option>`)}
        </select></label>
        <button class="primary" data-testid="sweep-run" ?disabled=${this.disabled || running || !knob}
          @click=${() => knob && this.dispatchEvent(new SweepRunEvent(knob))}>Run the row</button>
        <button data-testid="sweep-cancel" ?disabled=${!running} @click=${() => this.dispatchEvent(new SweepCancelEvent())}>Cancel</button>
        <span role="status" data-testid="sweep-status">${this.statusLine()}</span>
      </div>
      ${r && !running
        ? html`<div class="row" data-testid="sweep-cells">
            ${r.cells.map((c) => html`<figure>
              <msl-sample-view .values=${c.sample} .shape=${r.shape} .range=${range} .sampleRateHz=${r.sampleRateHz}
                .startMs=${windowStartMs(r.window, r.sampleRateHz)} size=${viewWidth(r.shape, { image: 112, signal: 200 }, this.scale)}
                label="sample at ${c.label}"></msl-sample-view>
              <figcaption>${c.label}<br />${formatElapsed(c.ms)}</figcaption>
            </figure>`)}
          </div>`
        : nothing}
    `;
  }

  private statusLine(): string {
    if (this.disabled && this.reason) return this.reason;
    if (this.message) return this.message;
    if (this.status === 'running') return this.progress ? `Value ${Math.min(this.progress.done + 1, this.progress.total)} of ${this.progress.total}…` : 'Starting…';
    if (this.result) return `Seed ${this.result.settings.seed}, ${this.result.cells.length} values of ${LABELS[this.result.knob].toLowerCase()}.`;
    return 'Not run yet.';
  }
}


customElements.define('msl-sweep-row', SweepRow);

declare global {
  interface HTMLElementTagNameMap {
    'msl-sweep-row': SweepRow;
  }
  interface GlobalEventHandlersEventMap {
    'msl-sweep-run': SweepRunEvent;
    'msl-sweep-cancel': SweepCancelEvent;
  }
}
