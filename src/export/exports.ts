/**
 * What a person takes home, each file labelled synthetic in the file itself and carrying its
 * provenance (the model and its weights' SHA-256, every setting and the seed, the link that makes
 * the same samples again, the site's version, the date):
 *
 *   samples as PNG     the grid or one sample, 8-bit grey or RGB, provenance in text chunks (png.ts)
 *   samples as .npz    MedMNIST's array names, dtypes and shapes: train_images uint8 (N, H, W) or
 *                      (N, H, W, 3), train_labels uint8 (N, 1), with val_ and test_ empty, so a
 *                      MedMNIST loader reads it as it reads the real set; the provenance as UTF-8
 *                      JSON bytes in `synthetic_provenance` (uint8)
 *   beats as CSV       one column per beat in mV, time from the R peak; provenance in # lines
 *   beats as WFDB      a record of the beats one after another (format 212, 200 ADC units per mV,
 *                      baseline 0), a beat annotation at each R peak (.atr), provenance in the
 *                      header's comments; zipped, as a record is three files
 *   judge figures      JSON: everything the judge measured, without the sample pixels
 *
 * DOM-free: the page turns these bytes into downloads (src/components/export-bar.ts).
 */
import { strToU8, zipSync } from 'fflate';
import { encodeFormat212, toAdu, wfdbChecksum } from '../data/format212.js';
import { imageSize } from '../display/convert.js';
import { annotationCode, encodeMitAnnotations } from '../data/mit-annotations.js';
import { type NpyInput, encodeNpz } from '../data/npy.js';
import type { JudgeSettings, JudgeView } from '../judge/view.js';
import type { ModelCard } from '../models/card.js';
import type { Settings } from '../pipeline/settings.js';
import { type PngImage, encodePng } from './png.js';

export const SYNTHETIC_NOTICE = 'SYNTHETIC: made by a generative model, not taken from any patient. For teaching and research only; never for clinical use.';

export interface Provenance {
  synthetic: true;
  notice: string;
  /** "MedSynth Lab 0.1.0". */
  site: string;
  /** ISO 8601, UTC. */
  created: string;
  model: { id: string; name: string; method: string; dataset: string; weightsSha256: string[] };
  /** The class every sample of the run was asked for. */
  class: string;
  settings: Settings;
  /** The page's address query that makes the same samples again. */
  link: string;
}

export function provenanceOf(card: ModelCard, settings: Settings, link: string, site: string, created: Date): Provenance {
  return {
    synthetic: true,
    notice: SYNTHETIC_NOTICE,
    site,
    created: created.toISOString(),
    model: { id: card.id, name: card.name, method: card.method, dataset: card.dataset, weightsSha256: card.weights.files.map((f) => f.sha256) },
    class: card.classes[settings.classIndex] ?? String(settings.classIndex),
    settings: { ...settings },
    link,
  };
}

/** "medsynth-xray-ddpm-pneumonia-seed7". */
export function baseName(p: Provenance): string {
  return `medsynth-${p.model.id}-${p.class}-seed${p.settings.seed}`.replace(/[^\w.-]+/g, '_');
}

/** Grey levels (display units) to bytes, held to 0..255 and rounded as the page's canvas does it (imageToRgba). */
function levels(sample: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Uint8ClampedArray.from(sample).buffer);
}

function imageShape(shape: readonly number[]): { height: number; width: number; channels: 1 | 3 } {
  const size = imageSize(shape);
  if (!size || (size.channels !== 1 && size.channels !== 3)) throw new Error(`not an image of shape [H, W, 1 or 3]: [${shape.join(', ')}]`);
  return { height: size.height, width: size.width, channels: size.channels };
}

/** The PNG text chunks: the standard keywords, and the whole provenance as JSON. */
function pngText(p: Provenance, title: string): Record<string, string> {
  return {
    Title: title,
    Disclaimer: p.notice,
    Software: p.site,
    Source: `${p.model.name} (${p.model.id}, weights SHA-256 ${p.model.weightsSha256.join(', ')})`,
    'Creation Time': p.created,
    'MedSynth provenance': JSON.stringify(p),
  };
}

/**
 * The samples side by side, `columns` to a row, one pixel of black between them, as a PNG.
 * Samples are in display units (grey levels), channels-last.
 */
