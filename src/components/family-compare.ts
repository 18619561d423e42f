import { LitElement, css, html, nothing } from 'lit';
import { panelStyles } from './panel-styles.js';
import type { FamilyRow, FamilyStatus } from '../app/family-compare.js';
import type { GeneratorMethod } from '../models/card.js';
import { isImage, viewWidth } from '../display/convert.js';
import { type VoltRange, voltRange, windowStartMs } from '../display/ecg-axes.js';
import { methodName } from '../models/catalogue.js';
import './explain-tip.js';
import './sample-grid.js';
import { formatElapsed } from '../pipeline/estimate.js';

/** Asks for every family to be run on the class and seed on screen. */
export class FamilyRunEvent extends Event {
  constructor() {
    super('msl-family-run', { bubbles: true, composed: true });
  }
}

export class FamilyCancelEvent extends Event {
  constructor() {
    super('msl-family-cancel', { bubbles: true, composed: true });
  }
}

/** What each family is, in a line: how a sample comes out of it. */
const HOW_IT_MAKES: Record<GeneratorMethod, string> = {
  ddpm: 'noise removed step by step, one network pass a step (two with guidance)',
  vae: 'a latent drawn from its prior, decoded in one pass; blur is its usual failing',
  gan: 'a latent drawn (optionally truncated), turned into a sample in one pass; collapse onto few kinds of sample is its usual failing',
  ar: 'codes drawn one at a time, each given those before it (one cached network pass a code, two with guidance), then decoded in one pass; blocky, incoherent layouts are its usual failing',
};

/**
 * Every family's model of one dataset, side by side on the same class and seed: samples, the cost
 * here, how often the evaluator sees the class, and the card's measured distance to real data.
 *
 * @property rows - one per family (src/app/family-compare.ts)
 * @property status - of the comparison
 * @property className - the class the rows show
 * @property disabled - a run cannot start now (the page is busy), with `reason` saying why
 * @property scale - 1, or more for a projector
 */
export class FamilyCompareView extends LitElement {
  static override properties = {
    rows: { attribute: false },
    status: {},
    message: {},
    className: { attribute: 'class-name' },
    families: { type: Number },
    disabled: { type: Boolean },
    reason: {},
    scale: { type: Number },
  };

  declare rows: FamilyRow[];
  declare status: FamilyStatus;
  declare message: string | null;
  declare className: string;
  /** How many families this dataset has, before any run. */
  declare families: number;
  declare disabled: boolean;
  declare reason: string;
  declare scale: number;

  constructor() {
    super();
    this.rows = [];
    this.status = 'idle';
    this.message = null;
    this.className = '';
    this.families = 0;
    this.disabled = false;
    this.reason = '';
    this.scale = 1;
  }

  static override styles = [panelStyles, css`
    .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 15rem), 1fr)); gap: 1rem 1.5rem; }
    h3 { font-size: 1em; margin: 0 0 0.2rem; }
    .how { font-size: 0.85em; color: #424a53; margin: 0 0 0.4rem; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 0.6rem; margin: 0.5rem 0 0; font-size: 0.88em; }
    dt { color: #424a53; }
    dd { margin: 0; }
  `];

  override render() {
    const running = this.status === 'running';
    const signals = this.rows.filter((r) => r.samples.length && !isImage(r.shape));
    const range = signals.length ? voltRange(signals.flatMap((r) => r.samples)) : null;
    return html`
      <p class="note">The same class${this.className ? html` (<strong>${this.className}</strong>)` : nothing}, seed and count for each of
        the ${this.families} families trained on this data, each with its own knobs from the settings above where they are there, else from
        its card. The cost is measured here, on this
        device; so is the distance from each sample to its nearest training sample (in network units; much closer than real held-out samples
        of the class are means copies). The distance to real data is the one each card measured, on hundreds of samples.</p>
      <div class="bar">
        <button class="primary" data-testid="family-run" ?disabled=${this.disabled || running}
          @click=${() => this.dispatchEvent(new FamilyRunEvent())}>Run every family</button>
        <button data-testid="family-cancel" ?disabled=${!running} @click=${() => this.dispatchEvent(new FamilyCancelEvent())}>Cancel</button>
        <span role="status" data-testid="family-status">${this.statusLine()}</span>
      </div>
      <div class="columns">${this.rows.map((row) => this.renderRow(row, range))}</div>
    `;
  }

