/**
 * The models the page offers: the shipped generators (evaluators are not pickable), plus any
 * same-origin model folders named in the address, summarised from their cards the way
 * scripts/models-plugin.ts summarises the shipped ones (which also knows their thumbnails; an
 * extra folder shows none). Pure, apart from fetching extra cards.
 */
import { type GeneratorMethod, type ModelCard, parseCard, privacyOf, tokenCountOf } from './card.js';
import type { ModelSummary } from './registry.js';
import { runWork } from '../pipeline/estimate.js';

/** Human names of the training sets the reference packs and cards name. */
const DATASETS: Record<string, string> = {
  pneumoniamnist: 'PneumoniaMNIST (paediatric chest X-rays, 28x28)',
  breastmnist: 'BreastMNIST (breast ultrasound, 28x28)',
  retinamnist: 'RetinaMNIST (colour fundus photographs, 28x28 RGB)',
  bccd: 'BCCD (blood-smear microscopy, 64x64 RGB cell patches)',
  mitbih: 'MIT-BIH Arrhythmia Database (lead MLII beats, 360 Hz)',
};

/**
 * A model's picture in the picker: models/<id>/thumbnail.png, four samples the model made itself
 * (scripts/thumbnails.ts). `width` and `height` are the size to show it at, in CSS pixels.
 */
export interface Thumbnail {
  src: string;
  width: number;
  height: number;
  /** Images are enlarged with crisp pixels; ECG charts are drawn at a higher density and reduced. */
  pixelated: boolean;
}

/** A model on offer: its summary, and its thumbnail where one ships. */
export type CatalogueEntry = ModelSummary & { thumbnail?: Thumbnail };

/** ECG thumbnails are drawn at this many PNG pixels per CSS pixel, so they stay sharp on dense screens. */
export const SIGNAL_THUMBNAIL_DENSITY = 2;
/** About how wide a thumbnail shows, in CSS pixels. */
const THUMBNAIL_TARGET = 132;

/**
 * How to show a thumbnail of `width` x `height` PNG pixels: an image mosaic enlarged by the largest
 * whole factor that keeps it within about 132 CSS pixels; an ECG chart at 1 / SIGNAL_THUMBNAIL_DENSITY.
 */
export function thumbnailOf(card: Pick<ModelCard, 'architecture'>, src: string, png: { width: number; height: number }): Thumbnail {
  if (card.architecture.dims === 2) {
    const scale = Math.max(1, Math.floor(THUMBNAIL_TARGET / png.width));
    return { src, width: png.width * scale, height: png.height * scale, pixelated: true };
  }
  return { src, width: png.width / SIGNAL_THUMBNAIL_DENSITY, height: png.height / SIGNAL_THUMBNAIL_DENSITY, pixelated: false };
}

/** What a thumbnail records of the weights it was made from: every shard's SHA-256. */
export function thumbnailWeights(card: Pick<ModelCard, 'weights'>): string {
  return card.weights.files.map((f) => f.sha256).join(',');
}

export function datasetName(dataset: string): string {
  return DATASETS[dataset] ?? dataset;
}

export function methodName(method: string): string {
  if (method === 'ddpm') return 'Diffusion (DDPM)';
  if (method === 'vae') return 'VAE';
  if (method === 'gan') return 'GAN';
  if (method === 'ar') return 'Autoregressive transformer';
  return method;
}

/**
 * How far a model's training went, in a sentence, from the card's `training` record
 * (training/train.py's summary): steps, batch, hardware and wall time; for a run started from an
 * exported model (initFrom), that model's own training too; training images left out, and why.
 */
export function trainingRecord(training: Record<string, unknown>): string {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const run = (t: Record<string, unknown>) => {
    const steps = num(t.steps);
    const batch = num(t.batch);
    const seconds = num(t.wallSeconds);
    const hardware = typeof t.hardware === 'string' ? t.hardware : null;
    const parts = [hardware, seconds !== null ? `${Math.max(1, Math.round(seconds / 60))} min` : null].filter((p) => p !== null);
    return `${steps !== null ? steps.toLocaleString('en') : '?'} steps${batch !== null ? ` of ${batch}` : ''}${parts.length ? ` (${parts.join(', ')})` : ''}`;
  };
  let text = run(training);
  const from = training.initFrom as { model?: unknown; training?: Record<string, unknown> } | undefined;
  if (from?.training) text = `${run(from.training)}, then ${text} starting from those weights`;
  const left = training.leftOut as { count?: unknown; rule?: unknown } | undefined;
  if (left && num(left.count)) text += `; ${num(left.count)} training samples left out (${typeof left.rule === 'string' ? left.rule : 'see the card'})`;
  return text;
}

export function isGenerator(model: Pick<ModelSummary, 'method'>): model is ModelSummary & { method: GeneratorMethod } {
  return model.method === 'ddpm' || model.method === 'vae' || model.method === 'gan' || model.method === 'ar';
}

/** Which family a side-by-side compare pairs each with: diffusion with the VAE, the others with diffusion. */
const PARTNER_METHODS: Record<GeneratorMethod, GeneratorMethod[]> = { ddpm: ['vae', 'gan', 'ar'], vae: ['ddpm'], gan: ['ddpm'], ar: ['ddpm'] };