export function gridPng(samples: readonly ArrayLike<number>[], shape: readonly number[], p: Provenance, columns = 8): Uint8Array {
  const { height, width, channels } = imageShape(shape);
  const cols = Math.max(1, Math.min(columns, samples.length));
  const rows = Math.ceil(samples.length / cols);
  const image: PngImage = { width: cols * (width + 1) - 1, height: rows * (height + 1) - 1, channels, text: pngText(p, `${samples.length} synthetic ${p.class} samples, ${cols} to a row`), data: new Uint8Array(0) };
  image.data = new Uint8Array(image.width * image.height * channels);
  samples.forEach((sample, i) => {
    const bytes = levels(sample);
    const x0 = (i % cols) * (width + 1);
    const y0 = Math.floor(i / cols) * (height + 1);
    for (let y = 0; y < height; y++) {
      image.data.set(bytes.subarray(y * width * channels, (y + 1) * width * channels), ((y0 + y) * image.width + x0) * channels);
    }
  });
  return encodePng(image);
}

/** One sample as a PNG, at its own size. */
export function samplePng(sample: ArrayLike<number>, shape: readonly number[], p: Provenance, index: number): Uint8Array {
  const { height, width, channels } = imageShape(shape);
  return encodePng({ width, height, channels, data: levels(sample), text: pngText(p, `Synthetic ${p.class} sample ${index + 1}`) });
}

/** The samples as a MedMNIST-compatible .npz (see the top of this file). */
export function samplesNpz(samples: readonly ArrayLike<number>[], shape: readonly number[], classIndex: number, p: Provenance): Uint8Array {
  const { height, width, channels } = imageShape(shape);
  const per = height * width * channels;
  const dims = channels === 1 ? [height, width] : [height, width, 3];
  const images = new Uint8Array(samples.length * per);
  samples.forEach((s, i) => images.set(levels(s), i * per));
  const empty = (): NpyInput => ({ dtype: 'uint8', shape: [0, ...dims], data: new Uint8Array(0) });
  const noLabels = (): NpyInput => ({ dtype: 'uint8', shape: [0, 1], data: new Uint8Array(0) });
  return encodeNpz({
    train_images: { dtype: 'uint8', shape: [samples.length, ...dims], data: images },
    val_images: empty(),
    test_images: empty(),
    train_labels: { dtype: 'uint8', shape: [samples.length, 1], data: new Uint8Array(samples.length).fill(classIndex) },
    val_labels: noLabels(),
    test_labels: noLabels(),
    synthetic_provenance: (() => {
      const json = new TextEncoder().encode(JSON.stringify(p));
      return { dtype: 'uint8', shape: [json.length], data: json };
    })(),
  });
}

/** Where a beat starts and how fast it is sampled (the card's `signal`). */
export interface BeatWindow {
  sampleRateHz: number;
  /** Samples before the R peak. */
  before: number;
}

const commentLines = (p: Provenance) => [p.notice, `${p.site}, ${p.created}`, `model ${p.model.id} (${p.model.name}), weights SHA-256 ${p.model.weightsSha256.join(', ')}`,
  `class ${p.class}, link ${p.link}`, `provenance ${JSON.stringify(p)}`];

/**
 * The beats as CSV: `# ` provenance lines, then a header `time_s,beat_1,...`, then one row per
 * sample: the time from the R peak in seconds and each beat's value in mV (float32 written in
 * full, so it reads back exactly).
 */
export function beatsCsv(beats: readonly Float32Array[], w: BeatWindow, p: Provenance): string {
  const length = beats[0]?.length ?? 0;
  if (beats.some((b) => b.length !== length)) throw new Error('beats of different lengths');
  const lines = commentLines(p).map((l) => `# ${l}`);
  lines.push(['time_s', ...beats.map((_, i) => `beat_${i + 1}_${p.class}`)].join(','));
  for (let t = 0; t < length; t++) lines.push([String((t - w.before) / w.sampleRateHz), ...beats.map((b) => String(b[t]))].join(','));
  return `${lines.join('\n')}\n`;
}