  private statusLine(): string {
    if (this.disabled && this.reason) return this.reason;
    if (this.message) return this.message;
    if (this.status === 'running') {
      const at = this.rows.find((r) => r.status === 'loading' || r.status === 'running');
      return at ? `${at.status === 'loading' ? 'Loading' : 'Running'} the ${methodName(at.method)}…` : 'Starting…';
    }
    if (this.status === 'done') return `Ran ${this.rows.filter((r) => r.status === 'done').length} of ${this.rows.length} families.`;
    return 'Not run yet.';
  }

  private renderRow(row: FamilyRow, range: VoltRange | null) {
    const id = `family-${row.method}`;
    const card = row.card;
    const independent = card?.independent;
    const ratio = independent && independent.frechetGenerated !== null && independent.frechetReal !== null && independent.frechetReal > 0
      ? independent.frechetGenerated / independent.frechetReal : null;
    const realRate = card?.realHeldOutClassifiedAsLabelled?.[this.className] ?? null;
    return html`<section aria-labelledby="h-${id}" data-testid=${id}>
      <h3 id="h-${id}">${methodName(row.method)}: ${row.model.name}</h3>
      <p class="how">${HOW_IT_MAKES[row.method]}${row.how ? html`; here ${row.how}` : nothing}.</p>
      ${row.status === 'error' ? html`<p class="error" role="alert">${row.message}</p>` : nothing}
      ${row.samples.length
        ? html`<msl-sample-grid data-testid="${id}-grid" .samples=${row.samples} .shape=${row.shape} .range=${isImage(row.shape) ? null : range}
            .sampleRateHz=${row.sampleRateHz} .startMs=${windowStartMs(row.window, row.sampleRateHz)}
            .large=${viewWidth(row.shape, { image: 160, signal: 300 }, this.scale)} item-label="${methodName(row.method)} ${this.className}"></msl-sample-grid>`
        : row.status === 'waiting' || row.status === 'error' ? nothing : html`<p class="note">${row.status === 'loading' ? 'Loading…' : 'Making samples…'}</p>`}
      <dl data-testid="${id}-figures">
        <dt>Time here</dt><dd>${row.msPerSample === null ? '–' : `${formatElapsed(row.msPerSample)} per sample`}</dd>
        <dt>Network passes</dt><dd>${row.passesPerSample === null ? '–' : `${row.passesPerSample} per sample`}</dd>
        <dt>Seen as ${this.className || 'the class'}</dt><dd>${row.recognised
          ? `${row.recognised.hits} of ${row.recognised.of} (evaluator)${realRate !== null ? `; real held-out: ${Math.round(100 * realRate)}%` : ''}`
          : '–'}</dd>
        <dt>Distance to real<msl-explain term="frechet" label="the distance to real data"></msl-explain></dt><dd>${ratio !== null && independent
          ? `${ratio.toFixed(1)}× real-vs-real (card: Frechet ${independent.frechetGenerated!.toPrecision(3)} against ${independent.frechetReal!.toPrecision(3)} in ${independent.extractor}${independent.n ? `, ${independent.n} a side` : ''})`
          : '– (not on the card)'}</dd>
        <dt>Nearest training sample<msl-explain term="nearest" label="the nearest training sample"></msl-explain></dt><dd>${row.nearest
          ? `median ${row.nearest.generated.toPrecision(3)}${row.nearest.heldOut !== null ? ` (real held-out ${this.className}: ${row.nearest.heldOut.toPrecision(3)})` : ''}, among ${row.nearest.train.toLocaleString('en')} training samples`
          : card?.memorisationMedianGenerated != null && card.memorisationMedianHeldOut != null
            ? `median ${card.memorisationMedianGenerated.toPrecision(3)} (real held-out: ${card.memorisationMedianHeldOut.toPrecision(3)}; card)`
            : '–'}</dd>
      </dl>
    </section>`;
  }
}


customElements.define('msl-family-compare', FamilyCompareView);

declare global {
  interface HTMLElementTagNameMap {
    'msl-family-compare': FamilyCompareView;
  }
  interface GlobalEventHandlersEventMap {
    'msl-family-run': FamilyRunEvent;
    'msl-family-cancel': FamilyCancelEvent;
  }
}
