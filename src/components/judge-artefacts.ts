import { LitElement, css, html, nothing } from 'lit';
import type { SurroundView } from '../judge/view.js';
import { fmt, percent } from './judge-charts.js';
import { judgeStyles } from './judge-parts.js';
import './judge-sample.js';
import './explain-tip.js';

/**
 * The surround check (src/judge/artefacts.ts): per class, how many generated images have an unusual
 * surround (beyond the far-out fences of real training images'), beside real training and held-out
 * images checked the same way, and the flagged samples themselves, most unusual first.
 *
 * @property surround - the check (SurroundView)
 */
export class JudgeArtefacts extends LitElement {
  static override properties = { surround: { attribute: false } };

  declare surround: SurroundView | null;

  constructor() {
    super();
    this.surround = null;
  }

  static override styles = [judgeStyles, css`.strip { display: flex; flex-wrap: wrap; gap: 4px; }`];

  override render() {
    const s = this.surround;
    if (!s) return nothing;
    const share = (r: { flagged: number; checked: number }) => `${r.flagged} of ${r.checked}${r.checked ? ` (${percent(r.flagged / r.checked)})` : ''}`;
    const total = s.check.generated.reduce((n, r) => n + r.flagged, 0);
    return html`
      <section aria-labelledby="judge-artefacts-heading" data-testid="judge-artefacts">
        <div class="heading-row"><h3 id="judge-artefacts-heading">Artefacts: the surround</h3><msl-explain term="surround" label="the surround check"></msl-explain></div>
        <p class="hint">
          Distances average over whole sets, so a wrong background in a few samples can pass unseen. Here each image's outer
          ${s.check.width} pixels are averaged; a surround beyond the far-out fences of the real training images' surrounds
          (${fmt(s.check.fences.low)} to ${fmt(s.check.fences.high)} grey levels: the quartiles +- 3 times their spread) is unusual.
          Real images are counted the same way: a model that makes unusual surrounds more often than its training data has them
          amplifies an artefact.
        </p>
        <table data-testid="judge-artefacts-table">
          <thead><tr><th scope="col">class</th><th scope="col">generated, unusual surround</th><th scope="col">real training</th><th scope="col">real held-out</th></tr></thead>
          <tbody>${s.classes.map((name, c) => html`<tr><th scope="row">${name}</th><td>${share(s.check.generated[c]!)}</td><td>${share(s.check.train[c]!)}</td><td>${share(s.check.heldout[c]!)}</td></tr>`)}</tbody>
        </table>
        ${total
          ? html`<p class="warning" data-testid="judge-artefacts-flagged">${total} generated ${total === 1 ? 'image has' : 'images have'} an unusual surround, most unusual first:</p>
              <div class="strip">${s.samples.map((x, i) => html`<msl-judge-sample .values=${x} .shape=${s.shape} .size=${56} label=${`flagged sample ${i + 1}`}></msl-judge-sample>`)}</div>`
          : html`<p class="hint" data-testid="judge-artefacts-none">No generated image has an unusual surround.</p>`}
      </section>
    `;
  }
}

customElements.define('msl-judge-artefacts', JudgeArtefacts);

declare global {
  interface HTMLElementTagNameMap {
    'msl-judge-artefacts': JudgeArtefacts;
  }
}
