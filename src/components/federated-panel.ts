import { LitElement, css, html, nothing } from 'lit';
import type { TrainDataset, TrainStatus } from '../app/training-controllers.js';
import { isImage, viewWidth } from '../display/convert.js';
import { voltRange } from '../display/ecg-axes.js';
import { type ExperimentSettings, type MembershipFigure, type RoundUpdate, STRATEGIES, STRATEGY_NAMES, type Strategy } from '../federated/experiment.js';
import type { Hospitals } from '../federated/split.js';
import { fmt, percent } from './judge-charts.js';
import { panelStyles, trainingStyles } from './panel-styles.js';
import { ROUND_COLOURS, roundChart } from './round-chart.js';
import './sample-view.js';

/** Asks for a run on `dataset` with `settings`. */
export class FederatedRunEvent extends Event {
  constructor(
    readonly dataset: string,
    readonly settings: ExperimentSettings,
  ) {
    super('msl-federated-run', { bubbles: true, composed: true });
  }
}

/** Pause, resume or cancel the run. */
export class FederatedControlEvent extends Event {
  constructor(readonly action: 'pause' | 'resume' | 'cancel') {
    super('msl-federated-control', { bubbles: true, composed: true });
  }
}

/** A setting the form edits: its name in the settings, its label, and its input's limits. */
interface NumberField {
  key: 'hospitals' | 'alpha' | 'trainSize' | 'rounds' | 'epochs' | 'fraction' | 'mu' | 'learningRate' | 'batchSize' | 'judgePerClass' | 'judgeEvery' | 'seed';
  label: string;
  min: number;
  max: number;
  step: number;
}

const FIELDS: NumberField[] = [
  { key: 'hospitals', label: 'Hospitals', min: 1, max: 16, step: 1 },
  { key: 'trainSize', label: 'Training records used', min: 2, max: 5000, step: 1 },
  { key: 'rounds', label: 'Rounds', min: 1, max: 200, step: 1 },
  { key: 'epochs', label: 'Local epochs per round', min: 1, max: 20, step: 1 },
  { key: 'fraction', label: 'Share of hospitals per round', min: 0.05, max: 1, step: 0.05 },
  { key: 'mu', label: 'FedProx mu', min: 0, max: 100, step: 0.01 },
  { key: 'batchSize', label: 'Batch size', min: 1, max: 512, step: 1 },
  { key: 'learningRate', label: 'Learning rate (Adam)', min: 0.0001, max: 10, step: 0.0001 },
  { key: 'judgePerClass', label: 'VAE samples per class the evaluator judges (0: none)', min: 0, max: 64, step: 1 },
  { key: 'judgeEvery', label: 'Evaluator every n rounds (and after the last)', min: 1, max: 200, step: 1 },
  { key: 'seed', label: 'Seed', min: 0, max: 2 ** 31 - 1, step: 1 },
];

/**
 * Hospitals training together: the settings, each hospital's class mix, a chart per figure with a
 * line per strategy growing round by round, the VAEs' samples, epsilon where DP-SGD is on, and the
 * membership test when the run ends.
 *
 * @property datasets - what can be trained on
 * @property datasetId, settings - the form's starting values (a run's, or the defaults)
 * @property status, message - of the run
 * @property hospitals, rounds, membership - the run's results so far
 * @property toDisplay, shape - to show the samples
 * @property backend - the tfjs backend training runs on
 * @property disabled, reason - a run cannot start now, and why
 * @fires msl-federated-run, msl-federated-control
 */
export class FederatedPanel extends LitElement {
  static override properties = {
    datasets: { attribute: false },
    datasetId: { attribute: 'dataset-id' },
    settings: { attribute: false },
    status: {},
    message: {},
    hospitals: { attribute: false },
    rounds: { attribute: false },
    membership: { attribute: false },
    toDisplay: { attribute: false },
    shape: { attribute: false },
    secondsPerRound: { attribute: false },
    backend: {},
    disabled: { type: Boolean },
    reason: {},
    draft: { state: true },
  };

