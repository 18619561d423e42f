/**
 * An artefact check that distances average away: the brightness of each image's surround (the mean
 * of its outer `width` pixels, every channel, display units). A fundus photograph has a black
 * surround; a sample with a white one is wrong however close its features are. A surround is
 * unusual when it lies beyond Tukey's far-out fences of the real training images' surrounds
 * (Q1 - 3 IQR, Q3 + 3 IQR): robust to the few odd images a training set holds (RetinaMNIST's
 * training split has 16 of 1,080 fundus images with a bright surround, its test split none), and
 * those are counted too, so a model that makes such images more often than its training data has
 * them shows as such. training/medsynth/evaluate.py border_mean and surround_fences are the same.
 */
import { quantileSorted } from '../util/stats.js';

/** Mean of the outer `width` rows and columns of an [H, W, C] channels-last image. */
export function borderMean(image: ArrayLike<number>, shape: readonly number[], width = 2): number {
  const [h, w, c] = shape as [number, number, number];
  if (image.length !== h * w * c) throw new Error(`the image has ${image.length} values, not ${h}x${w}x${c}`);
  let sum = 0;
  let count = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (y >= width && y < h - width && x >= width && x < w - width) continue;
      for (let k = 0; k < c; k++) sum += image[(y * w + x) * c + k]!;
      count += c;
    }
  }
  return sum / count;
}

/** Tukey's far-out fences (Q1 - 3 IQR, Q3 + 3 IQR) of `values`, quartiles as numpy computes them. */
export function farOutFences(values: readonly number[]): { low: number; high: number } {
  if (!values.length) throw new Error('fences need at least one value');
  const sorted = Float64Array.from(values).sort();
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  return { low: q1 - 3 * (q3 - q1), high: q3 + 3 * (q3 - q1) };
}

export interface Tally {
  flagged: number;
  checked: number;
}

export interface BorderCheck {
  width: number;
  /** The far-out fences of the real training images' surrounds: outside them, a surround is unusual. */
  fences: { low: number; high: number };
  /** Per class (requested class for samples, label for real images): unusual / checked. */
  generated: Tally[];
  heldout: Tally[];
  train: Tally[];
  /** Indices of the flagged samples, most unusual first. */
  flaggedSamples: number[];
}

/** The check on generated samples and on real held-out and training images, against the training images' fences. */
export function borderCheck(
  sets: {
    generated: readonly ArrayLike<number>[];
    requested: ArrayLike<number>;
    heldout: readonly ArrayLike<number>[];
    heldoutLabels: ArrayLike<number>;
    train: readonly ArrayLike<number>[];
    trainLabels: ArrayLike<number>;
  },
  shape: readonly number[],
  numClasses: number,
  width = 2,
): BorderCheck {
  const of = (images: readonly ArrayLike<number>[]) => images.map((x) => borderMean(x, shape, width));
  const train = of(sets.train);
  if (!train.length) throw new Error('the surround check needs real training images');
  const fences = farOutFences(train);
  const beyond = (v: number) => Math.max(v - fences.high, fences.low - v);
  const tally = (values: number[], labels: ArrayLike<number>) => {
    const out = Array.from({ length: numClasses }, () => ({ flagged: 0, checked: 0 }));
    values.forEach((v, i) => {
      const row = out[labels[i]!];
      if (!row) return;
      row.checked++;
      if (beyond(v) > 0) row.flagged++;
    });
    return out;
  };
  const generated = of(sets.generated);
  return {
    width,
    fences,
    generated: tally(generated, sets.requested),
    heldout: tally(of(sets.heldout), sets.heldoutLabels),
    train: tally(train, sets.trainLabels),
    flaggedSamples: generated
      .map((v, i) => [beyond(v), i] as const)
      .filter(([b]) => b > 0)
      .sort((a, b) => b[0] - a[0])
      .map(([, i]) => i),
  };
}
