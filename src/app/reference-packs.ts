/**
 * Real held-out samples to set beside synthetic ones: the reference packs that `npm run data`
 * writes to public/reference/<dataset>/ (index.json plus raw little-endian arrays). Only the
 * held-out split is read: it is small, and it is what the models never saw.
 */

export interface PackSplit {
  count: number;
  x: string;
  y: string;
  classCounts: number[];
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

export interface ReferencePack {
  index: PackIndex;
  /** One array per sample in display units: grey levels 0..255, or mV. */
  samples: Float32Array[];
  labels: Uint8Array;
}

/** The pack is not on this site: the data step has not run where it was built. */
export class ReferenceMissingError extends Error {
  constructor(dataset: string) {
    super(`Real samples are not available: run \`npm run data\` to fetch ${dataset} and rebuild the site.`);
    this.name = 'ReferenceMissingError';
  }
}

type Get = (url: string, init?: RequestInit) => Promise<Response>;

/** `root` is the folder of all packs, relative to the page ('reference/'). */
export async function loadReferencePack(dataset: string, options: { root?: string; signal?: AbortSignal; fetch?: Get } = {}): Promise<ReferencePack> {
  const root = options.root ?? 'reference/';
  const get: Get = options.fetch ?? ((url, init) => fetch(url, init));
  const read = async (name: string) => {
    const response = await get(`${root}${dataset}/${name}`, { signal: options.signal });
    if (response.status === 404) throw new ReferenceMissingError(dataset);
    if (!response.ok) throw new Error(`${root}${dataset}/${name} answered ${response.status} ${response.statusText}`);
    return response;
  };
  const index = (await (await read('index.json')).json()) as PackIndex;
  const split = index.splits.heldout;
  const [x, y] = await Promise.all([read(split.x).then((r) => r.arrayBuffer()), read(split.y).then((r) => r.arrayBuffer())]);
  return { index, ...decodePack(index, x, y) };
}

/** Raw arrays to one display-unit array per sample; refuses files whose size does not match the index. */
export function decodePack(index: PackIndex, x: ArrayBuffer, y: ArrayBuffer): { samples: Float32Array[]; labels: Uint8Array } {
  const split = index.splits.heldout;
  const size = index.sampleShape.reduce((a, b) => a * b, 1);
  const bytesPer = index.dtype === 'float32' ? 4 : 1;
  if (x.byteLength !== split.count * size * bytesPer || y.byteLength !== split.count) {
    throw new Error(`${index.dataset}: the held-out files hold ${x.byteLength} and ${y.byteLength} bytes, not ${split.count} samples of ${size}`);
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
