/**
 * The models the page offers: the shipped generators (evaluators are not pickable), plus any
 * same-origin model folders named in the address, summarised from their cards the way
 * scripts/models-plugin.ts summarises the shipped ones. Pure, apart from fetching extra cards.
 */
import { type ModelCard, parseCard } from '../models/card.js';
import type { ModelSummary } from '../models/registry.js';
import type { Method } from './url-state.js';

/** Human names of the training sets the reference packs and cards name. */
const DATASETS: Record<string, string> = {
  pneumoniamnist: 'PneumoniaMNIST (paediatric chest X-rays, 28x28)',
  mitbih: 'MIT-BIH Arrhythmia Database (lead MLII beats, 360 Hz)',
};

export function datasetName(dataset: string): string {
  return DATASETS[dataset] ?? dataset;
}

export function methodName(method: string): string {
  if (method === 'ddpm') return 'Diffusion (DDPM)';
  if (method === 'vae') return 'VAE';
  return method;
}

export function isGenerator(model: Pick<ModelSummary, 'method'>): model is ModelSummary & { method: Method } {
  return model.method === 'ddpm' || model.method === 'vae';
}

/** The other method's generator trained on the same data: the VAE for a diffusion model and back. */
export function partnerOf(model: ModelSummary, models: readonly ModelSummary[]): ModelSummary | null {
  return models.find((m) => m.dataset === model.dataset && m.id !== model.id && isGenerator(m) && m.method !== model.method) ?? null;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function summarise(card: ModelCard, path: string): ModelSummary {
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
  };
}

/**
 * Shipped generators first, then the extra folders' generators whose ids are not taken. A folder
 * that cannot be read is reported, not fatal.
 */
export async function buildCatalogue(
  shipped: readonly ModelSummary[],
  extra: readonly string[],
  get: (url: string) => Promise<Response> = (url) => fetch(url),
): Promise<{ models: ModelSummary[]; problems: string[] }> {
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
