import { LitElement, css, html, nothing } from 'lit';
import type { TrainDataset, TrainStatus } from '../app/training-controllers.js';
import { isImage, viewWidth } from '../display/convert.js';
import { voltRange } from '../display/ecg-axes.js';
import type { FeedbackSettings, GenerationReport } from '../federated/feedback.js';
import { fmt, percent } from './judge-charts.js';
import { panelStyles, trainingStyles } from './panel-styles.js';
import { roundChart } from './round-chart.js';
import './sample-view.js';

/** Asks for a feedback loop on `dataset` with `settings`. */
export class FeedbackRunEvent extends Event {
  constructor(
    readonly dataset: string,
    readonly settings: FeedbackSettings,
  ) {
    super('msl-feedback-run', { bubbles: true, composed: true });
  }
}

/** Pause, resume or cancel the loop. */
export class FeedbackControlEvent extends Event {
  constructor(readonly action: 'pause' | 'resume' | 'cancel') {
    super('msl-feedback-control', { bubbles: true, composed: true });
  }
}

const FIELDS: { key: keyof FeedbackSettings; label: string; min: number; max: number; step: number }[] = [
  { key: 'trainSize', label: 'Records per generation', min: 2, max: 5000, step: 1 },
  { key: 'generations', label: 'Generations on synthetic data', min: 1, max: 20, step: 1 },
  { key: 'epochs', label: 'Epochs per generation', min: 1, max: 100, step: 1 },
  { key: 'batchSize', label: 'Batch size', min: 1, max: 512, step: 1 },
  { key: 'learningRate', label: 'Learning rate (Adam)', min: 0.0001, max: 10, step: 0.0001 },
  { key: 'seed', label: 'Seed', min: 0, max: 2 ** 31 - 1, step: 1 },
];

/**
 * The bias feedback loop: each generation of a small VAE trained only on the one before's
 * synthetic records; per generation, the class mix it trained on, the mix its samples have as the
 * evaluator sees them, how often each class is made as asked, and its fit to real held-out records.
 *
 * @property datasets, datasetId, settings - what can be trained on, and the form's starting values
 * @property status, message, generations - of the loop
 * @property toDisplay, shape - to show the samples
 * @property disabled, reason - a loop cannot start now, and why
 * @fires msl-feedback-run, msl-feedback-control
 */
export class FeedbackPanel extends LitElement {
  static override properties = {
    datasets: { attribute: false },
    datasetId: { attribute: 'dataset-id' },
    settings: { attribute: false },
    status: {},
    message: {},
    generations: { attribute: false },
    toDisplay: { attribute: false },
    shape: { attribute: false },
    secondsPer: { attribute: false },
    disabled: { type: Boolean },
    reason: {},
    draft: { state: true },
  };

  declare datasets: TrainDataset[];
  declare datasetId: string;
  declare settings: FeedbackSettings | null;
  declare status: TrainStatus;
  declare message: string | null;
  declare generations: GenerationReport[];
  declare toDisplay: ((x: ArrayLike<number>) => Float32Array) | null;
  declare shape: number[];
  declare secondsPer: number | null;
  declare disabled: boolean;
  declare reason: string;
  declare private draft: { dataset: string; settings: FeedbackSettings } | null;

  constructor() {
    super();
    this.datasets = [];
    this.datasetId = '';
    this.settings = null;
    this.status = 'idle';
    this.message = null;
    this.generations = [];
    this.toDisplay = null;
    this.shape = [];
    this.secondsPer = null;
    this.disabled = false;
    this.reason = '';
    this.draft = null;
  }

  static override styles = [panelStyles, trainingStyles, css`
    .samples .name { min-width: 7rem; font-size: 0.9em; }
  `];

  private get form(): { dataset: string; settings: FeedbackSettings } {
    if (!this.draft && this.settings) this.draft = { dataset: this.datasetId, settings: this.settings };
    return this.draft ?? { dataset: this.datasetId, settings: this.settings! };
  }

