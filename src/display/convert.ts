/**
 * From the numbers a run reads back to what a canvas takes. Pure: no tensors, no DOM.
 */

/** One image sample's size: shapes are channels-last [H, W, C], C = 1 (grey) or 3 (RGB). */
export interface ImageSize {
  width: number;
  height: number;
  channels: number;
}

/**
 * Levels 0..255 of an image laid out channels-last (H, W, C), as the RGBA bytes of an ImageData:
 * one channel is grey (copied into red, green and blue), three are red, green and blue. Values are
 * clamped to 0..255 and rounded by the Uint8ClampedArray.
 */
export function imageToRgba(values: ArrayLike<number>, channels = 1): Uint8ClampedArray<ArrayBuffer> {
  if (channels !== 1 && channels !== 3) throw new Error(`an image has 1 (grey) or 3 (RGB) channels, not ${channels}`);
  const pixels = values.length / channels;
  if (!Number.isInteger(pixels)) throw new Error(`${values.length} values are not whole pixels of ${channels} channels`);
  const out = new Uint8ClampedArray(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    if (channels === 1) {
      const v = values[i]!;
      out[4 * i] = v;
      out[4 * i + 1] = v;
      out[4 * i + 2] = v;
    } else {
      out[4 * i] = values[3 * i]!;
      out[4 * i + 1] = values[3 * i + 1]!;
      out[4 * i + 2] = values[3 * i + 2]!;
    }
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

/** Width, height and channels of one image sample, or null for a signal: shapes are [H, W, C] or [L(, C)]. */
export function imageSize(shape: readonly number[]): ImageSize | null {
  return shape.length === 3 ? { width: shape[1]!, height: shape[0]!, channels: shape[2]! } : null;
}

/** Whether a sample of this shape is an image (not a signal). */
export function isImage(shape: readonly number[]): boolean {
  return imageSize(shape) !== null;
}

/**
 * The largest CSS width up to `target` at which an image `width` pixels wide shows evenly: a whole
 * number of CSS pixels per image pixel (enlarged crisply with `image-rendering: pixelated`), or, for
 * an image wider than `target`, a whole fraction of its width (reduced smoothly).
 */
export function evenSize(width: number, target: number): number {
  if (width <= target) return width * Math.floor(target / width);
  return width / Math.ceil(width / target);
}

/**
 * The CSS width of a view of one sample: for an image, about `image` CSS pixels (times `scale`) at a
 * whole number of CSS pixels per image pixel (see evenSize); for a signal, `signal` times `scale`.
 */
export function viewWidth(shape: readonly number[], target: { image: number; signal: number }, scale = 1): number {
  const image = imageSize(shape);
  return image ? evenSize(image.width, Math.round(target.image * scale)) : Math.round(target.signal * scale);
}

/** Columns for a grid of `n` cells that stays near square and never wider than `maxColumns`. */
export function gridColumns(n: number, maxColumns = 8): number {
  return Math.max(1, Math.min(maxColumns, Math.ceil(Math.sqrt(n))));
}

/**
 * Values centred on 0 (a noise prediction, a difference of two) to grey levels: -bound black, 0 mid
 * grey, +bound white, beyond that clipped. The bound is part of what is shown: say it beside the picture.
 */
export function symmetricToLevels(values: ArrayLike<number>, bound: number): Float32Array {
  if (!(bound > 0)) throw new Error(`the bound must be positive, got ${bound}`);
  return Float32Array.from(values, (v) => Math.round((Math.max(-1, Math.min(1, v / bound)) + 1) * 127.5));
}
