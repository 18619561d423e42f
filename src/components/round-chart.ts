/**
 * A figure per training round, one line per strategy, as the judge's charts are made: an SVG with
 * role="img" and a sentence for its accessible name, then the same numbers as a table in a
 * <details>. Lines are told apart by colour, by dash pattern and by marker shape. Also per
 * generation of the feedback loop (`xLabel`, `first`).
 */
import { html, nothing, svg } from 'lit';
import { niceTicks } from '../display/ticks.js';
import { fmt } from './judge-charts.js';

export interface RoundSeries {
  name: string;
  /** The value after each round (index 0: after round 1); null where there is none. */
  values: readonly (number | null)[];
}

/** Five series: blue, orange, green, purple, red; solid, dashed, dotted, dash-dot, long dash. */
export const ROUND_COLOURS = ['#1d4f91', '#d9771e', '#2f7d32', '#7b3fa0', '#a40e26'] as const;
const DASHES = ['none', '6 3', '2 2', '8 3 2 3', '12 4'] as const;
const STYLES = ['solid', 'dashed', 'dotted', 'dashed', 'dashed'] as const;

const W = 340;
const H = 160;
const M = { left: 44, right: 8, top: 8, bottom: 30 };

export interface RoundChartOptions {
  /** What the vertical axis measures. */
  yLabel: string;
  /** The full run's rounds: the axis spans them all from the start. */
  rounds: number;
  /** What the horizontal axis counts (default "round"), and the count of the first value (default 1). */
  xLabel?: string;
  first?: number;
  testid: string;
  /** Fixed ends of the vertical axis (for shares: [0, 1]); default from 0 to a nice tick above the data. */
  range?: [number, number];
  /** How values are written in the table and the sentence (default fmt). */
  format?: (x: number) => string;
}

export function roundChart(series: readonly RoundSeries[], o: RoundChartOptions) {
  const format = o.format ?? ((x: number) => fmt(x));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const all = series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  const [low, high] = o.range ?? [0, Math.max(1e-6, ...all)];
  const yTicks = niceTicks(low, high, 4);
  const top = o.range ? high : yTicks.at(-1)!;
  const first = o.first ?? 1;
  const xLabel = o.xLabel ?? 'round';
  const span = Math.max(1, o.rounds);
  const last = first + span - 1;
  const xTicks = niceTicks(first, last, 5).filter((t) => Number.isInteger(t) && t >= first && t <= last);
  const x = (round: number) => M.left + (span === 1 ? 0.5 : (round - first) / (span - 1)) * plotW;
  const y = (v: number) => M.top + plotH - ((Math.min(Math.max(v, low), top) - low) / (top - low || 1)) * plotH;
  const latest = series.map((s) => {
    const i = s.values.length - 1;
    return i >= 0 && s.values[i] !== null ? `${s.name} ${format(s.values[i]!)}` : `${s.name}: none`;
  });
  const done = Math.max(0, ...series.map((s) => s.values.length));
  const description = done ? `${o.yLabel} at ${xLabel} ${first + done - 1} of ${last}: ${latest.join('; ')}.` : `${o.yLabel}: nothing has finished yet.`;
  const n = ROUND_COLOURS.length;
  const marker = (i: number, cx: number, cy: number) => {
    const colour = ROUND_COLOURS[i % n];
    if (i % n === 0) return svg`<circle cx=${cx} cy=${cy} r="2.4" fill=${colour}></circle>`;
    if (i % n === 1) return svg`<rect x=${cx - 2.2} y=${cy - 2.2} width="4.4" height="4.4" fill=${colour}></rect>`;
    if (i % n === 2) return svg`<path d="M${cx} ${cy - 2.8}L${cx + 2.8} ${cy + 2.2}L${cx - 2.8} ${cy + 2.2}Z" fill=${colour}></path>`;
    if (i % n === 3) return svg`<path d="M${cx} ${cy - 2.8}L${cx + 2.8} ${cy}L${cx} ${cy + 2.8}L${cx - 2.8} ${cy}Z" fill=${colour}></path>`;
    return svg`<path d="M${cx - 2.6} ${cy - 2.6}L${cx + 2.6} ${cy + 2.6}M${cx + 2.6} ${cy - 2.6}L${cx - 2.6} ${cy + 2.6}" stroke=${colour} stroke-width="1.4"></path>`;
  };
  return html`
    <figure class="chart" data-testid=${o.testid}>
      <svg role="img" aria-label=${description} viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W * 1.4}px">
        ${yTicks.filter((t) => t <= top).map((t) => svg`<line x1=${M.left} x2=${W - M.right} y1=${y(t)} y2=${y(t)} stroke="#d0d7de" stroke-width="0.5"></line>
          <text x=${M.left - 4} y=${y(t) + 3} font-size="9" text-anchor="end" fill="#424a53">${format(t)}</text>`)}
        <line x1=${M.left} x2=${W - M.right} y1=${M.top + plotH} y2=${M.top + plotH} stroke="#57606a"></line>
        <line x1=${M.left} x2=${M.left} y1=${M.top} y2=${M.top + plotH} stroke="#57606a"></line>
        ${series.map((s, i) => {
          const points = s.values.map((v, r) => (v === null || !Number.isFinite(v) ? null : [x(first + r), y(v)] as const)).filter((p) => p !== null);
          return points.length ? svg`<g data-series=${s.name}>
            <polyline fill="none" stroke=${ROUND_COLOURS[i % n]} stroke-width="1.6" stroke-dasharray=${DASHES[i % n]}
              points=${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}></polyline>
            ${points.map(([px, py]) => marker(i, px, py))}</g>` : nothing;
        })}
        ${xTicks.map((t) => svg`<line x1=${x(t)} x2=${x(t)} y1=${M.top + plotH} y2=${M.top + plotH + 3} stroke="#57606a"></line>
          <text x=${x(t)} y=${H - M.bottom + 12} font-size="9" text-anchor="middle" fill="#424a53">${t}</text>`)}
        <text x=${M.left + plotW / 2} y=${H - 4} font-size="9.5" text-anchor="middle" fill="#24292f">${xLabel}</text>
        <text transform="translate(10 ${M.top + plotH / 2}) rotate(-90)" font-size="9.5" text-anchor="middle" fill="#24292f">${o.yLabel}</text>
      </svg>
      <figcaption>${series.map((s, i) => html`<span class="key"><span class="swatch" style="border-top:2px ${STYLES[i % n]} ${ROUND_COLOURS[i % n]}"></span>${s.name}</span>`)}</figcaption>
      <details><summary>The numbers</summary>
        <table>
          <thead><tr><th scope="col">${xLabel[0]!.toUpperCase()}${xLabel.slice(1)}</th>${series.map((s) => html`<th scope="col">${s.name}</th>`)}</tr></thead>
          <tbody>${Array.from({ length: done }, (_, r) => html`<tr><th scope="row">${first + r}</th>${series.map((s) => html`<td>${s.values[r] === null || s.values[r] === undefined ? '–' : format(s.values[r]!)}</td>`)}</tr>`)}</tbody>
        </table>
      </details>
    </figure>
  `;
}
