/**
 * For the report, the yardstick the page does not draw: how real held-out samples sit against the
 * training samples, with the judge's own code (pack reader, scaling, nearest rows) run in Node on
 * the reference pack the page reads. The page lists neighbours of generated samples only; this
 * says how often a real, unseen sample is also much closer to one training sample than to any
 * other, so that the same figure for generated samples has a scale.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PackIndex, decodeSplit } from '../../src/data/reference-packs.js';
import { LONE_RATIO, nearestRows, packRows } from '../../src/judge/memorisation.js';
import type { ModelCard } from '../../src/models/card.js';
import { scalingOf } from '../../src/models/scaling.js';

export interface HeldoutNeighbours {
  count: number;
  /** Held-out samples whose closest training sample is under LONE_RATIO of the second closest. */
  lone: number;
}

const buffer = (path: string) => {
  const b = readFileSync(path);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

/** Held-out samples of `card`'s dataset against its training samples, in the page's pixel space (network units). */
export async function heldoutNeighbours(card: ModelCard, root = 'public/reference'): Promise<HeldoutNeighbours> {
  const dir = join(root, card.dataset);
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as PackIndex;
  const split = (name: 'heldout' | 'train') => {
    const s = index.splits[name];
    if (!s) throw new Error(`${dir} has no ${name} split`);
    return decodeSplit(index, s, buffer(join(dir, s.x)), buffer(join(dir, s.y)));
  };
  const { toNetwork } = scalingOf(card);
  const heldout = packRows(split('heldout').samples, toNetwork);
  const near = await nearestRows(heldout, packRows(split('train').samples, toNetwork), 2);
  let lone = 0;
  for (let i = 0; i < heldout.rows; i++) if (near.distances[2 * i]! < LONE_RATIO * near.distances[2 * i + 1]!) lone += 1;
  return { count: heldout.rows, lone };
}
