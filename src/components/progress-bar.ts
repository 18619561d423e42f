import { LitElement, css, html } from 'lit';

/**
 * A labelled progress bar with a line of detail (step, speed, bytes).
 *
 * @property value - done so far; max - in all (0: not known yet, the bar is indeterminate)
 * @property idle - nothing is in progress (nothing has run yet): the bar is empty and still, whatever `max`
 * @property label - what is progressing, also the bar's accessible name
 * @property detail - a line under the bar
 * @csspart bar - the progress element
 */
export class ProgressBar extends LitElement {
  static override properties = {
    value: { type: Number },
    max: { type: Number },
    label: {},
    detail: {},
    idle: { type: Boolean },
  };

  declare value: number;
  declare max: number;
  declare label: string;
  declare detail: string;
  declare idle: boolean;

  constructor() {
    super();
    this.value = 0;
    this.max = 0;
    this.label = '';
    this.detail = '';
    this.idle = false;
  }

  static override styles = css`
    :host { display: block; }
    .row { display: flex; align-items: center; gap: 0.6rem; flex-wrap: wrap; }
    progress { flex: 1 1 12rem; height: 0.9rem; accent-color: #1d4f91; }
    .detail { font-size: 0.9em; color: #24292f; font-variant-numeric: tabular-nums; }
  `;

  override render() {
    return html`
      <div class="row">
        <span id="label">${this.label}</span>
        ${this.idle
          ? html`<progress part="bar" aria-labelledby="label" value="0" max="1"></progress>`
          : this.max > 0
            ? html`<progress part="bar" aria-labelledby="label" value=${this.value} max=${this.max}></progress>`
            : html`<progress part="bar" aria-labelledby="label"></progress>`}
      </div>
      <div class="detail">${this.detail}</div>
    `;
  }
}

customElements.define('msl-progress', ProgressBar);

declare global {
  interface HTMLElementTagNameMap {
    'msl-progress': ProgressBar;
  }
}
