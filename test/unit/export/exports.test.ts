/**
 * Every export reads back with the project's own readers: PNG pixels and text chunks, the .npz's
 * MedMNIST arrays, the CSV's beats, and the WFDB record's header, signal and annotations; the
 * exporters still write the golden files the Python tests read (test/fixtures/make-export-fixtures.ts).
 */
import { readFileSync } from 'node:fs';
import { unzipSync, zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeFormat212, physical } from '../../../src/data/format212.js';
import { parseMitAnnotations } from '../../../src/data/mit-annotations.js';
import { readNpz } from '../../../src/data/npy.js';
import { parseWfdbHeader } from '../../../src/data/wfdb-header.js';
import { type Provenance, SYNTHETIC_NOTICE, judgeJson, readBeatsCsv } from '../../../src/export/exports.js';
import { crc32, decodePng, encodePng } from '../../../src/export/png.js';
import { EMPTY_JUDGE_VIEW, DEFAULT_JUDGE_SETTINGS } from '../../../src/judge/view.js';
import { EXPORTS_DIR, exportFixtures } from '../../fixtures/make-export-fixtures.js';

const { files, expected } = exportFixtures() as {
  files: Record<string, Uint8Array>;
  expected: {
    provenance: Record<'grey' | 'rgb' | 'ecg', Provenance>; grey: number[][]; rgb: number[][]; gridColumns: number;
    beats: number[][]; window: { sampleRateHz: number; before: number }; wfdb: { record: string; gain: number; symbol: string; peaks: number[] };
  };
};

