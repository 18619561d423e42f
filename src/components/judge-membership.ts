import { LitElement, html, nothing } from 'lit';
import type { AucInterval } from '../judge/membership.js';
import type { CardFigures, JudgeRunProgress, MembershipView } from '../judge/view.js';
import { fmt, rocChart } from './judge-charts.js';
import { JudgeCancelEvent, JudgeMembershipEvent } from './judge-events.js';
import { judgeStyles, progressLine } from './judge-parts.js';
import './explain-tip.js';

/**
 * The membership test (src/judge/membership.ts): does the diffusion model denoise its own training
 * images better than held-out ones? Its AUC with a bootstrap interval, with and without the held-out
 * near-copies of training images, the ROC curves, the mean errors and what to make of it.
 *
 * @property membership - the test so far (MembershipView), or null before the first
 * @property diffusion - the loaded generator is a diffusion model (the test needs one)
 * @property canRun - whether the test can start now (nothing running, a diffusion model loaded)
 * @property running - the test is going: Stop is offered
 * @property progress - its progress, while it runs
 * @property card - the test as the model card records it (PyTorch, training/membership.py), or null
 * @fires msl-judge-membership - run the test
 * @fires msl-judge-cancel - stop it
 */
export class JudgeMembership extends LitElement {
  static override properties = {
    membership: { attribute: false },
    diffusion: { type: Boolean },
    canRun: { type: Boolean, attribute: 'can-run' },
    running: { type: Boolean },
    progress: { attribute: false },
    card: { attribute: false },
  };

  declare membership: MembershipView | null;
  declare diffusion: boolean;
  declare canRun: boolean;
  declare running: boolean;
  declare progress: JudgeRunProgress | null;
  declare card: CardFigures['membership'];

  constructor() {
    super();
    this.membership = null;
    this.diffusion = false;
    this.canRun = false;
    this.running = false;
    this.progress = null;
    this.card = null;
  }

  static override styles = judgeStyles;

  override render() {
    const r = this.membership?.report ?? null;
    const row = (name: string, a: AucInterval, testid: string) => html`<tr data-testid=${testid}>
      <th scope="row">${name}</th><td>${a.n.train}</td><td>${a.n.heldout}</td>
      <td><strong>${fmt(a.auc)}</strong></td><td>${fmt(a.low)} to ${fmt(a.high)}</td></tr>`;
    return html`
      <section aria-labelledby="judge-membership-heading" data-testid="judge-membership">
        <div class="heading-row"><h3 id="judge-membership-heading">Does it remember its training images? The membership test</h3><msl-explain term="membership" label="the membership test"></msl-explain></div>
        <p class="hint">
          The distance check above asks whether samples look like training images. This asks the model itself: each real
          image is noised to a few fixed levels with fixed noise and the model predicts the noise back. A model that has
          memorised its training images does that better on them than on held-out images it never saw. The AUC is the
          chance that a training image has the lower error: 0.5 means the model cannot tell them apart.
        </p>
        ${this.diffusion
          ? html`<form aria-label="Membership test" novalidate @submit=${(e: Event) => {
              e.preventDefault();
              if (this.canRun) this.dispatchEvent(new JudgeMembershipEvent());
            }}>
              <button class="primary" type="submit" data-testid="judge-membership-run" ?disabled=${!this.canRun}>Run the membership test</button>
              <button type="button" data-testid="judge-membership-cancel" ?disabled=${!this.running}
                @click=${() => this.dispatchEvent(new JudgeCancelEvent('membership'))}>Stop</button>
            </form>`
          : html`<p class="hint" data-testid="judge-membership-unavailable">The test measures a diffusion model's denoising error: load a diffusion model to run it.</p>`}
        ${this.card
          ? html`<p class="hint" data-testid="judge-membership-card">The model card's test (PyTorch, training/membership.py${this.diffusion ? '' : `, scored by the ${this.card.attack}`}):
              AUC ${fmt(this.card.all.auc)} [${fmt(this.card.all.low)}, ${fmt(this.card.all.high)}]${this.card.dedup
                ? html`, ${fmt(this.card.dedup.auc)} [${fmt(this.card.dedup.low)}, ${fmt(this.card.dedup.high)}] without ${this.card.nearCopies} near-copies`
                : nothing}.${this.diffusion ? ' The page\'s test below uses the same timesteps and draws on its own images and noise, so it should agree within the intervals.' : ''}</p>`
          : nothing}
        ${this.running ? progressLine(this.progress) : nothing}
        ${r
          ? html`
              <p data-testid="judge-membership-verdict" class=${r.all.low > 0.5 || (r.dedup?.low ?? 0) > 0.5 ? 'warning' : ''}>${r.verdict}</p>
              ${r.caveat ? html`<p class="hint" role="note" data-testid="judge-membership-caveat">${r.caveat}</p>` : nothing}
              <table data-testid="judge-membership-results">
                <caption>Denoising error at t = ${r.timesteps.join(', ')}, ${r.draws} noise draws each; 95% bootstrap intervals.</caption>
                <thead><tr><th scope="col">held-out set</th><th scope="col">training images</th><th scope="col">held-out images</th><th scope="col">AUC</th><th scope="col">interval</th></tr></thead>
                <tbody>
                  ${row('all', r.all, 'judge-membership-all')}
                  ${r.dedup ? row(`without ${r.nearCopies} near-copies`, r.dedup, 'judge-membership-dedup') : nothing}
                </tbody>
              </table>
              <p class="hint" data-testid="judge-membership-copies">
                ${r.nearCopies
                  ? `${r.nearCopies} of ${r.all.n.heldout} held-out images lie nearer a training image than the held-out images' own 1st-percentile nearest distance (${fmt(r.nearCopyThreshold)}): they are near-copies of training images under another split's name, so the test is shown without them too.`
                  : 'No held-out image is a near-copy of a training image.'}
                Mean error: training images ${fmt(r.meanError.train)}, held-out ${fmt(r.meanError.heldout)}.
              </p>
              ${rocChart(
                [
                  { name: 'all held-out', points: r.all.roc, auc: r.all.auc },
                  ...(r.dedup ? [{ name: 'without near-copies', points: r.dedup.roc, auc: r.dedup.auc }] : []),
                ],
                { xLabel: 'held-out images taken for training ones', yLabel: 'training images caught', testid: 'judge-membership-roc' },
              )}`
          : nothing}
      </section>
    `;
  }
}

customElements.define('msl-judge-membership', JudgeMembership);

declare global {
  interface HTMLElementTagNameMap {
    'msl-judge-membership': JudgeMembership;
  }
}
