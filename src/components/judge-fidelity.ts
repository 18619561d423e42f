import { LitElement, html, nothing } from 'lit';
import type { FidelityReport } from '../judge/fidelity.js';
import { type CardFigures, precisionRecallNote } from '../judge/view.js';
import { fmt } from './judge-charts.js';
import { judgeStyles } from './judge-parts.js';
import './explain-tip.js';

/**
 * Fidelity and diversity: the Frechet and kernel distances of generated against real held-out
 * samples, with bootstrap intervals, beside real training against held-out (the scale of the
 * figures) and the model card's figures; precision, recall, density and coverage; and warnings
 * where the sets are too small to trust, and notes on figures that can look wrong: why a kernel
 * distance can come out below zero, and what it means when precision and recall part.
 *
 * @property fidelity - the figures (FidelityReport), in the space it names
 * @property card - the model card's figures (measured in the evaluator's features), or null
 * @property second - this is the evaluator-space view beside the feature extractor's
 */
export class JudgeFidelity extends LitElement {
  static override properties = {
    fidelity: { attribute: false },
    card: { attribute: false },
    second: { type: Boolean },
  };

  declare fidelity: FidelityReport | null;
  declare card: CardFigures | null;
  declare second: boolean;

  constructor() {
    super();
    this.fidelity = null;
    this.card = null;
    this.second = false;
  }

  static override styles = judgeStyles;

  override render() {
    const f = this.fidelity;
    if (!f) return nothing;
    const g = f.generatedVsHeldOut;
    const r = f.trainVsHeldOut;
    const card = this.card;
    // the card's figure measured in the same features as this table, if any
    const inEvaluatorSpace = this.second || f.space.startsWith("the evaluator's");
    const independent = !inEvaluatorSpace && card?.independent && f.space.includes(card.independent.extractor) ? card.independent : null;
    const cardFd = !card
      ? null
      : inEvaluatorSpace
        ? { generated: card.frechetGenerated, real: card.frechetReal, n: null }
        : independent
          ? { generated: independent.frechetGenerated, real: independent.frechetReal, n: independent.n }
          : null;
    const gap = precisionRecallNote(g.prdc);
    const interval = (x: { estimate: number; low: number; high: number }) =>
      html`${fmt(x.estimate)} <span class="ci">[${fmt(x.low)}, ${fmt(x.high)}]</span>`;
    const prdcRow = (name: 'precision' | 'recall' | 'density' | 'coverage', label: string) =>
      html`<tr><th scope="row">${label}</th><td>${fmt(g.prdc?.[name])}</td><td>${fmt(r?.prdc?.[name])}</td><td>–</td></tr>`;
    return html`
      <section aria-labelledby="judge-fidelity-heading" data-testid=${this.second ? 'judge-fidelity-evaluator' : 'judge-fidelity'}>
        <div class="heading-row"><h3 id="judge-fidelity-heading">${this.second ? "Second view: the same in the evaluator's features" : 'Fidelity and diversity'}</h3><msl-explain term="frechet" label="the Frechet distance"></msl-explain><msl-explain term="prdc" label="precision, recall, density and coverage"></msl-explain></div>
        ${this.second
          ? html`<p class="hint">The evaluator was trained to tell its classes apart, and its features keep little else: blur,
              texture or a wrong background can pass unseen. These figures are kept to compare with the model card, which was
              measured in them; trust the independent features above.</p>`
          : nothing}
        <table>
          <caption>
            In ${f.space} (${f.featureDim} dimensions), on a class-balanced mix of ${f.classes.join(', ')}
            (${f.perClass.join(' + ')} samples per set); 95% bootstrap intervals over ${g.frechet.resamples} resamples in brackets.
            Lower distances are closer; precision and density measure fidelity, recall and coverage diversity.
          </caption>
          <thead><tr><th scope="col">measure</th><th scope="col">generated vs held-out</th><th scope="col">real training vs held-out</th><th scope="col">model card (PyTorch)</th></tr></thead>
          <tbody>
            <tr data-testid="judge-frechet"><th scope="row">Frechet distance</th><td>${interval(g.frechet)}</td><td>${r ? interval(r.frechet) : '–'}</td>
              <td>${cardFd?.generated != null ? html`${fmt(cardFd.generated)} <span class="ci">(real ${fmt(cardFd.real)}${cardFd.n ? html`; ${cardFd.n} per set` : nothing})</span>` : '–'}</td></tr>
            <tr data-testid="judge-frechet-infinity"><th scope="row">Frechet distance at infinite N <span class="ci">(bias extrapolated away)</span></th>
              <td>${fmt(g.frechetInfinity?.infinity)}</td><td>${fmt(r?.frechetInfinity?.infinity)}</td>
              <td>${independent?.infinityGenerated != null ? html`${fmt(independent.infinityGenerated)} <span class="ci">(real ${fmt(independent.infinityReal)})</span>` : '–'}</td></tr>
            <tr data-testid="judge-kid"><th scope="row">Kernel distance (KID)</th><td>${interval(g.kid)}</td><td>${r ? interval(r.kid) : '–'}</td><td>–</td></tr>
            ${prdcRow('precision', 'Precision')} ${prdcRow('recall', 'Recall')} ${prdcRow('density', 'Density')} ${prdcRow('coverage', 'Coverage')}
          </tbody>
        </table>
        ${g.kid.estimate < 0 || (r && r.kid.estimate < 0)
          ? html`<p class="hint" data-testid="judge-kid-negative">A negative KID is not an error: the estimate is unbiased, so
              with finite samples it scatters around the true distance, and when that is near 0 it falls below zero about as
              often as above.</p>`
          : nothing}
        ${g.frechetInfinity
          ? html`<p class="hint" data-testid="judge-frechet-bias">The Frechet distance is biased upwards by about a constant / N: measured
              on ${g.frechetInfinity.sizes.join(', ')} samples per set it was ${g.frechetInfinity.values.map((v) => fmt(v)).join(', ')}, and the
              line through those in 1 / N meets infinite N at ${fmt(g.frechetInfinity.infinity)} (Chong and Forsyth 2020). Compare
              distances only at equal N, or at infinite N. Where the true distance is near 0, as between two real sets, the
              extrapolated one can come out below 0.</p>`
          : nothing}
        ${gap ? html`<p class="hint" data-testid="judge-precision-recall">${gap}</p>` : nothing}
        ${f.warnings.map((w) => html`<p class="warning" role="note" data-testid="judge-fidelity-warning">${w}</p>`)}
      </section>
    `;
  }
}

customElements.define('msl-judge-fidelity', JudgeFidelity);

declare global {
  interface HTMLElementTagNameMap {
    'msl-judge-fidelity': JudgeFidelity;
  }
}
