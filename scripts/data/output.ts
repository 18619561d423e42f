/**
 * Writes a prepared dataset as raw little-endian arrays plus a JSON index, in
 * a temporary folder that replaces the old one only once everything is
 * written: an interrupted run never leaves half a dataset behind.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type ArrayData = Uint8Array | Uint16Array | Float32Array;

export interface SplitIndex {
  count: number;
  /** Sample file: count x sampleShape values of the index's dtype. */
  x: string;
  /** Class index per sample, uint8. */
  y: string;
  /** MIT-BIH record number per beat, uint16 (signals only). */
  record?: string;
  classCounts: number[];
  /** How the samples were chosen, for reference packs. */
  selection?: string;
}

/** Everything in a dataset's index.json but its splits. */
export interface DatasetHeader {
  dataset: string;
  kind: 'image' | 'signal';
  /** Images: [H, W, C]. Signals: [length]. */
  sampleShape: number[];
  dtype: 'uint8' | 'float32';
  classes: string[];
  /** Identifies the inputs and the preparation code; equal stamps mean nothing to redo. */
  stamp: string;
  provenance: { source: string; licence: string; citation: string; notes?: string[] };
  /** Every source file verified for this output. */
  verified: { path: string; algorithm: string; hex: string }[];
  modality: string;
  /** What was done to the source, step by step. */
  processing?: string[];
  /** What was left out, and why. */
  leftOut?: Record<string, unknown>;
  /** Signals only. */
  sampleRateHz?: number;
  units?: string;
  window?: { before: number; after: number };
  publishedCounts?: Record<string, Record<string, number>>;
}

export interface DatasetIndex extends DatasetHeader {
  splits: Record<string, SplitIndex>;
}

export class FolderWriter {
  private readonly temporary: string;

  constructor(readonly folder: string) {
    this.temporary = `${folder}.tmp-${process.pid}`;
  }

  async open(): Promise<this> {
    await rm(this.temporary, { recursive: true, force: true });
    await mkdir(this.temporary, { recursive: true });
    return this;
  }

  /** Writes a typed array's bytes, little-endian (the platform's order on x86 and ARM). */
  async array(name: string, data: ArrayData): Promise<string> {
    await writeFile(join(this.temporary, name), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return name;
  }

  async json(name: string, value: unknown): Promise<void> {
    await writeFile(join(this.temporary, name), `${JSON.stringify(value, null, 2)}\n`);
  }

  /** Puts the finished folder in place of the old one. */
  async commit(): Promise<void> {
    await mkdir(dirname(this.folder), { recursive: true });
    const old = `${this.folder}.old-${process.pid}`;
    if (existsSync(this.folder)) await rename(this.folder, old);
    await rename(this.temporary, this.folder);
    await rm(old, { recursive: true, force: true });
  }

  async abandon(): Promise<void> {
    await rm(this.temporary, { recursive: true, force: true });
  }
}

/** The index already in `folder`, if it was made with `stamp` and all its files are there. */
export async function upToDate(folder: string, stamp: string): Promise<boolean> {
  const index = await readIndex(folder);
  if (!index || index.stamp !== stamp) return false;
  return Object.values(index.splits).every((split) =>
    [split.x, split.y, split.record].every((file) => !file || existsSync(join(folder, file))),
  );
}

export async function readIndex(folder: string): Promise<DatasetIndex | null> {
  try {
    return JSON.parse(await readFile(join(folder, 'index.json'), 'utf8')) as DatasetIndex;
  } catch {
    return null;
  }
}

export function countClasses(labels: Uint8Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}
