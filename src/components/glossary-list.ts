import { LitElement, css, html, nothing } from 'lit';
import type { Term } from '../lessons/glossary.js';

/**
 * The glossary: every term in plain words, and the maths under it for those who want it, with
 * the code's names beside the symbols. Each term is an anchor (#term-<id>) other views link to.
 *
 * @property terms - the terms, in order
 */
export class GlossaryList extends LitElement {
  static override properties = { terms: { attribute: false } };

  declare terms: readonly Term[];

  constructor() {
    super();
    this.terms = [];
  }

  static override styles = css`
    :host { display: block; }
    dl { margin: 0; }
    dt { font-weight: 600; margin-top: 0.6rem; }
    dd { margin: 0.15rem 0 0 0; max-width: 52rem; }
    details { margin-top: 0.2rem; }
    summary { cursor: pointer; color: #0b4fa8; font-size: 0.92em; }
    summary:focus-visible { outline: 3px solid #1d4f91; outline-offset: 2px; }
    code { display: block; font-size: 0.88em; white-space: pre-wrap; background: #f6f8fa; padding: 0.3rem 0.5rem; border-radius: 0.3rem; margin-top: 0.2rem; }
  `;

  override render() {
    return html`<dl>
      ${this.terms.map((t) => html`<dt id="term-${t.id}">${t.term}</dt>
        <dd>${t.plain}
          ${t.maths?.length
            ? html`<details><summary>The maths</summary>${t.maths.map((line) => html`<code>${line}</code>`)}</details>`
            : nothing}
        </dd>`)}
    </dl>`;
  }
}

customElements.define('msl-glossary', GlossaryList);

declare global {
  interface HTMLElementTagNameMap {
    'msl-glossary': GlossaryList;
  }
}
