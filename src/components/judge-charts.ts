/**
 * The judge panel's charts and tables, as Lit templates over plain numbers: overlaid histograms,
 * a live loss curve and confusion matrices. Every chart is an SVG with role="img" and a sentence
 * for its accessible name, followed by the same numbers as a table (in a <details>), so nothing
 * is only in the picture. Colours are told apart by lightness and by shape (solid or dashed).
 */
import { html, nothing, svg } from 'lit';
import { niceTicks } from '../display/ticks.js';
import type { OverlaidHistogram } from '../judge/histograms.js';

/** Two series: a dark blue and an orange, distinguishable in greyscale and by most colour-blind viewers. */
export const SERIES_COLOURS = ['#1d4f91', '#d9771e'] as const;

/** A number in a few significant digits ("3.18", "0.0123", "1.2e-5"). */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-4) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

export function percent(x: number | null | undefined, digits = 0): string {
  return x === null || x === undefined || Number.isNaN(x) ? '–' : `${(100 * x).toFixed(digits)}%`;
}

const W = 320;
const H = 150;
const M = { left: 34, right: 8, top: 8, bottom: 30 };

export interface HistogramChartOptions {
  histogram: OverlaidHistogram;
  /** Names of the sets, in the order of histogram.fractions. */
  names: readonly string[];
  /** What the horizontal axis measures ("distance to the closest training sample"). */
  xLabel: string;
  /** The chart's accessible name, a sentence. */
  description: string;
  /** A vertical marker, for instance the flagging threshold. */
  marker?: { value: number; label: string } | null;
  testid: string;
}

/** Overlaid histograms as side-by-side bars per bin (fractions of each set), with a marker line. */
export function histogramChart(o: HistogramChartOptions) {
  const { edges, fractions, counts, totals } = o.histogram;
  const bins = edges.length - 1;
  if (bins < 1) return nothing;
  const lo = edges[0]!;
  const hi = edges[bins]!;
  const top = Math.max(1e-9, ...fractions.flat());
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (v: number) => M.left + ((v - lo) / (hi - lo || 1)) * plotW;
  const y = (f: number) => M.top + plotH - (f / top) * plotH;
  const sets = fractions.length;
  const bars = fractions.flatMap((set, s) =>
    set.map((f, b) => {
      const x0 = x(edges[b]!);
      const width = (x(edges[b + 1]!) - x0) / sets;
      return svg`<rect x=${x0 + s * width} y=${y(f)} width=${Math.max(width - 0.5, 0.5)} height=${M.top + plotH - y(f)}
        fill=${SERIES_COLOURS[s % 2]} fill-opacity=${s === 0 ? 0.9 : 0.75}></rect>`;
    }),
  );
  const ticks = [lo, (lo + hi) / 2, hi];
  const marker = o.marker && o.marker.value >= lo && o.marker.value <= hi ? o.marker : null;
  return html`
    <figure class="chart" data-testid=${o.testid}>
      <svg role="img" aria-label=${o.description} viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W * 1.4}px">
        <line x1=${M.left} x2=${W - M.right} y1=${M.top + plotH} y2=${M.top + plotH} stroke="#57606a"></line>
        <line x1=${M.left} x2=${M.left} y1=${M.top} y2=${M.top + plotH} stroke="#57606a"></line>
        ${bars}
        ${marker
          ? svg`<line x1=${x(marker.value)} x2=${x(marker.value)} y1=${M.top} y2=${M.top + plotH} stroke="#a40e26" stroke-width="1.5" stroke-dasharray="4 3"></line>
              <text x=${Math.min(x(marker.value) + 3, W - M.right - 2)} y=${M.top + 9} font-size="9" fill="#a40e26"
                text-anchor=${x(marker.value) > W - 90 ? 'end' : 'start'}>${marker.label}</text>`
          : nothing}
        ${ticks.map((t) => svg`<text x=${x(t)} y=${H - M.bottom + 12} font-size="9" text-anchor="middle" fill="#424a53">${fmt(t)}</text>`)}
        <text x=${M.left + plotW / 2} y=${H - 4} font-size="9.5" text-anchor="middle" fill="#24292f">${o.xLabel}</text>
        <text x="4" y=${M.top + 8} font-size="9" fill="#424a53">${percent(top)}</text>
      </svg>
      <figcaption>${o.names.map((name, s) => html`<span class="key"><span class="swatch" style="background:${SERIES_COLOURS[s % 2]}"></span>${name} (${totals[s] ?? 0})</span>`)}
        ${marker ? html`<span class="key"><span class="swatch marker"></span>${marker.label}</span>` : nothing}</figcaption>
      <details>
        <summary>The numbers</summary>
        <table>
          <thead><tr><th scope="col">from</th><th scope="col">to</th>${o.names.map((n) => html`<th scope="col">${n}</th>`)}</tr></thead>
          <tbody>
            ${Array.from({ length: bins }, (_, b) => html`<tr><td>${fmt(edges[b])}</td><td>${fmt(edges[b + 1])}</td>${counts.map((c) => html`<td>${c[b]}</td>`)}</tr>`)}
          </tbody>
        </table>
      </details>
    </figure>
  `;
}

