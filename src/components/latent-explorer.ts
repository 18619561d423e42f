import { LitElement, css, html, nothing, svg } from 'lit';
import { panelStyles } from './panel-styles.js';
import type { Inspected, LatentMap } from '../app/latent-map.js';
import { isImage, viewWidth } from '../display/convert.js';
import { voltRange } from '../display/ecg-axes.js';
import './explain-tip.js';
import './sample-view.js';

/** Asks for the map of real held-out samples to be made. */
export class LatentMapEvent extends Event {
  constructor() {
    super('msl-latent-map', { bubbles: true, composed: true });
  }
}

/** The pointer (or the arrow keys) is at a point of the map: decode the latent there. */
export class LatentPointEvent extends Event {
  constructor(readonly point: [number, number]) {
    super('msl-latent-point', { bubbles: true, composed: true });
  }
}

/** A real sample of the map was chosen to look at closely. */
export class LatentChooseEvent extends Event {
  constructor(readonly index: number) {
    super('msl-latent-choose', { bubbles: true, composed: true });
  }
}

/** Colour-blind-safe class colours (Okabe and Ito). */
const COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00'];
const SIZE = 280;

/**
 * Inside a VAE: real held-out samples encoded and laid out on the two principal axes of their
 * latent means; the latent under the pointer decoded beside the map; a real sample chosen (a
 * click on its point, or Enter) shown with its encoding (mean and spread of every latent value),
 * its reconstruction, and latents drawn around it decoded.
 *
 * @property map - the encoded samples and their projection (null before one is made)
 * @property under - the decoded latent under the pointer
 * @property inspected - the chosen real sample, encoded and decoded
 * @property classNames, shape, sampleRateHz, startMs - of the model's samples
 * @fires msl-latent-map, msl-latent-point, msl-latent-choose
 */
export class LatentExplorerView extends LitElement {
  static override properties = {
    map: { attribute: false },
    under: { attribute: false },
    inspected: { attribute: false },
    classNames: { attribute: false },
    className: { attribute: 'class-name' },
    shape: { attribute: false },
    sampleRateHz: { type: Number },
    startMs: { type: Number },
    status: {},
    message: {},
    disabled: { type: Boolean },
    reason: {},
    scale: { type: Number },
    cursor: { state: true },
  };

  declare map: LatentMap | null;
  declare under: { point: [number, number]; sample: Float32Array } | null;
  declare inspected: Inspected | null;
  declare classNames: string[];
  /** The class the pointer's latents are decoded as. */
  declare className: string;
  declare shape: number[];
  declare sampleRateHz: number;
  declare startMs: number;
  declare status: string;
  declare message: string | null;
  declare disabled: boolean;
  declare reason: string;
  declare scale: number;
  /** Where the keyboard's crosshair is, in map units. */
  declare cursor: [number, number];

  constructor() {
    super();
    this.map = null;
    this.under = null;
    this.inspected = null;
    this.classNames = [];
    this.className = '';
    this.shape = [28, 28, 1];
    this.sampleRateHz = 360;
    this.startMs = 0;
    this.status = 'idle';
    this.message = null;
    this.disabled = false;
    this.reason = '';
    this.scale = 1;
    this.cursor = [0, 0];
  }

  static override styles = [panelStyles, css`
    .views { display: flex; flex-wrap: wrap; gap: 1rem 1.5rem; align-items: flex-start; }
    svg { background: #fbfcfd; border: 1px solid #d0d7de; border-radius: 0.3rem; touch-action: none; cursor: crosshair; }
    figure { margin: 0; }
    figcaption { font-size: 0.88em; color: #24292f; margin-top: 0.2rem; max-width: 18rem; }
    .legend { display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; font-size: 0.88em; margin: 0.3rem 0 0; padding: 0; list-style: none; }
    .swatch { display: inline-block; width: 0.7em; height: 0.7em; border-radius: 50%; margin-right: 0.3em; }
    .row { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: flex-start; }
  `];

