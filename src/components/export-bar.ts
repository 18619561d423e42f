import { LitElement, css, html } from 'lit';
import { panelStyles } from './panel-styles.js';

export type ExportFormat = 'grid-png' | 'sample-png' | 'npz' | 'csv' | 'wfdb';

/** Asks for the run's samples in `format` (src/export/exports.ts makes the file). */
export class ExportEvent extends Event {
  constructor(readonly format: ExportFormat) {
    super('msl-export', { bubbles: true, composed: true });
  }
}

/**
 * Downloads of the samples on screen, each file labelled synthetic with its provenance: for
 * images the grid and the sample shown large as PNG and the set as a MedMNIST-style .npz; for
 * beats a CSV and a WFDB record.
 *
 * @attr kind - image or signal
 * @attr sample - the number (from 1) of the sample shown large
 * @fires msl-export
 */
export class ExportBar extends LitElement {
  static override properties = {
    kind: {},
    sample: { type: Number },
    disabled: { type: Boolean },
  };

  declare kind: 'image' | 'signal';
  declare sample: number;
  declare disabled: boolean;

  constructor() {
    super();
    this.kind = 'image';
    this.sample = 1;
    this.disabled = false;
  }

  static override styles = [panelStyles, css`
    .bar { margin: 0.6rem 0 0; }
    .lead { color: #424a53; }
  `];

  override render() {
    const button = (format: ExportFormat, label: string) => html`<button type="button" data-testid="export-${format}" ?disabled=${this.disabled}
      @click=${() => this.dispatchEvent(new ExportEvent(format))}>${label}</button>`;
    return html`<div class="bar" role="group" aria-label="Download these samples">
      <span class="lead">Download, labelled synthetic, with the model, settings and seed inside:</span>
      ${this.kind === 'image'
        ? [button('grid-png', 'The grid (PNG)'), button('sample-png', `Sample ${this.sample} (PNG)`), button('npz', 'All, MedMNIST-style (.npz)')]
        : [button('csv', 'Beats (CSV)'), button('wfdb', 'WFDB record (.zip)')]}
    </div>`;
  }
}

customElements.define('msl-export-bar', ExportBar);

declare global {
  interface HTMLElementTagNameMap {
    'msl-export-bar': ExportBar;
  }
  interface HTMLElementEventMap {
    'msl-export': ExportEvent;
  }
}

/** Saves `bytes` as a file called `name`: a download the browser makes from memory, nothing sent anywhere. */
export function download(bytes: Uint8Array | string, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // the download has started by the next task; the URL can go then
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
