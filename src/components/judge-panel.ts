import { LitElement, type PropertyValues, html, nothing } from 'lit';
import { estimateLine } from '../judge/estimate.js';
import { DEFAULT_JUDGE_SETTINGS, EMPTY_JUDGE_VIEW, type JudgeSettings, type JudgeView, clampJudgeSettings } from '../judge/view.js';
import type { GeneratorMethod } from '../models/card.js';
import { JudgeCancelEvent, type JudgeEditEvent, JudgeRunEvent } from './judge-events.js';
import { judgeStyles, progressLine, settingField } from './judge-parts.js';
import './judge-artefacts.js';
import './judge-ecg.js';
import './judge-faithfulness.js';
import './judge-fidelity.js';
import './judge-membership.js';
import './judge-memorisation.js';
import './judge-tstr.js';

export { JudgeCancelEvent, JudgeRunEvent, JudgeTrainEvent } from './judge-events.js';

/**
 * Judges synthetic data against real data, live: the audit's settings with how long it should take
 * (scaled from the last audit's measured times, src/judge/estimate.ts), its progress and status,
 * then one section per part of the judge as its figures arrive: fidelity and diversity
 * (<msl-judge-fidelity>), class faithfulness and balance (<msl-judge-faithfulness>), the
 * memorisation audit (<msl-judge-memorisation>), for ECG the beat features (<msl-judge-ecg>), and
 * train-on-synthetic-test-on-real (<msl-judge-tstr>). It only draws: everything comes in as plain
 * data (`view`, from JudgeController in src/judge/judge-controller.ts) and goes out as events.
 *
 * @property view - what to show (JudgeView): status, progress and every result so far
 * @property settings - the settings the form starts from (JudgeSettings)
 * @property disabled - nothing can be judged now (no generator loaded); `disabledReason` says why
 * @property method - the loaded generator's method: a VAE's or a GAN's hides the diffusion-only settings
 * @property busy - the page is generating: the audit and the training wait for it (one run at a time)
 * @fires msl-judge-run - run the audit, with the form's settings
 * @fires msl-judge-train - train on synthetic, test on real, with the form's settings
 * @fires msl-judge-membership - run the membership test (<msl-judge-membership>)
 * @fires msl-judge-cancel - stop the run in progress
 */
export class JudgePanel extends LitElement {
  static override properties = {
    view: { attribute: false },
    settings: { attribute: false },
    disabled: { type: Boolean },
    disabledReason: { attribute: 'disabled-reason' },
    method: { attribute: false },
    busy: { type: Boolean },
    draft: { state: true },
  };

  declare view: JudgeView;
  declare settings: JudgeSettings;
  declare disabled: boolean;
  declare disabledReason: string;
  declare method: GeneratorMethod | null;
  declare busy: boolean;
  /** The settings as edited in the forms (the audit's here, the epochs in the training section). */
  declare private draft: JudgeSettings;

  constructor() {
    super();
    this.view = EMPTY_JUDGE_VIEW;
    this.settings = DEFAULT_JUDGE_SETTINGS;
    this.disabled = false;
    this.disabledReason = '';
    this.method = null;
    this.busy = false;
    this.draft = DEFAULT_JUDGE_SETTINGS;
  }

