/**
 * The model picker's thumbnails (models/<id>/thumbnail.png, made by scripts/thumbnails.ts): one for
 * every shipped generator, the size the model's samples make, real pictures (not blank, in colour
 * for RGB models), made from the weights that ship, and listed in the registry the page reads.
 * Also the small PNG codec they are written with.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng } from '../../../src/export/png.js';
import { type CatalogueEntry, SIGNAL_THUMBNAIL_DENSITY, isGenerator, thumbnailOf, thumbnailWeights } from '../../../src/models/catalogue.js';
import { type ModelCard, parseCard } from '../../../src/models/card.js';
import { SHIPPED_MODELS } from '../../../src/models/registry.js';
import { REPO } from '../app/fixture-fetch.js';

const MODELS = join(REPO, 'models');
const generators: ModelCard[] = readdirSync(MODELS)
  .filter((id) => existsSync(join(MODELS, id, 'card.json')))
  .map((id) => parseCard(JSON.parse(readFileSync(join(MODELS, id, 'card.json'), 'utf8'))))
  .filter(isGenerator);

/** The four tiles of a 2x2 mosaic with a `gap` between them, each as [pixel][channel] without alpha. */
function tiles(png: ReturnType<typeof decodePng>, tile: number, gap: number, colours: number): number[][][] {
  return [0, 1, 2, 3].map((k) => {
    const x0 = (k % 2) * (tile + gap);
    const y0 = Math.floor(k / 2) * (tile + gap);
    const pixels: number[][] = [];
    for (let y = 0; y < tile; y++) {
      for (let x = 0; x < tile; x++) {
        const at = ((y0 + y) * png.width + x0 + x) * png.channels;
        pixels.push(Array.from(png.data.subarray(at, at + colours)));
      }
    }
    return pixels;
  });
}

const spread = (values: number[]) => Math.max(...values) - Math.min(...values);

describe('the model thumbnails', () => {
  it('cover every shipped generator', () => {
    expect(generators.length).toBeGreaterThan(0);
    const missing = generators.filter((card) => !existsSync(join(MODELS, card.id, 'thumbnail.png'))).map((c) => c.id);
    expect(missing, `no thumbnail: run \`npm run thumbnails -- ${missing.join(' ')}\``).toEqual([]);
  });

  for (const card of generators) {
    const file = join(MODELS, card.id, 'thumbnail.png');
    it.skipIf(!existsSync(file))(`${card.id}: four samples of the model's size, not blank, from the weights that ship`, () => {
      const png = decodePng(readFileSync(file));
      expect(png.text.Weights, `${card.id}'s weights changed since its thumbnail was made: run \`npm run thumbnails -- ${card.id}\``)
        .toBe(thumbnailWeights(card));
      const [height, width, channels] = card.architecture.inputShape as [number, number, number];
      if (card.architecture.dims === 2) {
        // the samples at their own resolution, a one-pixel transparent gap between them
        expect([png.width, png.height, png.channels]).toEqual([2 * width + 1, 2 * height + 1, channels === 1 ? 2 : 4]);
        const parts = tiles(png, width, 1, channels);
        for (const [k, pixels] of parts.entries()) {
          const grey = pixels.map((p) => p[0]!);
          expect(spread(grey), `${card.id} tile ${k} is blank`).toBeGreaterThan(16);
          if (channels === 3) {
            // colour, not grey in RGB: red, green and blue differ clearly somewhere
            const chroma = Math.max(...pixels.map((p) => Math.max(...p) - Math.min(...p)));
            expect(chroma, `${card.id} tile ${k} has no colour`).toBeGreaterThan(24);
          }
        }
        const alpha = png.data[(width * png.channels) + png.channels - 1]; // the gap, top row
        expect(alpha).toBe(0);
        expect(parts[0]).not.toEqual(parts[1]);
      } else {
        // ECG paper with a dark trace in each tile
        const tile = 64 * SIGNAL_THUMBNAIL_DENSITY;
        expect([png.width, png.height, png.channels]).toEqual([2 * tile + SIGNAL_THUMBNAIL_DENSITY, 2 * tile + SIGNAL_THUMBNAIL_DENSITY, 4]);
        for (const [k, pixels] of tiles(png, tile, SIGNAL_THUMBNAIL_DENSITY, 3).entries()) {
          const trace = pixels.filter((p) => Math.max(...p) < 80).length;
          expect(trace, `${card.id} tile ${k} has no trace`).toBeGreaterThan(tile);
        }
      }
      expect(png.text.Description).toContain(`Made by ${card.id} itself`);
    });
  }

  it('are listed in the registry the page reads, at a crisp size', () => {
    for (const card of generators) {
      const entry = SHIPPED_MODELS.find((m) => m.id === card.id) as CatalogueEntry | undefined;
      const file = join(MODELS, card.id, 'thumbnail.png');
      if (!existsSync(file)) {
        expect(entry?.thumbnail).toBeUndefined();
        continue;
      }
      const png = decodePng(readFileSync(file));
      expect(entry?.thumbnail).toEqual(thumbnailOf(card, `models/${card.id}/thumbnail.png`, png));
      const t = entry!.thumbnail!;
      if (card.architecture.dims === 2) expect(Number.isInteger(t.width / png.width)).toBe(true);
      expect(t.width).toBeGreaterThanOrEqual(100);
      expect(t.width).toBeLessThanOrEqual(132);
    }
  });
});

describe('the PNG codec', () => {
  it('reads back what it writes, for grey, grey + alpha, RGB and RGBA, with text', () => {
    for (const channels of [1, 2, 3, 4] as const) {
      const width = 7;
      const height = 5;
      const data = Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 37 + (i % 5) * 11) & 0xff);
      const back = decodePng(encodePng({ width, height, channels, data, text: { Weights: 'abc', Title: 'x y' } }));
      expect(back).toEqual({ width, height, channels, data, text: { Weights: 'abc', Title: 'x y' } });
    }
  });

  it('refuses a damaged file', () => {
    const png = encodePng({ width: 2, height: 2, channels: 1, data: Uint8Array.of(0, 64, 128, 255) });
    const damaged = Uint8Array.from(png);
    damaged[damaged.length - 20]! ^= 0xff;
    expect(() => decodePng(damaged)).toThrow(/CRC/);
    expect(() => decodePng(png.subarray(4))).toThrow(/not a PNG/);
  });
});
