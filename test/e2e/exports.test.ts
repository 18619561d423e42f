/**
 * Exports in the built site: samples made on the page, downloaded, and read back with the
 * project's own readers: the PNG's pixels are the pixels on screen, the .npz holds every sample
 * as MedMNIST holds its images, the beats' CSV and WFDB record hold the beats drawn; each file
 * says it is synthetic and carries the link that makes the same samples again.
 *
 * On WASM, the quickest backend without a GPU.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { parseMitAnnotations } from '../../src/data/mit-annotations.js';
import { readNpz } from '../../src/data/npy.js';
import { parseWfdbHeader } from '../../src/data/wfdb-header.js';
import { SYNTHETIC_NOTICE, type Provenance, readBeatsCsv } from '../../src/export/exports.js';
import { decodePng } from '../../src/export/png.js';
import { siteAndBrowser, waitForState } from './page.js';

async function downloaded(page: Page, testid: string): Promise<{ name: string; bytes: Uint8Array }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  return { name: file.suggestedFilename(), bytes: new Uint8Array(readFileSync((await file.path())!)) };
}

describe('exports, from the page', () => {
  const site = siteAndBrowser();

  it('an X-ray run: the grid and one sample as PNG, the set as .npz, each labelled and read back', { timeout: 180_000 }, async () => {
    const page = await site.browser.newPage({ acceptDownloads: true });
    await page.goto(`${site.server.url}?backend=wasm&model=xray-ddpm&class=pneumonia&count=3&seed=7&steps=2&eta=0`);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    // what the page draws: the first synthetic cell's red channel, one canvas pixel per image pixel
    const shown = await page.getByTestId('sample-grid').locator('canvas').first().evaluate((c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      return Array.from({ length: data.length / 4 }, (_, i) => data[4 * i]!);
    });
    const link = await page.getByTestId('permalink').getAttribute('href');

    const grid = await downloaded(page, 'export-grid-png');
    expect(grid.name).toBe('medsynth-xray-ddpm-pneumonia-seed7.png');
    const png = decodePng(grid.bytes);
    expect([png.width, png.height, png.channels]).toEqual([3 * 29 - 1, 28, 1]);
    expect(Array.from({ length: 28 * 28 }, (_, p) => png.data[Math.floor(p / 28) * png.width + (p % 28)])).toEqual(shown);
    expect(png.text.Disclaimer).toBe(SYNTHETIC_NOTICE);
    const provenance = JSON.parse(png.text['MedSynth provenance']!) as Provenance;
    expect(provenance).toMatchObject({ synthetic: true, class: 'pneumonia', model: { id: 'xray-ddpm' }, settings: { seed: 7, steps: 2, count: 3 } });
    expect(provenance.link).toBe(link);
    expect(provenance.site).toMatch(/^MedSynth Lab \d+\.\d+\.\d+$/);

    const one = await downloaded(page, 'export-sample-png');
    expect(one.name).toBe('medsynth-xray-ddpm-pneumonia-seed7-1.png');
    expect(Array.from(decodePng(one.bytes).data)).toEqual(shown);

    const npz = readNpz((await downloaded(page, 'export-npz')).bytes);
    expect(npz.get('train_images')).toMatchObject({ dtype: 'uint8', shape: [3, 28, 28] });
    expect(Array.from((npz.get('train_images')!.data as Uint8Array).subarray(0, 28 * 28))).toEqual(shown);
    expect(Array.from(npz.get('train_labels')!.data as Uint8Array)).toEqual([1, 1, 1]);
    await page.close();
  });

  it('an ECG run: the beats as CSV and as a WFDB record with a beat annotation at each R peak', { timeout: 180_000 }, async () => {
    const page = await site.browser.newPage({ acceptDownloads: true });
    await page.goto(`${site.server.url}?backend=wasm&model=ecg-gan&class=V&count=2&seed=3`);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    const csv = readBeatsCsv(new TextDecoder().decode((await downloaded(page, 'export-csv')).bytes));
    expect(csv.names).toEqual(['beat_1_V', 'beat_2_V']);
    expect(csv.beats.map((b) => b.length)).toEqual([256, 256]);
    expect(csv.comments[0]).toBe(SYNTHETIC_NOTICE);
    const wfdb = await downloaded(page, 'export-wfdb');
    expect(wfdb.name).toBe('medsynth-ecg-gan-V-seed3-wfdb.zip');
    const files = unzipSync(wfdb.bytes);
    const record = 'medsynth-ecg-gan-V-seed3';
    const header = parseWfdbHeader(new TextDecoder().decode(files[`${record}.hea`]));
    expect(header).toMatchObject({ nSignals: 1, frequency: 360, nSamples: 512 });
    expect(parseMitAnnotations(files[`${record}.atr`]!).map((a) => [a.sample, a.symbol])).toEqual([[90, 'V'], [256 + 90, 'V']]);
    await page.close();
  });
});
