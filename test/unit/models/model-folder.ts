/**
 * Reading a model folder (card.json, weights.json + shards, parity.json) from disk for the Node
 * tests, without fetch: the same decode path as the browser loader, bytes from node:fs.
 * Running the parity cases is src/models/parity.ts, shared with the browser tests.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { type ModelCard, parseCard } from '../../../src/models/card.js';
import { type Classifier, createClassifier } from '../../../src/models/classifier.js';
import { type UNet, createUNet } from '../../../src/models/unet.js';
import { type Vae, createVae } from '../../../src/models/vae.js';
import { type Ar, createAr } from '../../../src/models/ar.js';
import { type Gan, createGan } from '../../../src/models/gan.js';
import { type WeightsManifest, decodeManifestWeights } from '../../../src/models/weights-from-manifest.js';
import type { Parity } from '../../../src/models/parity.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const TINY_MODELS = join(REPO, 'test', 'fixtures', 'tiny-models');
export const SHIPPED_MODELS = join(REPO, 'models');

/** Folders under `root` with a complete export (card, manifest and parity: parity.json is written before card.json). */
export function exportedModelDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(root, e.name))
    .filter((dir) => ['card.json', 'weights.json', 'parity.json'].every((f) => existsSync(join(dir, f))))
    .sort();
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

export function loadCard(dir: string): ModelCard {
  return parseCard(readJson(join(dir, 'card.json')));
}

export function loadParity(dir: string): Parity {
  return readJson(join(dir, 'parity.json')) as Parity;
}

/** The folder's weights as new tensors; the caller (or the model built from them) disposes them. */
export function loadWeights(dir: string): Record<string, tf.Tensor> {
  const manifest = readJson(join(dir, 'weights.json')) as WeightsManifest;
  const shards = manifest.flatMap((group) => group.paths.map((p) => {
    const bytes = readFileSync(join(dir, p));
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }));
  return decodeManifestWeights(manifest, shards);
}

export type AnyModel =
  | { method: 'ddpm'; model: UNet }
  | { method: 'vae'; model: Vae }
  | { method: 'gan'; model: Gan }
  | { method: 'ar'; model: Ar }
  | { method: 'classifier'; model: Classifier };

/** Card + weights -> the model the card describes. Dispose with `.model.dispose()`. */
export function loadModel(dir: string): AnyModel {
  const card = loadCard(dir);
  const weights = loadWeights(dir);
  switch (card.method) {
    case 'ddpm': return { method: 'ddpm', model: createUNet(card, weights) };
    case 'vae': return { method: 'vae', model: createVae(card, weights) };
    case 'gan': return { method: 'gan', model: createGan(card, weights) };
    case 'ar': return { method: 'ar', model: createAr(card, weights) };
    case 'classifier': return { method: 'classifier', model: createClassifier(card, weights) };
  }
}

export type Tamper = (path: string, bytes: Uint8Array) => Uint8Array | null;

/** A fetch over a folder on disk, optionally altering what it serves (null: 404). */
export function diskFetch(root: string, tamper: Tamper = (_, bytes) => bytes) {
  return async (url: string) => {
    const path = url.replace(/^disk:\//, '');
    let bytes: Uint8Array | null;
    try {
      bytes = tamper(path, new Uint8Array(readFileSync(join(root, path))));
    } catch {
      bytes = null;
    }
    if (!bytes) return new Response('not found', { status: 404, statusText: 'Not Found' });
    return new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-length': String(bytes.length) } });
  };
}