  declare datasets: TrainDataset[];
  declare datasetId: string;
  declare settings: ExperimentSettings | null;
  declare status: TrainStatus;
  declare message: string | null;
  declare hospitals: Hospitals | null;
  declare rounds: RoundUpdate[];
  declare membership: MembershipFigure[];
  declare toDisplay: ((x: ArrayLike<number>) => Float32Array) | null;
  declare shape: number[];
  declare secondsPerRound: number | null;
  declare backend: string;
  declare disabled: boolean;
  declare reason: string;
  /** The form's values; null until the first render takes `settings`. */
  declare private draft: { dataset: string; settings: ExperimentSettings } | null;

  constructor() {
    super();
    this.datasets = [];
    this.datasetId = '';
    this.settings = null;
    this.status = 'idle';
    this.message = null;
    this.hospitals = null;
    this.rounds = [];
    this.membership = [];
    this.toDisplay = null;
    this.shape = [];
    this.secondsPerRound = null;
    this.backend = '';
    this.disabled = false;
    this.reason = '';
    this.draft = null;
  }

  static override styles = [panelStyles, trainingStyles, css`
    .checkbox { flex-direction: row; gap: 0.4rem; align-items: center; }
    .mix { display: inline-flex; width: 10rem; height: 0.8rem; border: 1px solid #57606a; vertical-align: middle; }
    .mix span { display: block; height: 100%; }
    .samples .name { min-width: 15rem; font-size: 0.9em; }
    .dp { grid-column: 1 / -1; display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; align-items: flex-end; }
  `];

  private get form(): { dataset: string; settings: ExperimentSettings } {
    if (!this.draft && this.settings) this.draft = { dataset: this.datasetId, settings: this.settings };
    return this.draft ?? { dataset: this.datasetId, settings: this.settings! };
  }

  private edit(change: Partial<ExperimentSettings>, dataset?: string): void {
    const f = this.form;
    const next = { dataset: dataset ?? f.dataset, settings: { ...f.settings, ...change } };
    // only MIT-BIH has patients: another dataset is split by a class skew
    const chosen = this.datasets.find((d) => d.dataset === next.dataset);
    if (chosen && !chosen.patients && next.settings.split === 'patient') next.settings = { ...next.settings, split: 'skew' };
    this.draft = next;
  }

  override render() {
    if (!this.settings) return nothing;
    const { dataset, settings: s } = this.form;
    const active = this.status === 'loading' || this.status === 'running' || this.status === 'paused';
    const chosen = this.datasets.find((d) => d.dataset === dataset);
    return html`
      <p class="note">Simulated hospitals each keep their own records. In <strong>federated averaging</strong> (FedAvg) each trains
        the shared model on its records for a while, and only the weights travel, to be averaged; FedProx also pulls each hospital's
        training back towards the shared weights. Beside them: every record pooled in one place, and each hospital alone. Two small
        networks train each way from the same start: a classifier and a class-conditional VAE (a generator). Both are dense, so they
        train on every backend, WASM included (it cannot train convolutions); here they train on <strong>${this.backend || 'the page\'s backend'}</strong>.
        Nothing leaves this page.</p>
      <form @submit=${(e: Event) => e.preventDefault()} data-testid="federated-settings">
        <label>Data <select data-testid="federated-dataset" ?disabled=${active}
          @change=${(e: Event) => this.edit({}, (e.target as HTMLSelectElement).value)}>
          ${this.datasets.map((d) => html`<option value=${d.dataset} ?selected=${d.dataset === dataset}>${d.name} (${d.classes.length} classes)</option>`)}
        </select></label>
        <label>Hospitals split <select data-testid="federated-split" ?disabled=${active}
          @change=${(e: Event) => this.edit({ split: (e.target as HTMLSelectElement).value as ExperimentSettings['split'] })}>
          <option value="patient" ?selected=${s.split === 'patient'} ?disabled=${!chosen?.patients}>by patient (whole records)</option>
          <option value="skew" ?selected=${s.split === 'skew'}>by a class skew (Dirichlet)</option>
        </select></label>
        ${s.split === 'skew' ? this.numberInput({ key: 'alpha', label: 'Skew: concentration alpha (small: few classes each)', min: 0.01, max: 10000, step: 0.01 }, s, active) : nothing}
        ${FIELDS.map((f) => this.numberInput(f, s, active))}
        <div class="dp">
          <label class="checkbox"><input type="checkbox" data-testid="federated-dp" ?checked=${s.dp !== null} ?disabled=${active}
            @change=${(e: Event) => this.edit({ dp: (e.target as HTMLInputElement).checked ? { clip: 1, sigma: 1, delta: 1e-5 } : null })} />
            Differential privacy (DP-SGD: each record's gradient clipped, Gaussian noise added)</label>
          ${s.dp ? html`
            ${this.dpInput('clip', 'Clipping norm C', 0.001, 100, 0.001, s, active)}
            ${this.dpInput('sigma', 'Noise multiplier sigma', 0.1, 100, 0.1, s, active)}
            ${this.dpInput('delta', 'delta', 1e-9, 0.1, 1e-9, s, active)}` : nothing}
        </div>
      </form>
      <div class="bar">
        <button class="primary" data-testid="federated-run" ?disabled=${this.disabled || active}
          @click=${() => this.dispatchEvent(new FederatedRunEvent(dataset, s))}>Train</button>
        <button data-testid="federated-pause" ?disabled=${!(this.status === 'running' || this.status === 'paused')}
          @click=${() => this.dispatchEvent(new FederatedControlEvent(this.status === 'paused' ? 'resume' : 'pause'))}>${this.status === 'paused' ? 'Resume' : 'Pause'}</button>
        <button data-testid="federated-cancel" ?disabled=${!active} @click=${() => this.dispatchEvent(new FederatedControlEvent('cancel'))}>Cancel</button>
        <span role="status" data-testid="federated-status" class=${this.status === 'error' ? 'error' : ''}>${this.statusLine()}</span>
      </div>
      ${this.renderHospitals()}
      ${this.renderCharts()}
      ${this.renderSamples()}
      ${this.renderMembership()}
    `;
  }

