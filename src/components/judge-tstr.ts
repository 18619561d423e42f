import { LitElement, css, html, nothing } from 'lit';
import { DEFAULT_JUDGE_SETTINGS, type JudgeRunProgress, type JudgeSettings, type TstrView } from '../judge/view.js';
import { confusionTable, lossChart, percent } from './judge-charts.js';
import { JudgeCancelEvent, JudgeEditEvent, JudgeTrainEvent } from './judge-events.js';
import { judgeStyles, progressLine, settingField } from './judge-parts.js';
import './explain-tip.js';

/**
 * Usefulness, train on synthetic and test on real: the training form, the loss curves of both runs
 * as batches arrive, then accuracies, per-class recalls and confusion matrices on real held-out
 * samples, and the fallback model where the backend cannot train convolutions.
 *
 * @property tstr - the run so far (TstrView), or null before the first
 * @property classes - the class names, for the tables
 * @property settings - the draft settings the form sends (the epochs are edited here)
 * @property progress - the training's progress, while it runs
 * @property canTrain - whether training can start now (an audit finished, nothing running)
 * @property busy - a run (audit or training) is going: the form is locked
 * @property training - training is going: Stop is offered
 * @fires msl-judge-train - train and test, with the settings
 * @fires msl-judge-cancel - stop training
 * @fires msl-judge-edit - the epochs were edited (to the panel, which holds the draft)
 */
export class JudgeTstr extends LitElement {
  static override properties = {
    tstr: { attribute: false },
    classes: { attribute: false },
    settings: { attribute: false },
    progress: { attribute: false },
    canTrain: { type: Boolean, attribute: 'can-train' },
    busy: { type: Boolean },
    training: { type: Boolean },
  };

  declare tstr: TstrView | null;
  declare classes: string[];
  declare settings: JudgeSettings;
  declare progress: JudgeRunProgress | null;
  declare canTrain: boolean;
  declare busy: boolean;
  declare training: boolean;

  constructor() {
    super();
    this.tstr = null;
    this.classes = [];
    this.settings = DEFAULT_JUDGE_SETTINGS;
    this.progress = null;
    this.canTrain = false;
    this.busy = false;
    this.training = false;
  }

  static override styles = [
    judgeStyles,
    css`
      .confusions { display: flex; flex-wrap: wrap; gap: 1rem; }
      .confusion td.diagonal { font-weight: 700; }
    `,
  ];

  override render() {
    const t = this.tstr;
    const classes = this.classes;
    const report = t?.report ?? null;
    return html`
      <section aria-labelledby="judge-tstr-heading" data-testid="judge-tstr">
        <div class="heading-row"><h3 id="judge-tstr-heading">Usefulness: train on synthetic, test on real</h3><msl-explain term="tstr" label="train on synthetic, test on real"></msl-explain></div>
        <p class="hint">A small classifier learns from the audit's synthetic samples only and is tested on real held-out samples; the same classifier trained on real training samples is the yardstick.</p>
        <form class="tstr-form" aria-label="Training settings" novalidate @submit=${(e: Event) => {
          e.preventDefault();
          if (this.canTrain) this.dispatchEvent(new JudgeTrainEvent(this.settings));
        }}>
          ${settingField(this.settings, 'epochs', 'Epochs', 'judge-epochs', { disabled: this.busy, onEdit: (edit) => this.dispatchEvent(new JudgeEditEvent(edit)) })}
          <button class="primary" type="submit" data-testid="judge-train" ?disabled=${!this.canTrain}>Train and test</button>
          <button type="button" data-testid="judge-tstr-cancel" ?disabled=${!this.training}
            @click=${() => this.dispatchEvent(new JudgeCancelEvent('tstr'))}>Stop</button>
        </form>
        ${this.training ? progressLine(this.progress) : nothing}
        ${t?.note ? html`<p class="hint" data-testid="judge-tstr-note">${t.note}</p>` : nothing}
        ${report?.model.fallback ? html`<p class="warning" role="note" data-testid="judge-tstr-fallback">${report.model.fallback}</p>` : nothing}
        ${report ? html`<p class="hint">Model: ${report.model.description}, on the ${report.backend} backend.</p>` : nothing}
        ${t
          ? lossChart(
              [
                { name: 'synthetic', losses: t.batchLosses.synthetic, batchesPerEpoch: t.batchesPerEpoch.synthetic },
                { name: 'real', losses: t.batchLosses.real, batchesPerEpoch: t.batchesPerEpoch.real },
              ],
              t.epochs,
              'judge-loss-curve',
            )
          : nothing}
        ${report
          ? html`
              <table data-testid="judge-tstr-results">
                <caption>Tested on ${report.testSize} real held-out samples.</caption>
                <thead><tr><th scope="col">trained on</th><th scope="col">samples</th><th scope="col">accuracy</th><th scope="col">balanced accuracy</th>
                  ${classes.map((c) => html`<th scope="col">recall ${c}</th>`)}</tr></thead>
                <tbody>${[report.synthetic, report.real].filter((r) => r !== null).map((r) => html`<tr>
                  <th scope="row">${r.run === 'synthetic' ? 'synthetic' : 'real'}</th><td>${r.trainSize}</td><td>${percent(r.accuracy, 1)}</td><td>${percent(r.balancedAccuracy, 1)}</td>
                  ${r.perClassRecall.map((x) => html`<td>${percent(x)}</td>`)}</tr>`)}</tbody>
              </table>
              <div class="confusions">
                ${confusionTable(report.synthetic.confusion, classes, 'Trained on synthetic: rows true class, columns predicted', 'judge-confusion-synthetic')}
                ${report.real ? confusionTable(report.real.confusion, classes, 'Trained on real: rows true class, columns predicted', 'judge-confusion-real') : nothing}
              </div>`
          : nothing}
      </section>
    `;
  }
}

customElements.define('msl-judge-tstr', JudgeTstr);

declare global {
  interface HTMLElementTagNameMap {
    'msl-judge-tstr': JudgeTstr;
  }
}
