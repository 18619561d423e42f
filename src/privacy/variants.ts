/**
 * The shipped privacy variants (issue 20): one generator trained with DP-SGD at several budgets, and
 * once alike without DP, in PyTorch (training/configs.py, DP_ECG_VAE). What they cost and what they
 * protect is read from their cards, the single source of the figures; the page sets them side by side
 * so the trade-off shows without waiting for a run.
 */
import { cardFigures, type CardFigures } from '../judge/view.js';
import { type ModelCard, type PrivacyRecord, privacyOf } from '../models/card.js';
import type { ModelSummary } from '../models/registry.js';

/** One model of a group: its DP record (null for the baseline trained without DP) and its card's figures. */
export interface PrivacyVariant {
  id: string;
  name: string;
  classes: string[];
  privacy: PrivacyRecord | null;
  figures: CardFigures | null;
  /** The training split's beats (or images) per class, as the card records them. */
  trainedOn: number[] | null;
  /**
   * The VAE's KL term on held-out data, in nats (the card's quality.heldOut.klNats): near 0, the
   * decoder ignores z and every sample of a class is the same (posterior collapse).
   */
  heldOutKl: number | null;
}

/**
 * The shipped models trained with DP-SGD, grouped by the model each names as its baseline: in each
 * group the baseline first (when it ships), then the variants from the largest epsilon to the smallest.
 */
export function privacyGroups(models: readonly ModelSummary[]): ModelSummary[][] {
  const groups = new Map<string, ModelSummary[]>();
  for (const model of models) {
    if (!model.privacy) continue;
    const key = model.privacy.baseline ?? model.id;
    groups.set(key, [...(groups.get(key) ?? []), model]);
  }
  return [...groups].map(([key, variants]) => {
    const baseline = models.find((m) => m.id === key && !m.privacy);
    return [...(baseline ? [baseline] : []), ...variants.sort((a, b) => b.privacy!.epsilon - a.privacy!.epsilon)];
  });
}

/** What the comparison shows of one card. */
export function privacyVariant(card: ModelCard): PrivacyVariant {
  const trainedOn = (card.provenance.trainedOn as { classCounts?: unknown } | undefined)?.classCounts;
  const kl = (card.quality.heldOut as { klNats?: unknown } | undefined)?.klNats;
  return {
    id: card.id,
    name: card.name,
    classes: card.classes,
    privacy: privacyOf(card),
    figures: cardFigures(card.quality),
    trainedOn: Array.isArray(trainedOn) && trainedOn.every((n) => typeof n === 'number') ? (trainedOn as number[]) : null,
    heldOutKl: typeof kl === 'number' && Number.isFinite(kl) ? kl : null,
  };
}
