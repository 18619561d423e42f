/**
 * An artefact check that distances average away: the brightness of each image's surround (the mean
 * of its outer `width` pixels, every channel, display units) against the range real training
 * images span. A fundus photograph has a black surround; a sample with a white one is wrong however
 * close its features are. A sample is flagged when its surround is brighter than the brightest real
 * one or darker than the darkest; real held-out images are checked the same way, for scale.
 * training/medsynth/evaluate.py border_mean is the same measure.
 */

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

export interface BorderCheck {
  width: number;
  /** The range of real training images' surrounds. */
  realRange: { low: number; high: number };
  /** Per class (requested class for samples, label for held-out): flagged / checked. */
  generated: { flagged: number; checked: number }[];
  heldout: { flagged: number; checked: number }[];
  /** Indices of the flagged samples, brightest surround first. */
  flaggedSamples: number[];
}

/** The check on generated samples and real held-out images, against the training images' range. */
export function borderCheck(
  sets: { generated: readonly ArrayLike<number>[]; requested: ArrayLike<number>; heldout: readonly ArrayLike<number>[]; heldoutLabels: ArrayLike<number>; train: readonly ArrayLike<number>[] },
  shape: readonly number[],
  numClasses: number,
  width = 2,
): BorderCheck {
  const of = (images: readonly ArrayLike<number>[]) => images.map((x) => borderMean(x, shape, width));
  const train = of(sets.train);
  if (!train.length) throw new Error('the surround check needs real training images');
  const low = Math.min(...train);
  const high = Math.max(...train);
  const outside = (v: number) => v > high || v < low;
  const tally = (values: number[], labels: ArrayLike<number>) => {
    const out = Array.from({ length: numClasses }, () => ({ flagged: 0, checked: 0 }));
    values.forEach((v, i) => {
      const row = out[labels[i]!];
      if (!row) return;
      row.checked++;
      if (outside(v)) row.flagged++;
    });
    return out;
  };
  const generated = of(sets.generated);
  return {
    width,
    realRange: { low, high },
    generated: tally(generated, sets.requested),
    heldout: tally(of(sets.heldout), sets.heldoutLabels),
    flaggedSamples: generated.map((v, i) => [v, i] as const).filter(([v]) => outside(v)).sort((a, b) => b[0] - a[0]).map(([, i]) => i),
  };
}
