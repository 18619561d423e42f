import { LitElement, css, html, nothing } from 'lit';
import type { CardFigures, FaithfulnessView } from '../judge/view.js';
import { fmt, percent } from './judge-charts.js';
import { judgeStyles } from './judge-parts.js';
import './explain-tip.js';

/**
 * Class faithfulness and balance: per class, how often the evaluator sees the class a sample was
 * asked for, beside how often it agrees with the labels of real held-out samples (its own ceiling)
 * and the model card; then the class mix of the unconditional samples against the training set's,
 * or a sentence saying why there is none.
 *
 * @property faithfulness - the figures (FaithfulnessView)
 * @property card - the model card's figures, or null
 */
export class JudgeFaithfulness extends LitElement {
  static override properties = {
    faithfulness: { attribute: false },
    card: { attribute: false },
  };

  declare faithfulness: FaithfulnessView | null;
  declare card: CardFigures | null;

  constructor() {
    super();
    this.faithfulness = null;
    this.card = null;
  }

  static override styles = [
    judgeStyles,
    css`
      .bar { display: inline-block; height: 0.6rem; background: #1d4f91; vertical-align: middle; margin-right: 0.3rem; }
      .bar.train { background: #d9771e; }
    `,
  ];

  override render() {
    const f = this.faithfulness;
    if (!f) return nothing;
    const card = this.card;
    return html`
      <section aria-labelledby="judge-faithful-heading" data-testid="judge-faithfulness">
        <div class="heading-row"><h3 id="judge-faithful-heading">Class faithfulness and balance</h3><msl-explain term="evaluator" label="the evaluator"></msl-explain></div>
        <table>
          <caption>How often the evaluator sees the class a sample was asked for, beside how often it agrees with the labels of real held-out samples (its own ceiling).</caption>
          <thead><tr><th scope="col">class</th><th scope="col">generated</th><th scope="col">classified as requested</th><th scope="col">real held-out classified as labelled</th><th scope="col">model card</th></tr></thead>
          <tbody>
            ${f.generated.perClass.map((row, c) => html`<tr data-testid="judge-faithful-row">
              <th scope="row">${row.name}</th><td>${row.count}</td><td>${percent(row.rate)}</td>
              <td>${percent(f.heldout.perClass[c]?.rate)} <span class="ci">(of ${f.heldout.perClass[c]?.count ?? 0})</span></td>
              <td>${percent(card?.classifiedAsRequested?.[row.name])}</td></tr>`)}
          </tbody>
        </table>
        ${f.mix
          ? html`<table data-testid="judge-class-mix">
              <caption>Unconditional samples (${f.mix.total}): the class mix the evaluator sees, against the training set's. Total variation distance ${fmt(f.mix.totalVariation)} (0: the same mix).</caption>
              <thead><tr><th scope="col">class</th><th scope="col">unconditional samples</th><th scope="col">training set</th></tr></thead>
              <tbody>${f.mix.perClass.map((row) => html`<tr>
                <th scope="row">${row.name}</th>
                <td><span class="bar" style="width:${(6 * row.fraction).toFixed(2)}rem"></span>${percent(row.fraction)} <span class="ci">(${row.count})</span></td>
                <td><span class="bar train" style="width:${(6 * row.trainFraction).toFixed(2)}rem"></span>${percent(row.trainFraction)}</td></tr>`)}</tbody>
            </table>`
          : html`<p class="hint" data-testid="judge-class-mix-note">${f.mixNote}</p>`}
      </section>
    `;
  }
}

customElements.define('msl-judge-faithfulness', JudgeFaithfulness);

declare global {
  interface HTMLElementTagNameMap {
    'msl-judge-faithfulness': JudgeFaithfulness;
  }
}
