import { LitElement, css, html, nothing } from 'lit';
import type { EcgView } from '../judge/view.js';
import { fmt, histogramChart } from './judge-charts.js';
import { judgeStyles } from './judge-parts.js';
import './explain-tip.js';

/**
 * ECG plausibility: for one class at a time, the R amplitude, QRS width and ST level of generated
 * beats overlaid on those of real beats of the same class.
 *
 * @property ecg - the beat features per class (EcgView)
 */
export class JudgeEcg extends LitElement {
  static override properties = {
    ecg: { attribute: false },
    ecgClass: { state: true },
  };

  declare ecg: EcgView | null;
  declare private ecgClass: number;

  constructor() {
    super();
    this.ecg = null;
    this.ecgClass = 0;
  }

  static override styles = [
    judgeStyles,
    css`
      .features { display: flex; flex-wrap: wrap; gap: 0.5rem 1.2rem; }
      .features .chart { flex: 1 1 18rem; }
    `,
  ];

  protected override willUpdate(): void {
    // another model's audit may have fewer classes
    if (this.ecgClass >= (this.ecg?.classes.length ?? 0)) this.ecgClass = 0;
  }

  override render() {
    const e = this.ecg;
    if (!e) return nothing;
    const current = e.classes[this.ecgClass];
    return html`
      <section aria-labelledby="judge-ecg-heading" data-testid="judge-ecg">
        <div class="heading-row"><h3 id="judge-ecg-heading">ECG plausibility: beat features</h3><msl-explain term="beat-features" label="the beat features"></msl-explain></div>
        <p class="hint">R amplitude, QRS width and ST level (none depends on the heart rate) of generated beats against ${e.realSet}.</p>
        <label>Class
          <select data-testid="judge-ecg-class" @change=${(ev: Event) => (this.ecgClass = Number((ev.target as HTMLSelectElement).value))}>
            ${e.classes.map((c, i) => html`<option value=${i} ?selected=${i === this.ecgClass}>${c.name} (${c.generated} generated, ${c.real} real)</option>`)}
          </select>
        </label>
        ${current && current.features.length
          ? html`<div class="features">${current.features.map((f) => histogramChart({
              histogram: f.histogram,
              names: ['generated', 'real'],
              xLabel: `${f.label} (${f.unit})`,
              description: `${f.label} of ${current.name} beats: median ${fmt(f.medians.generated)} ${f.unit} generated, ${fmt(f.medians.real)} ${f.unit} real.`,
              testid: 'judge-ecg-feature',
            }))}</div>`
          : html`<p class="hint">Not enough beats of this class to compare.</p>`}
      </section>
    `;
  }
}

customElements.define('msl-judge-ecg', JudgeEcg);

declare global {
  interface HTMLElementTagNameMap {
    'msl-judge-ecg': JudgeEcg;
  }
}
