/** PneumoniaMNIST, BreastMNIST and RetinaMNIST: 28x28 images from MedMNIST v2. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readMedMnistSplit } from '../../src/data/medmnist-split.js';
import { readNpz } from '../../src/data/npy.js';
import { upToDate } from './output.js';
import { type IndexHeader, writePrepared } from './prepare.js';
import { SOURCES, locateSources, OUTPUT_ROOT } from './sources.js';
import { stampOf } from './stamp.js';

const PREP_VERSION = 1;

export const MEDMNIST = {
  pneumoniamnist: { classes: ['normal', 'pneumonia'], modality: 'paediatric chest X-ray', channels: 1 },
  breastmnist: { classes: ['malignant', 'normal or benign'], modality: 'breast ultrasound', channels: 1 },
  retinamnist: {
    classes: ['DR grade 0', 'DR grade 1', 'DR grade 2', 'DR grade 3', 'DR grade 4'],
    modality: 'colour fundus photograph',
    channels: 3,
  },
} as const;
export type MedMnistName = keyof typeof MEDMNIST;

const SPLITS = ['train', 'val', 'test'] as const;

export async function prepareMedMnist(name: MedMnistName): Promise<'written' | 'up to date'> {
  const file = `${name}.npz`;
  const expected = (await SOURCES.medmnist.checksums()).filter((entry) => entry.path === file);
  const stamp = stampOf(PREP_VERSION, expected);
  if (await upToDate(join(OUTPUT_ROOT, name), stamp)) return 'up to date';

  const { files, verified } = await locateSources(SOURCES.medmnist, [file], name);
  const arrays = readNpz(new Uint8Array(await readFile(files.get(file)!)), file);
  const { classes, modality, channels } = MEDMNIST[name];

  const splits = Object.fromEntries(SPLITS.map((split) => [split, readMedMnistSplit(arrays, split, file, [28, 28, channels], classes)]));

  const header: IndexHeader = {
    dataset: name,
    kind: 'image',
    sampleShape: [28, 28, channels],
    dtype: 'uint8',
    classes: [...classes],
    stamp,
    modality,
    provenance: {
      source: `MedMNIST v2, ${file} (${SOURCES.medmnist.officialUrl(file)})`,
      licence: 'CC BY 4.0',
      citation: 'Yang et al., "MedMNIST v2 - A large-scale lightweight benchmark for 2D and 3D biomedical image classification", Scientific Data 2023',
      notes: ['Not for clinical use.', 'Splits are the official MedMNIST train/val/test splits.'],
    },
    verified,
  };
  await writePrepared(header, splits, {
    heldout: { split: 'test', perClass: 64 },
    train: { split: 'train', perClass: Infinity },
  });
  return 'written';
}
