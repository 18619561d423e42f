/**
 * Simulated hospitals for federated learning: a dataset's training samples dealt among them, either
 * by patient (every beat of an MIT-BIH record goes to one hospital, as a patient's records stay in
 * one hospital) or with a chosen class skew: for each class, the shares of the hospitals are drawn
 * from a symmetric Dirichlet of concentration alpha (Hsu, Qi and Brown, "Measuring the effects of
 * non-identical data distribution for federated visual classification", 2019). A large alpha gives
 * every hospital the pooled class mix; a small one gives each hospital few classes. Seeded, so a
 * permalink deals the same hospitals. No DOM, no tfjs.
 */
import { Rng } from '../util/random.js';

export interface Hospitals {
  /** Per hospital, the indices of its samples into the pooled training set, ascending. */
  members: number[][];
  /** Per hospital, its count of each class. */
  classCounts: number[][];
}

const MAX_HOSPITALS = 64;

function checkCount(hospitals: number, samples: number): void {
  if (!Number.isInteger(hospitals) || hospitals < 1 || hospitals > MAX_HOSPITALS) {
    throw new RangeError(`the number of hospitals must be a whole number from 1 to ${MAX_HOSPITALS}, got ${hospitals}`);
  }
  if (samples < hospitals) throw new RangeError(`${samples} samples cannot be dealt among ${hospitals} hospitals`);
}

/** How many of `labels` (or of labels[i] for each i of `indices`) fall in each of `classes` classes. */
export function classCounts(labels: ArrayLike<number>, classes: number, indices?: readonly number[]): number[] {
  const counts = new Array<number>(classes).fill(0);
  if (indices) for (const i of indices) counts[labels[i]!]! += 1;
  else for (let i = 0; i < labels.length; i++) counts[labels[i]!]! += 1;
  return counts;
}

function tally(members: number[][], labels: ArrayLike<number>, classes: number): Hospitals {
  const sorted = members.map((m) => [...m].sort((a, b) => a - b));
  return { members: sorted, classCounts: sorted.map((m) => classCounts(labels, classes, m)) };
}

/**
 * Deals each class's samples among `hospitals` in Dirichlet(alpha) shares. Every sample goes to
 * exactly one hospital; a hospital left empty is given one sample from the largest, so each can train.
 */
export function splitByClassSkew(labels: ArrayLike<number>, classes: number, hospitals: number, alpha: number, seed: number): Hospitals {
  checkCount(hospitals, labels.length);
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new RangeError(`the concentration must be a positive number, got ${alpha}`);
  const rng = new Rng(seed);
  const members: number[][] = Array.from({ length: hospitals }, () => []);
  for (let c = 0; c < classes; c++) {
    const ofClass: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) ofClass.push(i);
    const order = rng.permutation(ofClass.length).map((j) => ofClass[j]!);
    const shares = rng.dirichlet(alpha, hospitals);
    // cumulative shares, rounded: the cuts never cross and the last takes the rest
    let start = 0;
    let cumulative = 0;
    shares.forEach((share, h) => {
      cumulative += share;
      const end = h === hospitals - 1 ? order.length : Math.round(cumulative * order.length);
      members[h]!.push(...order.slice(start, end));
      start = Math.max(start, end);
    });
  }
  for (const empty of members.filter((m) => m.length === 0)) {
    const largest = members.reduce((a, b) => (b.length > a.length ? b : a));
    empty.push(largest.pop()!);
  }
  return tally(members, labels, classes);
}

/**
 * Deals whole patients (here, records) among `hospitals`: largest first, each to the hospital with
 * the fewest samples so far (ties to the lowest number), after a seeded shuffle of equal sizes.
 */
export function splitByPatient(labels: ArrayLike<number>, classes: number, patients: ArrayLike<number>, hospitals: number, seed: number): Hospitals {
  if (patients.length !== labels.length) throw new RangeError(`${patients.length} patient ids for ${labels.length} samples`);
  const byPatient = new Map<number, number[]>();
  for (let i = 0; i < patients.length; i++) {
    const list = byPatient.get(patients[i]!) ?? [];
    list.push(i);
    byPatient.set(patients[i]!, list);
  }
  if (byPatient.size < hospitals) throw new RangeError(`${byPatient.size} patients cannot be dealt among ${hospitals} hospitals`);
  checkCount(hospitals, labels.length);
  const rng = new Rng(seed);
  const shuffled = rng.permutation(byPatient.size).map((j) => [...byPatient.values()][j]!);
  const order = shuffled.sort((a, b) => b.length - a.length); // stable: equal sizes keep the shuffle
  const members: number[][] = Array.from({ length: hospitals }, () => []);
  for (const [k, samples] of order.entries()) {
    // the first `hospitals` patients open one hospital each, so none is left without a patient
    const h = k < hospitals ? k : members.reduce((best, m, i) => (m.length < members[best]!.length ? i : best), 0);
    members[h]!.push(...samples);
  }
  return tally(members, labels, classes);
}
