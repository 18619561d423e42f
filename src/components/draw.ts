/**
 * Canvas drawing of one sample: an image, grey or RGB, at its own resolution (the page enlarges it
 * with `image-rendering: pixelated`, so every pixel stays a crisp square), or an ECG beat on ECG
 * paper with true proportions (one small square = 40 ms x 0.1 mV).
 */
import { type ImageSize, imageToRgba } from '../display/convert.js';
import { type VoltRange, ecgAxes } from '../display/ecg-axes.js';

/** Draws levels 0..255, channels-last (grey, or red, green, blue), at one canvas pixel per image pixel. */
export function drawImage(canvas: HTMLCanvasElement, values: ArrayLike<number>, { width, height, channels }: ImageSize): void {
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')?.putImageData(new ImageData(imageToRgba(values, channels), width, height), 0, 0);
}

export interface EcgStyle {
  sampleRateHz: number;
  /** Time of the first sample (negative: before the R peak). */
  startMs: number;
  range: VoltRange;
  /** Width in CSS pixels; the height follows from the paper's square boxes. */
  width: number;
  /** Tick labels and axis names, for a large view. */
  labels: boolean;
  pixelRatio?: number;
}

const PAPER_COLOURS = { background: '#fff7f7', minor: '#f2c9c9', major: '#d98c8c', trace: '#111111', text: '#333333' };

/**
 * The CSS height an ECG of `length` samples takes at `style`: square small boxes (10 mm/mV at
 * 25 mm/s), unless that would make the chart taller than it is wide; then the voltage axis is
 * squeezed (its labels say so by their spacing).
 */
export function ecgHeight(length: number, style: EcgStyle): number {
  const m = margins(style.labels);
  const plotW = style.width - m.left - m.right;
  const durationMs = ((length - 1) * 1000) / style.sampleRateHz;
  const square = (style.range.maxMv - style.range.minMv) * (plotW / durationMs) * (40 / 0.1);
  return Math.round(Math.min(square, plotW * MAX_ASPECT) + m.top + m.bottom);
}

/** Plot height over width at most. */
const MAX_ASPECT = 1;

export function drawEcg(canvas: HTMLCanvasElement, values: ArrayLike<number>, style: EcgStyle): void {
  const ratio = style.pixelRatio ?? (globalThis.devicePixelRatio || 1);
  const axes = ecgAxes(values.length, style.sampleRateHz, style.startMs, style.range);
  const m = margins(style.labels);
  const height = ecgHeight(values.length, style);
  canvas.width = Math.round(style.width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.aspectRatio = `${style.width} / ${height}`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  const plotW = style.width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const x = (ms: number) => m.left + ((ms - axes.startMs) / (axes.endMs - axes.startMs)) * plotW;
  const y = (mv: number) => m.top + ((axes.maxMv - mv) / (axes.maxMv - axes.minMv)) * plotH;

  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, style.width, height);
  ctx.fillStyle = PAPER_COLOURS.background;
  ctx.fillRect(m.left, m.top, plotW, plotH);
  for (const major of [false, true]) {
    ctx.strokeStyle = major ? PAPER_COLOURS.major : PAPER_COLOURS.minor;
    ctx.lineWidth = major ? 1 : 0.5;
    ctx.beginPath();
    for (const line of axes.time.filter((l) => l.major === major)) {
      ctx.moveTo(x(line.value), m.top);
      ctx.lineTo(x(line.value), m.top + plotH);
    }
    for (const line of axes.volt.filter((l) => l.major === major)) {
      ctx.moveTo(m.left, y(line.value));
      ctx.lineTo(m.left + plotW, y(line.value));
    }
    ctx.stroke();
  }

  ctx.strokeStyle = PAPER_COLOURS.trace;
  ctx.lineWidth = style.labels ? 1.6 : 1.1;
  ctx.lineJoin = 'round';
  ctx.beginPath();
  for (let i = 0; i < values.length; i++) {
    const px = x(axes.startMs + (i * 1000) / style.sampleRateHz);
    const py = y(Math.min(axes.maxMv, Math.max(axes.minMv, values[i]!)));
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  }
  ctx.stroke();

  if (!style.labels) return;
  ctx.fillStyle = PAPER_COLOURS.text;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const line of axes.time.filter((l) => l.major)) ctx.fillText(String(line.value), x(line.value), m.top + plotH + 3);
  ctx.fillText(axes.startMs < 0 ? 'ms from the R peak' : 'ms', m.left + plotW / 2, m.top + plotH + 15);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const line of axes.volt.filter((l) => l.major)) ctx.fillText(line.value.toFixed(1), m.left - 4, y(line.value));
  ctx.save();
  ctx.translate(10, m.top + plotH / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText('mV', 0, 0);
  ctx.restore();
}

function margins(labels: boolean) {
  return labels ? { left: 44, right: 8, top: 6, bottom: 30 } : { left: 0, right: 0, top: 0, bottom: 0 };
}
