/**
 * The reference packs: cutting the raw arrays into samples, the messages when a pack is missing,
 * and the one cache the page and the judge read through.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PackIndex, ReferenceMissingError, decodeSplit, loadJudgeReference, loadReferencePack, samplesOfClass, subset } from '../../../src/data/reference-packs.js';
import { REPO, repoFetch } from '../app/fixture-fetch.js';

const INDEX: PackIndex = {
  dataset: 'toy',
  kind: 'signal',
  sampleShape: [3],
  dtype: 'float32',
  classes: ['a', 'b'],
  splits: {
    heldout: { count: 3, x: 'heldout-x.f32', y: 'heldout-y.u8', classCounts: [2, 1] },
    train: { count: 2, x: 'train-x.f32', y: 'train-y.u8', classCounts: [1, 1] },
  },
};

const FILES: Record<string, ArrayBuffer> = {
  'index.json': new TextEncoder().encode(JSON.stringify(INDEX)).buffer,
  'heldout-x.f32': Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9).buffer,
  'heldout-y.u8': Uint8Array.of(0, 1, 0).buffer,
  'train-x.f32': Float32Array.of(10, 11, 12, 13, 14, 15).buffer,
  'train-y.u8': Uint8Array.of(1, 0).buffer,
};

/** A site holding the toy pack (less the files named in `missing`), that counts what it was asked for. */
function toySite(missing: string[] = []) {
  const asked: string[] = [];
  const fetch = async (url: string) => {
    asked.push(url);
    const name = url.replace('reference/toy/', '');
    const body = missing.includes(name) ? undefined : FILES[name];
    return body ? new Response(body) : new Response('not found', { status: 404, statusText: 'Not Found' });
  };
  return { fetch, asked };
}

