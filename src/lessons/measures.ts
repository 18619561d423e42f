/**
 * The figures the lessons read off a live run: plain summaries of the samples on screen, in the
 * units a person sees them in (grey levels 0..255, or mV). Pure: no DOM, no tensors.
 */

/**
 * How much the samples differ from one another: the standard deviation across samples at each
 * pixel, averaged over pixels. 0 when every sample is the same; a narrower set scores lower.
 */
export function spread(samples: readonly ArrayLike<number>[]): number {
  const n = samples.length;
  if (n < 2) return NaN;
  const size = samples[0]!.length;
  let total = 0;
  for (let i = 0; i < size; i++) {
    let sum = 0;
    let squares = 0;
    for (const s of samples) {
      sum += s[i]!;
      squares += s[i]! * s[i]!;
    }
    const mean = sum / n;
    total += Math.sqrt(Math.max(0, squares / n - mean * mean) * (n / (n - 1)));
  }
  return total / size;
}

/**
 * How sharp an image is: the mean absolute difference between horizontally neighbouring pixels
 * (channels-last, `width` pixels a row, `channels` a pixel). Blur lowers it; noise raises it.
 */
export function roughness(image: ArrayLike<number>, width: number, channels = 1): number {
  const row = width * channels;
  const rows = image.length / row;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    for (let x = 1; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const i = r * row + x * channels + c;
        total += Math.abs(image[i]! - image[i - channels]!);
      }
    }
  }
  return total / (rows * (width - 1) * channels);
}

/** The mean of `measure` over samples. */
export function meanOver<T>(samples: readonly T[], measure: (s: T) => number): number {
  if (!samples.length) return NaN;
  return samples.reduce((a, s) => a + measure(s), 0) / samples.length;
}

/** Mean absolute difference between two samples of the same size. */
export function meanAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`samples of ${a.length} and ${b.length} values`);
  let total = 0;
  for (let i = 0; i < a.length; i++) total += Math.abs(a[i]! - b[i]!);
  return total / a.length;
}
