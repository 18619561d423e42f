import { LitElement, css, html, nothing } from 'lit';
import { parseBackendParam } from '../runtime/backends.js';
import { RuntimeController } from '../runtime/runtime-controller.js';
import { type SelfCheck, runSelfCheck } from '../runtime/self-check.js';
import './backend-badge.js';

export type AppState = 'loading' | 'idle' | 'error';

/**
 * The page's root. Reads the address for settings, starts the compute runtime
 * and shows what runs.
 *
 * @attr state - loading, idle or error, for people and for automation
 */
export class AppRoot extends LitElement {
  static override properties = {
    state: { reflect: true },
    check: { state: true },
  };

  declare state: AppState;
  declare check: SelfCheck | null;

  private readonly request = parseBackendParam(location.search);
  private readonly runtime = new RuntimeController(this, () => this.request.forced);
  private checkedReport: unknown = null;

  constructor() {
    super();
    this.state = 'loading';
    this.check = null;
  }

  static override styles = css`
    :host { display: block; max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 3rem;
      font-family: system-ui, sans-serif; line-height: 1.5; color: #1b1f24; }
    h1 { font-size: 1.8rem; margin: 0.2em 0; }
    .lede { color: #444; max-width: 44rem; }
    section { border: 1px solid #d0d7de; border-radius: 0.5rem; padding: 0.75rem 1rem; margin: 1rem 0; }
    h2 { font-size: 1.1rem; margin: 0 0 0.4rem; }
    .error { color: #a40e26; }
  `;

  protected override willUpdate(): void {
    const { status, report } = this.runtime;
    if (status === 'error') this.state = 'error';
    else if (status !== 'ready') this.state = 'loading';
    else if (report !== this.checkedReport) {
      // A new backend (first start, or after a lost device): check that it computes.
      this.checkedReport = report;
      this.state = 'loading';
      this.check = null;
      void runSelfCheck().then(
        (check) => {
          this.check = check;
          this.state = check.ok ? 'idle' : 'error';
        },
        () => (this.state = 'error'),
      );
    }
  }

  override render() {
    const { report, message, status } = this.runtime;
    const notice = [this.request.notice, message].filter(Boolean).join(' ') || null;
    return html`
      <header>
        <h1>MedSynth Lab</h1>
        <p class="lede">
          Small pretrained generative models of medical images and signals, running entirely on
          your own GPU. Nothing you do here leaves your browser.
        </p>
      </header>
      <section aria-labelledby="compute-heading">
        <h2 id="compute-heading">Compute</h2>
        <msl-backend-badge .report=${report} .message=${notice}></msl-backend-badge>
        ${this.check
          ? html`<p data-testid="self-check" data-ok=${String(this.check.ok)}>
              Self-check: a small convolution ${this.check.ok ? 'matches' : 'does not match'} the
              JavaScript answer (max error ${this.check.maxError.toExponential(1)}, ${this.check.ms.toFixed(0)} ms).
            </p>`
          : nothing}
        ${status === 'error' ? html`<p class="error" role="alert">${message}</p>` : nothing}
      </section>
    `;
  }
}

customElements.define('msl-app', AppRoot);

declare global {
  interface HTMLElementTagNameMap {
    'msl-app': AppRoot;
  }
}
