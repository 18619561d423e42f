/**
 * Real samples to set beside synthetic ones: the reference packs that `npm run data` writes to
 * public/reference/<dataset>/ (index.json plus raw little-endian arrays). The page reads the
 * held-out split (small, and what the models never saw); the judge (src/judge/reference.ts) reads
 * the training split too, through the same reader.
 */

export interface PackSplit {
  count: number;
  x: string;
  y: string;
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
  splits: { heldout: PackSplit; train?: PackSplit };
}

export interface LabelledSamples {
  /** One array per sample in display units: grey levels 0..255 channels-last, or mV. */
  samples: Float32Array[];
  labels: Uint8Array;
}

export interface ReferencePack extends LabelledSamples {
  index: PackIndex;
}

/** The pack is not on this site: the data step has not run where it was built. */
export class ReferenceMissingError extends Error {
  constructor(dataset: string, what = 'Real samples') {
    super(`${what} are not available: run \`npm run data\` to fetch ${dataset} and rebuild the site.`);
    this.name = 'ReferenceMissingError';
  }
}

type Get = (url: string, init?: RequestInit) => Promise<Response>;

export interface PackOptions {
  /** The folder of all packs, relative to the page ('reference/'). */
  root?: string;
  signal?: AbortSignal;
  fetch?: Get;
}

/** A reader of one dataset's pack: its index, then any of its splits. */
export async function openPack(dataset: string, options: PackOptions = {}) {
  const root = options.root ?? 'reference/';
  const get: Get = options.fetch ?? ((url, init) => fetch(url, init));
  const read = async (name: string, what?: string) => {
    const response = await get(`${root}${dataset}/${name}`, { signal: options.signal });
    if (response.status === 404) throw new ReferenceMissingError(dataset, what);
    if (!response.ok) throw new Error(`${root}${dataset}/${name} answered ${response.status} ${response.statusText}`);
    return response;
  };
  const index = (await (await read('index.json')).json()) as PackIndex;
  return {
    index,
    /** `what` names the split in the message when its files are missing. */
    async split(split: PackSplit, what?: string): Promise<LabelledSamples> {
      const [x, y] = await Promise.all([read(split.x, what).then((r) => r.arrayBuffer()), read(split.y, what).then((r) => r.arrayBuffer())]);
      return decodeSplit(index, split, x, y);
    },
  };
}

/** The held-out split, for the page. */
export async function loadReferencePack(dataset: string, options: PackOptions = {}): Promise<ReferencePack> {
  const pack = await openPack(dataset, options);
  return { index: pack.index, ...(await pack.split(pack.index.splits.heldout)) };
}

/** The held-out split's raw arrays to one display-unit array per sample (see decodeSplit). */
export function decodePack(index: PackIndex, x: ArrayBuffer, y: ArrayBuffer): LabelledSamples {
  return decodeSplit(index, index.splits.heldout, x, y);
}

/** Raw arrays of one split to one display-unit array per sample; refuses files whose size does not match the index. */
export function decodeSplit(index: PackIndex, split: PackSplit, x: ArrayBuffer, y: ArrayBuffer): LabelledSamples {
  const size = index.sampleShape.reduce((a, b) => a * b, 1);
  const bytesPer = index.dtype === 'float32' ? 4 : 1;
  if (x.byteLength !== split.count * size * bytesPer || y.byteLength !== split.count) {
    throw new Error(`${index.dataset}: ${split.x} and ${split.y} hold ${x.byteLength} and ${y.byteLength} bytes, not ${split.count} samples of ${size}`);
  }
  const values = index.dtype === 'float32' ? new Float32Array(x) : new Uint8Array(x);
  const samples = Array.from({ length: split.count }, (_, i) => Float32Array.from(values.subarray(i * size, (i + 1) * size)));
  return { samples, labels: new Uint8Array(y) };
}

/** The first `count` held-out samples of class `classIndex`, in the pack's order. */
export function samplesOfClass(pack: ReferencePack, classIndex: number, count: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < pack.samples.length && out.length < count; i++) {
    if (pack.labels[i] === classIndex) out.push(pack.samples[i]!);
  }
  return out;
}
