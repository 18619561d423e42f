import { LitElement, css, html, nothing } from 'lit';
import { panelStyles } from './panel-styles.js';
import type { GameRound } from '../app/game-controller.js';
import { isImage, viewWidth } from '../display/convert.js';
import { type VoltRange, voltRange } from '../display/ecg-axes.js';
import { type GameScore, type Proportion, type Source, ROUND_SIZES, verdict } from '../game/spot-the-fake.js';
import { methodName } from '../models/catalogue.js';
import './sample-view.js';

/** Asks for a new round of `size` items. */
export class GameDealEvent extends Event {
  constructor(readonly size: number) {
    super('msl-game-deal', { bubbles: true, composed: true });
  }
}

/** An answer for the item on show. */
export class GameAnswerEvent extends Event {
  constructor(readonly source: Source) {
    super('msl-game-answer', { bubbles: true, composed: true });
  }
}

/** Show item `index` again. */
export class GameGoToEvent extends Event {
  constructor(readonly index: number) {
    super('msl-game-goto', { bubbles: true, composed: true });
  }
}

export class GameCancelEvent extends Event {
  constructor() {
    super('msl-game-cancel', { bubbles: true, composed: true });
  }
}

/**
 * Spot the fake: one sample at a time, real or synthetic; no hint until the round is over, then
 * the score with its interval beside guessing, by source and by class, and every item shown with
 * what it was and what was answered.
 *
 * @property round - the round dealt (null before one)
 * @property answers - one per item, null until given
 * @property position - the item on show
 * @property roundScore - this round's score once every item is answered
 * @property modelScore - every finished round with this model, and how many
 * @property status - of the dealing: idle, running, done, cancelled, error
 * @property disabled - a round cannot be dealt now, with `reason` saying why
 * @fires msl-game-deal, msl-game-answer, msl-game-goto, msl-game-cancel
 */
export class SpotTheFake extends LitElement {
  static override properties = {
    round: { attribute: false },
    answers: { attribute: false },
    position: { type: Number },
    roundScore: { attribute: false },
    modelScore: { attribute: false },
    status: {},
    message: {},
    progress: { attribute: false },
    size: { type: Number },
    modelName: { attribute: 'model-name' },
    disabled: { type: Boolean },
    reason: {},
    scale: { type: Number },
  };

  declare round: GameRound | null;
  declare answers: (Source | null)[];
  declare position: number;
  declare roundScore: GameScore | null;
  declare modelScore: { score: GameScore; rounds: number } | null;
  declare status: string;
  declare message: string | null;
  declare progress: { done: number; total: number } | null;
  declare size: number;
  declare modelName: string;
  declare disabled: boolean;
  declare reason: string;
  declare scale: number;

  constructor() {
    super();
    this.round = null;
    this.answers = [];
    this.position = 0;
    this.roundScore = null;
    this.modelScore = null;
    this.status = 'idle';
    this.message = null;
    this.progress = null;
    this.size = 16;
    this.modelName = '';
    this.disabled = false;
    this.reason = '';
    this.scale = 1;
  }

  static override styles = [panelStyles, css`
    .bar { margin: 0.4rem 0 0.6rem; }
    button.answer { font-size: 1.15em; padding: 0.5rem 1.4rem; min-width: 9rem; }
    .play { display: flex; flex-wrap: wrap; gap: 1rem 1.5rem; align-items: center; }
    .play figure { margin: 0; }
    .play figcaption { color: #424a53; font-size: 0.92em; margin-top: 0.3rem; }
    .answers { display: flex; flex-direction: column; gap: 0.6rem; }
    .dots { display: flex; flex-wrap: wrap; gap: 0.25rem; margin-top: 0.5rem; }
    .dots button { width: 1.6rem; height: 1.6rem; padding: 0; font-size: 0.75em; border-radius: 50%; }
    .dots button[aria-current='true'] { outline: 2px solid #1d4f91; }
    .dots button.given { background: #dbe7f7; }
    .score { font-size: 1.1em; margin: 0.4rem 0; }
    table { border-collapse: collapse; font-size: 0.92em; margin: 0.4rem 0; }
    th, td { text-align: left; padding: 0.15rem 0.8rem 0.15rem 0; }
    .reveal { display: grid; grid-template-columns: repeat(auto-fill, minmax(7.5rem, 1fr)); gap: 0.6rem; margin-top: 0.6rem; }
    .reveal figure { margin: 0; font-size: 0.8em; }
    .right { color: #116329; }
    .wrong { color: #a40e26; }
  `];

