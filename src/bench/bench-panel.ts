import { LitElement, css, html, nothing } from 'lit';
import { isGenerator } from '../models/catalogue.js';
import { SHIPPED_MODELS } from '../models/registry.js';
import { BACKEND_LABELS, BACKEND_ORDER, type BackendName } from '../runtime/backends.js';
import { describeBrowser, browserEnvironment } from './browser-environment.js';
import { BENCH_DEFAULTS, type BenchSettings, benchParams } from './config.js';
import type { BenchReport, BenchResult } from './result.js';
import { type BenchProgress, configurations, runBench } from './runner.js';
import { COLUMNS, SOFTWARE_GPU, describeDevices, tableData } from './table.js';

export type BenchState = 'ready' | 'running' | 'done' | 'cancelled' | 'error';

const BATCH_CHOICES = [1, 4, 16, 64];

/**
 * The benchmark panel: choose models, backends and batch sizes, run, watch progress, cancel, and
 * read a table of what this machine does. For automation, the state is the `data-state` attribute
 * and the figures are the `report` (and `results`) properties, plain JSON.
 *
 * @property settings - what to measure (from the URL, see config.ts); edited by the form
 * @property notices - sentences about URL parameters that were not understood
 * @attr data-state - ready, running, done, cancelled or error
 */
export class BenchPanel extends LitElement {
  static override properties = {
    settings: { attribute: false },
    notices: { attribute: false },
    state: { reflect: true, attribute: 'data-state' },
    results: { attribute: false },
    report: { attribute: false },
    progress: { state: true },
    error: { state: true },
  };

  declare settings: BenchSettings;
  declare notices: string[];
  declare state: BenchState;
  /** Every finished configuration of the current or last run. */
  declare results: BenchResult[];
  /** The last run, once it has ended (done, cancelled or error): what `npm run bench` saves. */
  declare report: BenchReport | null;
  declare progress: BenchProgress | null;
  declare error: string | null;

  private abort: AbortController | null = null;

  constructor() {
    super();
    this.settings = { ...BENCH_DEFAULTS };
    this.notices = [];
    this.state = 'ready';
    this.results = [];
    this.report = null;
    this.progress = null;
    this.error = null;
  }