describe('the exporters', () => {
  it('still write the golden files, byte for byte (regenerate with make-export-fixtures.ts)', () => {
    for (const [name, bytes] of Object.entries(files)) expect(readFileSync(`${EXPORTS_DIR}/${name}`).equals(bytes), name).toBe(true);
    expect(JSON.parse(readFileSync(`${EXPORTS_DIR}/expected.json`, 'utf8'))).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('PNG: the grid and a sample read back pixel for pixel, labelled synthetic, with the whole provenance', () => {
    const grid = decodePng(files['grid-grey.png']!);
    expect([grid.width, grid.height, grid.channels]).toEqual([2 * 29 - 1, 2 * 29 - 1, 1]);
    // sample i at column i % 2, row floor(i / 2), a black line between
    expected.grey.forEach((levels, i) => {
      const x0 = (i % 2) * 29;
      const y0 = Math.floor(i / 2) * 29;
      const cell = Array.from({ length: 28 * 28 }, (_, p) => grid.data[(y0 + Math.floor(p / 28)) * grid.width + x0 + (p % 28)]);
      expect(cell).toEqual(levels);
    });
    expect(grid.data[28]).toBe(0);
    expect(grid.text.Disclaimer).toBe(SYNTHETIC_NOTICE);
    expect(JSON.parse(grid.text['MedSynth provenance']!)).toEqual(expected.provenance.grey);
    expect(grid.text.Source).toContain(expected.provenance.grey.model.weightsSha256[0]);
    const one = decodePng(files['sample-rgb.png']!);
    expect([one.width, one.height, one.channels]).toEqual([8, 8, 3]);
    expect(Array.from(one.data)).toEqual(expected.rgb[1]);
    expect(one.text.Title).toBe('Synthetic DR grade 2 sample 2');
  });

  it('PNG: text beyond Latin-1 goes in iTXt; every row filter is undone; a damaged file is refused, saying why', () => {
    const png = encodePng({ width: 2, height: 1, channels: 1, data: Uint8Array.of(5, 250), text: { Comment: 'ε̂ and ᾱ' } });
    expect(decodePng(png).text.Comment).toBe('ε̂ and ᾱ');
    // rows filtered Sub, Up, Average and Paeth by hand, as other encoders write them
    const pixels = Uint8Array.of(10, 20, 30, 40, 15, 25, 35, 45, 200, 100, 50, 0, 1, 2, 3, 4);
    const filtered = [
      [1, 10, 10, 10, 10], [2, 5, 5, 5, 5], [3, 200 - 7, (100 - Math.floor((200 + 25) / 2)) & 255, (50 - Math.floor((100 + 35) / 2)) & 255, (0 - Math.floor((50 + 45) / 2)) & 255],
      [4, (1 - 200) & 255, 2 - 1, 3 - 2, 4 - 0],   // Paeth picks left, left, left, then up
    ].flat();
    const bytes = encodePng({ width: 4, height: 4, channels: 1, data: pixels });
    // swap the IDAT for the hand-filtered rows
    const idat = zlibSync(Uint8Array.from(filtered));
    const ihdrEnd = 8 + 12 + 13;
    const chunk = new Uint8Array(12 + idat.length);
    new DataView(chunk.buffer).setUint32(0, idat.length);
    chunk.set([73, 68, 65, 84], 4);
    chunk.set(idat, 8);
    new DataView(chunk.buffer).setUint32(8 + idat.length, crc32(chunk.subarray(4, 8 + idat.length)));
    const iend = bytes.subarray(bytes.length - 12);
    const handmade = new Uint8Array([...bytes.subarray(0, ihdrEnd), ...chunk, ...iend]);
    expect(Array.from(decodePng(handmade).data)).toEqual(Array.from(pixels));
    const damaged = Uint8Array.from(files['sample-rgb.png']!);
    damaged[40] = damaged[40]! ^ 0xff;
    expect(() => decodePng(damaged)).toThrow(/fails its CRC: the file is damaged/);
    expect(() => decodePng(Uint8Array.of(1, 2, 3))).toThrow(/not a PNG file/);
    expect(() => decodePng(files['sample-rgb.png']!.subarray(0, 60))).toThrow(/truncated/);
  });

  it('.npz: MedMNIST\'s names, dtypes and shapes, the samples and their class, and the provenance', () => {
    const grey = readNpz(files['samples-grey.npz']!);
    expect([...grey.keys()].sort()).toEqual(['synthetic_provenance', 'test_images', 'test_labels', 'train_images', 'train_labels', 'val_images', 'val_labels']);
    expect(grey.get('train_images')).toMatchObject({ dtype: 'uint8', shape: [3, 28, 28] });
    expect(Array.from(grey.get('train_images')!.data as Uint8Array)).toEqual(expected.grey.flat());
    expect(grey.get('train_labels')).toMatchObject({ dtype: 'uint8', shape: [3, 1] });
    expect(Array.from(grey.get('train_labels')!.data as Uint8Array)).toEqual([1, 1, 1]);
    expect(grey.get('val_images')!.shape).toEqual([0, 28, 28]);
    expect(grey.get('test_labels')!.shape).toEqual([0, 1]);
    expect(JSON.parse(new TextDecoder().decode(grey.get('synthetic_provenance')!.data as Uint8Array))).toEqual(expected.provenance.grey);
    const rgb = readNpz(files['samples-rgb.npz']!);
    expect(rgb.get('train_images')).toMatchObject({ dtype: 'uint8', shape: [2, 8, 8, 3] });
    expect(Array.from(rgb.get('train_images')!.data as Uint8Array)).toEqual(expected.rgb.flat());
    expect(Array.from(rgb.get('train_labels')!.data as Uint8Array)).toEqual([2, 2]);
  });

  it('CSV: every beat exactly (float32), time from the R peak, the provenance in # lines', () => {
    const csv = readBeatsCsv(new TextDecoder().decode(files['beats.csv']!));
    expect(csv.names).toEqual(['beat_1_V', 'beat_2_V']);
    expect(csv.beats.map((b) => Array.from(b))).toEqual(expected.beats);
    expect(csv.time[90]).toBe(0);
    expect(csv.time[0]).toBeCloseTo(-90 / 360, 15);
    expect(csv.comments[0]).toBe(SYNTHETIC_NOTICE);
    expect(JSON.parse(csv.comments.find((c) => c.startsWith('provenance '))!.slice('provenance '.length))).toEqual(expected.provenance.ecg);
    expect(() => readBeatsCsv('a,b\n1,2\n')).toThrow(/not a beats CSV/);
  });

  it('WFDB: the header, the format 212 signal (to a 200th of a mV) and a beat annotation at each R peak read back', () => {
    const zip = unzipSync(files['beats-wfdb.zip']!);
    const { record, gain, symbol, peaks } = expected.wfdb;
    expect(Object.keys(zip).sort()).toEqual([`${record}.atr`, `${record}.dat`, `${record}.hea`]);
    const header = parseWfdbHeader(new TextDecoder().decode(zip[`${record}.hea`]));
    expect(header).toMatchObject({ recordName: record, nSignals: 1, frequency: 360, nSamples: 512 });
    const signal = header.signals[0]!;
    expect(signal).toMatchObject({ format: 212, gain, baseline: 0, units: 'mV' });
    expect(header.comments[0]).toBe(SYNTHETIC_NOTICE);
    const [adu] = decodeFormat212(zip[`${record}.dat`]!, 1, header.nSamples!);
    expect(adu![0]).toBe(signal.initialValue);
    expect(adu!.reduce((s, v) => (s + v) & 0xffff, 0) << 16 >> 16).toBe(signal.checksum);
    const mv = physical(adu!, signal.gain, signal.baseline);
    const flat = expected.beats.flat();
    expect(Math.max(...flat.map((v, i) => Math.abs(v - mv[i]!)))).toBeLessThanOrEqual(0.5 / gain + 1e-7);
    const annotations = parseMitAnnotations(zip[`${record}.atr`]!);
    expect(annotations.map((a) => [a.sample, a.symbol])).toEqual(peaks.map((p) => [p, symbol]));
  });

  it('the judge\'s figures as JSON: settings, model and figures, without sample data', () => {
    const view = { ...EMPTY_JUDGE_VIEW, surround: { check: null as never, classes: ['a'], shape: [2, 2, 1], samples: [new Float32Array(4)] } };
    const parsed = JSON.parse(judgeJson(view, DEFAULT_JUDGE_SETTINGS, 'MedSynth Lab', new Date(0), null)) as Record<string, unknown> & { figures: { surround: { samples: unknown[] } } };
    expect(parsed.settings).toEqual(DEFAULT_JUDGE_SETTINGS);
    expect(parsed.created).toBe('1970-01-01T00:00:00.000Z');
    expect(parsed.figures.surround.samples).toEqual([null]);
    expect(parsed.notice).toMatch(/SYNTHETIC/);
  });
});
