/**
 * Class faithfulness and balance, from the evaluator's verdicts (training/evaluate.py, step 2):
 *   - per class, the share of samples generated for that class that the evaluator assigns to it
 *     ("classified as requested"), beside how often it agrees with the labels of real held-out
 *     data (its own accuracy on that class: the ceiling to read the first figure against);
 *   - for unconditional samples (a diffusion model run with its "no class" label and no guidance),
 *     the mix of classes the evaluator sees, against the mix of the training set.
 */

export interface ClassRate {
  name: string;
  /** Samples of this class (requested, or labelled). */
  count: number;
  /** Of those, assigned to this class by the evaluator. */
  hits: number;
  /** hits / count; null when there were none. */
  rate: number | null;
}

export interface Faithfulness {
  perClass: ClassRate[];
  /** All hits over all samples. */
  overall: number | null;
  /** Rows: requested (or true) class; columns: the evaluator's class. */
  confusion: number[][];
}

export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): number[][] {
  if (truth.length !== predicted.length) throw new Error(`${truth.length} classes against ${predicted.length} predictions`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = predicted[i]!;
    if (t < 0 || t >= numClasses || p < 0 || p >= numClasses) throw new Error(`class ${t} or prediction ${p} is outside 0..${numClasses - 1}`);
    m[t]![p]! += 1;
  }
  return m;
}

/** How often the evaluator's class matches the requested (or labelled) one, per class. */
export function classFaithfulness(requested: ArrayLike<number>, predicted: ArrayLike<number>, classes: readonly string[]): Faithfulness {
  const confusion = confusionMatrix(requested, predicted, classes.length);
  const perClass = classes.map((name, c) => {
    const row = confusion[c]!;
    const count = row.reduce((a, b) => a + b, 0);
    const hits = row[c]!;
    return { name, count, hits, rate: count ? hits / count : null };
  });
  const total = requested.length;
  const hits = perClass.reduce((a, r) => a + r.hits, 0);
  return { perClass, overall: total ? hits / total : null, confusion };
}

export interface ClassShare {
  name: string;
  /** Samples the evaluator assigns to this class. */
  count: number;
  fraction: number;
  /** The class's share of the training set. */
  trainFraction: number;
}

export interface ClassMix {
  perClass: ClassShare[];
  /** Samples judged. */
  total: number;
  /** Half the sum of |fraction - trainFraction|: 0 same mix, 1 disjoint. */
  totalVariation: number;
}

/** The evaluator's class mix of unconditional samples against the training set's class counts. */
export function classMix(predicted: ArrayLike<number>, trainCounts: readonly number[], classes: readonly string[]): ClassMix {
  if (trainCounts.length !== classes.length) throw new Error(`${trainCounts.length} training counts for ${classes.length} classes`);
  const counts = new Array<number>(classes.length).fill(0);
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i]!;
    if (p < 0 || p >= classes.length) throw new Error(`prediction ${p} is outside 0..${classes.length - 1}`);
    counts[p]! += 1;
  }
  const total = predicted.length;
  const trainTotal = trainCounts.reduce((a, b) => a + b, 0);
  const perClass = classes.map((name, c) => ({
    name,
    count: counts[c]!,
    fraction: total ? counts[c]! / total : 0,
    trainFraction: trainTotal ? trainCounts[c]! / trainTotal : 0,
  }));
  const totalVariation = perClass.reduce((s, r) => s + Math.abs(r.fraction - r.trainFraction), 0) / 2;
  return { perClass, total, totalVariation };
}
