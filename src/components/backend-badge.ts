import { LitElement, css, html, nothing } from 'lit';
import type { RuntimeReport } from '../runtime/runtime.js';

/**
 * Shows which compute backend runs, on which GPU adapter (saying so when it is a software GPU),
 * and why every other backend was passed over: unavailable, slower in the measurement, or not
 * measured.
 *
 * @property report - the runtime's report, or null while it starts
 * @property message - a notice to show above the details (unknown parameter, lost device)
 */
export class BackendBadge extends LitElement {
  static override properties = {
    report: { attribute: false },
    message: {},
  };

  declare report: RuntimeReport | null;
  declare message: string | null;

  constructor() {
    super();
    this.report = null;
    this.message = null;
  }

  static override styles = css`
    :host { display: block; font: inherit; }
    .badge { display: inline-block; padding: 0.2em 0.7em; border-radius: 1em; font-weight: 600;
      background: var(--badge-bg, #1d4f91); color: #fff; }
    .badge.fallback { background: #8a4b00; }
    .notice { color: #8a4b00; margin: 0.5em 0; }
    ul { margin: 0.4em 0; padding-left: 1.2em; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1em 1em; margin: 0.5em 0; }
    dt { color: #555; }
    dd { margin: 0; font-variant-numeric: tabular-nums; }
    @media (max-width: 40rem) {
      dl { grid-template-columns: minmax(0, 1fr); }
      dt { overflow-wrap: anywhere; }
      dd { margin-bottom: 0.3em; }
    }
  `;

  override render() {
    const report = this.report;
    return html`
      ${this.message ? html`<p class="notice" role="status" data-testid="backend-notice">${this.message}</p>` : nothing}
      ${report
        ? html`
            <p>
              Running on
              <span class="badge ${report.backend === 'webgpu' ? '' : 'fallback'}"
                data-testid="backend-badge" data-backend=${report.backend}>${report.label}</span>
              ${report.forced ? html` (forced by <code>?backend=${report.forced}</code>)` : nothing}
              ${report.software && !report.adapter
                ? html`<em data-testid="software-gpu">on a software GPU (${report.software}): correct, but slow</em>`
                : nothing}
            </p>
            ${report.adapter
              ? html`<dl data-testid="gpu-adapter">
                  <dt>GPU adapter</dt>
                  <dd>
                    ${report.adapter.description}
                    ${report.adapter.software
                      ? html`<em data-testid="software-gpu">(a software GPU, ${report.adapter.software}, running on the CPU: correct, but slow)</em>`
                      : nothing}
                  </dd>
                  ${Object.entries(report.adapter.limits).map(
                    ([name, value]) => html`<dt>${name}</dt><dd>${value.toLocaleString('en')}</dd>`,
                  )}
                </dl>`
              : nothing}
            ${report.fallbacks.length
              ? html`<p>Passed over:</p>
                  <ul data-testid="backend-fallbacks">
                    ${report.fallbacks.map((f) => html`<li><strong>${f.backend}</strong>: ${f.reason}</li>`)}
                  </ul>`
              : nothing}
          `
        : html`<p data-testid="backend-badge" data-backend="">Starting the compute backend…</p>`}
    `;
  }
}

customElements.define('msl-backend-badge', BackendBadge);

declare global {
  interface HTMLElementTagNameMap {
    'msl-backend-badge': BackendBadge;
  }
}