  private get classes(): string[] {
    return this.datasets.find((d) => d.dataset === this.form.dataset)?.classes ?? [];
  }

  override render() {
    if (!this.settings) return nothing;
    const { dataset, settings: s } = this.form;
    const active = this.status === 'loading' || this.status === 'running' || this.status === 'paused';
    return html`
      <p class="note">A small VAE learns from real records (generation 0) and makes a synthetic dataset of as many records, each
        class as often as in what it learned from. The next generation learns from that synthetic data only, and so on. Watch which
        classes it stops making well, and how the mix the evaluator sees drifts from the real one: a small class is learned from few
        records, so it degrades first, and a class drawn zero times is gone for good.</p>
      <form @submit=${(e: Event) => e.preventDefault()}>
        <label>Data <select data-testid="feedback-dataset" ?disabled=${active}
          @change=${(e: Event) => (this.draft = { dataset: (e.target as HTMLSelectElement).value, settings: s })}>
          ${this.datasets.map((d) => html`<option value=${d.dataset} ?selected=${d.dataset === dataset}>${d.name} (${d.classes.length} classes)</option>`)}
        </select></label>
        ${FIELDS.map((f) => html`<label>${f.label}<input type="number" data-testid="feedback-${f.key}" min=${f.min} max=${f.max} step=${f.step}
          .value=${String(s[f.key])} ?disabled=${active}
          @change=${(e: Event) => (this.draft = { dataset, settings: { ...s, [f.key]: (e.target as HTMLInputElement).valueAsNumber } })} /></label>`)}
      </form>
      <div class="bar">
        <button class="primary" data-testid="feedback-run" ?disabled=${this.disabled || active}
          @click=${() => this.dispatchEvent(new FeedbackRunEvent(dataset, s))}>Run the loop</button>
        <button data-testid="feedback-pause" ?disabled=${!(this.status === 'running' || this.status === 'paused')}
          @click=${() => this.dispatchEvent(new FeedbackControlEvent(this.status === 'paused' ? 'resume' : 'pause'))}>${this.status === 'paused' ? 'Resume' : 'Pause'}</button>
        <button data-testid="feedback-cancel" ?disabled=${!active} @click=${() => this.dispatchEvent(new FeedbackControlEvent('cancel'))}>Cancel</button>
        <span role="status" data-testid="feedback-status" class=${this.status === 'error' ? 'error' : ''}>${this.statusLine()}</span>
      </div>
      ${this.renderCharts()}
      ${this.renderTable()}
      ${this.renderSamples()}
    `;
  }

  private statusLine(): string {
    if (this.disabled && this.reason && this.status !== 'running' && this.status !== 'paused') return this.reason;
    if (this.message) return this.message;
    const total = (this.settings?.generations ?? 0) + 1;
    const per = this.secondsPer === null ? '' : `, ${this.secondsPer.toFixed(1)} s a generation here`;
    if (this.status === 'loading') return 'Reading the data and the evaluator…';
    if (this.status === 'running') return `Training generation ${this.generations.length} (${this.generations.length + 1} of ${total})${per}…`;
    if (this.status === 'paused') return `Paused after ${this.generations.length} of ${total} generations${per}.`;
    if (this.status === 'done') return `Done: ${this.generations.length} generations${per}.`;
    return 'Not run yet.';
  }