export interface LossSeries {
  name: string;
  /** Every batch's loss, in order. */
  losses: readonly number[];
  batchesPerEpoch: number;
}

/** Room for the loss chart's tick labels and its rotated y-axis label. */
const LOSS_M = { ...M, left: 46 };

/**
 * Training loss against epochs (batch by batch), one line per run, drawn as it grows. The loss is
 * what the classifier minimises (src/judge/tstr.ts): softmax cross-entropy, the mean over a batch,
 * in nats; the y axis starts at 0 and ends at a nice tick above the largest loss.
 */
export function lossChart(series: readonly LossSeries[], epochs: number, testid: string) {
  const m = LOSS_M;
  const plotW = W - m.left - m.right;
  const plotH = H - m.top - m.bottom;
  const all = series.flatMap((s) => s.losses).filter(Number.isFinite);
  const yTicks = niceTicks(0, Math.max(1e-6, ...all), 4);
  const top = yTicks.at(-1)!;
  const span = Math.max(epochs, 1);
  // ticks within the epochs trained only: the curve reaches the right edge when training ends
  const xTicks = niceTicks(0, span, 4).filter((t) => t <= span);
  const x = (batch: number, perEpoch: number) => m.left + (perEpoch ? (batch + 1) / perEpoch / span : 0) * plotW;
  const xAt = (epoch: number) => m.left + (epoch / span) * plotW;
  const y = (loss: number) => m.top + plotH - (Math.min(loss, top) / top) * plotH;
  const last = series.map((s) => s.losses.at(-1));
  const description = series.length && all.length
    ? `Training loss (cross-entropy) per batch over ${epochs} epochs: ${series.map((s, i) => `${s.name} ${s.losses.length ? `at ${fmt(last[i] ?? NaN)} after ${s.losses.length} batches` : 'not started'}`).join('; ')}.`
    : 'Training loss: no batch has run yet.';
  return html`
    <figure class="chart" data-testid=${testid}>
      <svg role="img" aria-label=${description} viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W * 1.4}px">
        ${yTicks.map((t) => svg`<line x1=${m.left} x2=${W - m.right} y1=${y(t)} y2=${y(t)} stroke="#d0d7de" stroke-width="0.5"></line>
          <text data-axis="y" x=${m.left - 4} y=${y(t) + 3} font-size="9" text-anchor="end" fill="#424a53">${fmt(t)}</text>`)}
        <line x1=${m.left} x2=${W - m.right} y1=${m.top + plotH} y2=${m.top + plotH} stroke="#57606a"></line>
        <line x1=${m.left} x2=${m.left} y1=${m.top} y2=${m.top + plotH} stroke="#57606a"></line>
        ${series.map((s, i) => s.losses.length
          ? svg`<polyline data-series=${s.name} fill="none" stroke=${SERIES_COLOURS[i % 2]} stroke-width="1.6" stroke-dasharray=${i ? '5 3' : 'none'}
              points=${s.losses.map((l, b) => `${x(b, s.batchesPerEpoch).toFixed(1)},${y(l).toFixed(1)}`).join(' ')}></polyline>`
          : nothing)}
        ${xTicks.map((t) => svg`<line x1=${xAt(t)} x2=${xAt(t)} y1=${m.top + plotH} y2=${m.top + plotH + 3} stroke="#57606a"></line>
          <text data-axis="x" x=${xAt(t)} y=${H - m.bottom + 12} font-size="9" text-anchor="middle" fill="#424a53">${fmt(t)}</text>`)}
        <text class="axis-label" data-axis-label="x" x=${m.left + plotW / 2} y=${H - 4} font-size="9.5" text-anchor="middle" fill="#24292f">epoch (a point per batch)</text>
        <text class="axis-label" data-axis-label="y" transform="translate(10 ${m.top + plotH / 2}) rotate(-90)" font-size="9.5" text-anchor="middle" fill="#24292f">loss (cross-entropy)</text>
      </svg>
      <figcaption>${series.map((s, i) => html`<span class="key"><span class="swatch ${i ? 'dashed' : ''}" style="background:${SERIES_COLOURS[i % 2]}"></span>trained on ${s.name}</span>`)}</figcaption>
    </figure>
  `;
}