  override render() {
    const round = this.round;
    const running = this.status === 'running';
    return html`
      <p class="note">Real or synthetic? Each round shows samples one at a time: half are real held-out samples the models never saw, half
        made by ${this.modelName || 'the model'} with the settings above, the same classes on both sides. Say which each one is (keys
        <kbd>R</kbd> and <kbd>S</kbd>); a room can vote by show of hands and enter the majority. No hints until the end. Nothing leaves this tab.</p>
      <div class="bar">
        <label>Round of <select data-testid="game-size" .value=${String(this.size)} ?disabled=${running}
          @change=${(e: Event) => (this.size = Number((e.target as HTMLSelectElement).value))}>
          ${ROUND_SIZES.map((n) => html`<option value=${n} ?selected=${n === this.size}>${n} samples</option>`)}
        </select></label>
        <button class="primary" data-testid="game-deal" ?disabled=${this.disabled || running}
          @click=${() => this.dispatchEvent(new GameDealEvent(this.size))}>${round ? 'New round' : 'Deal a round'}</button>
        <button data-testid="game-cancel" ?disabled=${!running} @click=${() => this.dispatchEvent(new GameCancelEvent())}>Cancel</button>
        <span role="status" data-testid="game-status" class=${this.status === 'error' ? 'error' : ''}>${this.statusLine()}</span>
      </div>
      ${round && !running ? (this.roundScore ? this.renderScore(round, this.roundScore) : this.renderPlay(round)) : nothing}
    `;
  }

  private statusLine(): string {
    if (this.disabled && this.reason) return this.reason;
    if (this.message) return this.message;
    if (this.status === 'running') return this.progress ? `Making the synthetic samples: ${this.progress.done} of ${this.progress.total} passes…` : 'Making the synthetic samples…';
    if (!this.round) return 'No round yet.';
    const given = this.answers.filter((a) => a !== null).length;
    return `${given} of ${this.round.items.length} answered.`;
  }

  /** One range for every ECG of the round: the traces' scale is no clue to which is which. */
  private rangeOf(round: GameRound): VoltRange | null {
    return isImage(round.shape) ? null : voltRange(round.items.map((item) => item.values));
  }

  private renderPlay(round: GameRound) {
    const item = round.items[this.position];
    if (!item) return nothing;
    const n = round.items.length;
    return html`<div class="play" data-testid="game-play" data-position=${this.position}>
      <figure>
        <msl-sample-view data-testid="game-sample" .values=${item.values} .shape=${round.shape} .range=${this.rangeOf(round)}
          .sampleRateHz=${round.sampleRateHz} .startMs=${round.startMs} ?axes=${!isImage(round.shape)}
          size=${viewWidth(round.shape, { image: 224, signal: 420 }, this.scale)}
          label="sample ${this.position + 1} of ${n}, ${round.classes[item.classIndex]}: real or synthetic?"></msl-sample-view>
        <figcaption>Sample ${this.position + 1} of ${n}: ${round.classes[item.classIndex]}.</figcaption>
      </figure>
      <div class="answers">
        <button class="answer" data-testid="game-real" aria-keyshortcuts="R" @click=${() => this.answer('real')}>Real</button>
        <button class="answer" data-testid="game-synthetic" aria-keyshortcuts="S" @click=${() => this.answer('synthetic')}>Synthetic</button>
        <div class="dots" role="group" aria-label="answers so far: pick one to change it">
          ${round.items.map((_, i) => html`<button type="button" class=${this.answers[i] ? 'given' : ''} aria-current=${String(i === this.position)}
            aria-label="sample ${i + 1}${this.answers[i] ? `, answered ${this.answers[i]}` : ''}"
            @click=${() => this.dispatchEvent(new GameGoToEvent(i))}>${i + 1}</button>`)}
        </div>
      </div>
    </div>`;
  }

