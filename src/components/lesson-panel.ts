import { LitElement, css, html, nothing } from 'lit';
import { LESSONS, type Lesson } from '../lessons/lessons.js';

/** Go to slide `slide` of the lesson on show. */
export class LessonGoEvent extends Event {
  constructor(readonly slide: number) {
    super('msl-lesson-go', { bubbles: true, composed: true });
  }
}

/**
 * One slide of a lesson: what to read, one thing to try, and the figures of the live run below
 * the page's controls, with back and next (also the arrow and page keys, a presenter's clicker).
 *
 * @property lesson - the lesson on show
 * @property slide - its slide, from 0
 * @property live - the live run's figures, sentence by sentence ([] before it has run)
 * @property waiting - what the live part is doing, in words ('' when nothing)
 * @property presenter - links to other lessons keep presenter mode
 * @property keep - the parameters those links keep (backend, extra, presenter), as '&name=value...'
 * @property fullLab - the address of this slide's state with every control (the lesson left out)
 * @fires msl-lesson-go
 */
export class LessonPanel extends LitElement {
  static override properties = {
    lesson: { attribute: false },
    slide: { type: Number },
    live: { attribute: false },
    waiting: {},
    presenter: { type: Boolean },
    fullLab: { attribute: 'full-lab' },
    keep: {},
  };

  declare lesson: Lesson | null;
  declare slide: number;
  declare live: string[];
  declare waiting: string;
  declare presenter: boolean;
  declare fullLab: string;
  /** Parameters links to other lessons keep ('&backend=wasm&presenter=1'), or ''. */
  declare keep: string;

  constructor() {
    super();
    this.lesson = null;
    this.slide = 0;
    this.live = [];
    this.waiting = '';
    this.presenter = false;
    this.fullLab = '?';
    this.keep = '';
  }

  static override styles = css`
    :host { display: block; border-left: 6px solid #1d4f91; background: #f1f6fd; padding: 0.6rem 1rem 0.8rem; border-radius: 0.3rem; }
    .top { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.3rem 1rem; align-items: baseline; }
    .crumb { margin: 0; color: #424a53; font-size: 0.9em; }
    h2 { font-size: 1.3em; margin: 0.1rem 0 0.4rem; }
    p { margin: 0 0 0.5rem; max-width: 52rem; }
    .try { font-weight: 600; }
    .live { border-top: 1px solid #c5d5ea; padding-top: 0.4rem; }
    .live p { margin: 0 0 0.3rem; }
    .nav { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-top: 0.4rem; }
    button { font: inherit; padding: 0.35rem 1rem; border: 1px solid #57606a; border-radius: 0.35rem; background: #fff; color: #1b1f24; cursor: pointer; }
    button.primary { background: #1d4f91; border-color: #1d4f91; color: #fff; }
    button:disabled { opacity: 0.55; cursor: not-allowed; }
    button:focus-visible, a:focus-visible { outline: 3px solid #1d4f91; outline-offset: 2px; }
    a { color: #0b4fa8; }
    .keys { color: #424a53; font-size: 0.85em; }
  `;

  override render() {
    const lesson = this.lesson;
    const slide = lesson?.slides[this.slide];
    if (!lesson || !slide) return nothing;
    const n = lesson.slides.length;
    const number = LESSONS.indexOf(lesson) + 1;
    const last = this.slide === n - 1;
    const next = LESSONS[LESSONS.indexOf(lesson) + 1];
    const keep = this.keep || (this.presenter ? '&presenter=1' : '');
    return html`<div class="top">
        <p class="crumb">Lesson ${number} of ${LESSONS.length}: ${lesson.title} · slide ${this.slide + 1} of ${n}</p>
        <span><a href="?${keep.slice(1)}" data-testid="lesson-close">All lessons</a> ·
          <a href=${this.fullLab} data-testid="lesson-full-lab">This slide with every control</a></span>
      </div>
      <h2 data-testid="lesson-title">${slide.title}</h2>
      ${slide.text.map((p) => html`<p>${p}</p>`)}
      <p class="try" data-testid="lesson-try">Try this: ${slide.try}</p>
      <div class="live" data-testid="lesson-live" aria-live="polite">
        ${this.live.length
          ? this.live.map((s) => html`<p>${s}</p>`)
          : this.waiting ? html`<p class="keys">${this.waiting}</p>` : nothing}
      </div>
      <div class="nav">
        <button data-testid="lesson-back" ?disabled=${this.slide === 0} @click=${() => this.go(this.slide - 1)}>Back</button>
        ${last && next
          ? html`<a href="?lesson=${next.id}${keep}" data-testid="lesson-next-lesson">Next lesson: ${next.title}</a>`
          : html`<button class="primary" data-testid="lesson-next" ?disabled=${last} @click=${() => this.go(this.slide + 1)}>Next</button>`}
        <span class="keys">Keys: ← and → (or a clicker's page keys) step through the slides.</span>
      </div>`;
  }

  private go(slide: number): void {
    this.dispatchEvent(new LessonGoEvent(slide));
  }
}

customElements.define('msl-lesson-panel', LessonPanel);

declare global {
  interface HTMLElementTagNameMap {
    'msl-lesson-panel': LessonPanel;
  }
  interface GlobalEventHandlersEventMap {
    'msl-lesson-go': LessonGoEvent;
  }
}
