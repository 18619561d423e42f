import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type WeightsManifest, decodeManifestWeights } from '../../../src/models/weights-from-manifest.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** IEEE half-precision bit patterns, little-endian, as training/medsynth/export.py writes them. */
function float16Bytes(bits: number[]): ArrayBuffer {
  const view = new DataView(new ArrayBuffer(2 * bits.length));
  bits.forEach((b, i) => view.setUint16(2 * i, b, true));
  return view.buffer;
}

function float32Bytes(values: number[]): ArrayBuffer {
  return new Float32Array(values).buffer;
}

describe('decodeManifestWeights', () => {
  it('decodes float16-quantised and float32 weights by name, in manifest order', () => {
    const manifest: WeightsManifest = [{
      paths: ['weights.bin'],
      weights: [
        { name: 'in_conv.weight', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'float16' } },
        { name: 'in_conv.bias', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
      ],
    }, {
      paths: ['a.bin', 'b.bin'],                                           // one group split over two shards
      weights: [{ name: 'head.bias', shape: [3], dtype: 'float32' }],
    }];
    const half = float16Bytes([0x3c00, 0xc000, 0x3800, 0x0000, 0x3555, 0x7bff]);  // 1, -2, 0.5, 0, ~1/3, 65504
    const all = float32Bytes([0.25, -1.5, 3]);
    const tensors = decodeManifestWeights(manifest, [half, all.slice(0, 4), all.slice(4)]);
    expect(Object.keys(tensors)).toEqual(['in_conv.weight', 'in_conv.bias', 'head.bias']);
    expect(tensors['in_conv.weight']?.shape).toEqual([2, 2]);
    expect(tensors['in_conv.weight']?.dtype).toBe('float32');
    expect(Array.from(tensors['in_conv.weight']?.dataSync() ?? [])).toEqual([1, -2, 0.5, 0]);
    expect(Array.from(tensors['in_conv.bias']?.dataSync() ?? [])).toEqual([0.333251953125, 65504]);
    expect(Array.from(tensors['head.bias']?.dataSync() ?? [])).toEqual([0.25, -1.5, 3]);
    for (const t of Object.values(tensors)) t.dispose();
  });

  it('refuses a shard whose size does not match the manifest', () => {
    const manifest: WeightsManifest = [{ paths: ['weights.bin'], weights: [{ name: 'w', shape: [4], dtype: 'float32' }] }];
    const before = tf.memory().numTensors;
    expect(() => decodeManifestWeights(manifest, [float32Bytes([1, 2, 3])]))
      .toThrow('weights manifest: shard(s) weights.bin hold 12 bytes, the manifest describes 16');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses the wrong number of shards', () => {
    const manifest: WeightsManifest = [{ paths: ['a.bin', 'b.bin'], weights: [] }];
    expect(() => decodeManifestWeights(manifest, [new ArrayBuffer(0)]))
      .toThrow('weights manifest: 2 shard file(s) listed but 1 given');
  });
});
