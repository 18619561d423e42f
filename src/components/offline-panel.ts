import { LitElement, css, html, nothing } from 'lit';
import { formatBytes } from '../models/catalogue.js';
import { panelStyles } from './panel-styles.js';

/** A model the panel offers, with the bytes it and its dataset's real samples take. */
export interface OfflineChoice {
  id: string;
  name: string;
  dataset: string;
  modelBytes: number;
  dataBytes: number;
}

/** Asks to save the site with these models (ids). */
export class OfflineSaveEvent extends Event {
  constructor(readonly ids: string[]) {
    super('msl-offline-save', { bubbles: true, composed: true });
  }
}

/**
 * Saving the site and chosen models for offline use: a box per model with what it takes, the
 * total before anything is saved, progress while saving, and a way to clear it all.
 *
 * @property choices - the models on offer; saved - ids already saved; siteBytes - the page's own files
 * @attr status - checking, unavailable, ready, saving or clearing (src/app/offline.ts)
 * @attr message - what happened last, or why offline use is unavailable
 * @attr current - the model on the page, ticked to begin with
 * @fires msl-offline-save, msl-offline-cancel, msl-offline-clear
 */
export class OfflinePanel extends LitElement {
  static override properties = {
    choices: { attribute: false },
    saved: { attribute: false },
    siteSaved: { type: Boolean, attribute: 'site-saved' },
    siteBytes: { type: Number, attribute: 'site-bytes' },
    progress: { attribute: false },
    status: {},
    message: {},
    current: {},
    chosen: { state: true },
  };

  declare choices: OfflineChoice[];
  declare saved: ReadonlySet<string>;
  declare siteSaved: boolean;
  declare siteBytes: number;
  declare progress: { done: number; total: number } | null;
  declare status: string;
  declare message: string;
  declare current: string;
  declare chosen: Set<string> | null;

  constructor() {
    super();
    this.choices = [];
    this.saved = new Set();
    this.siteSaved = false;
    this.siteBytes = 0;
    this.progress = null;
    this.status = 'checking';
    this.message = '';
    this.current = '';
    this.chosen = null;
  }

  static override styles = [panelStyles, css`
    ul { list-style: none; padding: 0; margin: 0.4rem 0; columns: 2 18rem; }
    li { break-inside: avoid; padding: 0.1rem 0; }
    .saved { color: #1a7f37; }
    progress { width: 12rem; }
  `];

  /** The ticked models: at first the one on the page and those saved. */
  private get ticked(): Set<string> {
    return this.chosen ?? new Set([...this.saved, ...(this.current ? [this.current] : [])]);
  }

  override render() {
    if (this.status === 'checking') return html`<p class="note">Checking what this browser keeps…</p>`;
    if (this.status === 'unavailable') return html`<p class="note" data-testid="offline-status">${this.message}</p>`;
    const ticked = this.ticked;
    const picked = this.choices.filter((c) => ticked.has(c.id));
    // each dataset's real samples once, however many of its models are ticked
    const data = new Map(picked.map((c) => [c.dataset, c.dataBytes]));
    const total = this.siteBytes + picked.reduce((n, c) => n + c.modelBytes, 0) + [...data.values()].reduce((n, b) => n + b, 0);
    const busy = this.status !== 'ready';
    return html`
      <p>Save the site and the models a workshop needs into this browser, once, with a network; afterwards they open and run
        with none. Each model comes with its dataset's real samples; the weights are checked against their card's checksum as
        always. Nothing is saved until you press Save.</p>
      <ul data-testid="offline-models">
        ${this.choices.map((c) => html`<li><label><input type="checkbox" data-model=${c.id} .checked=${ticked.has(c.id)} ?disabled=${busy}
          @change=${(e: Event) => this.toggle(c.id, (e.target as HTMLInputElement).checked)} />
          ${c.name} (${formatBytes(c.modelBytes)}, its data ${formatBytes(c.dataBytes)})${this.saved.has(c.id) ? html` <span class="saved">saved</span>` : nothing}</label></li>`)}
      </ul>
      <div class="bar">
        <button class="primary" type="button" data-testid="offline-save" ?disabled=${busy || picked.length === 0}
          @click=${() => this.dispatchEvent(new OfflineSaveEvent(picked.map((c) => c.id)))}>Save for offline use (${formatBytes(total)})</button>
        ${this.status === 'saving'
          ? html`<button type="button" data-testid="offline-cancel" @click=${() => this.dispatchEvent(new Event('msl-offline-cancel', { bubbles: true, composed: true }))}>Cancel</button>
              <progress value=${this.progress?.done ?? 0} max=${this.progress?.total ?? 1}></progress>`
          : nothing}
        <button type="button" data-testid="offline-clear" ?disabled=${busy || (!this.siteSaved && this.saved.size === 0)}
          @click=${() => this.dispatchEvent(new Event('msl-offline-clear', { bubbles: true, composed: true }))}>Clear what is saved</button>
      </div>
      <p role="status" data-testid="offline-status" class="note">${this.message || (this.siteSaved
        ? `Saved here: the site and ${this.saved.size} model${this.saved.size === 1 ? '' : 's'}.`
        : 'Nothing of this site is saved in this browser.')}</p>`;
  }

  private toggle(id: string, on: boolean): void {
    const next = new Set(this.ticked);
    if (on) next.add(id);
    else next.delete(id);
    this.chosen = next;
  }
}

customElements.define('msl-offline-panel', OfflinePanel);

declare global {
  interface HTMLElementTagNameMap {
    'msl-offline-panel': OfflinePanel;
  }
  interface HTMLElementEventMap {
    'msl-offline-save': OfflineSaveEvent;
  }
}
