/**
 * A tfjs weights manifest (models/<id>/weights.json) plus its shard bytes -> named tensors.
 *
 * A thin typed wrapper over tf.io.decodeWeights (which undoes float16 / uint8 quantization) that
 * checks the shard sizes against the manifest first, so a truncated or mismatched download fails
 * with a clear message instead of decoding garbage. Fetching and checksums are the loader's job;
 * tests call this with bytes read from disk.
 */
import * as tf from '@tensorflow/tfjs';

export type WeightsManifest = tf.io.WeightsManifestConfig;

const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint16: 2, uint8: 1 };

/**
 * Decodes every weight of `manifest`. `shardBytes` holds the shards in manifest order: the paths
 * of group 0, then of group 1, ... Returns new tensors keyed by weight name; the caller owns and
 * disposes them (a model builder takes them over).
 */
export function decodeManifestWeights(manifest: WeightsManifest, shardBytes: readonly ArrayBuffer[]): Record<string, tf.Tensor> {
  if (!Array.isArray(manifest)) throw new Error('weights manifest: expected a list of weight groups');
  const paths = manifest.reduce((n, group) => n + group.paths.length, 0);
  if (shardBytes.length !== paths) {
    throw new Error(`weights manifest: ${paths} shard file(s) listed but ${shardBytes.length} given`);
  }
  const out: Record<string, tf.Tensor> = {};
  let next = 0;
  try {
    for (const group of manifest) {
      const shards = shardBytes.slice(next, next + group.paths.length);
      next += group.paths.length;
      const have = shards.reduce((n, s) => n + s.byteLength, 0);
      const need = group.weights.reduce((n, spec) => n + byteLength(spec), 0);
      if (have !== need) {
        throw new Error(`weights manifest: shard(s) ${group.paths.join(', ')} hold ${have} bytes, the manifest describes ${need}`);
      }
      for (const spec of group.weights) {
        if (spec.name in out) throw new Error(`weights manifest: weight '${spec.name}' appears twice`);
      }
      Object.assign(out, tf.io.decodeWeights(shards, group.weights));
    }
  } catch (err) {
    for (const t of Object.values(out)) t.dispose();
    throw err;
  }
  return out;
}

/** Bytes one manifest entry occupies in its shard. */
function byteLength(spec: tf.io.WeightsManifestEntry): number {
  const stored = spec.quantization?.dtype ?? spec.dtype;
  const size = BYTES_PER_VALUE[stored];
  if (size === undefined) throw new Error(`weights manifest: weight '${spec.name}' has unsupported storage '${stored}'`);
  return spec.shape.reduce((n, s) => n * s, 1) * size;
}
