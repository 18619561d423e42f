import { LitElement, css, html } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { evenSize, imageSize } from '../display/convert.js';
import { type VoltRange, voltRange } from '../display/ecg-axes.js';
import { drawEcg, drawImage } from './draw.js';

/**
 * One sample on a canvas: an image enlarged with crisp square pixels, or an ECG beat on ECG paper
 * (mV up, ms across; 40 ms / 0.1 mV small squares, 200 ms / 0.5 mV large ones).
 *
 * @property values - the sample in display units (levels 0..255 channels-last, grey or RGB; or mV); null
 *   draws nothing
 * @property shape - one sample's shape: [H, W, C] for an image (C = 1 grey, 3 RGB), [L] or [L, C] for a signal
 * @property size - width in CSS pixels; an image takes the largest width up to it at which its pixels
 *   show evenly (a whole number of CSS pixels each, or a whole fraction of its width)
 * @property range - the ECG's voltage range, shared by a grid so traces compare; null fits this one
 * @property axes - draw ECG tick labels and axis names (large views)
 * @property label - what a screen reader hears for the picture
 * @csspart canvas - the canvas
 */
export class SampleView extends LitElement {
  static override properties = {
    values: { attribute: false },
    shape: { attribute: false },
    size: { type: Number },
    sampleRateHz: { type: Number, attribute: 'sample-rate' },
    startMs: { type: Number, attribute: 'start-ms' },
    range: { attribute: false },
    axes: { type: Boolean },
    label: {},
  };

  declare values: Float32Array | null;
  declare shape: number[];
  declare size: number;
  declare sampleRateHz: number;
  declare startMs: number;
  declare range: VoltRange | null;
  declare axes: boolean;
  declare label: string;

  constructor() {
    super();
    this.values = null;
    this.shape = [28, 28, 1];
    this.size = 84;
    this.sampleRateHz = 360;
    this.startMs = 0;
    this.range = null;
    this.axes = false;
    this.label = 'sample';
  }

  static override styles = css`
    :host { display: inline-block; line-height: 0; max-width: 100%; }
    canvas { display: block; max-width: 100%; height: auto; }
    canvas.image { background: #000; }
    /* enlarged: every image pixel a crisp square; reduced (a large image in a small cell): smoothed */
    canvas.enlarged { image-rendering: pixelated; }
  `;

  override render() {
    const image = imageSize(this.shape);
    const width = image ? evenSize(image.width, this.size) : this.size;
    const kind = image ? `image ${width >= image.width ? 'enlarged' : 'reduced'}` : 'signal';
    return html`<canvas part="canvas" class=${kind} role="img" aria-label=${this.label}
      style=${styleMap({ width: `${width}px` })}></canvas>`;
  }

  protected override updated(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    const values = this.values;
    if (!canvas || !values) return;
    const image = imageSize(this.shape);
    if (image) {
      drawImage(canvas, values, image);
      return;
    }
    drawEcg(canvas, values, {
      sampleRateHz: this.sampleRateHz,
      startMs: this.startMs,
      range: this.range ?? voltRange([values], 0.5),
      width: this.size,
      labels: this.axes,
    });
  }
}

customElements.define('msl-sample-view', SampleView);

declare global {
  interface HTMLElementTagNameMap {
    'msl-sample-view': SampleView;
  }
}
