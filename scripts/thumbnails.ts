/**
 * `npm run thumbnails [-- ID ...]`: the model picker's thumbnails, made by each shipped generator
 * itself: models/<id>/thumbnail.png, four samples in a 2x2 mosaic (one per class, cycling through
 * the classes, each from its own fixed seed), drawn the way the page draws them. Images are stored
 * at their own resolution (the picker enlarges them with crisp pixels); ECG beats are drawn on ECG
 * paper at twice the size the picker shows them.
 *
 * It runs the page's own code in Node, on tfjs's WebAssembly backend: the loader (which checks
 * every shard's SHA-256), the samplers with the card's defaults, the display scaling. Each PNG
 * records the weights it was made from (tEXt "Weights"); test/unit/app/thumbnails.test.ts fails
 * when a model's weights have changed since, naming this command.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { SIGNAL_THUMBNAIL_DENSITY, isGenerator, thumbnailWeights } from '../src/models/catalogue.js';
import { imageSize } from '../src/display/convert.js';
import { ecgAxes, voltRange, windowStartMs } from '../src/display/ecg-axes.js';
import { type DdpmModel, type LatentModel, sampleAr, sampleDiffusion, sampleLatentModel } from '../src/pipeline/pipeline.js';
import { clampSettings, defaultsOf, describeKnobs, limitsOf } from '../src/pipeline/settings.js';
import { parseCard } from '../src/models/card.js';
import { loadModel } from '../src/models/loader.js';
import { encodePng } from '../src/export/png.js';

const ROOT = resolve(import.meta.dirname, '..');
const MODELS = join(ROOT, 'models');
/** Tiles of the mosaic, and the seed of the first (tile k uses SEED + k). */
const TILES = 4;
export const THUMBNAIL_SEED = 2024;
/** One ECG tile, in PNG pixels (the picker shows it at 1 / SIGNAL_THUMBNAIL_DENSITY). */
const ECG_TILE = 64 * SIGNAL_THUMBNAIL_DENSITY;

async function fileFetch(url: string): Promise<Response> {
  const file = join(ROOT, url);
  if (!existsSync(file)) return new Response('not found', { status: 404, statusText: 'Not Found' });
  return new Response(readFileSync(file));
}

/** Samples of tile 0..3, display units, with the class each shows. */
async function makeTiles(id: string): Promise<{ tiles: Float32Array[]; classes: string[]; how: string }> {
  const model = await loadModel(`models/${id}/`, { fetch: fileFetch });
  try {
    const card = model.card;
    const tiles: Float32Array[] = [];
    const classes: string[] = [];
    let how = '';
    for (let k = 0; k < TILES; k++) {
      const classIndex = k % card.classes.length;
      const raw = { classIndex, count: 1, seed: THUMBNAIL_SEED + k };
      const { settings } = clampSettings(raw, limitsOf(card), defaultsOf(card));
      const out = model.kind === 'ddpm'
        ? await sampleDiffusion(model as DdpmModel, settings, { watch: 0 })
        : model.kind === 'ar' ? await sampleAr(model, settings) : await sampleLatentModel(model as LatentModel, settings);
      tiles.push(out.samples[0]!);
      classes.push(card.classes[classIndex]!);
      how = model.kind === 'ddpm'
        ? `${settings.sampler.toUpperCase()} ${settings.steps} steps, eta ${settings.eta}, guidance ${settings.guidance}`
        : model.kind === 'gan' ? `truncation ${settings.truncation || 'none'}`
          : model.kind === 'ar' ? describeKnobs('ar', settings) : `temperature ${settings.temperature}`;
    }
    return { tiles, classes, how };
  } finally {
    model.dispose();
  }
}

/** Images side by side, 2x2, a one-pixel transparent gap between them: grey + alpha, or RGBA. */
function imageMosaic(tiles: Float32Array[], shape: number[]): { width: number; height: number; channels: 2 | 4; data: Uint8Array } {
  const { width: w, height: h, channels: c } = imageSize(shape)!;
  const out = { width: 2 * w + 1, height: 2 * h + 1, channels: (c === 1 ? 2 : 4) as 2 | 4, data: new Uint8Array(0) };
  const bpp = out.channels;
  out.data = new Uint8Array(out.width * out.height * bpp);
  tiles.forEach((tile, k) => {
    const x0 = (k % 2) * (w + 1);
    const y0 = Math.floor(k / 2) * (h + 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const at = ((y0 + y) * out.width + x0 + x) * bpp;
        for (let ch = 0; ch < c; ch++) out.data[at + ch] = Math.round(tile[(y * w + x) * c + ch]!);
        out.data[at + bpp - 1] = 255;
      }
    }
  });
  return out;
}

/** The page's ECG paper (src/components/draw.ts). */
const PAPER = { background: [255, 247, 247], major: [217, 140, 140], trace: [17, 17, 17] } as const;

