import { LitElement, css, html, nothing } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { type CatalogueEntry, datasetName, formatBytes, methodName } from '../models/catalogue.js';

/** A model card was picked. */
export class ModelSelectEvent extends CustomEvent<{ id: string }> {
  constructor(id: string) {
    super('msl-model-select', { detail: { id }, bubbles: true, composed: true });
  }
}

/**
 * The generators on offer as cards (a radio group): a thumbnail of samples the model made itself
 * (where one ships), modality, method, training data, licence and download size. Picking one asks
 * for it to be loaded; another can be picked at any time.
 *
 * @property models - the generators to offer, with their thumbnails
 * @property selected - the id of the chosen model, or null
 * @property compact - names and methods only (presenter mode)
 * @fires msl-model-select - a card was picked
 * @csspart card - each card
 */
export class ModelPicker extends LitElement {
  static override properties = {
    models: { attribute: false },
    selected: {},
    compact: { type: Boolean },
  };

  declare models: CatalogueEntry[];
  declare selected: string | null;
  /** Names and methods only, for a projector. */
  declare compact: boolean;

  constructor() {
    super();
    this.models = [];
    this.selected = null;
    this.compact = false;
  }

  static override styles = css`
    :host { display: block; }
    fieldset { border: 0; margin: 0; padding: 0; min-width: 0; }
    /* the section's heading says it; the legend names the radio group for screen readers */
    legend { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
    .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 16em), 1fr)); gap: 0.6rem; }
    .hint { margin: 0 0 0.5rem; color: #424a53; font-size: 0.92em; }
    label { display: block; position: relative; border: 2px solid #d0d7de; border-radius: 0.5rem; padding: 0.6rem 0.8rem;
      cursor: pointer; background: #fff; }
    label:hover { border-color: #8c959f; }
    label.chosen { border-color: #1d4f91; background: #f1f6fd; }
    label:focus-within { outline: 3px solid #1d4f91; outline-offset: 2px; }
    input { position: absolute; opacity: 0; inset: 0; margin: 0; cursor: pointer; }
    .thumb { display: block; max-width: 100%; height: auto; margin-bottom: 0.45rem; border-radius: 3px; }
    .thumb.pixelated { image-rendering: pixelated; }
    .name { font-weight: 600; display: block; margin-bottom: 0.2rem; }
    .method { display: inline-block; font-size: 0.8em; font-weight: 600; padding: 0.05em 0.5em; border-radius: 1em;
      background: #dbe7f7; color: #0b3a75; }
    .method.vae { background: #e8e1f5; color: #4a2a85; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 0.6rem; margin: 0.4rem 0 0; font-size: 0.88em; }
    dt { color: #424a53; }
    dd { margin: 0; }
    .empty { color: #424a53; }
    :host([compact]) dl, :host([compact]) .hint { display: none; }
  `;

  override render() {
    if (!this.models.length) {
      return html`<p class="empty">No generative models are shipped with this build yet. They are trained by
        <code>training/run_queue.sh</code> and copied into <code>models/</code>.</p>`;
    }
    return html`
      <fieldset>
        <legend>Model to run</legend>
        ${this.models.some((m) => m.thumbnail)
          ? html`<p class="hint">Each picture: four samples the model made itself, its classes in turn, from fixed seeds.</p>`
          : nothing}
        <div class="cards">
          ${this.models.map((m) => this.card(m))}
        </div>
      </fieldset>
    `;
  }

  private card(m: CatalogueEntry) {
    const chosen = m.id === this.selected;
    const thumb = m.thumbnail;
    return html`
      <label part="card" class=${chosen ? 'chosen' : ''} data-testid="model-card-${m.id}">
        <input type="radio" name="model" value=${m.id} .checked=${chosen}
          aria-labelledby="name-${m.id}" aria-describedby="facts-${m.id}" @change=${() => this.dispatchEvent(new ModelSelectEvent(m.id))} />
        ${thumb
          ? html`<img class="thumb ${thumb.pixelated ? 'pixelated' : ''}" data-testid="thumbnail" src=${thumb.src}
              width=${thumb.width} height=${thumb.height} style=${styleMap({ width: `${thumb.width}px` })}
              alt="Samples made by ${m.name}" />`
          : nothing}
        <span class="name" id="name-${m.id}">${m.name}</span>
        <span class="method ${m.method}">${methodName(m.method)}</span>
        <dl id="facts-${m.id}">
          <dt>Modality</dt><dd>${m.modality}</dd>
          <dt>Trained on</dt><dd>${datasetName(m.dataset)}</dd>
          <dt>Classes</dt><dd>${m.classes.join(', ')}</dd>
          <dt>Licence</dt><dd>${m.licence}</dd>
          <dt>Download</dt><dd>${formatBytes(m.bytes)}</dd>
        </dl>
      </label>
    `;
  }
}

customElements.define('msl-model-picker', ModelPicker);

declare global {
  interface HTMLElementTagNameMap {
    'msl-model-picker': ModelPicker;
  }
  interface GlobalEventHandlersEventMap {
    'msl-model-select': ModelSelectEvent;
  }
}
