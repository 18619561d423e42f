/**
 * A model folder from the person's own disk, as training/export.py writes it (card.json,
 * weights.json with its shards, parity.json), chosen with a file picker or dropped on the page.
 *
 * Its files stay in this tab's memory and are served to the loader under a `local:` address
 * (src/models/local-files.ts), so the model goes wherever a shipped one goes: the
 * picker, the step viewer, the compare, the judge. Nothing is uploaded. openLocalModel verifies it
 * as a shipped model is verified (the card's fields, every shard's size and SHA-256) and more: the
 * parity vectors PyTorch wrote are run on this device before the model is offered. Any failure
 * says what is wrong with which file, and leaves the site as it was.
 */
import * as tf from '@tensorflow/tfjs';
import { type ModelCard, parseCard } from './card.js';
import { type CatalogueEntry, isGenerator, summarise } from './catalogue.js';
import { type LoadProgress, ModelLoadError, loadModel } from './loader.js';
import { type Parity, type ParityVerdict, verifyParity } from './parity.js';
import type { BackendName } from '../runtime/backends.js';
import { fetchModelFile, forgetLocalFolder, holdLocalFolder } from './local-files.js';

/** A file the person chose, with its path inside what they chose ('run-7/card.json', or 'card.json' for loose files). */
export interface PickedFile {
  path: string;
  file: Blob;
}

/** What training/export.py writes besides the shards that the card lists. */
const REQUIRED = ['card.json', 'weights.json', 'parity.json'] as const;

export class LocalModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalModelError';
  }
}

/**
 * The one model folder among `files`: the folder holding card.json (the files beside it, by name).
 * Files chosen loose (no folder) count as one folder.
 */
export function modelFolderOf(files: readonly PickedFile[]): { name: string; files: Map<string, Blob> } {
  if (!files.length) throw new LocalModelError('Nothing was chosen. Choose the folder that training/export.py wrote (it holds card.json, weights.json, weights.bin and parity.json).');
  const dirOf = (path: string) => path.split('/').slice(0, -1).join('/');
  const cards = files.filter((f) => f.path.split('/').pop() === 'card.json');
  if (!cards.length) {
    const names = files.slice(0, 6).map((f) => f.path).join(', ') + (files.length > 6 ? `, and ${files.length - 6} more` : '');
    throw new LocalModelError(`There is no card.json among the files chosen (${names}). Choose the folder that training/export.py wrote for one model.`);
  }
  if (cards.length > 1) {
    throw new LocalModelError(`What was chosen holds ${cards.length} model folders (${cards.map((c) => dirOf(c.path) || '.').join(', ')}); choose one of them.`);
  }
  const dir = dirOf(cards[0]!.path);
  const prefix = dir ? `${dir}/` : '';
  const inside = new Map(files.filter((f) => f.path.startsWith(prefix) && !f.path.slice(prefix.length).includes('/')).map((f) => [f.path.slice(prefix.length), f.file]));
  return { name: dir.split('/').pop() || 'the files chosen', files: inside };
}

export interface OpenOptions {
  /** Ids taken by the site's own models: a folder with one of them is refused. */
  takenIds: ReadonlySet<string>;
  backend: BackendName;
  onProgress?: (progress: LoadProgress) => void;
  signal?: AbortSignal;
}

/** A verified model from disk: its summary for the picker (path `local:<key>/`) and how close it came to PyTorch here. */
export interface LocalModel {
  summary: CatalogueEntry;
  card: ModelCard;
  verdict: ParityVerdict;
  folder: string;
}

/**
 * Reads, verifies and registers a model folder. The model is loaded and its parity cases run on
 * the current backend, then freed: the page loads it again, like any model, when it is picked.
 */
