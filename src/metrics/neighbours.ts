/**
 * Nearest neighbours in a feature or pixel space: the raw material of the
 * memorisation audit (distance to the closest training record) and of
 * precision, recall, density and coverage (Naeem et al. 2020).
 */
import type { Matrix } from './linalg.js';

/** Euclidean distances between every row of `a` and every row of `b`: a.rows x b.rows. */
export function pairwiseDistances(a: Matrix, b: Matrix): Float64Array {
  if (a.cols !== b.cols) throw new Error(`feature sizes differ: ${a.cols} and ${b.cols}`);
  const d = a.cols;
  const out = new Float64Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.rows; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (a.data[i * d + k]! - b.data[j * d + k]!) ** 2;
      out[i * b.rows + j] = Math.sqrt(s);
    }
  }
  return out;
}

export interface Neighbour {
  index: number;
  distance: number;
}

/**
 * The `k` nearest rows of `reference` for each row of `query`, closest first.
 * With `excludeSelf` (query and reference the same set) a row is not its own neighbour.
 */
export function nearest(query: Matrix, reference: Matrix, k: number, excludeSelf = false): Neighbour[][] {
  const distances = pairwiseDistances(query, reference);
  return Array.from({ length: query.rows }, (_, i) => {
    const row: Neighbour[] = [];
    for (let j = 0; j < reference.rows; j++) {
      if (!(excludeSelf && i === j)) row.push({ index: j, distance: distances[i * reference.rows + j]! });
    }
    return row.sort((x, y) => x.distance - y.distance).slice(0, k);
  });
}

/** Distance to the closest record of `reference` for each row of `query` ("DCR"). */
export function closestDistances(query: Matrix, reference: Matrix, excludeSelf = false): Float64Array {
  return Float64Array.from(nearest(query, reference, 1, excludeSelf), (row) => row[0]?.distance ?? Infinity);
}

export interface Prdc {
  precision: number;
  recall: number;
  density: number;
  coverage: number;
}

/**
 * Naeem et al. (2020): each real sample's k-NN radius (among the real set)
 * defines a ball. Precision: fake samples inside some real ball. Recall: real
 * samples inside some fake ball (fake radii among fakes). Density: mean count
 * of real balls holding each fake, over k. Coverage: real samples whose own
 * ball holds at least one fake.
 */
export function prdc(real: Matrix, fake: Matrix, k = 5): Prdc {
  if (real.rows <= k || fake.rows <= k) throw new Error(`precision and recall with k = ${k} need more than ${k} samples in each set`);
  const realRadius = nearest(real, real, k, true).map((row) => row[k - 1]!.distance);
  const fakeRadius = nearest(fake, fake, k, true).map((row) => row[k - 1]!.distance);
  const realToFake = pairwiseDistances(real, fake); // real.rows x fake.rows
  let precise = 0;
  let densitySum = 0;
  for (let j = 0; j < fake.rows; j++) {
    let inside = 0;
    for (let i = 0; i < real.rows; i++) if (realToFake[i * fake.rows + j]! < realRadius[i]!) inside += 1;
    if (inside > 0) precise += 1;
    densitySum += inside;
  }
  let recalled = 0;
  let covered = 0;
  for (let i = 0; i < real.rows; i++) {
    let inFake = false;
    let nearestFake = Infinity;
    for (let j = 0; j < fake.rows; j++) {
      const dist = realToFake[i * fake.rows + j]!;
      if (dist < fakeRadius[j]!) inFake = true;
      nearestFake = Math.min(nearestFake, dist);
    }
    if (inFake) recalled += 1;
    if (nearestFake < realRadius[i]!) covered += 1;
  }
  return {
    precision: precise / fake.rows,
    recall: recalled / real.rows,
    density: densitySum / (k * fake.rows),
    coverage: covered / real.rows,
  };
}
