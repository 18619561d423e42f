/**
 * The shipped models, read at build time from models/<id>/card.json by the
 * Vite plugin in scripts/models-plugin.ts. The page and the tests list models
 * from here; a model's full card is fetched when it is loaded.
 */
import { MODELS } from 'virtual:model-registry';

export interface ModelSummary {
  id: string;
  name: string;
  modality: string;
  method: string;
  dataset: string;
  classes: string[];
  /** Folder relative to the site root, ending in '/'. */
  path: string;
  /** Bytes of weights to download. */
  bytes: number;
  licence: string;
  /**
   * One example, channels-last: [H, W, C] or [L, C] (the card's architecture.inputShape). With
   * passesPerSample, what the picker's fastest-first order estimates from (catalogue.ts sampleWork);
   * absent from summaries written by hand in tests, which then sort last.
   */
  inputShape?: number[];
  /** Forward passes of the network per sample at the card's defaults (catalogue.ts passesPerSample). */
  passesPerSample?: number;
  /** A feature extractor's datasets (the card's features.for): the judge measures distances in its features. */
  featuresFor?: string[];
  /** Trained with DP-SGD (the card's training.privacy): its epsilon at delta, and the model trained alike without DP. */
  privacy?: { epsilon: number; delta: number; baseline: string | null };
}

export const SHIPPED_MODELS: readonly ModelSummary[] = MODELS;

export function findModel(id: string): ModelSummary | undefined {
  return SHIPPED_MODELS.find((model) => model.id === id);
}