  static override styles = css`
    :host { display: block; max-width: 78rem; margin: 0 auto; padding: 1rem 1.25rem 3rem;
      font-family: system-ui, sans-serif; line-height: 1.5; color: #1b1f24; }
    h1 { font-size: 1.6rem; margin: 0.2em 0; }
    .lede { color: #444; max-width: 46rem; }
    form { display: flex; flex-wrap: wrap; gap: 0.75rem 1.5rem; align-items: flex-start; }
    fieldset { border: 1px solid #d0d7de; border-radius: 0.5rem; padding: 0.4rem 0.8rem; margin: 0; }
    label { display: block; }
    input[type='number'] { width: 5em; }
    .actions { display: flex; gap: 0.5rem; align-items: center; margin: 0.8rem 0; }
    button { font: inherit; padding: 0.3em 1em; }
    .notice { color: #8a4b00; }
    .error { color: #a40e26; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.9rem; margin: 0.8rem 0; }
    th, td { border-bottom: 1px solid #d0d7de; padding: 0.25em 0.6em; vertical-align: top; }
    td { white-space: nowrap; }
    th { text-align: left; background: #f6f8fa; }
    td.right { text-align: right; }
    caption { text-align: left; color: #444; padding-bottom: 0.3em; }
    pre { overflow: auto; max-height: 24rem; background: #f6f8fa; padding: 0.5rem; }
  `;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort(new DOMException('the panel was removed', 'AbortError'));
  }

  /** Model ids to offer: the shipped generators, and any model the URL names. */
  private get choices(): string[] {
    const shipped = SHIPPED_MODELS.filter(isGenerator).map((m) => m.id);
    return [...new Set([...shipped, ...this.settings.models])];
  }

  /** The models a run measures: the URL's or the form's choice, else every shipped generator. */
  private get selectedModels(): string[] {
    return this.settings.models.length ? this.settings.models : this.choices;
  }

  /** Runs the benchmark with the current settings; resolves when it has ended. */
  async run(): Promise<void> {
    if (this.state === 'running') return;
    const settings = { ...this.settings };
    const models = this.selectedModels;
    this.abort = new AbortController();
    this.state = 'running';
    this.results = [];
    this.report = null;
    this.error = null;
    // The address now reproduces this run.
    history.replaceState(null, '', `?${benchParams({ ...settings, models, autorun: false })}`);
    const date = new Date().toISOString();
    let state: BenchState = 'done';
    try {
      if (models.length === 0) throw new Error('No model to measure: this build ships no generator, and the address names none (?models=...).');
      await runBench(settings, models, browserEnvironment(settings.modelsBase), {
        signal: this.abort.signal,
        onProgress: (p) => (this.progress = p),
        onResult: (r) => (this.results = [...this.results, r]),
      });
    } catch (error) {
      state = this.abort.signal.aborted ? 'cancelled' : 'error';
      if (state === 'error') this.error = error instanceof Error ? error.message : String(error);
    }
    this.report = { date, environment: describeBrowser(), settings: { ...settings, models }, results: this.results };
    this.progress = null;
    this.abort = null;
    this.state = state;
  }

  /** Stops the run between two steps; finished configurations are kept. */
  cancel(): void {
    this.abort?.abort(new DOMException('cancelled', 'AbortError'));
  }

  private setSetting<K extends keyof BenchSettings>(key: K, value: BenchSettings[K]): void {
    this.settings = { ...this.settings, [key]: value };
  }

  /** `list` with `value` in it or not, in the order of `order`. */
  private toggle<T>(order: readonly T[], list: readonly T[], value: T, on: boolean): T[] {
    return order.filter((v) => (v === value ? on : list.includes(v)));
  }

  override render() {
    const running = this.state === 'running';
    const s = this.settings;
    const total = configurations(s, this.selectedModels).length;
    const batchChoices = [...new Set([...BATCH_CHOICES, ...s.batches])].sort((a, b) => a - b);
    return html`
      <header>
        <h1>MedSynth Lab: how fast does this machine run the models?</h1>
        <p class="lede">
          Each configuration loads the model afresh, makes one batch (the cold start), times single
          denoising steps, then repeats full ${s.steps}-step DDIM runs with guidance. Close other
          tabs while it runs: they take from the same GPU and CPU.
        </p>
      </header>
      ${this.notices.map((n) => html`<p class="notice" role="status">${n}</p>`)}
      <form @submit=${(e: Event) => { e.preventDefault(); void this.run(); }}>
        <fieldset ?disabled=${running}>
          <legend>Models</legend>
          ${this.choices.length === 0 ? html`<p>No generator ships with this build.</p>` : nothing}
          ${this.choices.map((id) => html`<label><input type="checkbox" .checked=${this.selectedModels.includes(id)}
            @change=${(e: Event) => this.setSetting('models', this.toggle(this.choices, this.selectedModels, id, checked(e)))} /> ${id}</label>`)}
        </fieldset>
        <fieldset ?disabled=${running}>
          <legend>Backends</legend>
          ${BACKEND_ORDER.map((b: BackendName) => html`<label><input type="checkbox" .checked=${s.backends.includes(b)}
            @change=${(e: Event) => this.setSetting('backends', this.toggle(BACKEND_ORDER, s.backends, b, checked(e)))} /> ${BACKEND_LABELS[b]}</label>`)}
        </fieldset>
        <fieldset ?disabled=${running}>
          <legend>Batch sizes</legend>
          ${batchChoices.map((n) => html`<label><input type="checkbox" .checked=${s.batches.includes(n)}
            @change=${(e: Event) => this.setSetting('batches', this.toggle(batchChoices, s.batches, n, checked(e)))} /> ${n}</label>`)}
        </fieldset>
        <fieldset ?disabled=${running}>
          <legend>Runs</legend>
          ${this.numberField('steps', 'DDIM steps', 1)}
          ${this.numberField('repeats', 'Warm runs', 1)}
          ${this.numberField('stepSamples', 'Steps timed singly', 1)}
        </fieldset>
      </form>
      <div class="actions">
        <button type="button" data-testid="bench-run" ?disabled=${running || total === 0} @click=${() => void this.run()}>
          Run ${total} configuration${total === 1 ? '' : 's'}</button>
        <button type="button" data-testid="bench-cancel" ?disabled=${!running} @click=${() => this.cancel()}>Cancel</button>
        <span role="status" aria-live="polite" data-testid="bench-progress">${this.progressText()}</span>
      </div>
      ${running && this.progress ? html`<progress max=${this.progress.total} value=${this.progress.index}></progress>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.renderTable()}
      ${this.report
        ? html`<details><summary>The results as JSON</summary><pre data-testid="bench-json">${JSON.stringify(this.report, null, 2)}</pre></details>`
        : nothing}
    `;
  }

  private numberField(key: 'steps' | 'repeats' | 'stepSamples', label: string, min: number) {
    return html`<label>${label}
      <input type="number" min=${min} step="1" .value=${String(this.settings[key])}
        @change=${(e: Event) => {
          const value = Number((e.target as HTMLInputElement).value);
          if (Number.isInteger(value) && value >= min) this.setSetting(key, value);
        }} /></label>`;
  }

  private progressText(): string {
    const p = this.progress;
    if (this.state === 'running' && p) {
      return `${p.index + 1} of ${p.total}: ${p.model} on ${BACKEND_LABELS[p.backend]}, batch ${p.batch}: ${p.phase}${p.detail ? ` (${p.detail})` : ''}…`;
    }
    return { ready: '', running: 'Starting…', done: 'Done.', cancelled: 'Cancelled; the finished configurations are kept.', error: 'Stopped by an error.' }[this.state];
  }

  private renderTable() {
    if (this.results.length === 0) return nothing;
    const { rows, notes } = tableData(this.results);
    const software = this.results.some((r) => r.backend === 'webgpu' && SOFTWARE_GPU.test(r.device ?? ''));
    return html`
      <p data-testid="bench-devices">Ran on: ${describeDevices(this.results)}.</p>
      ${software
        ? html`<p class="notice">WebGPU ran on a software GPU, emulated on the processor: its figures say nothing about a real graphics card.</p>`
        : nothing}
      <table data-testid="bench-table">
        <caption>Medians with the range of the measurements; every timing waits for the GPU to finish.</caption>
        <thead><tr>${COLUMNS.map((c) => html`<th scope="col">${c.title}</th>`)}</tr></thead>
        <tbody>${rows.map((row) => html`<tr>${row.map((cell, i) => html`<td class=${COLUMNS[i]?.align === 'right' ? 'right' : ''}>${cell}</td>`)}</tr>`)}</tbody>
      </table>
      ${notes.map((n) => html`<p class="notice">${n}</p>`)}
    `;
  }
}

function checked(event: Event): boolean {
  return (event.target as HTMLInputElement).checked;
}

customElements.define('msl-bench', BenchPanel);

declare global {
  interface HTMLElementTagNameMap {
    'msl-bench': BenchPanel;
  }
}
