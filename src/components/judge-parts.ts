/**
 * What the judge panel and its sections (src/components/judge-*.ts) share: the look of headings,
 * tables, forms and charts, a field of the settings form, and the progress line of a run. Each
 * section is its own element with its own shadow root, so each takes `judgeStyles` in.
 */
import { css, html, nothing } from 'lit';
import { JUDGE_LIMITS, type JudgeRunProgress, type JudgeSettings } from '../judge/view.js';

export const judgeStyles = css`
  :host { display: block; }
  h3 { font-size: 1.05em; margin: 1.1rem 0 0.4rem; }
  .heading-row { display: flex; flex-wrap: wrap; align-items: center; margin: 1.1rem 0 0.4rem; }
  .heading-row h3 { margin: 0; }
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
  /* the charts of judge-charts.ts */
  .chart { margin: 0.4rem 0; max-width: 32rem; }
  .chart svg { display: block; }
  figcaption { font-size: 0.88em; display: flex; flex-wrap: wrap; gap: 0.2rem 0.9rem; }
  .key { display: inline-flex; align-items: center; gap: 0.3rem; }
  .swatch { display: inline-block; width: 0.9rem; height: 0.6rem; }
  .swatch.dashed { background-image: linear-gradient(90deg, transparent 50%, #fff 50%) !important; background-size: 6px 100%; }
  .swatch.marker { width: 0; height: 0.9rem; border-left: 2px dashed #a40e26; }
  details { font-size: 0.9em; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  /* radio groups: which space, which samples, ... */
  fieldset { border: none; padding: 0; margin: 0.3rem 0; display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; align-items: center; }
  legend { float: left; margin-right: 0.5rem; font-size: 0.9em; }
  fieldset label { flex-direction: row; align-items: center; gap: 0.25rem; }
`;

/**
 * A whole-number field of the settings form, within JUDGE_LIMITS. `onEdit` gets the value as typed
 * (the diffusion steps may be left empty: null, the card's); the owner of the draft clamps it,
 * against its draft as it is then: two edits may come before the next render.
 */
export function settingField(
  settings: JudgeSettings,
  key: keyof JudgeSettings,
  label: string,
  testid: string,
  options: { hint?: string; disabled: boolean; onEdit: (edit: Partial<JudgeSettings>) => void },
) {
  const limits = JUDGE_LIMITS[key];
  const value = settings[key];
  const edit = (raw: string) => options.onEdit({ [key]: key === 'steps' && raw.trim() === '' ? null : Number(raw) });
  return html`<label>
    <span>${label}${options.hint ? html` <span class="hint">${options.hint}</span>` : nothing}</span>
    <input type="number" data-testid=${testid} min=${limits.min} max=${limits.max} step="1"
      .value=${value === null ? '' : String(value)} placeholder=${key === 'steps' ? "card's" : ''} ?disabled=${options.disabled}
      @change=${(e: Event) => edit((e.target as HTMLInputElement).value)} />
  </label>`;
}

/** Stage, phase and a progress bar (indeterminate while the amount of work is not known). */
export function progressLine(p: JudgeRunProgress | null) {
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
