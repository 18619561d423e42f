/**
 * Real samples to set beside synthetic ones: the reference packs that `npm run data` writes to
 * public/reference/<dataset>/ (index.json plus raw little-endian arrays). The page shows the
 * held-out split (small, and what the models never saw); the judge reads the training split too.
 * Both read through the one cache below, so a pack is fetched and decoded once per page.
 */
import { siteUrl } from '../util/site-base.js';
import { Rng } from '../util/random.js';

export interface PackSplit {
  count: number;
  x: string;
  y: string;
  /** Each sample's patient (for MIT-BIH, its record number), little-endian uint16, where the data has patients. */
  record?: string;
  classCounts: number[];
  /** How the split was chosen from the dataset's own, where it is a subset. */
  selection?: string;
}

export interface PackIndex {
  dataset: string;
  kind: 'image' | 'signal';
  /** [28, 28, 1] or [256]. */
  sampleShape: number[];
  dtype: 'uint8' | 'float32';
  classes: string[];
  sampleRateHz?: number;
  window?: { before: number; after: number };
  provenance?: { source?: string; licence?: string; citation?: string };
  /** How the data were prepared, step by step ("split by patient: ..."). */
  processing?: string[];
  splits: { heldout: PackSplit; train?: PackSplit };
}

export type SplitName = keyof PackIndex['splits'];

export interface LabelledSamples {
  /** One array per sample in display units: grey levels 0..255 channels-last, or mV. */
  samples: Float32Array[];
  labels: Uint8Array;
  /** Each sample's patient, where the pack has them (MIT-BIH's record numbers). */
  patients?: Uint16Array;
}

/** The held-out split, for the page. */
export interface ReferencePack extends LabelledSamples {
  index: PackIndex;
}

/** Both splits, for the judge. */
export interface JudgeReference {
  index: PackIndex;
  heldout: LabelledSamples;
  /** Null when the pack has no training split. */
  train: LabelledSamples | null;
}

/** The pack is not on this site: the data step has not run where it was built. */
export class ReferenceMissingError extends Error {
  constructor(
    readonly dataset: string,
    what = 'Real samples',
  ) {
    super(`${what} are not available: run \`npm run data\` to fetch ${dataset} and rebuild the site.`);
    this.name = 'ReferenceMissingError';
  }
}

type Get = (url: string, init?: RequestInit) => Promise<Response>;

export interface PackOptions {
  /** The folder of all packs, relative to the page ('reference/'). */
  root?: string;
  fetch?: Get;
}

/** The held-out split, for the page. */
export async function loadReferencePack(dataset: string, options: PackOptions = {}): Promise<ReferencePack> {
  const index = await readIndex(dataset, options);
  return { index, ...(await readHeldout(dataset, options)) };
}

/** Both splits, for the judge; a split whose files are missing is named in the message. */
export async function loadJudgeReference(dataset: string, options: PackOptions = {}): Promise<JudgeReference> {
  const index = await readIndex(dataset, options);
  return {
    index,
    heldout: await readHeldout(dataset, options).catch(renamed('Real held-out samples')),
    train: await readSplit(dataset, 'train', options).catch(renamed('Real training samples')),
  };
}

/**
 * What has been read, per fetch function, then per root, dataset and file or split: the page and
 * the judge share one read of a pack (the held-out split is the same for both), and a stand-in
 * fetch (a test's) never sees another's packs. A read that fails is forgotten, so the next call
 * tries again. A read is shared, so it takes no caller's abort signal: a caller that gives up stops
 * waiting on its own (the judge races its signal against the read).
 */
const reads = new WeakMap<Get, Map<string, Promise<unknown>>>();
const pageFetch: Get = (url, init) => fetch(siteUrl(url), init);

function once<T>(dataset: string, what: string, options: PackOptions, read: () => Promise<T>): Promise<T> {
  const get = options.fetch ?? pageFetch;
  const known = reads.get(get) ?? new Map<string, Promise<unknown>>();
  reads.set(get, known);
  const key = `${options.root ?? 'reference/'}${dataset}/${what}`;
  const cached = known.get(key) as Promise<T> | undefined;
  if (cached) return cached;
  const reading = read();
  known.set(key, reading);
  reading.catch(() => {
    if (known.get(key) === reading) known.delete(key);
  });
  return reading;
}