  private numberInput(f: NumberField | (Omit<NumberField, 'key'> & { key: 'alpha' }), s: ExperimentSettings, active: boolean) {
    return html`<label>${f.label}<input type="number" data-testid="federated-${f.key}" min=${f.min} max=${f.max} step=${f.step}
      .value=${String(s[f.key])} ?disabled=${active}
      @change=${(e: Event) => this.edit({ [f.key]: (e.target as HTMLInputElement).valueAsNumber })} /></label>`;
  }

  private dpInput(key: 'clip' | 'sigma' | 'delta', label: string, min: number, max: number, step: number, s: ExperimentSettings, active: boolean) {
    return html`<label>${label}<input type="number" data-testid="federated-dp-${key}" min=${min} max=${max} step=${step}
      .value=${String(s.dp![key])} ?disabled=${active}
      @change=${(e: Event) => this.edit({ dp: { ...s.dp!, [key]: (e.target as HTMLInputElement).valueAsNumber } })} /></label>`;
  }

  private statusLine(): string {
    if (this.disabled && this.reason && this.status !== 'running' && this.status !== 'paused') return this.reason;
    if (this.message) return this.message;
    const total = this.settings?.rounds ?? 0;
    const per = this.secondsPerRound === null ? '' : `, ${this.secondsPerRound.toFixed(1)} s a round here`;
    if (this.status === 'loading') return 'Reading the data and the evaluator…';
    if (this.status === 'running') return `Training: round ${Math.min(this.rounds.length + 1, total)} of ${total}${per}…`;
    if (this.status === 'paused') return `Paused after ${this.rounds.length} of ${total} rounds${per}.`;
    if (this.status === 'done') return `Done: ${this.rounds.length} rounds${per}.`;
    return 'Not run yet.';
  }