/** ECG beats on ECG paper, 2x2 tiles of ECG_TILE pixels with a gap, one voltage range for all. */
function ecgMosaic(tiles: Float32Array[], sampleRateHz: number, startMs: number): { width: number; height: number; channels: 4; data: Uint8Array } {
  const gap = SIGNAL_THUMBNAIL_DENSITY;
  const size = 2 * ECG_TILE + gap;
  const data = new Uint8Array(size * size * 4);
  const range = voltRange(tiles);
  tiles.forEach((beat, k) => {
    const x0 = (k % 2) * (ECG_TILE + gap);
    const y0 = Math.floor(k / 2) * (ECG_TILE + gap);
    const axes = ecgAxes(beat.length, sampleRateHz, startMs, range);
    const px = (ms: number) => ((ms - axes.startMs) / (axes.endMs - axes.startMs)) * (ECG_TILE - 1);
    const py = (mv: number) => ((axes.maxMv - Math.min(axes.maxMv, Math.max(axes.minMv, mv))) / (axes.maxMv - axes.minMv)) * (ECG_TILE - 1);
    // paper, its heavy lines (200 ms, 0.5 mV: the light ones would be a blur this small), then the trace
    const cover = new Float32Array(ECG_TILE * ECG_TILE);
    const layer = (colour: readonly number[], alpha: (x: number, y: number) => number) => {
      for (let y = 0; y < ECG_TILE; y++) {
        for (let x = 0; x < ECG_TILE; x++) {
          const a = alpha(x, y);
          if (a <= 0) continue;
          const at = ((y0 + y) * size + x0 + x) * 4;
          for (let ch = 0; ch < 3; ch++) data[at + ch] = Math.round(data[at + ch]! * (1 - a) + colour[ch]! * a);
          data[at + 3] = 255;
        }
      }
    };
    layer(PAPER.background, () => 1);
    const xs = new Set(axes.time.filter((l) => l.major).map((l) => Math.round(px(l.value))));
    const ys = new Set(axes.volt.filter((l) => l.major).map((l) => Math.round(py(l.value))));
    layer(PAPER.major, (x, y) => (xs.has(x) || ys.has(y) ? 1 : 0));
    // the trace: coverage of a line 1.25 px either side of the polyline, antialiased by distance
    const half = 1.25;
    const points = Array.from(beat, (v, i) => [px(axes.startMs + (i * 1000) / sampleRateHz), py(v)] as const);
    for (let i = 1; i < points.length; i++) {
      const [ax, ay] = points[i - 1]!;
      const [bx, by] = points[i]!;
      const dx = bx - ax;
      const dy = by - ay;
      const len2 = dx * dx + dy * dy || 1;
      for (let y = Math.max(0, Math.floor(Math.min(ay, by) - 2)); y <= Math.min(ECG_TILE - 1, Math.ceil(Math.max(ay, by) + 2)); y++) {
        for (let x = Math.max(0, Math.floor(Math.min(ax, bx) - 2)); x <= Math.min(ECG_TILE - 1, Math.ceil(Math.max(ax, bx) + 2)); x++) {
          const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
          const d = Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
          const c = Math.max(0, Math.min(1, half + 0.5 - d));
          if (c > cover[y * ECG_TILE + x]!) cover[y * ECG_TILE + x] = c;
        }
      }
    }
    layer(PAPER.trace, (x, y) => cover[y * ECG_TILE + x]!);
  });
  return { width: size, height: size, channels: 4, data };
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  if (!(await tf.setBackend('wasm'))) await tf.setBackend('cpu');
  await tf.ready();
  const ids = readdirSync(MODELS)
    .filter((id) => existsSync(join(MODELS, id, 'card.json')))
    .filter((id) => !wanted.length || wanted.includes(id))
    .sort();
  for (const id of ids) {
    const card = parseCard(JSON.parse(readFileSync(join(MODELS, id, 'card.json'), 'utf8')));
    if (!isGenerator(card)) continue;
    const started = performance.now();
    const { tiles, classes, how } = await makeTiles(id);
    const shape = card.architecture.inputShape;
    const picture = imageSize(shape)
      ? imageMosaic(tiles, shape)
      : ecgMosaic(tiles, card.signal?.sampleRateHz ?? 360, windowStartMs(card.signal?.window, card.signal?.sampleRateHz ?? 360));
    const png = encodePng({
      ...picture,
      text: {
        Title: `${card.name}: four samples`,
        Description: `Made by ${id} itself: ${classes.map((c, k) => `${c} (seed ${THUMBNAIL_SEED + k})`).join(', ')}; ${how}. By scripts/thumbnails.ts.`,
        Weights: thumbnailWeights(card),
      },
    });
    writeFileSync(join(MODELS, id, 'thumbnail.png'), png);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${id}: models/${id}/thumbnail.png, ${picture.width}x${picture.height}, ${png.length} bytes, ${seconds} s (${tf.getBackend()})`);
  }
}

await main();
