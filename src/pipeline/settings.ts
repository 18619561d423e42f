/**
 * The knobs of a run, the range each is held to, and pure functions that turn raw values (from
 * the address or a form field) into settings that are always valid. A value out of range is
 * clamped, never refused, and every change comes back as a note the page shows.
 */
import { MIN_TRUNCATION } from '../diffusion/latent.js';
import type { GeneratorMethod, ModelCard } from '../models/card.js';
import { cardTruncationOf, isGuidable, samplerDefaultsOf, tokenSamplingOf } from './pipeline.js';

export type SamplerChoice = 'ddim' | 'ddpm';

export interface Settings {
  /** Index into the model's class names. */
  classIndex: number;
  /** Samples per run. */
  count: number;
  /** Unsigned 32-bit: the noise streams of random.ts take it as is. */
  seed: number;
  sampler: SamplerChoice;
  /** Denoising steps, spaced 'trailing' over the trained schedule. */
  steps: number;
  /** DDIM only: 0 deterministic, 1 as noisy as DDPM. */
  eta: number;
  /** Classifier-free guidance scale: 0 unconditional, 1 conditional, above 1 pushed to the class. */
  guidance: number;
  /**
   * VAE: the prior's standard deviation; below 1 trades variety for typical samples. AR: the
   * logits are divided by it; 0 always takes the most likely code.
   */
  temperature: number;
  /** GAN only: z is drawn from N(0, I) cut to [-truncation, truncation]; 0 means not truncated. */
  truncation: number;
  /** AR only: draw among the k most likely codes; 0: all. */
  topK: number;
  /** AR only: draw among the most likely codes that together reach p; 1: all. */
  topP: number;
}

export type SettingName = keyof Settings;
export type RawSettings = Partial<Record<SettingName, unknown>>;

export interface Range {
  min: number;
  max: number;
  integer: boolean;
}

/** The ranges that do not depend on the model. */
export const RANGES = {
  // 64 fills an 8x8 grid; more would not fit a screen and costs a GPU more than a demo needs
  count: { min: 1, max: 64, integer: true },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
  eta: { min: 0, max: 1, integer: false },
  // beyond ~10 guided samples saturate into caricatures of the class
  guidance: { min: 0, max: 10, integer: false },
  // 0 decodes the prior mean; above 2 the decoder sees latents it never met in training
  temperature: { min: 0, max: 2, integer: false },
  // 0 is "not truncated" (then at least MIN_TRUNCATION); by 3 it cuts almost nothing (0.3% of draws)
  truncation: { min: 0, max: 3, integer: false },
  // 0 is "all codes"; no shipped codebook has more than 512
  topK: { min: 0, max: 1024, integer: true },
  // below ~0.05 it is the most likely code alone, as temperature 0
  topP: { min: 0.01, max: 1, integer: false },
} as const satisfies Record<string, Range>;

export const LABELS: Record<SettingName, string> = {
  classIndex: 'Class',
  count: 'Samples',
  seed: 'Seed',
  sampler: 'Sampler',
  steps: 'Steps',
  eta: 'Eta',
  guidance: 'Guidance scale',
  temperature: 'Temperature',
  truncation: 'Truncation',
  topK: 'Top-k',
  topP: 'Top-p',
};

/** What clamping needs to know of a model. */
export interface ModelLimits {
  classes: readonly string[];
  /** T, the trained diffusion steps: the most a sampler can take. */
  trainingSteps: number;
  /** Whether the model learned a "no class" label, which guidance other than 1 needs. */
  guidable: boolean;
}

export interface Note {
  field: SettingName;
  message: string;
}

export const DEFAULT_SETTINGS: Settings = {
  classIndex: 0,
  count: 8,
  seed: 1,
  sampler: 'ddim',
  steps: 50,
  eta: 0,
  guidance: 2,
  temperature: 1,
  truncation: 0,
  topK: 0,
  topP: 1,
};

/**
 * The settings that make a run of these families, in a line: "pneumonia, 8 samples, seed 3;
 * DDIM, 20 steps, eta 0, guidance 2". For a folded form (a slide in presenter mode).
 */
export function describeSettings(s: Settings, methods: readonly GeneratorMethod[], classes: readonly string[]): string {
  const what = `${classes[s.classIndex] ?? `class ${s.classIndex}`}, ${s.count} sample${s.count === 1 ? '' : 's'}, seed ${s.seed}`;
  return [what, ...new Set(methods.map((m) => describeKnobs(m, s)))].join('; ');
}

/** A family's knobs in words: "DDIM 20 steps, eta 0, guidance 2". */
export function describeKnobs(method: GeneratorMethod, s: Settings): string {
  if (method === 'ddpm') return `${s.sampler.toUpperCase()} ${s.steps} steps${s.sampler === 'ddim' ? `, eta ${s.eta}` : ''}, guidance ${s.guidance}`;
  if (method === 'vae') return `temperature ${s.temperature}`;
  if (method === 'ar') {
    return `guidance ${s.guidance}, temperature ${s.temperature}${s.topK > 0 ? `, top-k ${s.topK}` : ''}${s.topP < 1 ? `, top-p ${s.topP}` : ''}`;
  }
  return s.truncation > 0 ? `truncation ${s.truncation}` : 'no truncation';
}