/** A file of the pack; a missing one is a ReferenceMissingError (the data step has not run). */
async function readFile(dataset: string, name: string, options: PackOptions): Promise<Response> {
  const url = `${options.root ?? 'reference/'}${dataset}/${name}`;
  const response = await (options.fetch ?? pageFetch)(url);
  if (response.status === 404) throw new ReferenceMissingError(dataset);
  if (!response.ok) throw new Error(`${url} answered ${response.status} ${response.statusText}`);
  return response;
}

function readIndex(dataset: string, options: PackOptions): Promise<PackIndex> {
  return once(dataset, 'index.json', options, async () => (await readFile(dataset, 'index.json', options)).json() as Promise<PackIndex>);
}

/** One split, decoded; null when the pack has none of that name. */
function readSplit(dataset: string, name: SplitName, options: PackOptions): Promise<LabelledSamples | null> {
  return once(dataset, name, options, async () => {
    const index = await readIndex(dataset, options);
    const split = index.splits[name];
    if (!split) return null;
    const files = split.record ? [split.x, split.y, split.record] : [split.x, split.y];
    const [x, y, record] = await Promise.all(files.map(async (file) => (await readFile(dataset, file, options)).arrayBuffer()));
    return decodeSplit(index, split, x!, y!, record);
  });
}

/** Every pack has a held-out split. */
const readHeldout = (dataset: string, options: PackOptions) => readSplit(dataset, 'heldout', options) as Promise<LabelledSamples>;

/** A missing split says which samples are missing; other errors pass as they are. */
const renamed = (what: string) => (error: unknown): never => {
  throw error instanceof ReferenceMissingError ? new ReferenceMissingError(error.dataset, what) : error;
};

/** Raw arrays of one split to one display-unit array per sample; refuses files whose size does not match the index. */
export function decodeSplit(index: PackIndex, split: PackSplit, x: ArrayBuffer, y: ArrayBuffer, record?: ArrayBuffer): LabelledSamples {
  const size = index.sampleShape.reduce((a, b) => a * b, 1);
  const bytesPer = index.dtype === 'float32' ? 4 : 1;
  if (x.byteLength !== split.count * size * bytesPer || y.byteLength !== split.count) {
    throw new Error(`${index.dataset}: ${split.x} and ${split.y} hold ${x.byteLength} and ${y.byteLength} bytes, not ${split.count} samples of ${size}`);
  }
  const values = index.dtype === 'float32' ? new Float32Array(x) : new Uint8Array(x);
  const samples = Array.from({ length: split.count }, (_, i) => Float32Array.from(values.subarray(i * size, (i + 1) * size)));
  if (!record) return { samples, labels: new Uint8Array(y) };
  if (record.byteLength !== split.count * 2) throw new Error(`${index.dataset}: ${split.record} holds ${record.byteLength} bytes, not ${split.count} patients of 2`);
  const view = new DataView(record);
  return { samples, labels: new Uint8Array(y), patients: Uint16Array.from({ length: split.count }, (_, i) => view.getUint16(2 * i, true)) };
}

/**
 * `count` held-out samples of class `classIndex` (all of them, when it has fewer), drawn at random
 * from the whole class by `seed`: the same seed gives the same samples, and a larger count keeps
 * a smaller one's first. Not the pack's first few: those are often crops of one cell or beats of
 * one record.
 */
export function samplesOfClass(pack: ReferencePack, classIndex: number, count: number, seed: number): Float32Array[] {
  const ofClass: Float32Array[] = [];
  for (let i = 0; i < pack.samples.length; i++) if (pack.labels[i] === classIndex) ofClass.push(pack.samples[i]!);
  return new Rng(seed).choose(ofClass.length, Math.min(count, ofClass.length)).map((i) => ofClass[i]!);
}

/** The samples of `set` at `indices`. */
export function subset(set: LabelledSamples, indices: readonly number[]): LabelledSamples {
  const picked = { samples: indices.map((i) => set.samples[i]!), labels: Uint8Array.from(indices, (i) => set.labels[i]!) };
  return set.patients ? { ...picked, patients: Uint16Array.from(indices, (i) => set.patients![i]!) } : picked;
}