/** A confusion matrix as a table: rows the true class, columns the predicted one, shaded by row share. */
export function confusionTable(matrix: readonly (readonly number[])[], classes: readonly string[], caption: string, testid: string) {
  return html`
    <table class="confusion" data-testid=${testid}>
      <caption>${caption}</caption>
      <thead>
        <tr><th scope="col"><span class="visually-hidden">true class</span><span aria-hidden="true">true ↓ / predicted →</span></th>
          ${classes.map((c) => html`<th scope="col">${c}</th>`)}</tr>
      </thead>
      <tbody>
        ${matrix.map((row, i) => {
          const total = row.reduce((a, b) => a + b, 0);
          return html`<tr>
            <th scope="row">${classes[i]}</th>
            ${row.map((n, j) => {
              const share = total ? n / total : 0;
              return html`<td class=${i === j ? 'diagonal' : ''} style="background:rgba(29,79,145,${(0.08 + 0.7 * share).toFixed(2)});color:${share > 0.55 ? '#fff' : '#1b1f24'}"
                title="${n} of ${total} (${percent(share)})">${n}</td>`;
            })}
          </tr>`;
        })}
      </tbody>
    </table>
  `;
}

export interface RocSeries {
  name: string;
  points: readonly { falsePositive: number; truePositive: number }[];
  auc: number;
}

/**
 * ROC curves on the unit square with the chance diagonal: how often a threshold on the score
 * catches a positive (up) against how often it takes a negative for one (right).
 */
export function rocChart(series: readonly RocSeries[], o: { xLabel: string; yLabel: string; testid: string }) {
  const m = LOSS_M;
  const size = H - m.top - m.bottom;
  const x = (f: number) => m.left + f * size;
  const y = (f: number) => m.top + size - f * size;
  const ticks = [0, 0.5, 1];
  const description = `ROC curves: ${series.map((s) => `${s.name}, AUC ${fmt(s.auc)}`).join('; ')}. The diagonal is chance (AUC 0.5).`;
  return html`
    <figure class="chart" data-testid=${o.testid}>
      <svg role="img" aria-label=${description} viewBox="0 0 ${m.left + size + 200} ${H}" width="100%" style="max-width:${(m.left + size + 200) * 1.4}px">
        <line x1=${x(0)} x2=${x(1)} y1=${y(0)} y2=${y(1)} stroke="#8c959f" stroke-dasharray="3 3"></line>
        <rect x=${x(0)} y=${y(1)} width=${size} height=${size} fill="none" stroke="#57606a"></rect>
        ${series.map((s, i) => svg`<polyline data-series=${s.name} fill="none" stroke=${SERIES_COLOURS[i % 2]} stroke-width="1.6" stroke-dasharray=${i ? '5 3' : 'none'}
            points=${s.points.map((p) => `${x(p.falsePositive).toFixed(1)},${y(p.truePositive).toFixed(1)}`).join(' ')}></polyline>`)}
        ${ticks.map((t) => svg`<text x=${x(t)} y=${H - m.bottom + 12} font-size="9" text-anchor="middle" fill="#424a53">${fmt(t)}</text>
          <text x=${m.left - 4} y=${y(t) + 3} font-size="9" text-anchor="end" fill="#424a53">${fmt(t)}</text>`)}
        <text x=${m.left + size / 2} y=${H - 4} font-size="9.5" text-anchor="middle" fill="#24292f">${o.xLabel}</text>
        <text transform="translate(10 ${m.top + size / 2}) rotate(-90)" font-size="9.5" text-anchor="middle" fill="#24292f">${o.yLabel}</text>
        ${series.map((s, i) => svg`<text x=${m.left + size + 10} y=${m.top + 14 + 14 * i} font-size="9.5" fill=${SERIES_COLOURS[i % 2]}>${s.name}: AUC ${fmt(s.auc)}</text>`)}
      </svg>
      <figcaption>${series.map((s, i) => html`<span class="key"><span class="swatch ${i ? 'dashed' : ''}" style="background:${SERIES_COLOURS[i % 2]}"></span>${s.name}</span>`)}
        <span class="key">dotted: chance</span></figcaption>
    </figure>
  `;
}
