/**
 * One split of a MedMNIST `.npz` (`<split>_images` uint8 [N, H, W] or [N, H, W, C], `<split>_labels`
 * integer [N, 1] or [N]), checked against the images and classes expected: the data step reads the
 * official files with it (scripts/data/medmnist.ts), and the judge a person's own file
 * (src/data/own-data.ts). Every refusal names the file, the array and what was expected.
 */
import { type NpyArray, labelsToInt32 } from './npy.js';

export interface MedMnistSplit {
  /** Every image, channels-last, one after another. */
  x: Uint8Array;
  /** Class indices. */
  y: Uint8Array;
}

/** The split's arrays, or an error saying what is wrong with them; `shape` is one image's [H, W, C]. */
export function readMedMnistSplit(
  arrays: ReadonlyMap<string, NpyArray>, split: string, file: string, shape: readonly number[], classes: readonly string[],
): MedMnistSplit {
  const images = need(arrays, `${split}_images`, file);
  const labelArray = need(arrays, `${split}_labels`, file);
  let labels: Int32Array;
  try {
    labels = labelsToInt32(labelArray);
  } catch (error) {
    throw new Error(`${file}: ${split}_labels: ${(error as Error).message}`);
  }
  const [h, w, c] = shape as [number, number, number];
  const expected = c === 1 ? [labels.length, h, w] : [labels.length, h, w, c];
  if (images.dtype !== 'uint8' || images.shape.join() !== expected.join()) {
    throw new Error(`${file}: ${split}_images is ${images.dtype} [${images.shape.join(', ')}], expected uint8 [${expected.join(', ')}] ` +
      `(${labels.length} image${labels.length === 1 ? '' : 's'} of ${h}x${w}${c === 1 ? ' grey' : `x${c}`}, one per label)`);
  }
  if (labelArray.shape.length > 2 || (labelArray.shape.length === 2 && labelArray.shape[1] !== 1)) {
    throw new Error(`${file}: ${split}_labels is [${labelArray.shape.join(', ')}], expected one class per image ([N, 1] or [N])`);
  }
  labels.forEach((label, i) => {
    if (label < 0 || label >= classes.length) {
      throw new Error(`${file}: ${split}_labels[${i}] is ${label}, not one of the ${classes.length} classes (0 to ${classes.length - 1}: ${classes.join(', ')})`);
    }
  });
  // [N, H, W] and [N, H, W, C] are both already N, H, W, C in memory
  return { x: images.data as Uint8Array, y: Uint8Array.from(labels) };
}

function need(arrays: ReadonlyMap<string, NpyArray>, key: string, file: string): NpyArray {
  const array = arrays.get(key);
  if (!array) throw new Error(`${file} holds no ${key} array (it holds: ${[...arrays.keys()].join(', ') || 'nothing'})`);
  return array;
}
