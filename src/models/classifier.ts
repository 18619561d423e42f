/**
 * The evaluator CNN of training/medsynth/classifier.py, in tfjs, channels-last.
 *
 *   stem conv -> per level [ResBlock (no embedding), avg-pool /2 except after the last]
 *   -> GroupNorm, SiLU -> mean over positions -> feat: dense, SiLU -> (B, featureDim)
 *   -> head: dense -> logits (B, numClasses)
 *
 * Its features are the space the quality figures (Frechet distances) are measured in.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClassifierArchitecture, ModelCard } from './card.js';
import { type StageTrace, avgPool2x, buildFromWeights, checkInput, conv, dense, groupNorm, resBlock, silu, traced } from './layers.js';

export interface Classifier {
  readonly card: ModelCard;
  readonly architecture: ClassifierArchitecture;
  /** x: (B, *S, C) scaled like the generators' data -> (B, featureDim). The caller disposes it. */
  features(x: tf.Tensor): tf.Tensor2D;
  /** x: (B, *S, C) -> (B, numClasses) logits. The caller disposes them. */
  logits(x: tf.Tensor, trace?: StageTrace): tf.Tensor2D;
  /** x: (B, *S, C) -> (B, numClasses) softmax of the logits. The caller disposes them. */
  probabilities(x: tf.Tensor): tf.Tensor2D;
  /** Frees the weights. */
  dispose(): void;
}

/**
 * Builds the classifier of `card` (method 'classifier', from parseCard) from its weights, which it
 * takes ownership of: they are freed by the classifier's dispose(), or before an error is thrown here.
 */
export function createClassifier(card: ModelCard, tensors: Record<string, tf.Tensor>): Classifier {
  if (card.architecture.type !== 'cnn-classifier') {
    throw new Error(`${card.id}: not a classifier (architecture ${card.architecture.type})`);
  }
  const a = card.architecture;
  const owner = `classifier ${card.id}`;
  const d = a.dims;
  const c0 = a.channels[0] ?? 0;

  const [net, weights] = buildFromWeights(owner, tensors, (w) => {
    const stem = conv(w, 'stem', d, a.inChannels, c0);
    let c = c0;
    const blocks = a.channels.map((cOut, i) => {
      const block = resBlock(w, `blocks.${i}`, d, c, cOut, 0, a.groups);
      c = cOut;
      return block;
    });
    const norm = groupNorm(w, 'norm', c, a.groups, true);
    const feat = dense(w, 'feat', c, a.featureDim);
    const head = dense(w, 'head', a.featureDim, a.numClasses);
    return { stem, blocks, norm, feat, head };
  });

  let disposed = false;
  const alive = (x: tf.Tensor) => {
    if (disposed) throw new Error(`${owner} has been disposed`);
    checkInput(owner, x, d, a.inChannels, null);
  };

  /** Runs inside the caller's tidy. */
  const features = (x: tf.Tensor, trace?: StageTrace): tf.Tensor2D => {
    let h = traced(trace, net.stem(traced(trace, x, 'the sample')), `conv, ${a.inChannels}→${c0} channels`, 'stem');   // (B, *S, c0)
    net.blocks.forEach((block, i) => {
      h = block(h);
      if (i < net.blocks.length - 1) h = avgPool2x(h, d);                   // halves each spatial dim
      traced(trace, h, i < net.blocks.length - 1 ? 'ResBlock, average pool: half the size' : 'ResBlock', `blocks.${i}`);
    });
    const axes = d === 2 ? [1, 2] : [1];
    const pooled = traced(trace, tf.mean(net.norm(h), axes), 'GroupNorm, SiLU, mean over every position', 'norm');   // (B, c_last) global average
    return traced(trace, silu(net.feat(pooled)) as tf.Tensor2D, 'dense, SiLU: the features', 'feat');   // (B, featureDim)
  };

  return {
    card,
    architecture: a,
    features(x) {
      alive(x);
      return tf.tidy(() => features(x));
    },
    logits(x, trace) {
      alive(x);
      return tf.tidy(() => traced(trace, net.head(features(x, trace)) as tf.Tensor2D, 'dense: a score per class', 'head'));
    },
    probabilities(x) {
      alive(x);
      return tf.tidy(() => tf.softmax(net.head(features(x))) as tf.Tensor2D);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      weights.dispose();
    },
  };
}