export async function openLocalModel(files: readonly PickedFile[], options: OpenOptions): Promise<LocalModel> {
  const folder = modelFolderOf(files);
  const where = folder.name === 'the files chosen' ? 'the files chosen' : `the folder ${folder.name}`;
  const missing = REQUIRED.filter((name) => !folder.files.has(name));
  if (missing.length) {
    throw new LocalModelError(`${capital(where)} has no ${missing.join(' or ')}. training/export.py writes card.json, weights.json, the weight shards and parity.json; ` +
      'the site runs the parity vectors on load, so a folder without them is refused.');
  }
  const card = parseOrSay(await readJson(folder.files, 'card.json'), 'card.json', parseCard);
  if (!isGenerator(card)) {
    throw new LocalModelError(`${card.id} is ${card.method === 'classifier' ? 'an evaluator (a classifier the judge scores with)' : `a ${card.method} model`}, not a generator; the site offers generators (diffusion, VAE, GAN, autoregressive) from disk.`);
  }
  if (options.takenIds.has(card.id)) {
    throw new LocalModelError(`One of the site's own models is called ${card.id}, as your card is. Give your model an id of its own (the card's "id", and parity.json's "model") and load it again.`);
  }
  const parity = parseOrSay(await readJson(folder.files, 'parity.json'), 'parity.json', asParity);
  if (parity.model !== card.id) throw new LocalModelError(`parity.json is for the model ${parity.model}, card.json for ${card.id}: they are not from the same export.`);
  for (const shard of card.weights.files) {
    const file = folder.files.get(shard.path);
    if (!file) throw new LocalModelError(`${capital(where)} has no ${shard.path}, which the card lists among its weights.`);
    if (file.size !== shard.bytes) throw new LocalModelError(`${shard.path} holds ${file.size} bytes, the card lists ${shard.bytes}: it was cut short or replaced after the export.`);
  }

  const path = holdLocalFolder(folder.files);
  try {
    const model = await loadModel(path, { fetch: fetchModelFile, onProgress: options.onProgress, signal: options.signal }).catch((error: unknown) => {
      throw error instanceof ModelLoadError ? new LocalModelError(explainLoadError(error, card)) : error;
    });
    let verdict: ParityVerdict;
    try {
      verdict = await verifyParity(model, parity, options.backend).catch((error: unknown) => {
        throw new LocalModelError(`The parity cases in parity.json could not be run on ${card.id}: ${(error as Error).message}.`);
      });
    } finally {
      model.dispose();
    }
    if (!verdict.passed) {
      const worst = verdict.outputs[0]!;
      throw new LocalModelError(`${card.id} does not compute here what PyTorch computed: ${worst.output} is off by ${worst.relativeError.toExponential(1)} of its scale, ` +
        `beyond the ${verdict.tolerance.toExponential(0)} allowed on ${options.backend}. The weights, the card or parity.json were changed after the export, or the site cannot build this architecture faithfully.`);
    }
    return { summary: summarise(card, path), card, verdict, folder: folder.name };
  } catch (error) {
    forgetLocalFolder(path);
    throw error;
  }
}

async function readJson(files: ReadonlyMap<string, Blob>, name: string): Promise<unknown> {
  const text = await files.get(name)!.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new LocalModelError(`${name} is not valid JSON (${(error as Error).message}).`);
  }
}

function parseOrSay<T>(json: unknown, name: string, parse: (json: unknown) => T): T {
  try {
    return parse(json);
  } catch (error) {
    throw new LocalModelError(`${name} is not one this site can read: ${(error as Error).message}.`);
  }
}

function asParity(json: unknown): Parity {
  const p = json as Partial<Parity> | null;
  if (!p || typeof p !== 'object' || typeof p.model !== 'string' || typeof p.cases !== 'object' || p.cases === null || !Object.keys(p.cases).length) {
    throw new Error('it needs "model" and "cases" as training/export.py writes them');
  }
  return p as Parity;
}

/** The loader's failures, said of a folder on disk rather than of a download (missing and short shards are caught before). */
function explainLoadError(error: ModelLoadError, card: ModelCard): string {
  if (error.code === 'shard-checksum') {
    const file = card.weights.files.find((f) => error.message.includes(`${f.path} is not`))?.path ?? 'A weight file';
    return `${file} is not the file this card was exported with (its SHA-256 differs from the card's): the weights and the card do not belong together.`;
  }
  return error.message.replace(/local:\d+\//g, '');
}

function capital(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}

/** The backend models run on now, for the parity tolerance. */
export function currentBackend(): BackendName {
  return tf.getBackend() as BackendName;
}
