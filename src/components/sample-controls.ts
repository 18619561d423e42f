import { LitElement, css, html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { DEFAULT_SETTINGS, LABELS, type Note, RANGES, type SettingName, type Settings } from '../pipeline/settings.js';
import type { GeneratorMethod } from '../models/card.js';
import './explain-tip.js';

/**
 * A field was changed; `value` is as typed, the page clamps it. `live`: changed while runs are
 * live (a control moved, not committed), so the page regenerates at once.
 */
export class SettingChangeEvent extends CustomEvent<{ field: SettingName; value: string; live: boolean }> {
  constructor(field: SettingName, value: string, live = false) {
    super('msl-setting-change', { detail: { field, value, live }, bubbles: true, composed: true });
  }
}

/** Enter in a field: generate with the settings as they are now (the field's value handed on first). */
export class GenerateRequestEvent extends Event {
  constructor() {
    super('msl-generate', { bubbles: true, composed: true });
  }
}

/** The dice button: draw a new random seed (`live`: and regenerate at once, runs being live). */
export class NewSeedEvent extends Event {
  constructor(readonly live = false) {
    super('msl-new-seed', { bubbles: true, composed: true });
  }
}

/** The controls a live page gives a slider to drag, beside the number field. */
const SLIDERS: ReadonlySet<SettingName> = new Set(['steps', 'eta', 'guidance', 'temperature', 'truncation', 'topP']);

/**
 * The knobs of a run: class, number of samples and seed for every model; the sampler, steps, eta
 * and guidance scale for diffusion; the temperature for a VAE; the truncation for a GAN; guidance,
 * temperature, top-k and top-p for an autoregressive transformer. Values out of range are clamped by
 * the page, which hands back the notes shown under the fields.
 *
 * @property settings - the current, valid settings
 * @property methods - the methods whose knobs to show
 * @property compact - without the hints (presenter mode)
 * @property disabled - every field locked (a run is in flight: its settings stay on show)
 * @property live - runs are quick here (about 0.1 s): a value changes the samples as it moves
 *   (typed, stepped, or dragged on the sliders shown then), and a new seed or class regenerates
 * @fires msl-setting-change - a field was changed
 * @fires msl-generate - Enter was pressed in a field (after the field's msl-setting-change)
 * @fires msl-new-seed - a new random seed was asked for
 * @csspart notes - the list of clamping notes
 */
export class SampleControls extends LitElement {
  static override properties = {
    settings: { attribute: false },
    classes: { attribute: false },
    methods: { attribute: false },
    maxSteps: { type: Number, attribute: 'max-steps' },
    guidable: { type: Boolean },
    notes: { attribute: false },
    disabled: { type: Boolean },
    live: { type: Boolean },
    compact: { type: Boolean },
  };

  declare settings: Settings;
  declare classes: string[];
  declare methods: GeneratorMethod[];
  declare maxSteps: number;
  declare guidable: boolean;
  declare notes: Note[];
  declare disabled: boolean;
  declare live: boolean;
  /** Without the hints under the fields, for a projector. */
  declare compact: boolean;

  constructor() {
    super();
    this.settings = { ...DEFAULT_SETTINGS };
    this.classes = [];
    this.methods = [];
    this.maxSteps = 1000;
    this.guidable = true;
    this.notes = [];
    this.disabled = false;
    this.live = false;
    this.compact = false;
  }

  static override styles = css`
    :host { display: block; }
    fieldset { border: 1px solid #d0d7de; border-radius: 0.4rem; margin: 0 0 0.6rem; padding: 0.5rem 0.8rem 0.7rem; }
    legend { font-weight: 600; padding: 0 0.3rem; }
    .fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 11em), 1fr)); gap: 0.6rem 1rem; }
    .field { display: flex; flex-direction: column; gap: 0.2rem; }
    label { font-size: 0.92em; color: #24292f; }
    .label-row { display: flex; align-items: center; }
    .hint { font-size: 0.85em; color: #424a53; }
    input, select, button { font: inherit; padding: 0.3rem 0.5rem; border: 1px solid #57606a; border-radius: 0.35rem;
      background: #fff; color: #1b1f24; min-width: 0; }
    input:focus-visible, select:focus-visible, button:focus-visible { outline: 3px solid #1d4f91; outline-offset: 2px; }
    .seed { display: flex; flex-wrap: wrap; gap: 0.3rem; }
    .seed input { flex: 1 1 7em; }
    :host([compact]) .hint { display: none; }
    ul { margin: 0.3rem 0 0; padding-left: 1.2rem; color: #7a4100; }
    input[type=range] { padding: 0; border: none; accent-color: #1d4f91; }
    .live { margin: 0 0 0.5rem; font-size: 0.9em; color: #1a5e2a; }
  `;

  override render() {
    const s = this.settings;
    const diffusion = this.methods.includes('ddpm');
    const vae = this.methods.includes('vae');
    const gan = this.methods.includes('gan');
    const ar = this.methods.includes('ar');
    return html`
      ${this.live ? html`<p class="live" data-testid="live-note">Live: runs take about a tenth of a second here, so the samples change as you change a value.</p>` : nothing}
      <fieldset ?disabled=${this.disabled} @keydown=${this.enter}>
        <legend>What to make</legend>
        <div class="fields">
          <div class="field">
            <label for="field-class">${LABELS.classIndex}</label>
            <select id="field-class" data-testid="class" @change=${this.changed('classIndex')}>
              ${this.classes.map((name, i) => html`<option value=${i} ?selected=${i === s.classIndex}>${name}</option>`)}
            </select>
          </div>
          ${this.number('count', s.count, RANGES.count, 1, `${RANGES.count.min} to ${RANGES.count.max}`)}
          <div class="field">
            <span class="label-row"><label for="field-seed">${LABELS.seed}</label>${tip('seed')}</span>
            <span class="seed">
              <input id="field-seed" data-testid="seed" type="number" inputmode="numeric" min="0" max=${RANGES.seed.max}
                step="1" aria-describedby="hint-seed" .value=${live(String(s.seed))} @change=${this.changed('seed')} />
              <button type="button" data-testid="new-seed" @click=${() => this.dispatchEvent(new NewSeedEvent(this.live))}>New seed</button>
            </span>
            <span class="hint" id="hint-seed">same seed, same samples</span>
          </div>
        </div>
      </fieldset>
      ${diffusion
        ? html`<fieldset ?disabled=${this.disabled} @keydown=${this.enter}>
            <legend>Diffusion sampler</legend>
            <div class="fields">
              <div class="field">
                <span class="label-row"><label for="field-sampler">${LABELS.sampler}</label>${tip('sampler')}</span>
                <select id="field-sampler" data-testid="sampler" @change=${this.changed('sampler')}>
                  <option value="ddim" ?selected=${s.sampler === 'ddim'}>DDIM (few steps)</option>
                  <option value="ddpm" ?selected=${s.sampler === 'ddpm'}>DDPM (ancestral)</option>
                </select>
              </div>
              ${this.number('steps', s.steps, { min: 1, max: this.maxSteps }, 1, `1 to ${this.maxSteps}`)}
              ${s.sampler === 'ddim'
                ? this.number('eta', s.eta, RANGES.eta, 0.1, '0 deterministic, 1 as noisy as DDPM')
                : nothing}
              ${this.number('guidance', s.guidance, RANGES.guidance, 0.5,
                this.guidable ? '0 ignores the class, 1 conditional, more: stronger' : 'this model cannot be guided', !this.guidable)}
            </div>
          </fieldset>`
        : nothing}
      ${vae
        ? html`<fieldset ?disabled=${this.disabled} @keydown=${this.enter}>
            <legend>VAE</legend>
            <div class="fields">
              ${this.number('temperature', s.temperature, RANGES.temperature, 0.1, 'below 1: more typical, above: more varied')}
            </div>
          </fieldset>`
        : nothing}
      ${gan
        ? html`<fieldset ?disabled=${this.disabled} @keydown=${this.enter}>
            <legend>GAN</legend>
            <div class="fields">
              ${this.number('truncation', s.truncation, RANGES.truncation, 0.1,
                s.truncation > 0 ? `z cut to ±${s.truncation}: smaller is more typical, less varied` : '0: z not truncated (full variety)')}
            </div>
          </fieldset>`
        : nothing}
      ${ar
        ? html`<fieldset ?disabled=${this.disabled} @keydown=${this.enter}>
            <legend>Transformer, token by token</legend>
            <div class="fields">
              ${diffusion
                ? nothing
                : this.number('guidance', s.guidance, RANGES.guidance, 0.5,
                  this.guidable ? '1: the class as prompted, more: pushed further from "no class"' : 'this model cannot be guided', !this.guidable)}
              ${this.number('temperature', s.temperature, RANGES.temperature, 0.1, '0 always the likeliest code, below 1 safer, above 1 bolder')}
              ${this.number('topK', s.topK, RANGES.topK, 1, s.topK > 0 ? `only the ${s.topK} likeliest codes` : '0: every code')}
              ${this.number('topP', s.topP, RANGES.topP, 0.05, s.topP < 1 ? `the likeliest codes up to ${s.topP} of the probability` : '1: every code')}
            </div>
          </fieldset>`
        : nothing}
      <div role="status" data-testid="clamp-notes">
        ${this.notes.length ? html`<ul part="notes">${this.notes.map((n) => html`<li>${n.message}</li>`)}</ul>` : nothing}
      </div>
    `;
  }

  private number(field: SettingName, value: number, range: { min: number; max: number }, step: number, hint: string, readonly = false) {
    return html`<div class="field">
      <span class="label-row"><label for="field-${field}">${LABELS[field]}</label>${tip(field)}</span>
      <input id="field-${field}" data-testid=${field} type="number" min=${range.min} max=${range.max} step=${step}
        ?readonly=${readonly} aria-describedby="hint-${field}" .value=${live(String(value))} @change=${this.changed(field)}
        @input=${this.moved(field)} />
      ${this.live && !readonly && SLIDERS.has(field)
        ? html`<input type="range" data-testid="${field}-slider" aria-label=${LABELS[field]} min=${range.min} max=${range.max} step=${step}
            .value=${live(String(value))} @input=${this.moved(field)} />`
        : nothing}
      <span class="hint" id="hint-${field}">${hint}</span>
    </div>`;
  }

  /**
   * While live, a value in range is handed on as it moves (a slider dragged, a field stepped or
   * typed), not only once committed; a half-typed or out-of-range value waits for the change event.
   */
  private moved(field: SettingName) {
    return (event: Event) => {
      const input = event.target as HTMLInputElement;
      if (!this.live || input.value === '' || !input.validity.valid) return;
      this.dispatchEvent(new SettingChangeEvent(field, input.value, true));
    };
  }

  /**
   * Enter in a field generates, as in a form. A number typed is handed on first (a menu hands its
   * choice on as it is made): the browser's own change event would come too late, once the run
   * has started and the page no longer takes edits.
   */
  private readonly enter = (event: KeyboardEvent) => {
    const target = event.target;
    if (event.key !== 'Enter' || this.disabled || !(target instanceof HTMLInputElement || target instanceof HTMLSelectElement)) return;
    event.preventDefault();
    // the number fields are named field-<setting>
    if (target instanceof HTMLInputElement) this.dispatchEvent(new SettingChangeEvent(target.id.replace(/^field-/, '') as SettingName, target.value));
    this.dispatchEvent(new GenerateRequestEvent());
  };

  private changed(field: SettingName) {
    return (event: Event) => {
      const target = event.target as HTMLInputElement | HTMLSelectElement;
      // live, a change regenerates, unless the value was handed on as it moved (then it is the settings' already)
      this.dispatchEvent(new SettingChangeEvent(field, target.value, this.live && String(this.settings[field]) !== target.value));
    };
  }
}

/** The glossary term that explains each control, one tap or focus away. */
const TERM_OF: Partial<Record<SettingName, string>> = {
  seed: 'seed', sampler: 'ddim', steps: 'ddim', eta: 'ddim', guidance: 'guidance', temperature: 'temperature',
  truncation: 'gan', topK: 'transformer', topP: 'transformer',
};

function tip(field: SettingName) {
  const term = TERM_OF[field];
  return term ? html`<msl-explain term=${term} label=${LABELS[field].toLowerCase()}></msl-explain>` : nothing;
}

customElements.define('msl-sample-controls', SampleControls);

declare global {
  interface HTMLElementTagNameMap {
    'msl-sample-controls': SampleControls;
  }
  interface GlobalEventHandlersEventMap {
    'msl-setting-change': SettingChangeEvent;
    'msl-new-seed': NewSeedEvent;
    'msl-generate': GenerateRequestEvent;
  }
}