/** Reads beatsCsv's file back: its # lines, column names, times and beats (float32). */
export function readBeatsCsv(text: string): { comments: string[]; names: string[]; time: Float64Array; beats: Float32Array[] } {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const comments = lines.filter((l) => l.startsWith('#')).map((l) => l.replace(/^#\s?/, ''));
  const [head, ...rows] = lines.filter((l) => !l.startsWith('#'));
  if (!head?.startsWith('time_s,')) throw new Error('not a beats CSV: its first row is not time_s,beat_1,...');
  const names = head.split(',').slice(1);
  const cells = rows.map((r, i) => {
    const values = r.split(',').map(Number);
    if (values.length !== names.length + 1 || values.some((v) => !Number.isFinite(v))) throw new Error(`beats CSV row ${i + 1} is not ${names.length + 1} numbers`);
    return values;
  });
  return {
    comments, names,
    time: Float64Array.from(cells, (c) => c[0]!),
    beats: names.map((_, j) => Float32Array.from(cells, (c) => c[j + 1]!)),
  };
}

/** AAMI classes (the cards' ECG classes) to the MIT-BIH beat annotation that stands for each. */
const AAMI_TO_MIT: Record<string, string> = { N: 'N', S: 'A', V: 'V', F: 'F', Q: 'Q' };

/** ADC units per mV and the ADC value of 0 mV in the record. */
export const WFDB_GAIN = 200;

/**
 * The beats as one WFDB record `name` (beats one after another): `.hea`, `.dat` (format 212) and
 * `.atr` (a beat annotation at each R peak, of the class asked for), zipped. Values beyond the
 * 12-bit range (about ±10.2 mV) are held to it, and the header says how many were.
 */
export function beatsWfdb(beats: readonly Float32Array[], w: BeatWindow, p: Provenance, name = baseName(p)): Uint8Array {
  const symbol = AAMI_TO_MIT[p.class];
  if (!symbol) throw new Error(`no MIT-BIH beat annotation for class "${p.class}"`);
  const joined = new Float32Array(beats.reduce((n, b) => n + b.length, 0));
  beats.reduce((at, b) => (joined.set(b, at), at + b.length), 0);
  const raw = toAdu(joined, WFDB_GAIN, 0);
  const clipped = raw.filter((v) => v < -2048 || v > 2047).length;
  const adu = raw.map((v) => Math.min(2047, Math.max(-2048, v)));
  let at = 0;
  const annotations = beats.map((b) => {
    const peak = at + w.before;
    at += b.length;
    return { sample: peak, code: annotationCode(symbol) };
  });
  const header = [
    `${name} 1 ${w.sampleRateHz} ${adu.length}`,
    `${name}.dat 212 ${WFDB_GAIN}(0)/mV 12 0 ${adu[0] ?? 0} ${wfdbChecksum(adu)} 0 synthetic ECG (lead MLII in training)`,
    ...commentLines(p).map((l) => `# ${l}`),
    `# ${beats.length} beats of ${beats[0]?.length ?? 0} samples, each annotated at its R peak as ${symbol} (AAMI class ${p.class})`,
    ...(clipped ? [`# ${clipped} samples beyond ±${(2048 / WFDB_GAIN).toFixed(2)} mV were held to that range`] : []),
  ];
  return zipSync({
    [`${name}.hea`]: strToU8(`${header.join('\n')}\n`),
    [`${name}.dat`]: encodeFormat212(adu),
    [`${name}.atr`]: encodeMitAnnotations(annotations),
  }, { level: 6, mtime: new Date(1980, 0, 1) });
}

/**
 * The judge's figures as JSON, with the settings it ran with and the model's provenance: every
 * number it measured, the samples' pixels and beats left out.
 */
export function judgeJson(view: JudgeView, settings: JudgeSettings, site: string, created: Date, card: ModelCard | null): string {
  const figures = { ...view, task: undefined, progress: undefined, timing: undefined };
  return JSON.stringify({
    notice: 'Figures measured by the MedSynth Lab judge on SYNTHETIC samples, in the browser.',
    site,
    created: created.toISOString(),
    model: card ? { id: card.id, name: card.name, method: card.method, weightsSha256: card.weights.files.map((f) => f.sha256) } : null,
    settings,
    figures,
  }, (_, v: unknown) => (ArrayBuffer.isView(v) ? undefined : v), 2);
}
