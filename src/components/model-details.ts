import { LitElement, css, html, nothing } from 'lit';
import { datasetName, formatBytes, methodName } from '../models/catalogue.js';
import type { ModelCard } from '../models/card.js';

/**
 * What a loaded model's card says beyond the picker: what it is for, what it cannot do, where its
 * data came from and how well it does. Plain card data, no weights.
 *
 * @property card - the loaded model's card
 */
export class ModelDetails extends LitElement {
  static override properties = {
    card: { attribute: false },
  };

  declare card: ModelCard | null;

  constructor() {
    super();
    this.card = null;
  }

  static override styles = css`
    :host { display: block; font-size: 0.93em; }
    summary { cursor: pointer; font-weight: 600; }
    summary:focus-visible { outline: 3px solid #1d4f91; outline-offset: 2px; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 0.8rem; }
    dt { color: #424a53; }
    dd { margin: 0; }
    ul { margin: 0; padding-left: 1.1rem; }
  `;

  override render() {
    const card = this.card;
    if (!card) return nothing;
    const p = card.provenance as { source?: string; licence?: string; citation?: string };
    const q = card.quality as {
      classifiedAsRequested?: Record<string, number>;
      frechet?: { generatedVsHeldOut?: number; realTrainVsHeldOut?: number };
    };
    const asked = q.classifiedAsRequested;
    const frechet = q.frechet;
    return html`
      <details>
        <summary>About ${card.name}</summary>
        <dl>
          <dt>Method</dt><dd>${methodName(card.method)}, ${card.weights.parameters.toLocaleString('en')} parameters
            (${formatBytes(card.weights.files.reduce((n, f) => n + f.bytes, 0))}, ${card.weights.storage})</dd>
          <dt>Trained on</dt><dd>${datasetName(card.dataset)}</dd>
          <dt>Source</dt><dd>${p.source ?? 'not stated'}</dd>
          <dt>Licence</dt><dd>${p.licence ?? 'not stated'}</dd>
          ${p.citation ? html`<dt>Cite</dt><dd>${p.citation}</dd>` : nothing}
          <dt>Intended use</dt><dd>${card.intendedUse}</dd>
          <dt>Limitations</dt><dd><ul>${card.limitations.map((l) => html`<li>${l}</li>`)}</ul></dd>
          ${asked
            ? html`<dt>Recognised</dt><dd>samples the evaluator classifies as the class asked for:
                ${Object.entries(asked).map(([name, v]) => `${name} ${(v * 100).toFixed(0)}%`).join(', ')}</dd>`
            : nothing}
          ${frechet?.generatedVsHeldOut !== undefined
            ? html`<dt>Fréchet distance</dt><dd>${frechet.generatedVsHeldOut.toPrecision(3)} to held-out data
                (real training data: ${frechet.realTrainVsHeldOut?.toPrecision(3) ?? '?'}); lower is closer</dd>`
            : nothing}
        </dl>
      </details>
    `;
  }
}

customElements.define('msl-model-details', ModelDetails);

declare global {
  interface HTMLElementTagNameMap {
    'msl-model-details': ModelDetails;
  }
}