  override render() {
    const running = this.status === 'running';
    const map = this.map;
    return html`
      <p class="note">Real held-out samples, each encoded by the VAE's encoder to the mean of its latent, laid out on the two directions
        along which those means vary most. Move the pointer over the map (or focus it and use the arrow keys) to decode the latent there;
        click a sample's point (or press Enter at it) to see its encoding, its reconstruction and latents around it.</p>
      <div class="bar">
        <button class="primary" data-testid="latent-run" ?disabled=${this.disabled || running}
          @click=${() => this.dispatchEvent(new LatentMapEvent())}>${map ? 'Map again' : 'Map the real samples'}</button>
        <span role="status" data-testid="latent-status">${this.statusLine()}</span>
      </div>
      ${map && !running ? this.renderMap(map) : nothing}
      ${map && this.inspected ? this.renderInspected(map, this.inspected) : nothing}
    `;
  }

  private statusLine(): string {
    if (this.disabled && this.reason) return this.reason;
    if (this.message) return this.message;
    if (this.status === 'running') return 'Encoding the real samples…';
    const map = this.map;
    if (!map) return 'Not mapped yet.';
    const [a, b] = map.projection.share;
    return `${map.samples.length} real samples; the map's two axes hold ${Math.round(100 * a)}% and ${Math.round(100 * b)}% of the variance of their latent means.`;
  }

  /** The extent of the map in each direction, with a margin. */
  private extent(map: LatentMap): number {
    return 1.1 * Math.max(...map.points.flatMap(([u, v]) => [Math.abs(u), Math.abs(v)]), 1e-6);
  }

  private renderMap(map: LatentMap) {
    const r = this.extent(map);
    const toPx = ([u, v]: readonly [number, number]) => [((u / r + 1) / 2) * SIZE, ((1 - v / r) / 2) * SIZE] as const;
    const image = isImage(this.shape);
    const under = this.under;
    const at = under ? toPx(under.point) : toPx(this.cursor);
    const chosen = this.inspected?.index;
    return html`<div class="views">
      <div>
        <svg data-testid="latent-map" width=${SIZE} height=${SIZE} viewBox="0 0 ${SIZE} ${SIZE}" tabindex="0" role="application"
          aria-roledescription="latent map"
          aria-label="map of ${map.samples.length} real samples' latents; arrow keys move the decoded point, Enter picks the nearest sample"
          @pointermove=${(e: PointerEvent) => this.point(e, r)} @pointerdown=${(e: PointerEvent) => this.point(e, r)}
          @click=${(e: MouseEvent) => this.choose(this.fromEvent(e, r))} @keydown=${(e: KeyboardEvent) => this.key(e, r)}>
          <line x1=${SIZE / 2} y1="0" x2=${SIZE / 2} y2=${SIZE} stroke="#d0d7de" />
          <line x1="0" y1=${SIZE / 2} x2=${SIZE} y2=${SIZE / 2} stroke="#d0d7de" />
          ${map.points.map((p, i) => {
            const [x, y] = toPx(p);
            return svg`<circle cx=${x} cy=${y} r=${i === chosen ? 5 : 3} fill=${COLOURS[map.classes[i]! % COLOURS.length]}
              fill-opacity="0.75" stroke=${i === chosen ? '#000' : 'none'} />`;
          })}
          <circle cx=${at[0]} cy=${at[1]} r="6" fill="none" stroke="#1b1f24" stroke-width="1.5" />
        </svg>
        <ul class="legend">${map.classes.length
          ? [...new Set(map.classes)].sort().map((c) => html`<li><span class="swatch" style="background:${COLOURS[c % COLOURS.length]}"></span>${this.classNames[c]}</li>`)
          : nothing}</ul>
      </div>
      ${under
        ? html`<figure data-testid="latent-under">
            <msl-sample-view .values=${under.sample} .shape=${this.shape} .sampleRateHz=${this.sampleRateHz} .startMs=${this.startMs}
              .range=${image ? null : voltRange([under.sample])} size=${viewWidth(this.shape, { image: 168, signal: 260 }, this.scale)}
              label="decoded at the pointer"></msl-sample-view>
            <figcaption aria-live="polite">Decoded at the pointer (${under.point[0].toFixed(2)}, ${under.point[1].toFixed(2)}), as ${this.className}.</figcaption>
          </figure>`
        : html`<p class="note">Move over the map to decode.</p>`}
    </div>`;
  }

