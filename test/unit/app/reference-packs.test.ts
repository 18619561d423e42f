import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PackIndex, ReferenceMissingError, decodePack, loadReferencePack, samplesOfClass } from '../../../src/app/reference-packs.js';
import { REPO, repoFetch } from './fixture-fetch.js';

const INDEX: PackIndex = {
  dataset: 'toy',
  kind: 'signal',
  sampleShape: [3],
  dtype: 'float32',
  classes: ['a', 'b'],
  splits: { heldout: { count: 3, x: 'heldout-x.f32', y: 'heldout-y.u8', classCounts: [2, 1] } },
};

describe('reference packs', () => {
  it('cuts the raw held-out arrays into samples and finds those of a class, in order', () => {
    const x = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9).buffer;
    const pack = { index: INDEX, ...decodePack(INDEX, x, Uint8Array.of(0, 1, 0).buffer) };
    expect(samplesOfClass(pack, 0, 5)).toEqual([Float32Array.of(1, 2, 3), Float32Array.of(7, 8, 9)]);
    expect(samplesOfClass(pack, 1, 5)).toEqual([Float32Array.of(4, 5, 6)]);
    expect(samplesOfClass(pack, 0, 1)).toHaveLength(1);
  });

  it('reads grey levels from uint8 images', () => {
    const index: PackIndex = { ...INDEX, kind: 'image', dtype: 'uint8', sampleShape: [1, 2, 1], splits: { heldout: { ...INDEX.splits.heldout, count: 1 } } };
    expect(decodePack(index, Uint8Array.of(0, 255).buffer, Uint8Array.of(1).buffer).samples).toEqual([Float32Array.of(0, 255)]);
  });

  it('refuses files whose size does not match the index', () => {
    expect(() => decodePack(INDEX, new ArrayBuffer(8), new ArrayBuffer(3))).toThrow(/hold 8 and 3 bytes, not 3 samples of 3/);
  });

  it('says to run the data step when a pack is missing', async () => {
    const error = await loadReferencePack('no-such-dataset', { fetch: repoFetch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReferenceMissingError);
    expect((error as Error).message).toBe('Real samples are not available: run `npm run data` to fetch no-such-dataset and rebuild the site.');
  });

  const prepared = existsSync(join(REPO, 'public/reference/pneumoniamnist/index.json'));
  it.skipIf(!prepared)('reads the prepared PneumoniaMNIST and MIT-BIH held-out packs', async () => {
    const xray = await loadReferencePack('pneumoniamnist', { fetch: repoFetch });
    expect(xray.samples[0]).toHaveLength(784);
    expect(samplesOfClass(xray, 1, 64)).toHaveLength(64);
    const ecg = await loadReferencePack('mitbih', { fetch: repoFetch });
    expect(ecg.samples[0]).toHaveLength(256);
    expect(Math.max(...ecg.samples[0]!)).toBeGreaterThan(0.3); // an R peak, in mV
  });
});