  private renderCharts() {
    const g = this.generations;
    if (!g.length || !this.settings) return nothing;
    const total = this.settings.generations + 1;
    const classes = this.classes;
    const share = (x: number) => percent(x);
    const seenShare = classes.map((name, c) => ({ name, values: g.map((r) => (r.seenCounts ? r.seenCounts[c]! / r.seenCounts.reduce((a, b) => a + b, 0) : null)) }));
    const asked = classes.map((name, c) => ({ name, values: g.map((r) => r.seenAsAsked[c] ?? null) }));
    const loss = classes.map((name, c) => ({ name, values: g.map((r) => r.heldoutLoss[c] ?? null) }));
    const opts = { rounds: total, xLabel: 'generation', first: 0 };
    return html`<div class="charts">
        <div><h4>Made as asked, per class (evaluator)</h4>
          ${roundChart(asked, { ...opts, yLabel: 'seen as asked', testid: 'feedback-asked', range: [0, 1], format: share })}</div>
        <div><h4>Class mix the evaluator sees in the samples</h4>
          ${roundChart(seenShare, { ...opts, yLabel: 'share of samples', testid: 'feedback-mix', range: [0, 1], format: share })}</div>
        <div><h4>Fit to real held-out records, per class</h4>
          ${roundChart(loss, { ...opts, yLabel: 'negative ELBO per value', testid: 'feedback-loss' })}</div>
      </div>`;
  }

  private renderTable() {
    const g = this.generations;
    if (!g.length) return nothing;
    const classes = this.classes;
    const real = g[0]!.trainCounts;
    const realTotal = real.reduce((a, b) => a + b, 0);
    return html`<table data-testid="feedback-table">
      <caption>Per generation: the class mix it learned from, then the mix the evaluator sees in its samples. Generation 0 learned from real records, a seeded subset of the site's training pack (${classes.map((c, i) => `${c} ${percent(real[i]! / realTotal)}`).join(', ')}; the pack caps large classes, so this is not the dataset's natural mix).</caption>
      <thead><tr><th scope="col">Generation</th>${classes.map((c) => html`<th scope="col">${c}: learned from</th><th scope="col">${c}: seen</th>`)}</tr></thead>
      <tbody>${g.map((r) => {
        const total = r.trainCounts.reduce((a, b) => a + b, 0);
        const seenTotal = r.seenCounts?.reduce((a, b) => a + b, 0) ?? 0;
        return html`<tr data-generation=${r.generation}><th scope="row">${r.generation}${r.generation === 0 ? ' (real)' : ''}</th>
          ${classes.map((_, c) => html`<td>${r.trainCounts[c]} (${percent(r.trainCounts[c]! / total)})</td>
            <td>${r.seenCounts ? `${r.seenCounts[c]} (${percent(r.seenCounts[c]! / seenTotal)})` : '–'}</td>`)}</tr>`;
      })}</tbody>
    </table>
    <p class="note">"Seen as asked" is the share of a class's samples the site's evaluator puts in that class; the held-out fit is the
      VAE's negative ELBO per value on real held-out records of the class (lower is better). Real held-out records of a class the
      evaluator itself recognises less often set the ceiling: see the evaluator's card. Latest: ${g.at(-1)!.heldoutLoss.map((l, c) => `${classes[c]} ${fmt(l)}`).join(', ')}.</p>`;
  }

  private renderSamples() {
    const toDisplay = this.toDisplay;
    if (!this.generations.length || !toDisplay) return nothing;
    const classes = this.classes;
    const shown = this.generations.map((r) => r.samples.map((x) => toDisplay(x)));
    const range = isImage(this.shape) ? null : voltRange(shown.flat());
    return html`<h4>One sample per class from each generation (the same codes every generation)</h4>
      <div class="samples" data-testid="feedback-samples">
        ${shown.map((row, g) => html`<div class="row" data-generation=${g}><span class="name">Generation ${g}</span>
          ${row.map((x, c) => html`<msl-sample-view .values=${x} .shape=${this.shape} .range=${range}
            size=${viewWidth(this.shape, { image: 56, signal: 120 })} label="generation ${g} sample of ${classes[c] ?? `class ${c}`}"></msl-sample-view>`)}</div>`)}
      </div>`;
  }
}

customElements.define('msl-feedback-loop', FeedbackPanel);

declare global {
  interface HTMLElementTagNameMap {
    'msl-feedback-loop': FeedbackPanel;
  }
  interface GlobalEventHandlersEventMap {
    'msl-feedback-run': FeedbackRunEvent;
    'msl-feedback-control': FeedbackControlEvent;
  }
}
