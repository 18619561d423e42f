import { LitElement, css, html, nothing } from 'lit';
import { GLOSSARY } from '../lessons/glossary.js';

/**
 * A toggletip: a small "?" button beside a control or figure that opens a short explanation from
 * the glossary, by click, tap, Enter or Space, and closes on Escape, another press, or when focus
 * leaves it. The text is announced (role status) when it opens.
 *
 * @attr term - the glossary term's id (src/lessons/glossary.ts)
 * @attr label - what the button names ("guidance scale"), for screen readers
 */
export class ExplainTip extends LitElement {
  static override properties = {
    term: {},
    label: {},
    open: { state: true },
  };

  declare term: string;
  declare label: string;
  declare open: boolean;

  constructor() {
    super();
    this.term = '';
    this.label = '';
    this.open = false;
  }

  static override styles = css`
    :host { display: inline-block; position: relative; vertical-align: baseline; }
    button { font: inherit; font-size: 0.8em; width: 1.5em; height: 1.5em; padding: 0; margin-left: 0.3em; border-radius: 50%;
      border: 1px solid #57606a; background: #fff; color: #1b1f24; cursor: pointer; line-height: 1; }
    button[aria-expanded='true'] { background: #1d4f91; border-color: #1d4f91; color: #fff; }
    button:focus-visible { outline: 3px solid #1d4f91; outline-offset: 2px; }
    .bubble { position: absolute; z-index: 10; left: 0; top: calc(100% + 0.3rem); width: min(22rem, 80vw); padding: 0.5rem 0.7rem;
      background: #fff; color: #1b1f24; border: 1px solid #57606a; border-radius: 0.4rem; box-shadow: 0 4px 12px rgb(0 0 0 / 0.18);
      font-size: 0.9rem; font-weight: normal; line-height: 1.4; white-space: normal; }
  `;

  override render() {
    const term = GLOSSARY.find((t) => t.id === this.term);
    if (!term) return nothing;
    return html`<button type="button" aria-expanded=${String(this.open)} aria-label="What is ${this.label || term.term}?"
        @click=${() => (this.open = !this.open)} @keydown=${this.onKey} @blur=${() => (this.open = false)}>?</button
      ><span role="status">${this.open ? html`<span class="bubble" data-testid="explain-text">${term.plain}</span>` : nothing}</span>`;
  }

  private readonly onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && this.open) {
      e.stopPropagation();
      this.open = false;
    }
  };
}

customElements.define('msl-explain', ExplainTip);

declare global {
  interface HTMLElementTagNameMap {
    'msl-explain': ExplainTip;
  }
}