  private renderInspected(map: LatentMap, ins: Inspected) {
    const size = viewWidth(this.shape, { image: 112, signal: 180 }, this.scale);
    const image = isImage(this.shape);
    const all = [map.samples[ins.index]!, ins.reconstruction, ...ins.around];
    const range = image ? null : voltRange(all);
    const view = (values: Float32Array, label: string, caption: string) => html`<figure>
      <msl-sample-view .values=${values} .shape=${this.shape} .range=${range} .sampleRateHz=${this.sampleRateHz} .startMs=${this.startMs}
        size=${size} label=${label}></msl-sample-view><figcaption>${caption}</figcaption></figure>`;
    return html`<h3>A real ${this.classNames[map.classes[ins.index]!]} sample, encoded and decoded</h3>
      <div class="row" data-testid="latent-inspected">
        ${view(map.samples[ins.index]!, 'the real sample', 'The real sample')}
        ${view(ins.reconstruction, 'its reconstruction', 'Its reconstruction (the mean decoded)')}
        ${ins.around.map((s, i) => view(s, `a latent around it, ${i + 1}`, `Around it ${i + 1}`))}
      </div>
      ${this.renderCode(ins)}`;
  }

  /** Each latent value's mean, with its spread (one standard deviation) as a whisker. */
  private renderCode(ins: Inspected) {
    const n = ins.mu.length;
    const w = 16;
    const h = 120;
    const top = Math.max(3, ...Array.from(ins.mu, (m, i) => Math.abs(m) + ins.sigma[i]!));
    const y = (v: number) => h / 2 - (v / top) * (h / 2 - 4);
    return html`<figure>
      <svg data-testid="latent-code" width=${n * w + 8} height=${h} role="img"
        aria-label="the encoding: ${Array.from(ins.mu, (m, i) => `value ${i + 1} mean ${m.toFixed(2)} spread ${ins.sigma[i]!.toFixed(2)}`).join('; ')}">
        <line x1="0" y1=${h / 2} x2=${n * w + 8} y2=${h / 2} stroke="#d0d7de" />
        ${Array.from(ins.mu, (m, i) => {
          const x = 4 + i * w + w / 2;
          const s = ins.sigma[i]!;
          return svg`<line x1=${x} y1=${y(m - s)} x2=${x} y2=${y(m + s)} stroke="#8c959f" stroke-width="1" />
            <rect x=${x - 4} y=${Math.min(y(m), h / 2)} width="8" height=${Math.abs(y(m) - h / 2)} fill="#1d4f91" />`;
        })}
      </svg>
      <figcaption>Its encoding: the mean of each of the ${n} latent values (bars) and its spread (whiskers, one standard deviation).
        The prior is 0 with spread 1; a spread well below 1 means the encoder is sure of that value.<msl-explain term="vae" label="the latent and the prior"></msl-explain></figcaption>
    </figure>`;
  }

  private fromEvent(e: MouseEvent, r: number): [number, number] {
    const box = (e.currentTarget as SVGSVGElement).getBoundingClientRect();
    const x = ((e.clientX - box.left) / box.width) * 2 - 1;
    const y = 1 - ((e.clientY - box.top) / box.height) * 2;
    return [x * r, y * r];
  }

  private point(e: PointerEvent, r: number): void {
    this.cursor = this.fromEvent(e, r);
    this.dispatchEvent(new LatentPointEvent(this.cursor));
  }

  /** The real sample whose point is nearest `at`. */
  private nearest(at: [number, number]): number {
    const map = this.map!;
    let best = 0;
    let bestD = Infinity;
    map.points.forEach(([u, v], i) => {
      const d = (u - at[0]) ** 2 + (v - at[1]) ** 2;
      if (d < bestD) [best, bestD] = [i, d];
    });
    return best;
  }

  private choose(at: [number, number]): void {
    this.dispatchEvent(new LatentChooseEvent(this.nearest(at)));
  }

  private key(e: KeyboardEvent, r: number): void {
    const step = r / 10;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.choose(this.cursor);
      return;
    }
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    e.stopPropagation();
    const clamp = (v: number) => Math.max(-r, Math.min(r, v));
    this.cursor = [clamp(this.cursor[0] + move[0]), clamp(this.cursor[1] + move[1])];
    this.dispatchEvent(new LatentPointEvent(this.cursor));
  }
}

customElements.define('msl-latent-explorer', LatentExplorerView);

declare global {
  interface HTMLElementTagNameMap {
    'msl-latent-explorer': LatentExplorerView;
  }
  interface GlobalEventHandlersEventMap {
    'msl-latent-map': LatentMapEvent;
    'msl-latent-point': LatentPointEvent;
    'msl-latent-choose': LatentChooseEvent;
  }
}
