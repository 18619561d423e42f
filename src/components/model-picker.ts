import { LitElement, css, html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { type CatalogueEntry, datasetName, fastestFirst, formatBytes, methodName } from '../models/catalogue.js';
import { isLocalPath } from '../models/local-files.js';

/** A model card was picked. */
export class ModelSelectEvent extends CustomEvent<{ id: string }> {
  constructor(id: string) {
    super('msl-model-select', { detail: { id }, bubbles: true, composed: true });
  }
}

/** How long the arrow keys must rest on a card before it is loaded: passing over a card loads nothing. */
export const SETTLE_MS = 600;

const ARROW_KEYS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight']);

/**
 * The generators on offer as cards (a radio group), fastest first: a thumbnail of samples the
 * model made itself (where one ships), modality, method, training data, licence and download size.
 * Picking one asks for it to be loaded; another can be picked at any time. A click picks at once;
 * the arrow keys move the choice at once but ask for the model only once they rest (SETTLE_MS) or
 * Enter or Space confirms, since every model asked for is downloaded and built.
 *
 * On a narrow screen the cards shrink to a thumbnail, name and method in one row that scrolls sideways.
 *
 * @property models - the generators to offer, with their thumbnails
 * @property selected - the id of the chosen model, or null
 * @property suggested - the id of the model to badge "Suggested start", or null
 * @property compact - names and methods only (presenter mode)
 * @property collapsed - once a model is chosen, show its card only, with a button to show them all
 * @fires msl-model-select - a card was picked
 * @csspart card - each card
 */
export class ModelPicker extends LitElement {
  static override properties = {
    models: { attribute: false },
    selected: {},
    suggested: {},
    compact: { type: Boolean },
    collapsed: { type: Boolean },
    choice: { state: true },
    expanded: { state: true },
  };

  declare models: CatalogueEntry[];
  declare selected: string | null;
  /** A first model to try (catalogue.ts suggestedStart), badged on its card. */
  declare suggested: string | null;
  /** Names and methods only, for a projector. */
  declare compact: boolean;
  /** The chosen card alone, for a projector: the page below it is what the audience watches. */
  declare collapsed: boolean;
  /** The card shown as chosen before `selected` catches up: the one the arrow keys rest on, or the one just picked. */
  private declare choice: string | null;
  /** "Show all" was pressed while collapsed; folds again when `selected` changes. */
  private declare expanded: boolean;
  /** An arrow key is down: the change it makes is a step through the cards, not yet a pick. */
  private arrowKeyDown = false;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.models = [];
    this.selected = null;
    this.suggested = null;
    this.compact = false;
    this.collapsed = false;
    this.choice = null;
    this.expanded = false;
  }

  static override styles = css`
    /* a container, so the cards fit the space the page gives the picker, not the whole window */
    :host { display: block; container-type: inline-size; }
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
    .thumb { display: block; width: var(--thumb-width); max-width: 100%; height: auto; margin-bottom: 0.45rem; border-radius: 3px; }
    .thumb.pixelated { image-rendering: pixelated; }
    .name { font-weight: 600; display: block; margin-bottom: 0.2rem; }
    .method, .suggested { display: inline-block; font-size: 0.8em; font-weight: 600; padding: 0.05em 0.5em; border-radius: 1em;
      background: #dbe7f7; color: #0b3a75; }
    .method.vae { background: #e8e1f5; color: #4a2a85; }
    .method.gan { background: #fbe7d6; color: #7a3300; }
    .suggested { background: #dcf0e0; color: #1a5e2a; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 0.6rem; margin: 0.4rem 0 0; font-size: 0.88em; }
    dt { color: #424a53; }
    dd { margin: 0; }
    .empty { color: #424a53; }
    .show-all { margin-top: 0.5rem; font: inherit; }
    :host([compact]) dl, :host([compact]) .hint { display: none; }
    /* a phone: one row of small cards that scrolls sideways, so the page below is one swipe away */
    @container (max-width: 40rem) {
      .cards { display: flex; overflow-x: auto; scroll-snap-type: x mandatory; padding: 6px; scroll-padding: 6px; }
      label { flex: 0 0 8.5rem; scroll-snap-align: start; padding: 0.4rem 0.5rem; }
      .thumb { width: calc(var(--thumb-width) / 2); margin-bottom: 0.3rem; }
      dl { display: none; }
    }
  `;

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('selected')) {
      clearTimeout(this.settleTimer);
      this.settleTimer = undefined;
      this.choice = null;
      this.expanded = false;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
  }

  override render() {
    if (!this.models.length) {
      return html`<p class="empty">No generative models are shipped with this build yet. They are trained by
        <code>training/run_queue.sh</code> and copied into <code>models/</code>.</p>`;
    }
    const selected = this.models.find((m) => m.id === this.selected);
    const folded = this.collapsed && !this.expanded && selected !== undefined;
    // keyed, so the selected card (and the keyboard focus on it) outlives folding
    const shown = folded ? [selected] : fastestFirst(this.models);
    return html`
      <fieldset>
        <legend>Model to run</legend>
        ${folded
          ? nothing
          : html`<p class="hint">${this.models.some((m) => m.thumbnail)
              ? 'Each picture: four samples the model made itself, its classes in turn, from fixed seeds. '
              : ''}Fastest first.</p>`}
        <div class="cards" @keydown=${this.onKeyDown} @keyup=${this.onKeyUp}>
          ${repeat(shown, (m) => m.id, (m) => this.card(m))}
        </div>
        ${folded
          ? html`<button class="show-all" data-testid="show-all-models" @click=${this.showAll}>Show all ${this.models.length} models</button>`
          : nothing}
      </fieldset>
    `;
  }

  private card(m: CatalogueEntry) {
    const chosen = m.id === (this.choice ?? this.selected);
    const suggested = m.id === this.suggested;
    const thumb = m.thumbnail;
    const local = isLocalPath(m.path);
    return html`
      <label part="card" class=${chosen ? 'chosen' : ''} data-testid="model-card-${m.id}">
        <input type="radio" name="model" value=${m.id} .checked=${live(chosen)}
          aria-labelledby="name-${m.id}" aria-describedby="${suggested ? `suggested-${m.id} ` : ''}facts-${m.id}"
          @change=${() => this.picked(m.id)} />
        ${thumb
          ? html`<img class="thumb ${thumb.pixelated ? 'pixelated' : ''}" data-testid="thumbnail" src=${thumb.src}
              width=${thumb.width} height=${thumb.height} style=${styleMap({ '--thumb-width': `${thumb.width}px` })}
              alt="Samples made by ${m.name}" />`
          : nothing}
        <span class="name" id="name-${m.id}">${m.name}</span>
        <span class="method ${m.method}">${methodName(m.method)}</span>
        ${suggested ? html`<span class="suggested" id="suggested-${m.id}" data-testid="suggested">Suggested start</span>` : nothing}
        ${local ? html`<span class="suggested" data-testid="from-disk">From your disk</span>` : nothing}
        <dl id="facts-${m.id}">
          <dt>Modality</dt><dd>${m.modality}</dd>
          <dt>Trained on</dt><dd>${datasetName(m.dataset)}</dd>
          <dt>Classes</dt><dd>${m.classes.join(', ')}</dd>
          <dt>Licence</dt><dd>${m.licence}</dd>
          <dt>${local ? 'Weights' : 'Download'}</dt><dd>${formatBytes(m.bytes)}</dd>
        </dl>
      </label>
    `;
  }

  /** A radio was checked: by a click or Space at once, by the arrow keys once they rest. */
  private picked(id: string): void {
    this.choice = id;
    clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    if (this.arrowKeyDown) this.settleTimer = setTimeout(() => this.commit(), SETTLE_MS);
    else this.commit();
  }

  /** Asks for the chosen model, unless it is the one already selected (the arrows came back to it). */
  private commit(): void {
    clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    if (this.choice !== null && this.choice !== this.selected) this.dispatchEvent(new ModelSelectEvent(this.choice));
  }

  private onKeyDown = (e: KeyboardEvent): void => {
    if (ARROW_KEYS.has(e.key)) this.arrowKeyDown = true;
    // Enter or Space confirms the card the arrows rest on, without the wait
    else if ((e.key === 'Enter' || e.key === ' ') && this.settleTimer !== undefined) this.commit();
  };

  private onKeyUp = (e: KeyboardEvent): void => {
    if (ARROW_KEYS.has(e.key)) this.arrowKeyDown = false;
  };

  /** Unfolds the cards, keeping the keyboard on the chosen one (the button it was on is gone). */
  private showAll = async (): Promise<void> => {
    this.expanded = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('input:checked')?.focus();
  };
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
