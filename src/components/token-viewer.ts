import { css, html, nothing } from 'lit';
import type { TokenFrame } from '../pipeline/pipeline.js';
import { SteppedViewer } from './stepped-viewer.js';
import './explain-tip.js';

/**
 * Steps through an autoregressive run of one sample, token by token: the sample decoded from the
 * codes chosen so far (at the latest row decoded; the codebook's mean where none is chosen yet), the grid (or row) of codes
 * with the current position marked, the likeliest codes the transformer offered there with the one
 * drawn, and which of the codebook's codes the sample has used.
 *
 * @property frames - one per position, in raster order
 * @property tokenShape - the token grid: [h, w] for images, [n] for signals
 * @property codebookSize - codes in the codebook
 * @property shape, sampleRateHz, startMs, range - of the samples (see SampleHost)
 * @property position, watch, count - as the step viewer's (SteppedViewer)
 */
export class TokenViewer extends SteppedViewer {
  static override properties = {
    frames: { attribute: false },
    tokenShape: { attribute: false },
    codebookSize: { type: Number },
  };

  declare frames: TokenFrame[];
  declare tokenShape: number[];
  declare codebookSize: number;

  constructor() {
    super();
    this.frames = [];
    this.tokenShape = [];
    this.codebookSize = 0;
    this.size = 196;
  }

  protected override get frameCount(): number {
    return this.frames.length;
  }

  static override styles = [SteppedViewer.controlStyles, css`
    :host { display: block; }
    .body { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
    figure { margin: 0; max-width: 100%; }
    figcaption { font-size: 0.9em; color: #24292f; margin-top: 0.3rem; max-width: 16rem; }
    .grid { display: grid; gap: 1px; background: #d0d7de; border: 1px solid #d0d7de; font: 0.7em/1 ui-monospace, monospace;
      font-variant-numeric: tabular-nums; }
    .grid span { background: #fff; color: #1b1f24; padding: 0.25em 0.1em; text-align: center; min-width: 2.2em; }
    .grid span.empty { background: #f6f8fa; color: #8c959f; }
    .grid span.current { background: #1d4f91; color: #fff; font-weight: 700; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.9em; }
    td, th { padding: 0.15rem 0.4rem; text-align: left; }
    .bar { display: inline-block; height: 0.8em; background: #8fb3e0; vertical-align: middle; }
    tr.chosen td { font-weight: 700; }
    tr.chosen .bar { background: #1d4f91; }
    .codebook { display: grid; grid-template-columns: repeat(32, 0.55rem); gap: 1px; margin-top: 0.3rem; }
    .codebook span { height: 0.55rem; background: #eaeef2; }
    .codebook span.used { background: #57606a; }
    .codebook span.now { background: #d1242f; }
  `];

  override render() {
    const last = this.frames.length - 1;
    if (last < 0) return html`<p>Generate with an autoregressive model to watch its tokens being chosen here.</p>`;
    const at = this.at;
    const frame = this.frames[at]!;
    const total = this.frames.length;
    const where = `Token ${at + 1} of ${total}`;
    const used = new Set(frame.codes);
    const sure = frame.top[0]?.p ?? 0;
    return html`
      ${this.controls({ play: 'play-tokens', scrubber: 'token-scrubber', status: 'token-status' }, 'Token position', where)}
      <div class="body">
        <figure>
          ${this.sampleView(frame.partial, this.size, `the sample decoded from its first ${frame.partialFilled} tokens`, true)}
          <figcaption>Decoded from the first ${frame.partialFilled} token${frame.partialFilled === 1 ? '' : 's'} (after the first and
            after each ${this.tokenShape.length === 2 ? 'row' : 'eighth token'}); the rest show the codebook's average.<msl-explain term="transformer" label="tokens and the codebook"></msl-explain></figcaption>
        </figure>
        <figure>
          ${this.renderGrid(frame, total)}
          <figcaption>The codes chosen so far, in reading order; the current position is dark.</figcaption>
        </figure>
        <figure>
          <table data-testid="next-token">
            <caption>Likeliest codes at this position<msl-explain term="temperature" label="temperature and the likeliest codes"></msl-explain></caption>
            <thead><tr><th scope="col">Code</th><th scope="col">Probability</th></tr></thead>
            <tbody>
              ${frame.top.map((c) => html`<tr class=${c.code === frame.chosen ? 'chosen' : ''}>
                <td>${c.code}${c.code === frame.chosen ? ' (drawn)' : ''}</td>
                <td><span class="bar" style="width: ${(6 * c.p).toFixed(2)}rem"></span> ${(100 * c.p).toFixed(1)}%</td>
              </tr>`)}
            </tbody>
          </table>
          <figcaption>
            ${frame.top.some((c) => c.code === frame.chosen)
              ? nothing
              : html`Drawn: code ${frame.chosen}, less likely than these. `}
            ${sure > 0.9 ? 'The model was nearly sure here.' : sure < 0.2 ? 'Many codes were plausible here: this is where samples differ.' : nothing}
          </figcaption>
        </figure>
        <figure>
          <div class="codebook" role="img" aria-label="${used.size} of the ${this.codebookSize} codes used so far">
            ${Array.from({ length: this.codebookSize }, (_, k) => html`<span class=${k === frame.chosen ? 'now' : used.has(k) ? 'used' : ''}></span>`)}
          </div>
          <figcaption>The codebook: ${used.size} of its ${this.codebookSize} codes used so far (grey), this position's in red.</figcaption>
        </figure>
      </div>
    `;
  }

  private renderGrid(frame: TokenFrame, total: number) {
    const columns = this.tokenShape.length === 2 ? this.tokenShape[1]! : Math.min(total, 16);
    return html`<div class="grid" data-testid="token-grid" style="grid-template-columns: repeat(${columns}, auto)"
      role="img" aria-label="${frame.codes.length} of ${total} codes chosen">
      ${Array.from({ length: total }, (_, i) => i < frame.codes.length
        ? html`<span class=${i === frame.position ? 'current' : ''}>${frame.codes[i]}</span>`
        : html`<span class="empty">·</span>`)}
    </div>`;
  }
}

customElements.define('msl-token-viewer', TokenViewer);

declare global {
  interface HTMLElementTagNameMap {
    'msl-token-viewer': TokenViewer;
  }
}