/** The generator of another family trained on the same data that a compare shows beside `model`. */
export function partnerOf(model: ModelSummary, models: readonly ModelSummary[]): ModelSummary | null {
  if (!isGenerator(model)) return null;
  for (const method of PARTNER_METHODS[model.method]) {
    const partner = models.find((m) => m.dataset === model.dataset && m.id !== model.id && m.method === method);
    if (partner) return partner;
  }
  return null;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Forward passes of the network for one sample at the card's defaults, counted as a run of one
 * sample counts them (pipeline/estimate.ts runWork): a diffusion model one per sampler step, two
 * under classifier-free guidance; a VAE or a GAN one decode; an AR model one cached position per
 * token (two when guided); a classifier one pass.
 */
export function passesPerSample(card: Pick<ModelCard, 'method' | 'samplerDefaults'> & Partial<Pick<ModelCard, 'tokenSampling' | 'architecture'>>): number {
  if (card.method === 'ar' && card.architecture) {
    const tokens = tokenCountOf({ architecture: card.architecture });
    const { passes, rows } = runWork('ar', { count: 1, steps: 0, guidance: card.tokenSampling?.guidance ?? 1 }, tokens);
    return passes * rows;
  }
  const d = card.samplerDefaults;
  if (card.method !== 'ddpm' || !d) return 1;
  const { passes, rows } = runWork('ddpm', { count: 1, steps: d.steps, guidance: d.guidance });
  return passes * rows;
}

/**
 * About how much work one sample is at the card's defaults, in arbitrary units, to rank models
 * (not to predict a time): passes x weight bytes (for parameters) x positions (H x W or L) x kernel
 * taps (3^dims, so an image's 3x3 convolutions weigh more than a signal's 3-wide ones). An AR
 * model's cached pass is one position, yet it is weighed here as a whole image: on the small
 * devices this ranking serves, a pass costs its dispatches and read-backs more than its arithmetic
 * (a 49-token X-ray takes longer than one VAE decode, not 700 times less). Null when the summary
 * does not say (a summary written by hand).
 */
export function sampleWork(model: Pick<ModelSummary, 'bytes' | 'inputShape' | 'passesPerSample'>): number | null {
  const { inputShape: shape, passesPerSample: passes } = model;
  if (!shape || shape.length < 2 || passes === undefined) return null;
  const dims = shape.length - 1; // the last axis is channels
  const positions = shape.slice(0, -1).reduce((n, k) => n * k, 1);
  return passes * model.bytes * positions * 3 ** dims;
}

/** `models` fastest first by sampleWork; equal or unknown work keeps its order, unknown last. */
export function fastestFirst<M extends ModelSummary>(models: readonly M[]): M[] {
  const work = (m: M) => sampleWork(m) ?? Infinity;
  // Array sort is stable; Infinity - Infinity is NaN, read as equal
  return [...models].sort((a, b) => work(a) - work(b) || 0);
}

/** The site's flagship: a chest X-ray forming from noise, step by step. */
export const FLAGSHIP = 'xray-ddpm';

/**
 * The id of the model to suggest as a first try: the flagship when offered, else the fastest
 * diffusion model (the step viewer is the point of the site), else the fastest model; null for none.
 */
export function suggestedStart(models: readonly ModelSummary[]): string | null {
  if (models.some((m) => m.id === FLAGSHIP)) return FLAGSHIP;
  const diffusion = models.filter((m) => m.method === 'ddpm');
  return fastestFirst(diffusion.length ? diffusion : models)[0]?.id ?? null;
}

function privacySummary(card: ModelCard): Pick<CatalogueEntry, 'privacy'> {
  const p = privacyOf(card);
  return p ? { privacy: { epsilon: p.epsilon, delta: p.delta, baseline: p.baseline } } : {};
}

export function summarise(card: ModelCard, path: string, thumbnail?: Thumbnail): CatalogueEntry {
  return {
    id: card.id,
    name: card.name,
    modality: card.modality,
    method: card.method,
    dataset: card.dataset,
    classes: card.classes,
    path,
    bytes: card.weights.files.reduce((n, f) => n + f.bytes, 0),
    licence: typeof card.provenance.licence === 'string' ? card.provenance.licence : 'unknown',
    inputShape: card.architecture.inputShape,
    passesPerSample: passesPerSample(card),
    ...(card.features ? { featuresFor: card.features.for } : {}),
    ...privacySummary(card),
    ...(thumbnail ? { thumbnail } : {}),
  };
}

/**
 * Shipped generators first, then the extra folders' generators whose ids are not taken. A folder
 * that cannot be read is reported, not fatal.
 */
export async function buildCatalogue(
  shipped: readonly CatalogueEntry[],
  extra: readonly string[],
  get: (url: string) => Promise<Response> = (url) => fetch(url),
): Promise<{ models: CatalogueEntry[]; problems: string[] }> {
  const models = shipped.filter(isGenerator);
  const problems: string[] = [];
  for (const folder of extra) {
    try {
      const response = await get(`${folder}card.json`);
      if (!response.ok) throw new Error(`answered ${response.status}`);
      const summary = summarise(parseCard(await response.json()), folder);
      if (isGenerator(summary) && !models.some((m) => m.id === summary.id)) models.push(summary);
    } catch (error) {
      problems.push(`The model folder ${folder} could not be read (${(error as Error).message}).`);
    }
  }
  return { models, problems };
}
