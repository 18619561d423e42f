/**
 * For the browser tests of the compiled plans: a tiny fixture model's card and weights, fetched
 * from the dev server as the loader would (without its checks and warm-up, so a test decides what
 * runs first), and the error measure they compare outputs by.
 */
import type * as tf from '@tensorflow/tfjs';
import { type ModelCard, parseCard } from '../../src/models/card.js';
import { decodeManifestWeights } from '../../src/models/weights-from-manifest.js';

export async function tinyFixture(id: string): Promise<{ card: ModelCard; weights: Record<string, tf.Tensor> }> {
  const base = `/test/fixtures/tiny-models/${id}/`;
  const card = parseCard(await (await fetch(`${base}card.json`)).json());
  const manifest = await (await fetch(`${base}weights.json`)).json();
  const shards = await Promise.all(manifest.flatMap((g: { paths: string[] }) => g.paths).map(async (p: string) => (await fetch(`${base}${p}`)).arrayBuffer()));
  return { card, weights: decodeManifestWeights(manifest, shards) };
}

/** The largest absolute difference between a and b, over a's largest magnitude. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let err = 0;
  let scale = 0;
  a.forEach((v, i) => {
    err = Math.max(err, Math.abs(v - b[i]!));
    scale = Math.max(scale, Math.abs(v));
  });
  return err / scale;
}
