import { LitElement, css, html, nothing } from 'lit';
import { datasetName } from '../models/catalogue.js';
import { parseCard } from '../models/card.js';
import type { ModelSummary } from '../models/registry.js';
import { type PrivacyVariant, privacyVariant } from '../privacy/variants.js';
import { fmt, percent } from './judge-charts.js';
import { ModelSelectEvent } from './model-picker.js';
import { panelStyles, trainingStyles } from './panel-styles.js';

/**
 * One generator trained in PyTorch without DP and with DP-SGD at several budgets, side by side from
 * their cards (src/privacy/variants.ts): epsilon, what the evaluator recognises per class, the
 * distance to real held-out data in independent features, the membership test and the copy check.
 *
 * @property models - one group of privacyGroups(): the baseline, then the variants by falling epsilon
 * @fires msl-model-select - open a variant in the lab above
 */
export class DpVariants extends LitElement {
  static override properties = {
    models: { attribute: false },
    variants: { state: true },
    problem: { state: true },
  };

  declare models: readonly ModelSummary[];
  declare variants: PrivacyVariant[] | null;
  declare problem: string;
  private loaded = '';

  constructor() {
    super();
    this.models = [];
    this.variants = null;
    this.problem = '';
  }

  static override styles = [panelStyles, trainingStyles, css`
    td.low { color: #a40e26; font-weight: 600; }
    .scroll { overflow-x: auto; max-width: 100%; }
    button.link { font: inherit; padding: 0.05rem 0.4rem; }
  `];

  protected override willUpdate(): void {
    const key = this.models.map((m) => m.path).join(' ');
    if (key !== this.loaded) {
      this.loaded = key;
      void this.load(key);
    }
  }

  /** Fetches the group's cards (a few kB each); a card that cannot be read says so and shows nothing half-read. */
  private async load(key: string): Promise<void> {
    this.variants = null;
    this.problem = '';
    try {
      const cards = await Promise.all(this.models.map(async (m) => {
        const response = await fetch(`${m.path}card.json`);
        if (!response.ok) throw new Error(`the card of ${m.id} answered ${response.status}`);
        return parseCard(await response.json());
      }));
      if (key === this.loaded) this.variants = cards.map(privacyVariant);
    } catch (error) {
      if (key === this.loaded) this.problem = `The privacy variants' cards could not be read (${(error as Error).message}).`;
    }
  }

  override render() {
    if (this.problem) return html`<p class="error" role="alert" data-testid="dp-variants-problem">${this.problem}</p>`;
    const rows = this.variants;
    if (!rows?.length) return html`<p class="hint">Reading the variants' cards…</p>`;
    const classes = rows[0]!.classes;
    const dp = rows.find((r) => r.privacy)?.privacy;
    const counts = rows[0]!.trainedOn;
    return html`
      <div class="scroll"><table data-testid="dp-variants">
        <caption>Trained in PyTorch on ${datasetName(this.models[0]?.dataset ?? '')} alike but for DP-SGD: the same network, data, steps and learning rate</caption>
        <thead><tr>
          <th scope="col">Model</th><th scope="col">Epsilon</th><th scope="col">Noise multiplier</th>
          ${classes.map((c, i) => html`<th scope="col" title=${counts ? `${counts[i]} training examples` : ''}>${c} made as asked</th>`)}
          <th scope="col">Held-out KL, nats (z used?)</th>
          <th scope="col">Frechet distance to real (real vs real)</th><th scope="col">Membership AUC (95%)</th>
          <th scope="col">Samples nearer a training example than 99% of held-out ones</th><th scope="col"></th>
        </tr></thead>
        <tbody>${rows.map((r) => this.row(r, classes))}</tbody>
      </table></div>
      <p class="hint">
        "Made as asked": how often the shipped evaluator calls a sample of the class it was asked for
        (real held-out: ${classes.map((c) => `${c} ${percent(rows[0]!.figures?.realHeldOutClassifiedAsLabelled?.[c] ?? null)}`).join(', ')}).
        A held-out KL near 0 means the decoder ignores its latent code: every sample of a class is the
        same, the class's mean shape (posterior collapse). Then "made as asked" can be perfect for a
        class while the samples have no diversity, and the copy check flags samples that sit among many
        training examples: nearness to many is not a copy of one. The Frechet distance is in the
        independent feature extractor's features, beside real training data against the same held-out
        data. The membership AUC asks whether training examples lie nearer the model's samples than
        held-out ones do (0.5: it cannot tell them apart; below 0.5, held-out examples lie nearer,
        which says how the held-out patients differ, not what the model keeps).
        ${dp ? html`Epsilon is at delta ${dp.delta.toExponential(0)} and counts ${dp.unit}: ${dp.steps} steps of lots of about
          ${dp.expectedLot.toLocaleString('en')}, each example's gradient clipped to norm ${dp.clip}.` : nothing}
        ${counts ? html`The rare classes pay first: the training split holds ${classes.map((c, i) => `${counts[i]!.toLocaleString('en')} ${c}`).join(', ')}.` : nothing}
      </p>`;
  }

  private row(r: PrivacyVariant, classes: string[]) {
    const f = r.figures;
    const fd = f?.independent;
    const auc = f?.membership?.all;
    const real = f?.realHeldOutClassifiedAsLabelled;
    return html`<tr data-testid="dp-variant" data-model=${r.id}>
      <th scope="row">${r.name}</th>
      <td>${r.privacy ? fmt(r.privacy.epsilon, 2) : 'none (no DP)'}</td>
      <td>${r.privacy ? fmt(r.privacy.noiseMultiplier, 3) : '–'}</td>
      ${classes.map((c) => {
        const rate = f?.classifiedAsRequested?.[c] ?? null;
        const low = rate !== null && (real?.[c] ?? null) !== null && rate < 0.5 * real![c]!;
        return html`<td class=${low ? 'low' : ''} title=${low ? 'under half as often as real held-out examples of the class' : ''}>${percent(rate)}</td>`;
      })}
      <td>${fmt(r.heldOutKl)}</td>
      <td>${fd ? html`${fmt(fd.frechetGenerated)} (${fmt(fd.frechetReal)})` : '–'}</td>
      <td>${auc ? html`${auc.auc.toFixed(3)} (${auc.low.toFixed(3)} to ${auc.high.toFixed(3)})` : '–'}</td>
      <td>${percent(f?.memorisationFraction ?? null, 1)}</td>
      <td><button class="link" data-testid="dp-variant-open" @click=${() => this.dispatchEvent(new ModelSelectEvent(r.id))}>Open</button></td>
    </tr>`;
  }
}

customElements.define('msl-dp-variants', DpVariants);

declare global {
  interface HTMLElementTagNameMap {
    'msl-dp-variants': DpVariants;
  }
}