  static override styles = judgeStyles;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('settings')) this.draft = clampJudgeSettings(this.settings);
  }

  /** Resolves once the sections have drawn too, so whoever awaits the panel sees every figure. */
  protected override async getUpdateComplete(): Promise<boolean> {
    const done = await super.getUpdateComplete();
    const sections = [...this.renderRoot.children].filter((el): el is LitElement => el instanceof LitElement);
    await Promise.all(sections.map((section) => section.updateComplete));
    return done;
  }

  private get running(): boolean {
    return this.view.status === 'running';
  }

  override render() {
    const v = this.view;
    const running = this.running;
    return html`
      <p class="lede">
        How close are the generated samples to real data, how varied, do they show the class they were asked for,
        do they copy training samples, and could a classifier learn from them? Everything is measured here, in your
        browser: distances in the features of an extractor trained on all of the modality's real data, classes by the
        evaluator model of the same dataset; the model card's figures (measured in PyTorch) stand beside.
      </p>
      ${this.renderForm()}
      ${running || this.disabled ? nothing : html`<p class="hint" data-testid="judge-estimate">${estimateLine(v.timing, this.draft)}</p>`}
      ${v.task === 'audit' || (v.task === null && v.progress) ? progressLine(v.progress) : nothing}
      <p role="status" data-testid="judge-status" class=${v.status === 'error' ? 'error' : v.status === 'cancelled' ? 'warning' : ''}>${this.statusLine()}</p>
      ${v.fidelity ? html`<msl-judge-fidelity .fidelity=${v.fidelity} .card=${v.card}></msl-judge-fidelity>` : nothing}
      ${v.evaluatorFidelity ? html`<msl-judge-fidelity second .fidelity=${v.evaluatorFidelity} .card=${v.card}></msl-judge-fidelity>` : nothing}
      ${v.faithfulness ? html`<msl-judge-faithfulness .faithfulness=${v.faithfulness} .card=${v.card}></msl-judge-faithfulness>` : nothing}
      ${v.surround ? html`<msl-judge-artefacts .surround=${v.surround}></msl-judge-artefacts>` : nothing}
      ${v.memorisation ? html`<msl-judge-memorisation .memorisation=${v.memorisation} .sample=${v.sample} .card=${v.card}></msl-judge-memorisation>` : nothing}
      ${this.disabled
        ? nothing
        : html`<msl-judge-membership .membership=${v.membership} .card=${v.card?.membership ?? null} ?diffusion=${this.method === 'ddpm'} .progress=${v.progress}
            ?can-run=${this.method === 'ddpm' && !running && !this.busy} ?running=${running && v.task === 'membership'}></msl-judge-membership>`}
      ${v.ecg ? html`<msl-judge-ecg .ecg=${v.ecg}></msl-judge-ecg>` : nothing}
      ${v.memorisation || v.tstr
        ? html`<msl-judge-tstr .tstr=${v.tstr} .classes=${v.classes} .settings=${this.draft} .progress=${v.progress}
            ?can-train=${!!v.memorisation && !running && !this.disabled && !this.busy} ?busy=${running} ?training=${running && v.task === 'tstr'}
            @msl-judge-edit=${(e: JudgeEditEvent) => this.edit(e.detail.edit)}></msl-judge-tstr>`
        : nothing}
    `;
  }

  private edit(edit: Partial<JudgeSettings>): void {
    this.draft = clampJudgeSettings({ ...this.draft, ...edit });
  }

  private statusLine() {
    const v = this.view;
    if (v.message) return v.message;
    if (this.disabled) return this.disabledReason || 'Load a generator to judge its samples.';
    if (v.status === 'running') return v.task === 'tstr' ? 'Training…' : v.task === 'membership' ? 'Running the membership test…' : `Judging ${v.model?.name ?? 'the model'}…`;
    if (v.status === 'done' && v.task === 'membership' && v.membership?.report) return `Membership test of ${v.model?.name ?? 'the model'} done.`;
    if (v.status === 'done' && v.model) {
      return `Judged ${v.generatedCount} samples of ${v.model.name}${v.unconditionalCount ? ` and ${v.unconditionalCount} unconditional ones` : ''} with the evaluator ${v.evaluator ?? ''}.`;
    }
    return 'Not run yet.';
  }

  private renderForm() {
    const running = this.running;
    const diffusion = this.method !== 'vae' && this.method !== 'gan' && this.method !== 'ar';
    // unconditional samples need a learned "no class" label: diffusion models and the transformers have one
    const unconditional = this.method !== 'vae' && this.method !== 'gan';
    const field = (key: keyof JudgeSettings, label: string, testid: string, hint?: string) =>
      settingField(this.draft, key, label, testid, { hint, disabled: running, onEdit: (edit) => this.edit(edit) });
    return html`
      <form data-testid="judge-form" aria-label="Audit settings" novalidate @submit=${(e: Event) => {
        e.preventDefault();
        if (!this.disabled && !running && !this.busy) this.dispatchEvent(new JudgeRunEvent(this.draft));
      }}>
        ${field('perClass', 'Samples per class', 'judge-per-class', '(more: narrower intervals, a longer audit)')}
        ${unconditional ? field('unconditional', 'Unconditional samples', 'judge-unconditional', this.method === 'ar' ? '(no class as the prompt)' : '(diffusion)') : nothing}
        ${field('resamples', 'Bootstrap resamples', 'judge-resamples', '(redraws of the sets behind each 95% interval)')}
        ${field('seed', 'Seed', 'judge-seed', '(same seed, same audit)')}
        ${field('neighbours', 'Neighbours shown', 'judge-neighbours', '(closest training samples beside each sample)')}
        ${diffusion ? field('steps', 'Diffusion steps', 'judge-steps') : nothing}
        <button class="primary" type="submit" data-testid="judge-run" ?disabled=${this.disabled || running || this.busy}>Run the audit</button>
        <button type="button" data-testid="judge-cancel" ?disabled=${!running} @click=${() => this.dispatchEvent(new JudgeCancelEvent(this.view.task))}>Cancel</button>
        ${this.busy ? html`<span class="hint" data-testid="judge-waits">The audit waits for the generation to finish.</span>` : nothing}
      </form>
    `;
  }
}

customElements.define('msl-judge-panel', JudgePanel);

declare global {
  interface HTMLElementTagNameMap {
    'msl-judge-panel': JudgePanel;
  }
}
