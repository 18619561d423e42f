/**
 * The real data the judge sets generated samples against: both splits of a reference pack in
 * public/reference/<dataset>/ (written by `npm run data`): the held-out samples (the first 64 of
 * each class of the test split) and the training samples (all of MedMNIST's, the first 1,000 per
 * class for ECG, the first 200 per class for BCCD), read with the page's own pack reader.
 */
import { type LabelledSamples, type PackIndex, type PackOptions, type PackSplit, ReferenceMissingError, openPack } from '../app/reference-packs.js';

export type { LabelledSamples };
export type JudgePackIndex = PackIndex;
export type JudgeSplit = PackSplit;
export { ReferenceMissingError as JudgeReferenceMissingError };

export interface JudgeReference {
  index: JudgePackIndex;
  heldout: LabelledSamples;
  /** Null when the pack has no training split. */
  train: LabelledSamples | null;
}

export async function loadJudgeReference(dataset: string, options: PackOptions = {}): Promise<JudgeReference> {
  const pack = await openPack(dataset, options);
  const { heldout, train } = pack.index.splits;
  return {
    index: pack.index,
    heldout: await pack.split(heldout, 'Real held-out samples'),
    train: train ? await pack.split(train, 'Real training samples') : null,
  };
}

/** The samples of `set` at `indices`. */
export function subset(set: LabelledSamples, indices: readonly number[]): LabelledSamples {
  return { samples: indices.map((i) => set.samples[i]!), labels: Uint8Array.from(indices, (i) => set.labels[i]!) };
}
