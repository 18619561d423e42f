/**
 * The events of the judge panel (<msl-judge-panel>) and its sections: what a person asked for,
 * with the form's settings. They bubble out of the panel (composed) to the page, which runs the
 * judge; JudgeEditEvent stays inside the panel, whose sections share one draft of the settings.
 */
import type { JudgeSettings, JudgeTask } from '../judge/view.js';

/** Run the audit with these settings. */
export class JudgeRunEvent extends CustomEvent<{ settings: JudgeSettings }> {
  constructor(settings: JudgeSettings) {
    super('msl-judge-run', { detail: { settings }, bubbles: true, composed: true });
  }
}

/** Train on the audit's synthetic samples, test on real ones, with these settings. */
export class JudgeTrainEvent extends CustomEvent<{ settings: JudgeSettings }> {
  constructor(settings: JudgeSettings) {
    super('msl-judge-train', { detail: { settings }, bubbles: true, composed: true });
  }
}

/** Run the membership test on the loaded diffusion model. */
export class JudgeMembershipEvent extends CustomEvent<Record<string, never>> {
  constructor() {
    super('msl-judge-membership', { detail: {}, bubbles: true, composed: true });
  }
}

/** Stop the run in progress. */
export class JudgeCancelEvent extends CustomEvent<{ task: JudgeTask | null }> {
  constructor(task: JudgeTask | null) {
    super('msl-judge-cancel', { detail: { task }, bubbles: true, composed: true });
  }
}

/** A section edited a setting, as typed: the panel applies it to the one draft every form sends. */
export class JudgeEditEvent extends CustomEvent<{ edit: Partial<JudgeSettings> }> {
  constructor(edit: Partial<JudgeSettings>) {
    super('msl-judge-edit', { detail: { edit } });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'msl-judge-run': JudgeRunEvent;
    'msl-judge-train': JudgeTrainEvent;
    'msl-judge-membership': JudgeMembershipEvent;
    'msl-judge-cancel': JudgeCancelEvent;
    'msl-judge-edit': JudgeEditEvent;
  }
}