/** The limits of a card: a VAE or a GAN takes no guidance, so it has no guidance limit. */
export function limitsOf(card: ModelCard): ModelLimits {
  return {
    classes: card.classes,
    trainingSteps: card.schedule?.steps ?? 1000,
    guidable: (card.method !== 'ddpm' && card.method !== 'ar') || isGuidable(card),
  };
}

/**
 * The settings a run of this model starts from: a diffusion card's sampler defaults (the one
 * source of them, src/pipeline/pipeline.ts) over the page's own; the page's own for anything else.
 */
export function defaultsOf(card: ModelCard | null): Settings {
  if (card?.method === 'gan') return { ...DEFAULT_SETTINGS, truncation: cardTruncationOf(card) ?? 0 };
  if (card?.method === 'ar') return { ...DEFAULT_SETTINGS, ...tokenSamplingOf(card) };
  if (card?.method !== 'ddpm') return { ...DEFAULT_SETTINGS };
  return { ...DEFAULT_SETTINGS, ...samplerDefaultsOf(card) };
}

export interface Clamped<T> {
  value: T;
  /** Set when the raw value was changed, saying how. */
  note?: string;
}

/** Reads a number and holds it to `range`; text, blanks and NaN take `fallback`. */
export function clampNumber(raw: unknown, range: Range, fallback: number, label: string): Clamped<number> {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return { value: fallback };
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isFinite(n)) return { value: fallback, note: `${label}: "${String(raw)}" is not a number; using ${fallback}.` };
  if (n > range.max) return { value: range.max, note: `${label}: ${n} is more than the maximum ${range.max}; using ${range.max}.` };
  if (n < range.min) return { value: range.min, note: `${label}: ${n} is less than the minimum ${range.min}; using ${range.min}.` };
  if (range.integer && !Number.isInteger(n)) {
    const rounded = Math.round(n);
    return { value: rounded, note: `${label}: ${n} is not a whole number; using ${rounded}.` };
  }
  return { value: n };
}

/** A class given by name (as the address writes it) or by index. */
export function clampClass(raw: unknown, classes: readonly string[], fallback: number): Clamped<number> {
  const safeFallback = fallback >= 0 && fallback < classes.length ? fallback : 0;
  if (raw === undefined || raw === null || raw === '') return { value: safeFallback };
  const text = String(raw).trim();
  const byName = classes.findIndex((name) => name.toLowerCase() === text.toLowerCase());
  if (byName >= 0) return { value: byName };
  const index = Number(text);
  if (Number.isInteger(index) && index >= 0 && index < classes.length) return { value: index };
  return {
    value: safeFallback,
    note: `${LABELS.classIndex}: "${text}" is not one of ${classes.join(', ')}; using ${classes[safeFallback] ?? safeFallback}.`,
  };
}

export function clampSampler(raw: unknown, fallback: SamplerChoice): Clamped<SamplerChoice> {
  if (raw === undefined || raw === null || raw === '') return { value: fallback };
  const text = String(raw).trim().toLowerCase();
  if (text === 'ddim' || text === 'ddpm') return { value: text };
  return { value: fallback, note: `${LABELS.sampler}: "${String(raw)}" is not DDIM or DDPM; using ${fallback.toUpperCase()}.` };
}

/**
 * Every setting held to its range for a model. Missing values take `defaults`; each value that
 * had to change gives a note.
 */
export function clampSettings(raw: RawSettings, limits: ModelLimits, defaults: Settings): { settings: Settings; notes: Note[] } {
  const notes: Note[] = [];
  const take = <T>(field: SettingName, clamped: Clamped<T>): T => {
    if (clamped.note) notes.push({ field, message: clamped.note });
    return clamped.value;
  };
  const number = (field: 'count' | 'seed' | 'eta' | 'guidance' | 'temperature' | 'truncation' | 'topK' | 'topP') =>
    take(field, clampNumber(raw[field], RANGES[field], defaults[field], LABELS[field]));
  const stepsRange: Range = { min: 1, max: limits.trainingSteps, integer: true };
  const settings: Settings = {
    classIndex: take('classIndex', clampClass(raw.classIndex, limits.classes, defaults.classIndex)),
    count: number('count'),
    seed: number('seed'),
    sampler: take('sampler', clampSampler(raw.sampler, defaults.sampler)),
    steps: take('steps', clampNumber(raw.steps, stepsRange, Math.min(defaults.steps, limits.trainingSteps), LABELS.steps)),
    eta: number('eta'),
    guidance: number('guidance'),
    temperature: number('temperature'),
    truncation: number('truncation'),
    topK: number('topK'),
    topP: number('topP'),
  };
  if (settings.truncation > 0 && settings.truncation < MIN_TRUNCATION) {
    notes.push({ field: 'truncation', message: `${LABELS.truncation}: ${settings.truncation} is below the smallest bound ${MIN_TRUNCATION} (0 turns it off); using ${MIN_TRUNCATION}.` });
    settings.truncation = MIN_TRUNCATION;
  }
  if (!limits.guidable && settings.guidance !== 1) {
    if (raw.guidance !== undefined) {
      notes.push({ field: 'guidance', message: `${LABELS.guidance}: this model never learned a "no class" label, so guidance stays at 1.` });
    }
    settings.guidance = 1;
  }
  return { settings, notes };
}

/** A fresh seed for the dice button. */
export function randomSeed(random: () => number = Math.random): number {
  return Math.floor(random() * RANGES.seed.max);
}
