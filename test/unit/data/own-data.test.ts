/**
 * The judge's real data from a person's own MedMNIST-form .npz: the splits land where the site's
 * packs stand, sample for sample, and every malformed file is refused with its own message.
 */
import { describe, expect, it } from 'vitest';
import { type NpyInput, encodeNpz } from '../../../src/data/npy.js';
import { ownJudgeReference } from '../../../src/data/own-data.js';

const grey = { id: 'my-xray', classes: ['normal', 'pneumonia'], architecture: { inputShape: [28, 28, 1] } } as const;
const card = grey as unknown as Parameters<typeof ownJudgeReference>[2];

function images(n: number, shape = [28, 28], seed = 1): NpyInput {
  const size = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'uint8', shape: [n, ...shape], data: Uint8Array.from({ length: n * size }, (_, i) => (i * 7 + seed) % 256) };
}
const labels = (values: number[]): NpyInput => ({ dtype: 'int32', shape: [values.length, 1], data: Int32Array.from(values) });

describe('your own real data for the judge', () => {
  it('puts the test split where the held-out pack stands and the train split where the training pack stands', () => {
    const bytes = encodeNpz({ test_images: images(3), test_labels: labels([0, 1, 1]), train_images: images(2, [28, 28], 5), train_labels: labels([1, 0]) });
    const ref = ownJudgeReference(bytes, 'mine.npz', card);
    expect(ref.index).toMatchObject({ dataset: 'your file mine.npz', kind: 'image', sampleShape: [28, 28, 1], classes: ['normal', 'pneumonia'] });
    expect(ref.index.splits.heldout).toMatchObject({ count: 3, classCounts: [1, 2] });
    expect(ref.index.splits.train).toMatchObject({ count: 2, classCounts: [1, 1] });
    expect(ref.heldout.samples).toHaveLength(3);
    expect(Array.from(ref.heldout.samples[1]!.subarray(0, 3))).toEqual([(784 * 7 + 1) % 256, (785 * 7 + 1) % 256, (786 * 7 + 1) % 256]);
    expect(Array.from(ref.heldout.labels)).toEqual([0, 1, 1]);
    expect(Array.from(ref.train!.labels)).toEqual([1, 0]);
  });

  it('takes the validation split when there is no test split, and no training split as none', () => {
    const ref = ownJudgeReference(encodeNpz({ val_images: images(2), val_labels: { dtype: 'uint8', shape: [2], data: Uint8Array.from([1, 1]) } }), 'v.npz', card);
    expect(ref.index.splits.heldout).toMatchObject({ count: 2, x: 'val_images' });
    expect(ref.train).toBeNull();
  });

  it('refuses every malformed file with its own message', () => {
    const refusal = (bytes: Uint8Array, c = card) => {
      try {
        ownJudgeReference(bytes, 'bad.npz', c);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal(new Uint8Array([1, 2, 3]))).toMatch(/^bad\.npz is not an \.npz archive numpy can write: .*not a readable zip/);
    expect(refusal(encodeNpz({ x: images(1) }))).toMatch(/^bad\.npz holds no test_images \(or val_images\) array.*it holds: x\./);
    expect(refusal(encodeNpz({ test_images: images(1) }))).toMatch(/^bad\.npz holds no test_labels array \(it holds: test_images\)/);
    expect(refusal(encodeNpz({ test_images: { dtype: 'float32', shape: [1, 28, 28], data: new Float32Array(784) }, test_labels: labels([0]) })))
      .toMatch(/test_images is float32 \[1, 28, 28\], expected uint8 \[1, 28, 28\]/);
    expect(refusal(encodeNpz({ test_images: images(2, [28, 28, 3]), test_labels: labels([0, 1]) })))
      .toMatch(/test_images is uint8 \[2, 28, 28, 3\], expected uint8 \[2, 28, 28\] \(2 images of 28x28 grey, one per label\)/);
    expect(refusal(encodeNpz({ test_images: images(2), test_labels: labels([0, 4]) })))
      .toMatch(/test_labels\[1\] is 4, not one of the 2 classes \(0 to 1: normal, pneumonia\)/);
    expect(refusal(encodeNpz({ test_images: images(1), test_labels: { dtype: 'float32', shape: [1, 1], data: new Float32Array(1) } })))
      .toMatch(/test_labels: labels must have an integer dtype, got float32/);
    expect(refusal(encodeNpz({ test_images: images(0), test_labels: labels([]) }))).toMatch(/test_images holds no images/);
    const ecg = { id: 'my-ecg', classes: ['N'], architecture: { inputShape: [256, 1] } } as unknown as typeof card;
    expect(refusal(encodeNpz({ test_images: images(1), test_labels: labels([0]) }), ecg)).toMatch(/my-ecg makes signals/);
  });
});