  private renderHospitals() {
    const h = this.hospitals;
    const classes = this.datasets.find((d) => d.dataset === this.form.dataset)?.classes ?? [];
    if (!h) return nothing;
    const colours = ['#1d4f91', '#d9771e', '#2f7d32', '#7b3fa0', '#a40e26'];
    const pooled = classes.map((_, c) => h.classCounts.reduce((n, counts) => n + counts[c]!, 0));
    const row = (name: string, counts: readonly number[]) => {
      const total = counts.reduce((a, b) => a + b, 0);
      return html`<tr><th scope="row">${name}</th><td>${total}</td>
        ${counts.map((n) => html`<td>${n}</td>`)}
        <td><span class="mix" role="img" aria-label="${name}: ${counts.map((n, c) => `${classes[c]} ${percent(n / total)}`).join(', ')}">
          ${counts.map((n, c) => html`<span style="width:${(100 * n) / total}%;background:${colours[c % colours.length]}"></span>`)}</span></td></tr>`;
    };
    return html`<h3>Each hospital's records</h3>
      <table data-testid="federated-mix">
        <thead><tr><th scope="col">Hospital</th><th scope="col">Records</th>${classes.map((c, i) => html`<th scope="col"><span class="swatch" style="border-top:0.6rem solid ${colours[i % colours.length]};width:0.6rem"></span> ${c}</th>`)}<th scope="col">Class mix</th></tr></thead>
        <tbody>${h.classCounts.map((counts, i) => row(`Hospital ${i + 1}`, counts))}${row('All pooled', pooled)}</tbody>
      </table>`;
  }

  private renderCharts() {
    if (!this.rounds.length || !this.settings) return nothing;
    const series = (value: (f: RoundUpdate['figures'][number]) => number | null) =>
      STRATEGIES.map((strategy) => ({ name: STRATEGY_NAMES[strategy], values: this.rounds.map((r) => value(r.figures.find((f) => f.strategy === strategy)!)) }));
    const rounds = this.settings.rounds;
    const share = (x: number) => percent(x);
    return html`<h3>After each round, on real held-out records</h3>
      <div class="charts">
        <div><h4>Classifier: balanced accuracy</h4>
          ${roundChart(series((f) => f.balancedAccuracy), { yLabel: 'balanced accuracy', rounds, testid: 'federated-accuracy', range: [0, 1], format: share })}</div>
        <div><h4>VAE: held-out loss per value</h4>
          ${roundChart(series((f) => f.vaeLoss), { yLabel: 'negative ELBO per value', rounds, testid: 'federated-vae-loss' })}</div>
        <div><h4>VAE samples the evaluator sees as asked</h4>
          ${roundChart(series((f) => f.faithfulness), { yLabel: 'seen as asked', rounds, testid: 'federated-faithfulness', range: [0, 1], format: share })}</div>
        ${this.settings.dp ? html`<div><h4>Privacy spent by each network: epsilon at delta ${this.settings.dp.delta}</h4>
          ${roundChart(series((f) => f.epsilon), { yLabel: 'epsilon', rounds, testid: 'federated-epsilon' })}</div>` : nothing}
      </div>
      <p class="note">Balanced accuracy is the mean over classes of the share of held-out records classified right. For "each hospital
        alone" each figure is the mean over the hospitals (the worst hospital's accuracy is in the table). The VAE's loss is its
        negative ELBO per value on held-out records (lower is better). "Seen as asked" is how often the site's evaluator puts the VAE's
        samples in the class they were made for, averaged over classes.${this.settings.dp ? ` Epsilon is what DP-SGD has spent so far by
        the RDP accountant (the sampled Gaussian mechanism; batches here are shuffled, not Poisson-sampled, the usual reading); for a
        federated strategy, the most any hospital's records have spent. It is each network's: the classifier and the VAE
        each train on the records with this budget, so releasing both spends more: their RDP adds up, and the table gives that figure too.` : ''}</p>
      ${this.worstTable()}`;
  }

  private worstTable() {
    const last = this.rounds.at(-1)!;
    return html`<table data-testid="federated-latest">
      <caption>After round ${last.round}</caption>
      <thead><tr><th scope="col">Strategy</th><th scope="col">Accuracy</th><th scope="col">Balanced</th><th scope="col">Worst hospital</th>
        <th scope="col">VAE loss</th><th scope="col">Seen as asked</th>${this.settings?.dp ? html`<th scope="col">Epsilon, each network</th><th scope="col">Epsilon, both released</th>` : nothing}</tr></thead>
      <tbody>${last.figures.map((f) => html`<tr data-strategy=${f.strategy}><th scope="row">${STRATEGY_NAMES[f.strategy]}</th>
        <td>${percent(f.accuracy, 1)}</td><td>${percent(f.balancedAccuracy, 1)}</td><td>${f.worstAccuracy === null ? '–' : percent(f.worstAccuracy, 1)}</td>
        <td>${fmt(f.vaeLoss)}</td><td>${f.faithfulness === null ? '–' : percent(f.faithfulness)}</td>
        ${this.settings?.dp ? html`<td>${fmt(f.epsilon)}</td><td>${fmt(f.epsilonBoth)}</td>` : nothing}</tr>`)}</tbody>
    </table>`;
  }

