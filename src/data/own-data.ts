/**
 * A person's own real data for the judge: a MedMNIST-form `.npz` from their disk (test_images and
 * test_labels, or val_images and val_labels; and train_images and train_labels where it has them)
 * for an image model of the same shape and classes. The test split stands where the
 * site's held-out pack stands, the train split where its training pack stands. Read in the browser;
 * nothing is uploaded. Every way the file can be wrong gets its own message.
 */
import type { ModelCard } from '../models/card.js';
import { readMedMnistSplit } from './medmnist-split.js';
import { type NpyArray, readNpz } from './npy.js';
import { type JudgeReference, type LabelledSamples, type PackIndex, type PackSplit, decodeSplit } from './reference-packs.js';

/** The bytes a view covers, as a buffer of their own. */
const bytesOf = (a: Uint8Array): ArrayBuffer => a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength) as ArrayBuffer;

/** The judge's real data from `bytes`, the file `name`, for a model with `card`'s sample shape and classes. */
export function ownJudgeReference(bytes: Uint8Array, name: string, card: Pick<ModelCard, 'id' | 'classes' | 'architecture'>): JudgeReference {
  const shape = card.architecture.inputShape;
  if (shape.length !== 3) {
    throw new Error(`${card.id} makes signals; the judge reads your own data for image models, in MedMNIST's .npz form.`);
  }
  let arrays: Map<string, NpyArray>;
  try {
    arrays = readNpz(bytes, name);
  } catch (error) {
    throw new Error(`${name} is not an .npz archive numpy can write: ${(error as Error).message}.`);
  }
  // the held-out role: MedMNIST's test split, else its validation split
  const heldoutSplit = ['test', 'val'].find((s) => arrays.has(`${s}_images`));
  if (!heldoutSplit) {
    throw new Error(`${name} holds no test_images (or val_images) array, which the judge compares with; it holds: ${[...arrays.keys()].join(', ') || 'nothing'}. ` +
      'MedMNIST\'s files have it.');
  }
  const read = (split: string) => readMedMnistSplit(arrays, split, name, shape, card.classes);
  const heldout = read(heldoutSplit);
  const train = arrays.has('train_images') ? read('train') : null;
  if (!heldout.y.length) throw new Error(`${name}: ${heldoutSplit}_images holds no images.`);

  const packSplit = (split: { y: Uint8Array }, which: string): PackSplit => ({
    count: split.y.length, x: `${which}_images`, y: `${which}_labels`,
    classCounts: card.classes.map((_, c) => split.y.filter((label) => label === c).length),
  });
  const index: PackIndex = {
    // its own name, so nothing computed on the site's pack is taken for it
    dataset: `your file ${name}`,
    kind: 'image',
    sampleShape: [...shape],
    dtype: 'uint8',
    classes: [...card.classes],
    provenance: { source: `${name}, from your disk` },
    splits: { heldout: packSplit(heldout, heldoutSplit), ...(train ? { train: packSplit(train, 'train') } : {}) },
  };
  // one array per sample, as the site's packs are decoded
  const samples = (split: { x: Uint8Array; y: Uint8Array }, which: PackSplit): LabelledSamples =>
    decodeSplit(index, which, bytesOf(split.x), bytesOf(split.y));
  return { index, heldout: samples(heldout, index.splits.heldout), train: train ? samples(train, index.splits.train!) : null };
}
