import { LitElement, type PropertyValues, css, html, nothing } from 'lit';
import type { AuditItem, JudgeSettings, JudgeTask, JudgeView, NeighbourView } from '../judge/view.js';
import { DEFAULT_JUDGE_SETTINGS, EMPTY_JUDGE_VIEW, JUDGE_LIMITS, clampJudgeSettings } from '../judge/view.js';
import { confusionTable, fmt, histogramChart, lossChart, percent } from './judge-charts.js';
import './judge-sample.js';

/** Run the audit with these settings. */
export class JudgeRunEvent extends CustomEvent<{ settings: JudgeSettings }> {
  constructor(settings: JudgeSettings) {
    super('msl-judge-run', { detail: { settings }, bubbles: true, composed: true });
  }
}

/** Train on the audit's synthetic samples, test on real ones, with these settings. */
export class JudgeTrainEvent extends CustomEvent<{ settings: JudgeSettings }> {
  constructor(settings: JudgeSettings) {
    super('msl-judge-train', { detail: { settings }, bubbles: true, composed: true });
  }
}

/** Stop the run in progress. */
export class JudgeCancelEvent extends CustomEvent<{ task: JudgeTask | null }> {
  constructor(task: JudgeTask | null) {
    super('msl-judge-cancel', { detail: { task }, bubbles: true, composed: true });
  }
}

type Show = 'flagged' | 'closest' | 'all';
const CLOSEST = 12;

/**
 * Judges synthetic data against real data, live: fidelity and diversity (Frechet and kernel
 * distances with bootstrap intervals beside real-vs-real, precision/recall/density/coverage), class
 * faithfulness and balance, the memorisation audit (each generated sample beside its nearest
 * training samples; the distance-to-closest-record histograms of generated and held-out samples),
 * train-on-synthetic-test-on-real with a live loss curve and confusion matrices, and for ECG the
 * beat features of generated and real beats. It only draws: everything comes in as plain data
 * (`view`, from JudgeController in src/judge/judge-controller.ts) and goes out as events.
 *
 * @property view - what to show (JudgeView): status, progress and every result so far
 * @property settings - the settings the form starts from (JudgeSettings)
 * @property disabled - nothing can be judged now (no generator loaded); `disabledReason` says why
 * @fires msl-judge-run - run the audit, with the form's settings
 * @fires msl-judge-train - train on synthetic, test on real, with the form's settings
 * @fires msl-judge-cancel - stop the run in progress
 */
export class JudgePanel extends LitElement {
  static override properties = {
    view: { attribute: false },
    settings: { attribute: false },
    disabled: { type: Boolean },
    disabledReason: { attribute: 'disabled-reason' },
    draft: { state: true },
    show: { state: true },
    space: { state: true },
    ecgClass: { state: true },
  };

  declare view: JudgeView;
  declare settings: JudgeSettings;
  declare disabled: boolean;
  declare disabledReason: string;
  declare private draft: JudgeSettings;
  declare private show: Show;
  declare private space: 'pixel' | 'feature';
  declare private ecgClass: number;

  constructor() {
    super();
    this.view = EMPTY_JUDGE_VIEW;
    this.settings = DEFAULT_JUDGE_SETTINGS;
    this.disabled = false;
    this.disabledReason = '';
    this.draft = DEFAULT_JUDGE_SETTINGS;
    this.show = 'closest';
    this.space = 'pixel';
    this.ecgClass = 0;
  }