describe('reference packs', () => {
  it('cuts the raw held-out arrays into samples and finds those of a class', () => {
    const pack = { index: INDEX, ...decodeSplit(INDEX, INDEX.splits.heldout, FILES['heldout-x.f32']!, FILES['heldout-y.u8']!) };
    const sorted = (samples: Float32Array[]) => samples.map((x) => [...x]).sort((a, b) => a[0]! - b[0]!);
    expect(sorted(samplesOfClass(pack, 0, 5, 1))).toEqual([[1, 2, 3], [7, 8, 9]]);
    expect(samplesOfClass(pack, 1, 5, 1)).toEqual([Float32Array.of(4, 5, 6)]);
    expect(samplesOfClass(pack, 0, 1, 1)).toHaveLength(1);
    expect(subset(pack, [2, 1])).toEqual({ samples: [Float32Array.of(7, 8, 9), Float32Array.of(4, 5, 6)], labels: Uint8Array.of(0, 1) });
  });

  it('draws the real samples of a class at random from all of them, the same for the same seed', () => {
    // 40 one-value samples: sample i holds i, and the even ones are of class 0
    const pack = {
      index: { ...INDEX, sampleShape: [1] },
      samples: Array.from({ length: 40 }, (_, i) => Float32Array.of(i)),
      labels: Uint8Array.from({ length: 40 }, (_, i) => i % 2),
    };
    const drawn = (seed: number, count = 4) => samplesOfClass(pack, 0, count, seed).map((x) => x[0]!);
    expect(drawn(7)).toEqual(drawn(7));
    expect(drawn(7, 8).slice(0, 4)).toEqual(drawn(7));
    expect(new Set(drawn(7, 20)).size).toBe(20);
    for (const seed of [1, 2, 3]) expect(drawn(seed).every((v) => v % 2 === 0)).toBe(true);
    // not the class's first four: other seeds, other samples, from the whole class
    expect(drawn(1)).not.toEqual([0, 2, 4, 6]);
    expect(drawn(1)).not.toEqual(drawn(2));
    const seen = new Set(Array.from({ length: 20 }, (_, seed) => drawn(seed)).flat());
    expect(Math.max(...seen)).toBeGreaterThan(30);
    expect(seen.size).toBeGreaterThan(15);
  });

  it('reads grey levels from uint8 images', () => {
    const index: PackIndex = { ...INDEX, kind: 'image', dtype: 'uint8', sampleShape: [1, 2, 1], splits: { heldout: { ...INDEX.splits.heldout, count: 1 } } };
    expect(decodeSplit(index, index.splits.heldout, Uint8Array.of(0, 255).buffer, Uint8Array.of(1).buffer).samples).toEqual([Float32Array.of(0, 255)]);
  });

  it('refuses files whose size does not match the index', () => {
    expect(() => decodeSplit(INDEX, INDEX.splits.heldout, new ArrayBuffer(8), new ArrayBuffer(3))).toThrow(/hold 8 and 3 bytes, not 3 samples of 3/);
  });

  it('says to run the data step when a pack is missing', async () => {
    const error = await loadReferencePack('no-such-dataset', { fetch: repoFetch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReferenceMissingError);
    expect((error as Error).message).toBe('Real samples are not available: run `npm run data` to fetch no-such-dataset and rebuild the site.');
    const judged = await loadJudgeReference('no-such-dataset', { fetch: repoFetch }).catch((e: unknown) => e);
    expect((judged as Error).message).toBe('Real samples are not available: run `npm run data` to fetch no-such-dataset and rebuild the site.');
  });

  it('tells the judge which split is missing, and the page that its samples are', async () => {
    const site = toySite(['train-x.f32']);
    await expect(loadJudgeReference('toy', { fetch: site.fetch })).rejects.toThrow('Real training samples are not available: run `npm run data` to fetch toy and rebuild the site.');
    const noHeldout = toySite(['heldout-y.u8']);
    await expect(loadReferencePack('toy', { fetch: noHeldout.fetch })).rejects.toThrow('Real samples are not available');
    await expect(loadJudgeReference('toy', { fetch: noHeldout.fetch })).rejects.toThrow('Real held-out samples are not available');
  });

  it('fetches and decodes a pack once for the page and the judge, and shares its held-out samples', async () => {
    const site = toySite();
    const page = await loadReferencePack('toy', { fetch: site.fetch });
    const judge = await loadJudgeReference('toy', { fetch: site.fetch });
    const again = await loadReferencePack('toy', { fetch: site.fetch });
    expect(judge.heldout.samples).toBe(page.samples);
    expect(again.samples).toBe(page.samples);
    expect(judge.train).toEqual({ samples: [Float32Array.of(10, 11, 12), Float32Array.of(13, 14, 15)], labels: Uint8Array.of(1, 0) });
    expect([...site.asked].sort()).toEqual(Object.keys(FILES).map((name) => `reference/toy/${name}`).sort());
    // another root is another pack
    await loadReferencePack('toy', { fetch: site.fetch, root: 'elsewhere/' }).catch(() => null);
    expect(site.asked.at(-1)).toBe('elsewhere/toy/index.json');
  });

  it('forgets a read that failed, so the next one tries again', async () => {
    let broken = true;
    const site = toySite();
    const flaky = (url: string) => (broken ? Promise.resolve(new Response('busy', { status: 503, statusText: 'Service Unavailable' })) : site.fetch(url));
    await expect(loadReferencePack('toy', { fetch: flaky })).rejects.toThrow('reference/toy/index.json answered 503 Service Unavailable');
    broken = false;
    expect((await loadReferencePack('toy', { fetch: flaky })).samples).toHaveLength(3);
  });

  it('a pack without a training split gives the judge none', async () => {
    const site = toySite();
    const { train: _, ...heldoutOnly } = INDEX.splits;
    const fetch = (url: string) => (url.endsWith('index.json') ? Promise.resolve(new Response(JSON.stringify({ ...INDEX, splits: heldoutOnly }))) : site.fetch(url));
    const reference = await loadJudgeReference('toy', { fetch });
    expect(reference.train).toBeNull();
    expect(reference.heldout.samples).toHaveLength(3);
  });

  const prepared = existsSync(join(REPO, 'public/reference/pneumoniamnist/index.json'));
  it.skipIf(!prepared)('reads the prepared PneumoniaMNIST and MIT-BIH held-out packs', async () => {
    const xray = await loadReferencePack('pneumoniamnist', { fetch: repoFetch });
    expect(xray.samples[0]).toHaveLength(784);
    expect(samplesOfClass(xray, 1, 64, 0)).toHaveLength(64);
    const ecg = await loadReferencePack('mitbih', { fetch: repoFetch });
    expect(ecg.samples[0]).toHaveLength(256);
    expect(Math.max(...ecg.samples[0]!)).toBeGreaterThan(0.3); // an R peak, in mV
  });
});
