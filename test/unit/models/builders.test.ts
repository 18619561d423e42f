/**
 * The builders own their weights and free everything: no tensor survives create + forward +
 * dispose except what the caller disposes; a build that fails frees the weights it was given.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/models/classifier.js';
import { createUNet } from '../../../src/models/unet.js';
import { createVae } from '../../../src/models/vae.js';
import { TINY_MODELS, loadCard, loadModel, loadWeights } from './model-folder.js';

const fixture = (name: string) => join(TINY_MODELS, name);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('memory', () => {
  it('a UNet leaves no tensor behind after create, embed, predictNoise and dispose', () => {
    for (const name of ['tiny-xray-ddpm', 'tiny-ecg-ddpm-attn']) {
      const before = tf.memory().numTensors;
      const loaded = loadModel(fixture(name));
      if (loaded.method !== 'ddpm') throw new Error('expected a UNet');
      const unet = loaded.model;
      const a = unet.architecture;
      const x = tf.randomNormal(a.dims === 2 ? [2, a.size, a.size, a.inChannels] : [2, a.size, a.inChannels]);
      const afterCreate = tf.memory().numTensors;
      const eps = unet.predictNoise(x, [999, 10], [0, a.numClasses]);
      const epsFromTensors = tf.tidy(() => unet.predictNoise(x, tf.tensor1d([999, 10]), tf.tensor1d([1, 0], 'int32')));
      const emb = unet.embed([5], [1]);
      expect(eps.shape).toEqual(x.shape);
      expect(emb.shape).toEqual([1, a.timeEmbedDim]);
      expect(tf.memory().numTensors).toBe(afterCreate + 3);                 // only the three results
      tf.dispose([eps, epsFromTensors, emb, x]);
      unet.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('a VAE leaves no tensor behind after create, decode, encode and dispose', () => {
    for (const name of ['tiny-xray-vae', 'tiny-ecg-vae']) {
      const before = tf.memory().numTensors;
      const loaded = loadModel(fixture(name));
      if (loaded.method !== 'vae') throw new Error('expected a VAE');
      const vae = loaded.model;
      const a = vae.architecture;
      const z = tf.randomNormal([3, a.latentDim]) as tf.Tensor2D;
      const x = vae.decode(z, [0, 1, 0]);
      expect(x.shape).toEqual(a.dims === 2 ? [3, a.size, a.size, a.inChannels] : [3, a.size, a.inChannels]);
      const { mu, logvar } = vae.encode(x, [1, 0, 1]);
      expect(mu.shape).toEqual([3, a.latentDim]);
      tf.dispose([z, x, mu, logvar]);
      vae.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('a classifier leaves no tensor behind after create, features, logits, probabilities and dispose', () => {
    for (const name of ['tiny-xray-classifier', 'tiny-ecg-classifier']) {
      const before = tf.memory().numTensors;
      const loaded = loadModel(fixture(name));
      if (loaded.method !== 'classifier') throw new Error('expected a classifier');
      const clf = loaded.model;
      const a = clf.architecture;
      const x = tf.randomNormal(a.dims === 2 ? [2, a.size, a.size, a.inChannels] : [2, a.size, a.inChannels]);
      const outputs = [clf.features(x), clf.logits(x), clf.probabilities(x)];
      expect(outputs.map((t) => t.shape)).toEqual([[2, a.featureDim], [2, a.numClasses], [2, a.numClasses]]);
      tf.dispose([x, ...outputs]);
      clf.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('a build that fails frees the weights it was given', () => {
    const before = tf.memory().numTensors;
    const card = loadCard(fixture('tiny-ecg-vae'));
    const weights = loadWeights(fixture('tiny-ecg-vae'));
    weights['decoder.conv_out.bias']?.dispose();
    delete weights['decoder.conv_out.bias'];
    expect(() => createVae(card, weights)).toThrow("VAE tiny-ecg-vae: weight 'decoder.conv_out.bias' [1] is missing");
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('large batches', () => {
  it('run in chunks with the same result as one pass, and leave no tensor behind', () => {
    const card = loadCard(fixture('tiny-xray-ddpm'));
    const a = card.architecture;
    if (a.type !== 'unet') throw new Error('expected a UNet');
    const whole = createUNet(card, loadWeights(fixture('tiny-xray-ddpm')));
    // room for two samples' widest activation per pass: a batch of 5 runs as 2 + 2 + 1
    const chunked = createUNet(card, loadWeights(fixture('tiny-xray-ddpm')), 2 * a.size * a.size * a.baseChannels * a.channelMult[0]!);
    const x = tf.randomNormal([5, a.size, a.size, a.inChannels], 0, 1, 'float32', 7);
    const t = [999, 500, 10, 0, 250];
    const y = [0, 1, a.numClasses, 0, 1];
    const [tTensor, yTensor] = [tf.tensor1d(t), tf.tensor1d(y, 'int32')];
    const before = tf.memory().numTensors;
    const expected = whole.predictNoise(x, t, y);
    const actual = chunked.predictNoise(x, tTensor, yTensor);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(actual.shape).toEqual(expected.shape);
    expect(tf.max(tf.abs(actual.sub(expected))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, tTensor, yTensor, expected, actual]);
    whole.dispose();
    chunked.dispose();
  });
});

describe('weights named by module path, from the architecture', () => {
  it('refuses weights exported for another architecture (attention at other levels)', () => {
    const before = tf.memory().numTensors;
    const card = loadCard(fixture('tiny-ecg-ddpm'));                         // mid attention only
    expect(() => createUNet(card, loadWeights(fixture('tiny-ecg-ddpm-attn'))))
      .toThrow(/UNet tiny-ecg-ddpm: weight '.*' .* (is missing|has shape)/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses weights the architecture has no place for', () => {
    const card = loadCard(fixture('tiny-xray-classifier'));
    const weights = loadWeights(fixture('tiny-xray-classifier'));
    weights['blocks.2.norm1.weight'] = tf.ones([16]);
    expect(() => createClassifier(card, weights))
      .toThrow('classifier tiny-xray-classifier: 1 weight(s) not used by the architecture: blocks.2.norm1.weight');
  });

  it('refuses a card of another kind', () => {
    const weights = loadWeights(fixture('tiny-xray-vae'));
    expect(() => createUNet(loadCard(fixture('tiny-xray-vae')), weights)).toThrow('tiny-xray-vae: not a UNet');
    tf.dispose(Object.values(weights));
  });
});

describe('inputs', () => {
  it('are checked against the card before anything runs', () => {
    const loaded = loadModel(fixture('tiny-xray-ddpm'));
    if (loaded.method !== 'ddpm') throw new Error('expected a UNet');
    const unet = loaded.model;
    const nchw = tf.zeros([1, 1, 28, 28]);
    expect(() => unet.predictNoise(nchw, [1], [0])).toThrow('UNet tiny-xray-ddpm: expected a float32 input of shape [B, S, S, 1], got float32 [1, 1, 28, 28]');
    const odd = tf.zeros([1, 27, 27, 1]);
    expect(() => unet.predictNoise(odd, [1], [0])).toThrow('spatial size [27, 27] is not divisible by 2');
    const x = tf.zeros([2, 28, 28, 1]);
    expect(() => unet.predictNoise(x, [1], [0])).toThrow('2 samples but 1 timesteps');
    expect(() => unet.predictNoise(x, [1, 2], [0, 3])).toThrow('class id 3 is outside 0..2');
    unet.dispose();
    expect(() => unet.predictNoise(x, [1, 2], [0, 1])).toThrow('UNet tiny-xray-ddpm has been disposed');
    tf.dispose([nchw, odd, x]);
  });
});