  static override styles = css`
    :host { display: block; }
    h3 { font-size: 1.05em; margin: 1.1rem 0 0.4rem; }
    p { margin: 0.35rem 0; }
    .lede, .hint { color: #424a53; max-width: 48rem; }
    .hint { font-size: 0.9em; }
    form { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: flex-end; }
    label { display: flex; flex-direction: column; font-size: 0.9em; gap: 0.15rem; }
    input[type='number'] { width: 6.5rem; font: inherit; padding: 0.2rem 0.3rem; }
    button { font: inherit; padding: 0.35rem 0.9rem; border-radius: 0.4rem; border: 1px solid #57606a; background: #fff; color: #1b1f24; cursor: pointer; }
    button.primary { background: #1d4f91; border-color: #1d4f91; color: #fff; font-weight: 600; }
    button:disabled { opacity: 0.55; cursor: not-allowed; }
    button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline: 3px solid #1d4f91; outline-offset: 2px; }
    .progress { display: flex; flex-wrap: wrap; align-items: center; gap: 0.3rem 0.8rem; margin: 0.5rem 0; }
    .progress progress { flex: 1 1 14rem; height: 0.9rem; accent-color: #1d4f91; }
    .progress span { font-size: 0.9em; font-variant-numeric: tabular-nums; }
    .error { color: #a40e26; }
    .warning { color: #7a4100; }
    table { border-collapse: collapse; font-size: 0.92em; font-variant-numeric: tabular-nums; margin: 0.3rem 0; }
    caption { text-align: left; font-size: 0.9em; color: #424a53; padding-bottom: 0.2rem; caption-side: top; }
    th, td { border: 1px solid #d0d7de; padding: 0.2rem 0.5rem; text-align: right; }
    th[scope='row'], thead th:first-child { text-align: left; }
    .ci { color: #424a53; font-size: 0.88em; }
    .bar { display: inline-block; height: 0.6rem; background: #1d4f91; vertical-align: middle; margin-right: 0.3rem; }
    .bar.train { background: #d9771e; }
    .chart { margin: 0.4rem 0; max-width: 32rem; }
    .chart svg { display: block; }
    figcaption { font-size: 0.88em; display: flex; flex-wrap: wrap; gap: 0.2rem 0.9rem; }
    .key { display: inline-flex; align-items: center; gap: 0.3rem; }
    .swatch { display: inline-block; width: 0.9rem; height: 0.6rem; }
    .swatch.dashed { background-image: linear-gradient(90deg, transparent 50%, #fff 50%) !important; background-size: 6px 100%; }
    .swatch.marker { width: 0; height: 0.9rem; border-left: 2px dashed #a40e26; }
    details { font-size: 0.9em; }
    .grid { list-style: none; padding: 0; margin: 0.4rem 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(min(var(--item-min, 19rem), 100%), 1fr)); gap: 0.5rem; }
    .item { border: 1px solid #d0d7de; border-radius: 0.4rem; padding: 0.35rem; }
    .item.flagged { border: 3px solid #a40e26; background: #fff5f5; }
    .badge { color: #a40e26; font-weight: 600; font-size: 0.85em; }
    .row { display: flex; gap: 0.35rem; align-items: flex-start; flex-wrap: wrap; }
    .cell { display: flex; flex-direction: column; align-items: center; font-size: 0.78em; gap: 0.1rem; line-height: 1.2; text-align: center; max-width: var(--cell-width, 5rem); overflow-wrap: break-word; }
    /* the generated sample on the left, its neighbours in both spaces beside it */
    .pair { flex-wrap: nowrap; }
    .neighbours { flex: 1; min-width: 0; }
    .cell.generated { padding-right: 0.35rem; border-right: 1px dashed #8c959f; }
    .which { font-size: 0.8em; color: #424a53; margin: 0.15rem 0 0; }
    fieldset { border: none; padding: 0; margin: 0.3rem 0; display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; align-items: center; }
    legend { float: left; margin-right: 0.5rem; font-size: 0.9em; }
    fieldset label { flex-direction: row; align-items: center; gap: 0.25rem; }
    .confusions { display: flex; flex-wrap: wrap; gap: 1rem; }
    .confusion td.diagonal { font-weight: 700; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    .features { display: flex; flex-wrap: wrap; gap: 0.5rem 1.2rem; }
    .features .chart { flex: 1 1 18rem; }
  `;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('settings')) this.draft = clampJudgeSettings(this.settings);
    if (this.ecgClass >= this.view.classes.length) this.ecgClass = 0;
  }

  private get running(): boolean {
    return this.view.status === 'running';
  }

  override render() {
    const v = this.view;
    return html`
      <p class="lede">
        How close are the generated samples to real data, how varied, do they show the class they were asked for,
        do they copy training samples, and could a classifier learn from them? Everything is measured here, in your
        browser, with the evaluator model of the same dataset; the model card's figures (measured in PyTorch) stand beside.
      </p>
      ${this.renderForm()}
      ${v.task === 'audit' || (v.task === null && v.progress) ? this.renderProgress() : nothing}
      <p role="status" data-testid="judge-status" class=${v.status === 'error' ? 'error' : v.status === 'cancelled' ? 'warning' : ''}>${this.statusLine()}</p>
      ${v.fidelity ? this.renderFidelity() : nothing}
      ${v.faithfulness ? this.renderFaithfulness() : nothing}
      ${v.memorisation ? this.renderMemorisation() : nothing}
      ${v.ecg ? this.renderEcg() : nothing}
      ${v.memorisation || v.tstr ? this.renderTstr() : nothing}
    `;
  }

  private statusLine() {
    const v = this.view;
    if (v.message) return v.message;
    if (this.disabled) return this.disabledReason || 'Load a generator to judge its samples.';
    if (v.status === 'running') return v.task === 'tstr' ? 'Training…' : `Judging ${v.model?.name ?? 'the model'}…`;
    if (v.status === 'done' && v.model) {
      return `Judged ${v.generatedCount} samples of ${v.model.name}${v.unconditionalCount ? ` and ${v.unconditionalCount} unconditional ones` : ''} with the evaluator ${v.evaluator ?? ''}.`;
    }
    return 'Not run yet.';
  }

  private number(key: keyof JudgeSettings, label: string, testid: string, hint = '') {
    const limits = JUDGE_LIMITS[key];
    const value = this.draft[key];
    return html`<label>
      <span>${label}${hint ? html` <span class="hint">${hint}</span>` : nothing}</span>
      <input type="number" data-testid=${testid} min=${limits.min} max=${limits.max} step="1"
        .value=${value === null ? '' : String(value)} placeholder=${key === 'steps' ? "card's" : ''} ?disabled=${this.running}
        @change=${(e: Event) => this.edit(key, (e.target as HTMLInputElement).value)} />
    </label>`;
  }

  private edit(key: keyof JudgeSettings, raw: string): void {
    const value = key === 'steps' && raw.trim() === '' ? null : Number(raw);
    this.draft = clampJudgeSettings({ ...this.draft, [key]: value });
  }

  private renderForm() {
    const running = this.running;
    return html`
      <form data-testid="judge-form" aria-label="Audit settings" novalidate @submit=${(e: Event) => {
        e.preventDefault();
        if (!this.disabled && !running) this.dispatchEvent(new JudgeRunEvent(this.draft));
      }}>
        ${this.number('perClass', 'Samples per class', 'judge-per-class')}
        ${this.number('unconditional', 'Unconditional samples', 'judge-unconditional', '(diffusion)')}
        ${this.number('resamples', 'Bootstrap resamples', 'judge-resamples')}
        ${this.number('seed', 'Seed', 'judge-seed')}
        ${this.number('neighbours', 'Neighbours shown', 'judge-neighbours')}
        ${this.number('steps', 'Diffusion steps', 'judge-steps')}
        <button class="primary" type="submit" data-testid="judge-run" ?disabled=${this.disabled || running}>Run the audit</button>
        <button type="button" data-testid="judge-cancel" ?disabled=${!running} @click=${() => this.dispatchEvent(new JudgeCancelEvent(this.view.task))}>Cancel</button>
      </form>
    `;
  }

  private renderProgress() {
    const p = this.view.progress;
    if (!p) return nothing;
    const id = `judge-progress-label-${p.task}`;
    const counted = p.total > 0;
    return html`
      <div class="progress" data-testid="judge-progress">
        <span id=${id}>Step ${p.stage} of ${p.stages}: ${p.phase}</span>
        ${counted
          ? html`<progress aria-labelledby=${id} value=${p.done} max=${p.total}></progress><span>${p.done} of ${p.total}</span>`
          : html`<progress aria-labelledby=${id}></progress>`}
      </div>
    `;
  }

  private renderFidelity() {
    const f = this.view.fidelity!;
    const g = f.generatedVsHeldOut;
    const r = f.trainVsHeldOut;
    const card = this.view.card;
    const interval = (x: { estimate: number; low: number; high: number }) =>
      html`${fmt(x.estimate)} <span class="ci">[${fmt(x.low)}, ${fmt(x.high)}]</span>`;
    const prdcRow = (name: 'precision' | 'recall' | 'density' | 'coverage', label: string) =>
      html`<tr><th scope="row">${label}</th><td>${fmt(g.prdc?.[name])}</td><td>${fmt(r?.prdc?.[name])}</td><td>–</td></tr>`;
    return html`
      <section aria-labelledby="judge-fidelity-heading" data-testid="judge-fidelity">
        <h3 id="judge-fidelity-heading">Fidelity and diversity</h3>
        <table>
          <caption>
            In the evaluator's features (${f.featureDim} dimensions), on a class-balanced mix of ${f.classes.join(', ')}
            (${f.perClass.join(' + ')} samples per set); 95% bootstrap intervals over ${g.frechet.resamples} resamples in brackets.
            Lower distances are closer; precision and density measure fidelity, recall and coverage diversity.
          </caption>
          <thead><tr><th scope="col">measure</th><th scope="col">generated vs held-out</th><th scope="col">real training vs held-out</th><th scope="col">model card (PyTorch)</th></tr></thead>
          <tbody>
            <tr data-testid="judge-frechet"><th scope="row">Frechet distance</th><td>${interval(g.frechet)}</td><td>${r ? interval(r.frechet) : '–'}</td>
              <td>${card?.frechetGenerated != null ? html`${fmt(card.frechetGenerated)} <span class="ci">(real ${fmt(card.frechetReal)})</span>` : '–'}</td></tr>
            <tr data-testid="judge-kid"><th scope="row">Kernel distance (KID)</th><td>${interval(g.kid)}</td><td>${r ? interval(r.kid) : '–'}</td><td>–</td></tr>
            ${prdcRow('precision', 'Precision')} ${prdcRow('recall', 'Recall')} ${prdcRow('density', 'Density')} ${prdcRow('coverage', 'Coverage')}
          </tbody>
        </table>
        ${f.warnings.map((w) => html`<p class="warning" role="note" data-testid="judge-fidelity-warning">${w}</p>`)}
      </section>
    `;
  }

  private renderFaithfulness() {
    const f = this.view.faithfulness!;
    const card = this.view.card;
    return html`
      <section aria-labelledby="judge-faithful-heading" data-testid="judge-faithfulness">
        <h3 id="judge-faithful-heading">Class faithfulness and balance</h3>
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

  private renderMemorisation() {
    const m = this.view.memorisation!;
    const card = this.view.card;
    const feature = this.space === 'feature' && m.featureHistogram;
    const histogram = feature ? m.featureHistogram! : m.histogram;
    const threshold = feature ? m.featureThreshold! : m.threshold;
    const flaggedIn = (i: AuditItem) => (this.space === 'feature' && m.featureHistogram ? i.featureFlagged : i.flagged);
    const items = this.show === 'flagged' ? m.items.filter(flaggedIn) : this.show === 'closest' ? m.items.slice(0, CLOSEST) : m.items;
    const spaceName = feature ? 'feature space' : 'pixel space';
    const flaggedHere = feature ? (m.featureFlaggedCount ?? 0) : m.flaggedCount;
    // room for a generated sample and its k neighbours side by side (each cell its sample and a margin)
    const itemMin = Math.max(304, (m.k + 1) * (this.sampleSize + 14) + 24);
    const description =
      `Histogram of the distance to the closest training sample (${spaceName}) for ${m.generatedCount} generated and ${m.heldoutCount} real held-out samples. ` +
      (feature ? '' : `Medians: generated ${fmt(m.medianGenerated)}, held-out ${fmt(m.medianHeldOut)}. `) +
      `${flaggedHere} generated samples lie left of the flagging line at ${fmt(threshold)}, the held-out 1st percentile.`;
    return html`
      <section aria-labelledby="judge-memo-heading" data-testid="judge-memorisation">
        <h3 id="judge-memo-heading">Memorisation audit</h3>
        <p data-testid="judge-flag-summary" class=${m.flaggedCount ? 'warning' : ''}>
          <strong>${m.flaggedCount} of ${m.generatedCount}</strong> generated samples (${percent(m.fractionFlagged, 1)}) are closer to a training sample
          than all but 1% of real held-out samples are (distance below ${fmt(m.threshold)}, ${m.space}).
          ${m.featureFlaggedCount !== null ? html`In the evaluator's feature space: ${m.featureFlaggedCount}.` : nothing}
          ${card?.memorisationFraction != null ? html`The model card found ${percent(card.memorisationFraction, 1)}.` : nothing}
        </p>
        <p class="hint">
          Median distance to the closest training sample: generated ${fmt(m.medianGenerated)}, real held-out ${fmt(m.medianHeldOut)}
          (a low median alone can mean smooth, average-looking samples; copies show as flags). Searched ${m.trainCount} training samples${m.trainSelection ? ` (${m.trainSelection})` : ''}.
        </p>
        ${m.featureHistogram
          ? html`<fieldset data-testid="judge-space">
              <legend>Distances in</legend>
              ${(['pixel', 'feature'] as const).map((s) => html`<label><input type="radio" name="judge-space" .checked=${this.space === s}
                @change=${() => (this.space = s)} />${s === 'pixel' ? 'pixel space' : "the evaluator's features"}</label>`)}
            </fieldset>`
          : nothing}
        ${histogramChart({
          histogram,
          names: ['generated', 'real held-out'],
          xLabel: `distance to the closest training sample (${spaceName})`,
          description,
          marker: { value: threshold, label: 'held-out 1st percentile' },
          testid: 'judge-dcr-histogram',
        })}
        <fieldset data-testid="judge-audit-filter">
          <legend>Show</legend>
          ${([['closest', `the ${CLOSEST} closest`], ['flagged', 'flagged only'], ['all', `all ${m.items.length}`]] as const).map(
            ([value, label]) => html`<label><input type="radio" name="judge-show" .checked=${this.show === value} @change=${() => (this.show = value)} />${label}</label>`,
          )}
        </fieldset>
        ${items.length
          ? html`<ol class="grid" style="--item-min:${itemMin}px" data-testid="judge-audit-grid" aria-label="Generated samples beside their nearest training samples, closest first">
              ${items.map((item) => this.renderItem(item, flaggedIn(item)))}
            </ol>`
          : html`<p class="hint" data-testid="judge-audit-empty">No generated sample is flagged.</p>`}
      </section>
    `;
  }

  private sample(values: Float32Array, label: string, size: number) {
    const s = this.view.sample;
    return html`<msl-judge-sample .values=${values} .shape=${s.shape} .size=${size} .range=${s.kind === 'signal' ? this.signalRange() : null} label=${label}></msl-judge-sample>`;
  }

  /** One voltage range for every beat the audit shows, so traces compare. */
  private signalRange(): [number, number] {
    const items = this.view.memorisation?.items ?? [];
    let lo = Infinity;
    let hi = -Infinity;
    for (const item of items) {
      for (const values of [item.sample, ...item.pixel.map((n) => n.sample)]) {
        for (let i = 0; i < values.length; i++) (lo = Math.min(lo, values[i]!)), (hi = Math.max(hi, values[i]!));
      }
    }
    return Number.isFinite(lo) ? [lo, hi] : [-1, 1];
  }

  /** Width in CSS pixels of a sample in the audit grid. */
  private get sampleSize(): number {
    return this.view.sample.kind === 'image' ? 56 : 96;
  }

  private renderItem(item: AuditItem, flagged: boolean) {
    const size = this.sampleSize;
    const neighbours = (list: NeighbourView[], space: string) =>
      list.length
        ? html`<p class="which">nearest training samples, ${space}</p>
            <div class="row">${list.map((n) => html`<div class="cell">
              ${this.sample(n.sample, `training sample ${n.index + 1} (${n.label}), distance ${fmt(n.distance)} in ${space}`, size)}
              <span>d ${fmt(n.distance)}</span><span>#${n.index + 1} ${n.label}</span></div>`)}</div>`
        : nothing;
    return html`
      <li class="item ${flagged ? 'flagged' : ''}" style="--cell-width:${size + 8}px" data-testid="judge-audit-item" data-flagged=${String(flagged)} data-index=${item.index}>
        ${flagged ? html`<p class="badge">Flagged: closer than the held-out 1st percentile</p>` : nothing}
        <div class="row pair">
          <div class="cell generated">
            ${this.sample(item.sample, `generated sample ${item.index + 1}, asked for ${item.requested}, read as ${item.predicted}`, size)}
            <span>generated #${item.index + 1}</span><span>${item.requested}${item.predicted !== item.requested ? html` (read ${item.predicted})` : nothing}</span>
          </div>
          <div class="neighbours">${neighbours(item.pixel, 'pixel space')}${neighbours(item.feature, 'feature space')}</div>
        </div>
      </li>
    `;
  }

  private renderTstr() {
    const t = this.view.tstr;
    const classes = this.view.classes;
    const running = this.running;
    const canTrain = !!this.view.memorisation && !running && !this.disabled;
    const report = t?.report ?? null;
    return html`
      <section aria-labelledby="judge-tstr-heading" data-testid="judge-tstr">
        <h3 id="judge-tstr-heading">Usefulness: train on synthetic, test on real</h3>
        <p class="hint">A small classifier learns from the audit's synthetic samples only and is tested on real held-out samples; the same classifier trained on real training samples is the yardstick.</p>
        <form class="tstr-form" aria-label="Training settings" novalidate @submit=${(e: Event) => {
          e.preventDefault();
          if (canTrain) this.dispatchEvent(new JudgeTrainEvent(this.draft));
        }}>
          ${this.number('epochs', 'Epochs', 'judge-epochs')}
          <button class="primary" type="submit" data-testid="judge-train" ?disabled=${!canTrain}>Train and test</button>
          <button type="button" data-testid="judge-tstr-cancel" ?disabled=${!(running && this.view.task === 'tstr')}
            @click=${() => this.dispatchEvent(new JudgeCancelEvent('tstr'))}>Stop</button>
        </form>
        ${this.view.task === 'tstr' ? this.renderProgress() : nothing}
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
                  <th scope="row">${r!.run === 'synthetic' ? 'synthetic' : 'real'}</th><td>${r!.trainSize}</td><td>${percent(r!.accuracy, 1)}</td><td>${percent(r!.balancedAccuracy, 1)}</td>
                  ${r!.perClassRecall.map((x) => html`<td>${percent(x)}</td>`)}</tr>`)}</tbody>
              </table>
              <div class="confusions">
                ${confusionTable(report.synthetic.confusion, classes, 'Trained on synthetic: rows true class, columns predicted', 'judge-confusion-synthetic')}
                ${report.real ? confusionTable(report.real.confusion, classes, 'Trained on real: rows true class, columns predicted', 'judge-confusion-real') : nothing}
              </div>`
          : nothing}
      </section>
    `;
  }

  private renderEcg() {
    const e = this.view.ecg!;
    const current = e.classes[this.ecgClass];
    return html`
      <section aria-labelledby="judge-ecg-heading" data-testid="judge-ecg">
        <h3 id="judge-ecg-heading">ECG plausibility: beat features</h3>
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

customElements.define('msl-judge-panel', JudgePanel);

declare global {
  interface HTMLElementTagNameMap {
    'msl-judge-panel': JudgePanel;
  }
  interface GlobalEventHandlersEventMap {
    'msl-judge-run': JudgeRunEvent;
    'msl-judge-train': JudgeTrainEvent;
    'msl-judge-cancel': JudgeCancelEvent;
  }
}
