import { LitElement, css, html, nothing } from 'lit';
import type { AuditItem, CardFigures, MemorisationView, NeighbourView, SampleMeta } from '../judge/view.js';
import { fmt, histogramChart, percent } from './judge-charts.js';
import { LONE_RATIO, loneVerdict } from '../judge/memorisation.js';
import { judgeStyles } from './judge-parts.js';
import './judge-sample.js';
import './explain-tip.js';

type Show = 'flagged' | 'closest' | 'all';
/** Generated samples the grid shows at first: the closest to the training set. */
const CLOSEST = 12;

const LONE_SENTENCES = {
  more: 'Far more than real data: many samples are near-copies of single training samples, whatever the threshold above says.',
  blind:
    'So many real held-out samples are this close to one training sample that the held-out split itself holds near-copies of ' +
    'training samples: this check cannot tell copies here. The membership test below asks the model instead.',
  alike: 'About as many as real data: no sign of copies of single training samples.',
};

/**
 * The memorisation audit: how many generated samples lie closer to a training sample than all but
 * 1% of real held-out samples do (flagged: possible copies), the histograms of the distance to the
 * closest training sample of generated and held-out samples with the flagging line, and every
 * generated sample beside its nearest training samples, closest first, the flagged ones outlined.
 * Distances in pixel space, or in the evaluator's features where the audit measured both.
 *
 * @property memorisation - the figures and the samples to show (MemorisationView)
 * @property sample - the shape and kind of a sample, to draw it (SampleMeta)
 * @property card - the model card's figures, or null
 */
export class JudgeMemorisation extends LitElement {
  static override properties = {
    memorisation: { attribute: false },
    sample: { attribute: false },
    card: { attribute: false },
    show: { state: true },
    space: { state: true },
  };

  declare memorisation: MemorisationView | null;
  declare sample: SampleMeta;
  declare card: CardFigures | null;
  declare private show: Show;
  declare private space: 'pixel' | 'feature';

  constructor() {
    super();
    this.memorisation = null;
    this.sample = { kind: 'image', shape: [28, 28, 1], sampleRateHz: 360, startMs: 0 };
    this.card = null;
    this.show = 'closest';
    this.space = 'pixel';
  }

  static override styles = [
    judgeStyles,
    css`
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
    `,
  ];

  override render() {
    const m = this.memorisation;
    if (!m) return nothing;
    const card = this.card;
    const feature = this.space === 'feature' && m.featureHistogram;
    const histogram = feature ? m.featureHistogram! : m.histogram;
    const threshold = feature ? m.featureThreshold! : m.threshold;
    const flaggedIn = (i: AuditItem) => (feature ? i.featureFlagged : i.flagged);
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
        <div class="heading-row"><h3 id="judge-memo-heading">Memorisation audit</h3><msl-explain term="nearest" label="the nearest training sample"></msl-explain></div>
        <p data-testid="judge-flag-summary" class=${m.flaggedCount ? 'warning' : ''}>
          <strong>${m.flaggedCount} of ${m.generatedCount}</strong> generated samples (${percent(m.fractionFlagged, 1)}) are closer to a training sample
          than all but 1% of real held-out samples are (distance below ${fmt(m.threshold)}, ${m.space}).
          ${m.featureFlaggedCount !== null ? html`In the evaluator's feature space: ${m.featureFlaggedCount}.` : nothing}
          ${card?.memorisationFraction != null ? html`The model card found ${percent(card.memorisationFraction, 1)}.` : nothing}
        </p>
        ${Number.isFinite(m.lone.generated)
          ? html`<p data-testid="judge-lone" class=${loneVerdict(m.lone) === 'more' ? 'warning' : ''}>
              <strong>${percent(m.lone.generated, 1)}</strong> of generated samples are much closer to one training sample than to any
              other (the closest under ${LONE_RATIO} times the second closest), against ${percent(m.lone.heldout, 1)} of real held-out
              samples. ${LONE_SENTENCES[loneVerdict(m.lone)]}
            </p>`
          : nothing}
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

  /** Width in CSS pixels of a sample in the audit grid. */
  private get sampleSize(): number {
    return this.sample.kind === 'image' ? 56 : 96;
  }

  private drawn(values: Float32Array, label: string, size: number) {
    const s = this.sample;
    return html`<msl-judge-sample .values=${values} .shape=${s.shape} .size=${size} .range=${s.kind === 'signal' ? this.signalRange() : null} label=${label}></msl-judge-sample>`;
  }

  /** One voltage range for every beat the audit shows, so traces compare. */
  private signalRange(): [number, number] {
    const items = this.memorisation?.items ?? [];
    let lo = Infinity;
    let hi = -Infinity;
    for (const item of items) {
      for (const values of [item.sample, ...item.pixel.map((n) => n.sample)]) {
        for (let i = 0; i < values.length; i++) (lo = Math.min(lo, values[i]!)), (hi = Math.max(hi, values[i]!));
      }
    }
    return Number.isFinite(lo) ? [lo, hi] : [-1, 1];
  }

  private renderItem(item: AuditItem, flagged: boolean) {
    const size = this.sampleSize;
    const neighbours = (list: NeighbourView[], space: string) =>
      list.length
        ? html`<p class="which">nearest training samples, ${space}</p>
            <div class="row">${list.map((n) => html`<div class="cell">
              ${this.drawn(n.sample, `training sample ${n.index + 1} (${n.label}), distance ${fmt(n.distance)} in ${space}`, size)}
              <span>d ${fmt(n.distance)}</span><span>#${n.index + 1} ${n.label}</span></div>`)}</div>`
        : nothing;
    return html`
      <li class="item ${flagged ? 'flagged' : ''}" style="--cell-width:${size + 8}px" data-testid="judge-audit-item" data-flagged=${String(flagged)} data-index=${item.index}>
        ${flagged ? html`<p class="badge">Flagged: closer than the held-out 1st percentile</p>` : nothing}
        <div class="row pair">
          <div class="cell generated">
            ${this.drawn(item.sample, `generated sample ${item.index + 1}, asked for ${item.requested}, read as ${item.predicted}`, size)}
            <span>generated #${item.index + 1}</span><span>${item.requested}${item.predicted !== item.requested ? html` (read ${item.predicted})` : nothing}</span>
          </div>
          <div class="neighbours">${neighbours(item.pixel, 'pixel space')}${neighbours(item.feature, 'feature space')}</div>
        </div>
      </li>
    `;
  }
}

customElements.define('msl-judge-memorisation', JudgeMemorisation);

declare global {
  interface HTMLElementTagNameMap {
    'msl-judge-memorisation': JudgeMemorisation;
  }
}
