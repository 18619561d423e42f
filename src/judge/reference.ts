/**
 * The real data the judge sets generated samples against: both splits of a reference pack in
 * public/reference/<dataset>/ (written by `npm run data`): the held-out samples (the first 64 of
 * each class of the test split) and the training samples (all of MedMNIST's, the first 1,000 per
 * class for ECG, the first 200 per class for BCCD). The page's own reader (src/app/reference-packs.ts)
 * reads the held-out split only; this one reads both, in the same format.
 */

export interface JudgeSplit {
  count: number;
  x: string;
  y: string;
  classCounts: number[];
  selection?: string;
}

export interface JudgePackIndex {
  dataset: string;
  kind: 'image' | 'signal';
  sampleShape: number[];
  dtype: 'uint8' | 'float32';
  classes: string[];
  sampleRateHz?: number;
  window?: { before: number; after: number };
  splits: { heldout: JudgeSplit; train?: JudgeSplit };
}

export interface LabelledSamples {
  /** One array per sample, display units: grey levels 0..255 channels-last, or mV. */
  samples: Float32Array[];
  labels: Uint8Array;
}

export interface JudgeReference {
  index: JudgePackIndex;
  heldout: LabelledSamples;
  /** Null when the pack has no training split. */
  train: LabelledSamples | null;
}

export class JudgeReferenceMissingError extends Error {
  constructor(dataset: string, what = 'Real samples') {
    super(`${what} are not available: run \`npm run data\` to fetch ${dataset} and rebuild the site.`);
    this.name = 'JudgeReferenceMissingError';
  }
}

type Get = (url: string, init?: RequestInit) => Promise<Response>;

/** Raw little-endian arrays of one split to one display-unit array per sample; checks the sizes. */
export function decodeSplit(index: JudgePackIndex, split: JudgeSplit, x: ArrayBuffer, y: ArrayBuffer): LabelledSamples {
  const size = index.sampleShape.reduce((a, b) => a * b, 1);
  const bytesPer = index.dtype === 'float32' ? 4 : 1;
  if (x.byteLength !== split.count * size * bytesPer || y.byteLength !== split.count) {
    throw new Error(`${index.dataset}: ${split.x} and ${split.y} hold ${x.byteLength} and ${y.byteLength} bytes, not ${split.count} samples of ${size}`);
  }
  const values = index.dtype === 'float32' ? new Float32Array(x) : new Uint8Array(x);
  const samples = Array.from({ length: split.count }, (_, i) => Float32Array.from(values.subarray(i * size, (i + 1) * size)));
  return { samples, labels: new Uint8Array(y) };
}

/** `root` is the folder of all packs, relative to the page ('reference/'). */
export async function loadJudgeReference(dataset: string, options: { root?: string; signal?: AbortSignal; fetch?: Get } = {}): Promise<JudgeReference> {
  const root = options.root ?? 'reference/';
  const get: Get = options.fetch ?? ((url, init) => fetch(url, init));
  const read = async (name: string, what?: string) => {
    const response = await get(`${root}${dataset}/${name}`, { signal: options.signal });
    if (response.status === 404) throw new JudgeReferenceMissingError(dataset, what);
    if (!response.ok) throw new Error(`${root}${dataset}/${name} answered ${response.status} ${response.statusText}`);
    return response;
  };
  const index = (await (await read('index.json')).json()) as JudgePackIndex;
  const splitOf = async (split: JudgeSplit, what: string) => {
    const [x, y] = await Promise.all([read(split.x, what).then((r) => r.arrayBuffer()), read(split.y, what).then((r) => r.arrayBuffer())]);
    return decodeSplit(index, split, x, y);
  };
  const heldout = await splitOf(index.splits.heldout, 'Real held-out samples');
  const train = index.splits.train ? await splitOf(index.splits.train, 'Real training samples') : null;
  return { index, heldout, train };
}

/** The samples of `set` at `indices`. */
export function subset(set: LabelledSamples, indices: readonly number[]): LabelledSamples {
  return { samples: indices.map((i) => set.samples[i]!), labels: Uint8Array.from(indices, (i) => set.labels[i]!) };
}
