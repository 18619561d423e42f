/**
 * From the numbers a run reads back to what a canvas takes. Pure: no tensors, no DOM.
 */

/** Grey levels 0..255, one per pixel, as the RGBA bytes of an ImageData. */
export function grayToRgba(values: ArrayLike<number>): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[4 * i] = v;
    out[4 * i + 1] = v;
    out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** A batch read back in one array, cut into one array per sample. */
export function splitSamples(values: Float32Array, count: number): Float32Array[] {
  const size = values.length / count;
  if (!Number.isInteger(size)) throw new Error(`${values.length} values do not split into ${count} samples`);
  return Array.from({ length: count }, (_, i) => values.slice(i * size, (i + 1) * size));
}

/** Width and height of one image sample, or null for a signal: shapes are [H, W, C] or [L(, C)]. */
export function imageSize(shape: readonly number[]): { width: number; height: number } | null {
  return shape.length === 3 ? { width: shape[1]!, height: shape[0]! } : null;
}

/** Columns for a grid of `n` cells that stays near square and never wider than `maxColumns`. */
export function gridColumns(n: number, maxColumns = 8): number {
  return Math.max(1, Math.min(maxColumns, Math.ceil(Math.sqrt(n))));
}
