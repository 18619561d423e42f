import { LitElement, css, html } from 'lit';
import { methodName } from '../models/catalogue.js';
import { METHOD_TERM } from '../lessons/glossary.js';
import { isImage, viewWidth } from '../display/convert.js';
import { voltRange, windowStartMs } from '../display/ecg-axes.js';
import type { ModelOutput } from '../app/lab-controller.js';
import './sample-grid.js';
import './explain-tip.js';

/** Width of a panel's large view: larger in presenter mode. */
function largeSize(output: ModelOutput, scale: number): number {
  return viewWidth(output.shape, { image: 224, signal: 420 }, scale);
}

/**
 * Synthetic samples next to real held-out samples of the same class, on the same scale.
 *
 * @property output - what the model made (plain arrays)
 * @property real - held-out samples of the class, or null with `realMessage` saying why not
 * @property className - the class both show
 * @property selected - the synthetic sample shown large
 * @property scale - 1, or more for a projector
 */
export class SamplesVsReal extends LitElement {
  static override properties = {
    output: { attribute: false },
    real: { attribute: false },
    realMessage: { attribute: 'real-message' },
    className: { attribute: 'class-name' },
    selected: { type: Number },
    scale: { type: Number },
  };

  declare output: ModelOutput | null;
  declare real: Float32Array[] | null;
  declare realMessage: string | null;
  declare className: string;
  declare selected: number | null;
  declare scale: number;

  constructor() {
    super();
    this.output = null;
    this.real = null;
    this.realMessage = null;
    this.className = '';
    this.selected = null;
    this.scale = 1;
  }

  static override styles = panelStyles();

  override render() {
    const out = this.output;
    if (!out) return html`<p>Press <strong>Generate</strong> to make samples.</p>`;
    const range = isImage(out.shape) ? null : voltRange([...out.samples, ...(this.real ?? [])]);
    const large = largeSize(out, this.scale);
    const startMs = windowStartMs(out.window, out.sampleRateHz);
    return html`
      <div class="columns">
        <section aria-labelledby="synthetic">
          <h3 id="synthetic">Synthetic: ${out.model.name}</h3>
          <msl-sample-grid data-testid="sample-grid" .samples=${out.samples} .shape=${out.shape} .range=${range}
            .sampleRateHz=${out.sampleRateHz} .startMs=${startMs} .selected=${this.selected} .large=${large}
            item-label="synthetic ${this.className}"></msl-sample-grid>
        </section>
        <section aria-labelledby="real">
          <div class="heading-row"><h3 id="real">Real, held out (never seen in training)</h3><msl-explain term="held-out" label="held-out data"></msl-explain></div>
          ${this.real
            ? html`<msl-sample-grid data-testid="real-grid" .samples=${this.real} .shape=${out.shape} .range=${range}
                .sampleRateHz=${out.sampleRateHz} .startMs=${startMs} .large=${large}
                item-label="real ${this.className}"></msl-sample-grid>`
            : html`<p class="note" data-testid="real-missing">${this.realMessage ?? 'Loading real samples…'}</p>`}
        </section>
      </div>
    `;
  }
}

/**
 * Two families' models of the same data (a VAE or a GAN, and the diffusion model), same class and
 * seed, side by side.
 *
 * @property outputs - what each made (plain arrays), the diffusion model last
 * @property scale - 1, or more for a projector
 */
export class MethodCompare extends LitElement {
  static override properties = {
    outputs: { attribute: false },
    className: { attribute: 'class-name' },
    scale: { type: Number },
  };

  declare outputs: ModelOutput[];
  declare className: string;
  declare scale: number;

  constructor() {
    super();
    this.outputs = [];
    this.className = '';
    this.scale = 1;
  }

  static override styles = panelStyles();

  override render() {
    if (this.outputs.length < 2) return html`<p>Generate to see both models' samples here.</p>`;
    const image = isImage(this.outputs[0]!.shape);
    const range = image ? null : voltRange(this.outputs.flatMap((o) => o.samples));
    return html`
      <div class="columns">
        ${this.outputs.map((out) => html`<section aria-labelledby="h-${out.method}">
          <div class="heading-row"><h3 id="h-${out.method}">${methodName(out.method)}: ${out.model.name}</h3><msl-explain term=${METHOD_TERM[out.method]} label=${methodName(out.method)}></msl-explain></div>
          <msl-sample-grid data-testid="compare-${out.method}" .samples=${out.samples} .shape=${out.shape} .range=${range}
            .sampleRateHz=${out.sampleRateHz} .startMs=${windowStartMs(out.window, out.sampleRateHz)}
            .large=${largeSize(out, this.scale)} item-label="${out.method === 'ddpm' ? 'diffusion' : out.method.toUpperCase()} ${this.className}"></msl-sample-grid>
        </section>`)}
      </div>
    `;
  }
}

function panelStyles() {
  return css`
    :host { display: block; }
    .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 24rem), 1fr)); gap: 1rem 1.5rem; }
    h3 { font-size: 1em; margin: 0; }
    .heading-row, section > h3 { display: flex; align-items: baseline; margin: 0 0 0.4rem; }
    .note { color: #7a4100; }
  `;
}

customElements.define('msl-samples-vs-real', SamplesVsReal);
customElements.define('msl-method-compare', MethodCompare);

declare global {
  interface HTMLElementTagNameMap {
    'msl-samples-vs-real': SamplesVsReal;
    'msl-method-compare': MethodCompare;
  }
}