  private renderSamples() {
    const last = this.rounds.at(-1);
    const toDisplay = this.toDisplay;
    if (!last || !toDisplay) return nothing;
    const classes = this.datasets.find((d) => d.dataset === this.form.dataset)?.classes ?? [];
    const shown = Object.fromEntries(STRATEGIES.map((s) => [s, last.samples[s].map((x) => toDisplay(x))])) as Record<Strategy, Float32Array[]>;
    const range = isImage(this.shape) ? null : voltRange(Object.values(shown).flat());
    return html`<h3>The VAE's samples after round ${last.round}, one per class (the same codes every round)</h3>
      <div class="samples" data-testid="federated-samples">
        ${STRATEGIES.map((s, i) => html`<div class="row" data-strategy=${s}>
          <span class="name" style="border-left:4px solid ${ROUND_COLOURS[i]};padding-left:0.3rem">${STRATEGY_NAMES[s]}${s === 'alone' ? ' (hospital 1)' : ''}</span>
          ${shown[s].map((x, c) => html`<msl-sample-view .values=${x} .shape=${this.shape} .range=${range}
            size=${viewWidth(this.shape, { image: 56, signal: 120 })} label="${STRATEGY_NAMES[s]} VAE sample of ${classes[c] ?? `class ${c}`}"></msl-sample-view>`)}
        </div>`)}
      </div>`;
  }

  private renderMembership() {
    if (!this.membership.length) return nothing;
    return html`<h3>Membership test of each VAE</h3>
      <p class="note">Does a VAE's loss tell the records it trained on from held-out ones? An AUC of 0.5 means it cannot; above 0.5, the
        model treats its own training records differently, which is what an attacker exploits. The interval is a 95% bootstrap.
        ${this.form.dataset === 'mitbih' ? 'Held-out beats come from other patients than the training beats, so the test also measures how patients differ.' : ''}</p>
      <table data-testid="federated-membership">
        <thead><tr><th scope="col">Strategy</th><th scope="col">AUC</th><th scope="col">95% interval</th><th scope="col">Records (trained on / held out)</th>
          <th scope="col">Samples nearer a trained-on record than 99% of held-out records</th><th scope="col">Lone matches (samples / held-out)</th></tr></thead>
        <tbody>${this.membership.map((m) => html`<tr data-strategy=${m.strategy}><th scope="row">${STRATEGY_NAMES[m.strategy]}${m.strategy === 'alone' ? ' (hospital 1)' : ''}</th>
          <td>${m.auc.auc.toFixed(3)}</td><td>${m.auc.low.toFixed(3)} to ${m.auc.high.toFixed(3)}</td><td>${m.auc.n.train} / ${m.auc.n.heldout}</td>
          <td>${percent(m.copies.fraction, 1)} of ${m.copies.samples}</td><td>${percent(m.copies.lone.generated)} / ${percent(m.copies.lone.heldout)}</td></tr>`)}</tbody>
      </table>
      <p class="note">The copy check: each VAE makes as many samples as there are test records, with the trained-on records' classes. A sample nearer
        a record it trained on than 99% of held-out records are to theirs may be a copy (about 1% by chance). A lone match is a sample whose nearest
        trained-on record is under half as far as the next: a match to one record rather than to a region of them; the held-out share is its scale.</p>`;
  }
}

customElements.define('msl-federated', FederatedPanel);

declare global {
  interface HTMLElementTagNameMap {
    'msl-federated': FederatedPanel;
  }
  interface GlobalEventHandlersEventMap {
    'msl-federated-run': FederatedRunEvent;
    'msl-federated-control': FederatedControlEvent;
  }
}
