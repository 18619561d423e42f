/**
 * The receiver operating characteristic of a score that should be higher for positives: the area
 * under it (AUC = P(score of a positive > score of a negative), ties counting one half: the
 * Mann-Whitney U with average ranks, as training/medsynth/evaluate.py auc_binary computes it) and
 * its points, one per distinct threshold.
 */

/** NaN when either group is empty. */
export function aucBinary(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = scores.length;
  if (positive.length !== n) throw new Error(`${n} scores but ${positive.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1; // the average 1-based rank of a run of ties
    for (let k = i; k <= j; k++) {
      if (positive[order[k]!]) {
        rankSum += rank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface RocPoint {
  /** Share of negatives at or above the threshold. */
  falsePositive: number;
  /** Share of positives at or above the threshold. */
  truePositive: number;
}

/** From (0, 0) to (1, 1), lowering the threshold one distinct score at a time. */
export function rocCurve(scores: ArrayLike<number>, positive: ArrayLike<boolean>): RocPoint[] {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  for (let i = 0; i < n; i++) if (positive[i]) positives++;
  const negatives = n - positives;
  const points: RocPoint[] = [{ falsePositive: 0, truePositive: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    for (; j < n && scores[order[j]!] === scores[order[i]!]; j++) {
      if (positive[order[j]!]) tp++;
      else fp++;
    }
    points.push({ falsePositive: negatives ? fp / negatives : 0, truePositive: positives ? tp / positives : 0 });
    i = j;
  }
  return points;
}
