import { LitElement, css, html, nothing } from 'lit';
import type { ArchitecturePicture, ArchitectureStage } from '../models/architecture.js';
import './explain-tip.js';

/** 21632 -> "21.6k", 668417 -> "668k", 12 -> "12". */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toPrecision(3).replace(/\.0+$/, '')}k`;
  return `${(n / 1e6).toPrecision(3).replace(/\.0+$/, '')}M`;
}

const valuesOf = (s: ArchitectureStage) => s.shape.reduce((n, d) => n * d, 1);

/**
 * A network's stages, top to bottom, each a centred bar as long as the log of the values one
 * example has there (so a UNet or an autoencoder draws its hourglass), labelled with the shape,
 * what the stage does and the parameters it holds. The picture is traced from the network
 * (src/models/architecture.ts); this element only draws it.
 *
 * @property picture - the traced architecture, or null
 * @attr message - why there is no picture (shown instead)
 */
export class ArchitectureView extends LitElement {
  static override properties = {
    picture: { attribute: false },
    message: {},
  };

  declare picture: ArchitecturePicture | null;
  declare message: string;

  constructor() {
    super();
    this.picture = null;
    this.message = '';
  }

  static override styles = css`
    :host { display: block; }
    .parts { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-start; }
    .part { flex: 1 1 20rem; min-width: 0; margin: 0; }
    h3 { font-size: 1rem; margin: 0 0 0.2rem; }
    .role { color: #424a53; margin: 0 0 0.5rem; font-size: 0.92rem; }
    ol { list-style: none; margin: 0; padding: 0; }
    li { display: grid; grid-template-columns: 7.5rem minmax(5rem, 12rem) 1fr; gap: 0 0.7rem; align-items: center; padding: 0.05rem 0; }
    .shape { font-variant-numeric: tabular-nums; font-weight: 600; text-align: right; font-size: 0.9rem; white-space: nowrap; }
    .bar { height: 0.75rem; margin: 0 auto; background: #1d4f91; border-radius: 0.2rem; }
    .bar.weightless { background: #8c959f; }
    .what { font-size: 0.85rem; color: #424a53; line-height: 1.3; }
    /* a phone: what the stage does under its bar */
    @media (max-width: 40rem) {
      li { grid-template-columns: 5.5rem 1fr; padding: 0.12rem 0; }
      .what { grid-column: 2; }
    }
    .total { margin: 0.6rem 0 0; color: #424a53; }
    .note { color: #424a53; }
  `;

  override render() {
    const p = this.picture;
    if (!p) return html`<p class="note">${this.message || 'Load a model to see its network.'}</p>`;
    const widest = Math.max(...p.parts.flatMap((part) => part.stages.map(valuesOf)));
    const scale = (s: ArchitectureStage) => `${Math.max(4, (100 * Math.log2(1 + valuesOf(s))) / Math.log2(1 + widest)).toFixed(1)}%`;
    return html`
      <div class="parts">
        ${p.parts.map((part) => html`<figure class="part" data-testid="architecture-part" aria-label="${part.title}: ${part.stages.length} stages">
          <h3>${part.title}</h3>
          <p class="role">${part.role}</p>
          <ol>
            ${part.stages.map((s) => html`<li data-testid="architecture-stage">
              <span class="shape">${s.shape.join(' × ')}</span>
              <span class="bar ${s.paths.length === 0 ? 'weightless' : ''}" style="width: ${scale(s)}" aria-hidden="true"></span>
              <span class="what">${s.what}${s.parameters > 0 ? html` · <span title="${s.parameters.toLocaleString('en')} parameters">${compactCount(s.parameters)} parameters</span>` : nothing}</span>
            </li>`)}
          </ol>
        </figure>`)}
      </div>
      <p class="total" data-testid="architecture-total">
        ${p.parameters.toLocaleString('en')} parameters in all${p.unaccounted > 0 ? html`, ${p.unaccounted.toLocaleString('en')} of them in no stage shown` : nothing}.
        Each bar's length is the log of the numbers one example holds at that stage (grey: a stage with no learned parameters); the shape is per example
        (height × width × channels, or length × channels), read off one pass through this network.
        <msl-explain term="architecture" label="the network's shape"></msl-explain>
      </p>`;
  }
}

customElements.define('msl-architecture', ArchitectureView);

declare global {
  interface HTMLElementTagNameMap {
    'msl-architecture': ArchitectureView;
  }
}
