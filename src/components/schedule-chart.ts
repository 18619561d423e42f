import { LitElement, css, html, svg } from 'lit';
import './explain-tip.js';

const W = 320;
const H = 170;
const PAD = { left: 36, right: 10, top: 10, bottom: 34 };

/**
 * The noise schedule as a chart: over the diffusion time t (0 clean, T pure noise), the share of
 * the sample that is still signal (alpha-bar_t) and the share that is noise (1 - alpha-bar_t).
 * Dots mark the timesteps the sampler visits; a line marks the current one.
 *
 * @property alphaBar - alpha-bar_t for t = 0..T-1
 * @property timesteps - the timesteps the run visits, noisiest first
 * @property current - the timestep on show; null for the finished sample (t = 0)
 * @csspart svg - the chart
 */
export class ScheduleChart extends LitElement {
  static override properties = {
    alphaBar: { attribute: false },
    timesteps: { attribute: false },
    current: { type: Number },
  };

  declare alphaBar: ArrayLike<number>;
  declare timesteps: number[];
  declare current: number | null;

  constructor() {
    super();
    this.alphaBar = [];
    this.timesteps = [];
    this.current = null;
  }

  static override styles = css`
    :host { display: block; max-width: 100%; }
    svg { width: 100%; max-width: ${W * 1.4}px; height: auto; font: 11px system-ui, sans-serif; }
    .axis { stroke: #57606a; }
    .signal { stroke: #1d4f91; fill: none; stroke-width: 2; }
    .noise { stroke: #a4262c; fill: none; stroke-width: 2; stroke-dasharray: 5 3; }
    .visit { fill: #1d4f91; }
    .now { stroke: #111; stroke-width: 1.5; }
    .now-dot { fill: #f0b400; stroke: #111; stroke-width: 1.5; }
    text { fill: #24292f; }
    .legend { display: flex; flex-wrap: wrap; gap: 0.2rem 1rem; list-style: none; margin: 0.2rem 0 0; padding: 0;
      font-size: 0.85em; color: #24292f; }
    .swatch { display: inline-block; width: 1.4em; height: 0; vertical-align: middle; margin-right: 0.35em;
      border-top: 2px solid #1d4f91; }
    .noise-swatch { border-top: 2px dashed #a4262c; }
    .now-swatch { width: 0.7em; height: 0.7em; border: 1.5px solid #111; border-radius: 50%; background: #f0b400; }
    p { margin: 0.2rem 0 0; font-size: 0.9em; color: #24292f; }
  `;

  override render() {
    const T = this.alphaBar.length;
    if (!T) return html``;
    const x = (t: number) => PAD.left + (t / (T - 1)) * (W - PAD.left - PAD.right);
    const y = (v: number) => PAD.top + (1 - v) * (H - PAD.top - PAD.bottom);
    const every = Math.max(1, Math.floor(T / 160));
    const points = (f: (a: number) => number) =>
      Array.from({ length: Math.ceil(T / every) }, (_, k) => Math.min(k * every, T - 1))
        .map((t) => `${x(t).toFixed(1)},${y(f(this.alphaBar[t]!)).toFixed(1)}`)
        .join(' ');
    const now = this.current ?? 0;
    const a = this.alphaBar[now] ?? 1;
    const summary = this.current === null
      ? 'Finished: t = 0, all signal.'
      : `t = ${now} of ${T - 1}: ${(a * 100).toFixed(1)}% signal, ${((1 - a) * 100).toFixed(1)}% noise (alpha-bar ${a.toFixed(3)}).`;
    return html`
      <svg part="svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="Noise schedule. ${summary}">
        ${svg`
          <line class="axis" x1=${PAD.left} y1=${y(0)} x2=${W - PAD.right} y2=${y(0)} />
          <line class="axis" x1=${PAD.left} y1=${y(0)} x2=${PAD.left} y2=${y(1)} />
          ${[0, 0.5, 1].map((v) => svg`<text x=${PAD.left - 4} y=${y(v) + 4} text-anchor="end">${v}</text>`)}
          ${[0, Math.round((T - 1) / 2), T - 1].map((t) => svg`<text x=${x(t)} y=${y(0) + 14} text-anchor="middle">${t}</text>`)}
          <text x=${(PAD.left + W - PAD.right) / 2} y=${H - 4} text-anchor="middle">timestep t (0 = clean, ${T - 1} = noise)</text>
          <polyline class="signal" points=${points((v) => v)} />
          <polyline class="noise" points=${points((v) => 1 - v)} />
          ${this.timesteps.map((t) => svg`<circle class="visit" cx=${x(t)} cy=${y(this.alphaBar[t]!)} r="2" />`)}
          <line class="now" x1=${x(now)} y1=${y(0)} x2=${x(now)} y2=${y(1)} />
          <circle class="now-dot" cx=${x(now)} cy=${y(a)} r="5" />
        `}
      </svg>
      <ul class="legend">
        <li><span class="swatch signal-swatch"></span>signal share ᾱ<sub>t</sub></li>
        <li><span class="swatch noise-swatch"></span>noise share 1 − ᾱ<sub>t</sub></li>
        <li><span class="swatch now-swatch"></span>this step</li>
      </ul>
      <p>${summary}<msl-explain term="schedule" label="the noise schedule"></msl-explain></p>
    `;
  }
}

customElements.define('msl-schedule-chart', ScheduleChart);

declare global {
  interface HTMLElementTagNameMap {
    'msl-schedule-chart': ScheduleChart;
  }
}