  private answer(source: Source): void {
    this.dispatchEvent(new GameAnswerEvent(source));
  }

  private readonly onKey = (e: KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const key = e.key.toLowerCase();
    if (key === 'r' || key === 's') {
      e.preventDefault();
      this.answer(key === 'r' ? 'real' : 'synthetic');
    }
  };

  override connectedCallback(): void {
    super.connectedCallback();
    // R and S answer wherever focus is inside the game (not only on its buttons)
    this.addEventListener('keydown', this.onHostKey);
  }

  override disconnectedCallback(): void {
    this.removeEventListener('keydown', this.onHostKey);
    super.disconnectedCallback();
  }

  private readonly onHostKey = (e: KeyboardEvent) => {
    if (!this.round || this.roundScore || this.status === 'running') return;
    if ((e.composedPath()[0] as Element | undefined)?.tagName === 'SELECT') return;
    this.onKey(e);
  };

  private renderScore(round: GameRound, score: GameScore) {
    const o = score.overall;
    const model = this.modelScore;
    const range = this.rangeOf(round);
    const size = viewWidth(round.shape, { image: 112, signal: 150 }, this.scale);
    return html`<div data-testid="game-score" data-correct=${o.correct} data-total=${o.total}>
      <p class="score"><strong>${o.correct} of ${o.total} right</strong> (${pct(o.rate)}, 95% interval ${pct(o.low)} to ${pct(o.high)});
        guessing gets 50%.</p>
      <p data-testid="game-verdict">${verdict(score)}</p>
      <table>
        <thead><tr><th scope="col"></th><th scope="col">right</th><th scope="col">95% interval</th></tr></thead>
        <tbody>
          ${row('Real samples called real', score.bySource.real)}
          ${row('Synthetic samples called synthetic', score.bySource.synthetic)}
          ${score.byClass.map((p, c) => (p.total ? row(`Class ${round.classes[c]}`, p) : nothing))}
        </tbody>
      </table>
      ${model && model.rounds > 1
        ? html`<p data-testid="game-all-rounds">All ${model.rounds} rounds with ${round.model.name} in this tab:
            ${model.score.overall.correct} of ${model.score.overall.total} right (${pct(model.score.overall.rate)}, 95% interval
            ${pct(model.score.overall.low)} to ${pct(model.score.overall.high)}). ${verdict(model.score)}</p>`
        : nothing}
      <p class="note">${methodName(round.model.method)} samples made with ${round.made}. The interval treats every answer as independent;
        for a room's majority vote that holds per sample, not per person.</p>
      <div class="reveal" data-testid="game-reveal">
        ${round.items.map((item, i) => {
          const right = this.answers[i] === item.source;
          return html`<figure>
            <msl-sample-view .values=${item.values} .shape=${round.shape} .range=${range} .sampleRateHz=${round.sampleRateHz}
              .startMs=${round.startMs} size=${size} label="sample ${i + 1}: ${item.source}"></msl-sample-view>
            <figcaption>${i + 1}. <strong>${item.source}</strong>, ${round.classes[item.classIndex]};
              <span class=${right ? 'right' : 'wrong'}>${right ? 'right' : `answered ${this.answers[i]}`}</span></figcaption>
          </figure>`;
        })}
      </div>
    </div>`;
  }
}

function pct(x: number): string {
  return Number.isNaN(x) ? '–' : `${Math.round(100 * x)}%`;
}

function row(label: string, p: Proportion) {
  return html`<tr><th scope="row">${label}</th><td>${p.correct} of ${p.total}</td>
    <td>${p.total ? `${pct(p.low)} to ${pct(p.high)}` : '–'}</td></tr>`;
}

customElements.define('msl-spot-the-fake', SpotTheFake);

declare global {
  interface HTMLElementTagNameMap {
    'msl-spot-the-fake': SpotTheFake;
  }
  interface GlobalEventHandlersEventMap {
    'msl-game-deal': GameDealEvent;
    'msl-game-answer': GameAnswerEvent;
    'msl-game-goto': GameGoToEvent;
    'msl-game-cancel': GameCancelEvent;
  }
}
