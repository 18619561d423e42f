/**
 * BCCD blood smears: one 64x64 RGB patch per annotated red cell, white cell
 * and platelet, split by the dataset's own ImageSets lists (all patches of an
 * image stay in that image's split).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { cropPatch } from './patch.js';
import { parseVoc } from './voc.js';
import { log, progressLine } from './log.js';
import { upToDate } from './output.js';
import { type IndexHeader, type SplitArrays, writePrepared } from './prepare.js';
import { OUTPUT_ROOT, SOURCES, locateSources } from './sources.js';
import { stampOf } from './stamp.js';

const PREP_VERSION = 2;
export const PATCH = { size: 64, margin: 0.1 };
export const CLASSES = ['RBC', 'WBC', 'Platelets'] as const;
const SPLITS = ['train', 'val', 'test'] as const;

export async function prepareBccd(): Promise<'written' | 'up to date'> {
  const expected = await SOURCES.bccd.checksums();
  const stamp = stampOf(PREP_VERSION, expected, PATCH);
  if (await upToDate(join(OUTPUT_ROOT, 'bccd'), stamp)) return 'up to date';

  const { files, verified } = await locateSources(SOURCES.bccd, expected.map((entry) => entry.path), 'bccd');
  const text = async (path: string) => (await readFile(files.get(path)!)).toString('utf8');

  const splits: Partial<Record<(typeof SPLITS)[number], SplitArrays>> = {};
  let skipped = 0;
  for (const split of SPLITS) {
    const ids = (await text(`ImageSets/Main/${split}.txt`)).split('\n').map((line) => line.trim()).filter(Boolean);
    const patches: Uint8Array[] = [];
    const labels: number[] = [];
    for (const [i, id] of ids.entries()) {
      progressLine(`bccd: cutting ${split} patches, image ${i + 1}/${ids.length}`);
      const annotation = parseVoc(await text(`Annotations/${id}.xml`), `${id}.xml`);
      const image = jpeg.decode(await readFile(files.get(`JPEGImages/${id}.jpg`)!), { useTArray: true, formatAsRGBA: true });
      for (const box of annotation.objects) {
        const label = CLASSES.indexOf(box.name as (typeof CLASSES)[number]);
        if (label < 0 || box.xmax <= box.xmin || box.ymax <= box.ymin) {
          skipped += 1;
          continue;
        }
        patches.push(cropPatch(image, box, PATCH.size, PATCH.margin));
        labels.push(label);
      }
    }
    const x = new Uint8Array(patches.length * PATCH.size * PATCH.size * 3);
    patches.forEach((patch, i) => x.set(patch, i * patch.length));
    splits[split] = { x, y: Uint8Array.from(labels) };
  }
  log(`bccd: ${skipped} boxes with an unknown class or no area were left out`);

  const header: IndexHeader = {
    dataset: 'bccd',
    kind: 'image',
    sampleShape: [PATCH.size, PATCH.size, 3],
    dtype: 'uint8',
    classes: [...CLASSES],
    stamp,
    modality: 'blood-smear microscopy, single-cell patches',
    processing: [
      `square patch centred on each box, side = longer box side plus ${PATCH.margin * 100}% margin each way (at least ${PATCH.size} px: small cells are never enlarged), edges repeated outside the image`,
      `resized to ${PATCH.size}x${PATCH.size} RGB by area averaging (4x4 bilinear taps per pixel)`,
      'splits: the dataset\'s ImageSets/Main train, val and test lists',
    ],
    leftOut: { boxes: skipped },
    provenance: {
      source: 'BCCD Dataset (https://github.com/Shenggan/BCCD_Dataset), JPEGImages and Pascal VOC Annotations',
      licence: 'MIT',
      citation: 'BCCD Dataset, Shenggan (2017), https://github.com/Shenggan/BCCD_Dataset',
      notes: ['Not for clinical use.', 'Box annotations are incomplete in some images; classes are imbalanced (RBC dominate).'],
    },
    verified,
  };
  await writePrepared(header, splits as Record<string, SplitArrays>, {
    heldout: { split: 'test', perClass: 64 },
    train: { split: 'train', perClass: 200 },
  });
  return 'written';
}
