import { css, html, nothing } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { evenSize, gridColumns, imageSize } from '../display/convert.js';
import { SampleHost } from './sample-host.js';

/** A sample was chosen to be shown large (null: none). */
export class SampleSelectEvent extends CustomEvent<{ index: number | null }> {
  constructor(index: number | null) {
    super('msl-sample-select', { detail: { index }, bubbles: true, composed: true });
  }
}

/**
 * A grid of samples, each a button; hovering or focusing one shows it large beside the grid,
 * choosing one keeps it there.
 *
 * @property samples - one array per sample, display units (levels 0..255 channels-last, grey or RGB; or mV)
 * @property shape, sampleRateHz, startMs, range - of the samples (see SampleHost)
 * @property selected - the sample kept large; null shows the first
 * @property itemLabel - names each sample for screen readers ("synthetic normal")
 * @property cell - width of a cell in CSS pixels; 0 picks one from the count
 * @property large - width of the large view in CSS pixels
 * @fires msl-sample-select - a sample was chosen, or chosen again to let go
 * @csspart cells - the list of cells
 * @csspart large - the large view
 */
export class SampleGrid extends SampleHost {
  static override properties = {
    samples: { attribute: false },
    selected: { type: Number },
    itemLabel: { attribute: 'item-label' },
    cell: { type: Number },
    large: { type: Number },
    hovered: { state: true },
  };

  declare samples: Float32Array[];
  declare selected: number | null;
  declare itemLabel: string;
  declare cell: number;
  declare large: number;
  declare private hovered: number | null;

  constructor() {
    super();
    this.samples = [];
    this.selected = null;
    this.itemLabel = 'sample';
    this.cell = 0;
    this.large = 280;
    this.hovered = null;
  }

  static override styles = css`
    :host { display: block; }
    .layout { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: flex-start; }
    ul { display: grid; grid-template-columns: repeat(var(--columns), auto); gap: 4px; list-style: none;
      margin: 0; padding: 0; max-width: 100%; }
    button { display: block; padding: 2px; border: 2px solid transparent; border-radius: 4px; background: none;
      cursor: pointer; line-height: 0; }
    button:hover { border-color: #8c959f; }
    button[aria-pressed='true'] { border-color: #1d4f91; }
    button:focus-visible { outline: 3px solid #1d4f91; outline-offset: 1px; }
    figure { margin: 0; max-width: 100%; }
    figcaption { font-size: 0.9em; color: #424a53; line-height: 1.4; margin-top: 0.3rem; max-width: var(--large); }
    .empty { color: #424a53; }
  `;

  override render() {
    const n = this.samples.length;
    if (!n) return html`<p class="empty">No samples yet.</p>`;
    const image = imageSize(this.shape);
    const columns = image ? gridColumns(n) : Math.min(4, gridColumns(n));
    // images: up to 84 px, the grid at most about 336 px wide, each image pixel a whole number of CSS
    // pixels (or a large image reduced by a whole factor); beats: up to 200 px, the grid about 560 px wide
    const cell = this.cell || (image
      ? evenSize(image.width, Math.max(28, Math.min(84, Math.floor(336 / columns))))
      : Math.max(96, Math.min(200, Math.floor(560 / columns))));
    const shown = this.hovered ?? this.selected ?? 0;
    const large = this.samples[shown];
    return html`
      <div class="layout">
        <ul part="cells" style=${styleMap({ '--columns': String(columns) })}>
          ${this.samples.map(
            (values, i) => html`<li>
              <button type="button" aria-pressed=${String(this.selected === i)}
                aria-label="${this.itemLabel} ${i + 1} of ${n}"
                @click=${() => this.choose(i)}
                @mouseenter=${() => (this.hovered = i)} @mouseleave=${() => (this.hovered = null)}
                @focus=${() => (this.hovered = i)} @blur=${() => (this.hovered = null)}>
                ${this.sampleView(values, cell, `${this.itemLabel} ${i + 1}`)}
              </button>
            </li>`,
          )}
        </ul>
        ${large
          ? html`<figure part="large" style=${styleMap({ '--large': `${this.large}px` })}>
              ${this.sampleView(large, this.large, `${this.itemLabel} ${shown + 1}, enlarged`, true)}
              <figcaption>${this.itemLabel} ${shown + 1} of ${n}${this.selected === null && this.hovered === null
                ? html` <span>(hover or choose a sample to enlarge it)</span>`
                : nothing}</figcaption>
            </figure>`
          : nothing}
      </div>
    `;
  }

  private choose(index: number): void {
    const next = this.selected === index ? null : index;
    this.selected = next;
    this.dispatchEvent(new SampleSelectEvent(next));
  }
}

customElements.define('msl-sample-grid', SampleGrid);

declare global {
  interface HTMLElementTagNameMap {
    'msl-sample-grid': SampleGrid;
  }
  interface GlobalEventHandlersEventMap {
    'msl-sample-select': SampleSelectEvent;
  }
}
