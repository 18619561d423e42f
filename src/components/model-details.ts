import { LitElement, css, html, nothing } from 'lit';
import { membershipVerdict } from '../judge/membership.js';
import { type CardFigures, cardFigures } from '../judge/view.js';
import { datasetName, formatBytes, methodName, trainingRecord } from '../models/catalogue.js';
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
    dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.2rem 0.8rem; }
    dt { color: #424a53; }
    /* long addresses (the data's source) wrap rather than widen the page */
    dd { margin: 0; overflow-wrap: anywhere; }
    @media (max-width: 480px) {
      dl { grid-template-columns: minmax(0, 1fr); }
      dd { margin-bottom: 0.3rem; }
    }
    ul { margin: 0; padding-left: 1.1rem; }
  `;

  override render() {
    const card = this.card;
    if (!card) return nothing;
    const p = card.provenance as { source?: string; licence?: string; citation?: string };
    const q = cardFigures(card.quality);
    const asked = q?.classifiedAsRequested;
    return html`
      <details>
        <summary>About ${card.name}</summary>
        <dl>
          <dt>Method</dt><dd>${methodName(card.method)}, ${card.weights.parameters.toLocaleString('en')} parameters
            (${formatBytes(card.weights.files.reduce((n, f) => n + f.bytes, 0))}, ${card.weights.storage})</dd>
          <dt>Trained on</dt><dd>${datasetName(card.dataset)}</dd>
          <dt>Training</dt><dd>${trainingRecord(card.training)}</dd>
          <dt>Source</dt><dd>${p.source ?? 'not stated'}</dd>
          <dt>Licence</dt><dd>${p.licence ?? 'not stated'}</dd>
          ${p.citation ? html`<dt>Cite</dt><dd>${p.citation}</dd>` : nothing}
          <dt>Intended use</dt><dd>${card.intendedUse}</dd>
          <dt>Limitations</dt><dd><ul>${card.limitations.map((l) => html`<li>${l}</li>`)}</ul></dd>
          ${asked
            ? html`<dt>Recognised</dt><dd>samples the evaluator classifies as the class asked for:
                ${Object.entries(asked).map(([name, v]) => `${name} ${(v * 100).toFixed(0)}%`).join(', ')}</dd>`
            : nothing}
          ${q ? this.distances(q) : nothing}
          ${q?.membership ? html`<dt>Membership test</dt><dd>${membershipLine(q.membership)}</dd>` : nothing}
          ${q?.surround
            ? html`<dt>Surround check</dt><dd>${q.surround.generated[0]} of ${q.surround.generated[1]} samples have a border unusual
                among real training images (real training images: ${q.surround.realTrain[0]} of ${q.surround.realTrain[1]})</dd>`
            : nothing}
          ${this.tokens(card.quality.tokens)}
        </dl>
      </details>
    `;
  }

  /** An autoregressive card's token figures: how well its VQ reconstructs, and how well its transformer predicts. */
  private tokens(t: unknown) {
    const n = (k: string) => (t && typeof t === 'object' && typeof (t as Record<string, unknown>)[k] === 'number' ? (t as Record<string, number>)[k]! : null);
    const [mse, used, size, bits, uniform] = ['heldOutReconstructionMse', 'codesUsed', 'codebookSize', 'heldOutBitsPerToken', 'uniformBitsPerToken'].map(n) as (number | null)[];
    if (mse == null || used == null || size == null || bits == null || uniform == null) return nothing;
    return html`<dt>Tokens</dt><dd>on held-out data, the VQ autoencoder reconstructs with mean squared error ${mse.toPrecision(2)}
      using ${used} of its ${size} codes, the ceiling on any sample's sharpness; the transformer predicts the true tokens at
      ${bits.toFixed(2)} bits each (a blind guess: ${uniform.toFixed(0)})</dd>`;
  }

  /** The card's Frechet distances: in the modality's feature extractor first, with intervals and the
   * real-vs-real yardstick at the same size; the evaluator's own features second, labelled as such. */
  private distances(q: CardFigures) {
    const i = q.independent;
    const interval = (v: [number, number] | null) => (v ? ` [${v[0].toPrecision(3)}, ${v[1].toPrecision(3)}]` : '');
    return html`
      ${i?.frechetGenerated != null && i.frechetReal != null
        ? html`<dt>Fréchet distance</dt><dd>in the features of ${i.extractor}, ${i.n ?? '?'} samples a side:
            ${i.frechetGenerated.toPrecision(3)}${interval(i.frechetIntervalGenerated)} to held-out data, against
            ${i.frechetReal.toPrecision(3)}${interval(i.frechetIntervalReal)} for as many real training samples
            ${i.frechetReal > 0 ? html`(<strong>${(i.frechetGenerated / i.frechetReal).toFixed(1)}×</strong> real-vs-real)` : nothing}; lower is closer</dd>`
        : nothing}
      ${q.frechetGenerated != null
        ? html`<dt>${i ? 'In the evaluator' : 'Fréchet distance'}</dt><dd>${i ? html`a second view, in the evaluator's own features, which are blind to
            much it was not trained to separate: ` : nothing}${q.frechetGenerated.toPrecision(3)} to held-out data
            (real training data: ${q.frechetReal?.toPrecision(3) ?? '?'})</dd>`
        : nothing}
    `;
  }
}

/** The card's membership test in the words the page's own test uses (src/judge/membership.ts). */
function membershipLine(m: NonNullable<CardFigures['membership']>): string {
  let text = `${membershipVerdict(m.all, m.dedup, m.nearCopies)} (training/membership.py; AUC 0.5: it cannot tell them apart)`;
  if (m.splitByPatient) text += ' The held-out records are other patients\' (the split is by patient), so this also measures how patients differ.';
  return text;
}

customElements.define('msl-model-details', ModelDetails);

declare global {
  interface HTMLElementTagNameMap {
    'msl-model-details': ModelDetails;
  }
}
