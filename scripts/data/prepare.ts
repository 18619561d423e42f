/**
 * Shared last step of every dataset: write the training files under data/ and
 * the reference packs the browser fetches under public/reference/.
 */
import { join } from 'node:path';
import { log } from './log.js';
import { type ArrayData, type DatasetHeader, type DatasetIndex, FolderWriter, type SplitIndex, countClasses } from './output.js';
import { OUTPUT_ROOT, REPO_ROOT } from './sources.js';

/** Where the browser's reference packs go; tests point it elsewhere. */
export const REFERENCE_ROOT = process.env.MEDSYNTH_REFERENCE_DIR ?? join(REPO_ROOT, 'public', 'reference');

export interface SplitArrays {
  x: ArrayData;
  y: Uint8Array;
  record?: Uint16Array;
}

export interface ReferencePlan {
  /** Held-out real samples per class, for side-by-side views and fidelity metrics. */
  heldout: { split: string; perClass: number };
  /** Training samples per class, for the memorisation audit (Infinity: all of them). */
  train: { split: string; perClass: number };
}

export type IndexHeader = DatasetHeader;

export async function writePrepared(
  header: IndexHeader,
  splits: Record<string, SplitArrays>,
  plan: ReferencePlan,
): Promise<DatasetIndex> {
  const size = header.sampleShape.reduce((a, b) => a * b, 1);
  const data = await new FolderWriter(join(OUTPUT_ROOT, header.dataset)).open();
  const reference = await new FolderWriter(join(REFERENCE_ROOT, header.dataset)).open();
  try {
    const index: DatasetIndex = { ...header, splits: {} };
    for (const [name, split] of Object.entries(splits)) {
      index.splits[name] = await writeSplit(data, name, split, header.classes.length);
    }
    const packs: Record<string, SplitIndex> = {};
    for (const [pack, { split, perClass }] of Object.entries(plan)) {
      const source = splits[split];
      if (!source) throw new Error(`${header.dataset}: no split "${split}" for the ${pack} pack`);
      const chosen = firstPerClass(source.y, header.classes.length, perClass);
      packs[pack] = {
        ...(await writeSplit(reference, pack, pick(source, chosen, size), header.classes.length)),
        selection: `${Number.isFinite(perClass) ? `the first ${perClass}` : 'all'} of each class of the ${split} split, in its order`,
      };
    }
    await data.json('index.json', index);
    await reference.json('index.json', { ...header, splits: packs });
    await data.commit();
    await reference.commit();
    log(`${header.dataset}: wrote ${data.folder} and ${reference.folder}`);
    return index;
  } catch (error) {
    await data.abandon();
    await reference.abandon();
    throw error;
  }
}

async function writeSplit(writer: FolderWriter, name: string, split: SplitArrays, classes: number): Promise<SplitIndex> {
  const suffix = split.x instanceof Float32Array ? 'f32' : 'u8';
  return {
    count: split.y.length,
    x: await writer.array(`${name}-x.${suffix}`, split.x),
    y: await writer.array(`${name}-y.u8`, split.y),
    ...(split.record ? { record: await writer.array(`${name}-record.u16`, split.record) } : {}),
    classCounts: countClasses(split.y, classes),
  };
}

/** Indices of the first `perClass` samples of each class, in split order. */
export function firstPerClass(labels: Uint8Array, classes: number, perClass: number): number[] {
  const taken = new Array<number>(classes).fill(0);
  const chosen: number[] = [];
  labels.forEach((label, i) => {
    if ((taken[label] ?? 0) < perClass) {
      taken[label] = (taken[label] ?? 0) + 1;
      chosen.push(i);
    }
  });
  return chosen;
}

function pick(split: SplitArrays, indices: number[], size: number): SplitArrays {
  const x = new (split.x.constructor as new (n: number) => ArrayData)(indices.length * size);
  indices.forEach((from, to) => x.set(split.x.subarray(from * size, (from + 1) * size), to * size));
  return {
    x,
    y: Uint8Array.from(indices, (i) => split.y[i]!),
    ...(split.record ? { record: Uint16Array.from(indices, (i) => split.record![i]!) } : {}),
  };
}
