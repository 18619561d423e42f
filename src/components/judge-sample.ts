import { LitElement, css, html, nothing, svg } from 'lit';

/**
 * One sample of the judge panel, small: an image drawn at its own resolution on a canvas and
 * enlarged with crisp pixels, or an ECG beat as a line. It has an accessible name (`label`) and
 * takes plain arrays in display units (levels 0..255 channels-last, or mV).
 *
 * @property values - the sample
 * @property shape - [H, W, C] (C = 1 grey, 3 RGB) for an image, [L] or [L, C] for a beat
 * @property size - width in CSS pixels
 * @property range - a beat's voltage range [min, max] in mV, shared so traces compare; null fits it
 * @property label - the accessible name
 */
export class JudgeSample extends LitElement {
  static override properties = {
    values: { attribute: false },
    shape: { attribute: false },
    size: { type: Number },
    range: { attribute: false },
    label: {},
  };

  declare values: ArrayLike<number>;
  declare shape: number[];
  declare size: number;
  declare range: [number, number] | null;
  declare label: string;

  constructor() {
    super();
    this.values = [];
    this.shape = [28, 28, 1];
    this.size = 56;
    this.range = null;
    this.label = 'sample';
  }

  static override styles = css`
    :host { display: inline-block; line-height: 0; }
    canvas { image-rendering: pixelated; display: block; }
    svg { display: block; background: #fff7f7; }
    polyline { fill: none; stroke: #111; stroke-width: 1.2; vector-effect: non-scaling-stroke; }
    line { stroke: #d98c8c; stroke-width: 0.6; vector-effect: non-scaling-stroke; }
  `;

  private get isImage(): boolean {
    return this.shape.length === 3;
  }

  override render() {
    if (this.isImage) {
      const [h = 1, w = 1] = this.shape;
      return html`<canvas role="img" aria-label=${this.label} style="width:${this.size}px;height:${(this.size * h) / w}px"></canvas>`;
    }
    const n = this.values.length;
    if (!n) return nothing;
    let [lo, hi] = this.range ?? [Infinity, -Infinity];
    if (!this.range) for (let i = 0; i < n; i++) (lo = Math.min(lo, this.values[i]!)), (hi = Math.max(hi, this.values[i]!));
    if (!(hi > lo)) (lo -= 0.5), (hi += 0.5);
    const height = Math.round(this.size * 0.6);
    const points = Array.from({ length: n }, (_, i) => {
      const v = Math.min(hi, Math.max(lo, this.values[i]!));
      return `${((i / Math.max(n - 1, 1)) * 100).toFixed(2)},${(((hi - v) / (hi - lo)) * 60).toFixed(2)}`;
    }).join(' ');
    const zero = lo < 0 && hi > 0 ? ((hi - 0) / (hi - lo)) * 60 : null;
    return html`<svg role="img" aria-label=${this.label} viewBox="0 0 100 60" preserveAspectRatio="none" width=${this.size} height=${height}>
      ${zero === null ? nothing : svg`<line x1="0" x2="100" y1=${zero} y2=${zero}></line>`}
      <polyline points=${points}></polyline>
    </svg>`;
  }

  protected override updated(): void {
    if (!this.isImage) return;
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas) return;
    const [h = 1, w = 1, c = 1] = this.shape;
    canvas.width = w;
    canvas.height = h;
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let p = 0; p < w * h; p++) {
      const r = this.values[p * c] ?? 0;
      rgba[4 * p] = r;
      rgba[4 * p + 1] = c === 3 ? (this.values[p * c + 1] ?? 0) : r;
      rgba[4 * p + 2] = c === 3 ? (this.values[p * c + 2] ?? 0) : r;
      rgba[4 * p + 3] = 255;
    }
    canvas.getContext('2d')?.putImageData(new ImageData(rgba, w, h), 0, 0);
  }
}

customElements.define('msl-judge-sample', JudgeSample);

declare global {
  interface HTMLElementTagNameMap {
    'msl-judge-sample': JudgeSample;
  }
}
