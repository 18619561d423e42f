/**
 * The model card (models/<id>/card.json), as training/medsynth/card.py writes it, and a parser that
 * checks what the builders need before any weight is touched.
 *
 * `architecture` holds the PyTorch config dataclass fields (UNetConfig, VAEConfig, GANConfig, ARConfig, ClassifierConfig
 * in training/medsynth/) in camelCase, plus descriptive facts (layout, groupNorm, ...). The
 * builders rebuild the exact network from these numbers, so they are validated here; the rest of
 * the card (provenance, quality, ...) is typed loosely and passed through unchanged.
 */

export type Method = 'ddpm' | 'vae' | 'gan' | 'ar' | 'classifier';
/** The methods that make samples. */
export type GeneratorMethod = Exclude<Method, 'classifier'>;
export type Dims = 1 | 2;

/** Fields shared by every architecture (card.py `architecture()`). */
interface ArchitectureBase {
  dims: Dims;
  inChannels: number;
  /** H = W for images, L for signals. */
  size: number;
  numClasses: number;
  /** [H, W, C] (NHWC) or [L, C] (NLC): one example, channels-last. */
  inputShape: number[];
  layout: 'NHWC' | 'NLC';
}

/** training/medsynth/unet.py UNetConfig. */
export interface UNetArchitecture extends ArchitectureBase {
  type: 'unet';
  baseChannels: number;
  channelMult: number[];
  blocksPerLevel: number;
  /** Levels (0 = full resolution) with self-attention after each ResBlock. */
  attentionLevels: number[];
  midAttention: boolean;
  groups: number;
  /** Width of the time + class embedding added in every ResBlock. */
  timeEmbedDim: number;
}

/** training/medsynth/vae.py VAEConfig. */
export interface VaeArchitecture extends ArchitectureBase {
  type: 'cvae';
  /** One entry per downsampling level. */
  channels: number[];
  kernel: number;
  latentDim: number;
  hidden: number;
}

/** training/medsynth/gan.py GANConfig: the generator (the discriminator is not shipped). */
export interface GanArchitecture extends ArchitectureBase {
  type: 'cgan';
  /** Generator width per level, full resolution first. */
  channels: number[];
  kernel: number;
  latentDim: number;
  groups: number;
  /** The output is outScale * tanh(.). */
  outScale: number;
}

/** training/medsynth/ar.py ARConfig: the VQ autoencoder and the transformer, both shipped. */
export interface ArArchitecture extends ArchitectureBase {
  type: 'vq-transformer';
  /** VQ encoder width per downsampling level (the decoder mirrors it). */
  vqChannels: number[];
  kernel: number;
  codebookSize: number;
  codeDim: number;
  /** Transformer width, blocks, attention heads and MLP expansion. */
  width: number;
  layers: number;
  heads: number;
  mlpRatio: number;
}

/** How an AR card's figures were measured and the page starts (training/configs.py token_sampling). */
export interface TokenSamplingCard {
  /** On the logits: l_null + g (l_class - l_null); 1 is none. */
  guidance: number;
  temperature: number;
  /** 0: every code. */
  topK: number;
  /** 1: every code. */
  topP: number;
}

/** training/medsynth/classifier.py ClassifierConfig. */
export interface ClassifierArchitecture extends ArchitectureBase {
  type: 'cnn-classifier';
  channels: number[];
  groups: number;
  featureDim: number;
}

export type Architecture = UNetArchitecture | VaeArchitecture | GanArchitecture | ArArchitecture | ClassifierArchitecture;

/**
 * DDPM noise schedule (card.py `schedule`); src/pipeline/pipeline.ts builds the sampler from it.
 * Every field is either used or checked: parseCard refuses a card whose values this site cannot
 * sample as trained (another prediction target, another timestep input), rather than sample it wrongly.
 */
export interface ScheduleCard {
  steps: number;
  beta: 'cosine' | 'linear';
  /** Cosine schedule: Nichol and Dhariwal's s. */
  cosineOffset: number;
  /** Cosine schedule: the clip on beta_t. */
  maxBeta: number;
  /** What the network predicts: only 'epsilon' (the noise) is sampled here. */
  prediction: 'epsilon';
  clipSample: boolean;
  /** |x0| bound in network units while sampling; a positive number when clipSample is true. */
  clipRange: number | null;
  timestepInput: typeof TIMESTEP_INPUT;
}

/** How the UNet is given t (unet.py): the integer timestep itself, as a float. */
export const TIMESTEP_INPUT = 'integer t in 0..steps-1, as float';

/** The sampler a diffusion model's card recommends (training/configs.py `sampler_defaults`). */
export interface SamplerDefaultsCard {
  method: 'ddim' | 'ddpm';
  steps: number;
  /** Only 'trailing' (Lin et al. 2024) is implemented (src/diffusion/schedule.ts). */
  spacing: 'trailing';
  eta: number;
  guidance: number;
}

export interface ModelCard {
  id: string;
  name: string;
  modality: string;
  method: Method;
  dataset: string;
  classes: string[];
  architecture: Architecture;
  scaling: Record<string, unknown>;
  signal?: { sampleRateHz?: number; units?: string; window?: Record<string, number> };
  schedule?: ScheduleCard;
  samplerDefaults?: SamplerDefaultsCard;
  guidance?: { nullClass: number | null; trainedDropout: number };
  /** AR: the token sampler's settings the card's figures were measured at. */
  tokenSampling?: TokenSamplingCard;
  /**
   * VAE and GAN: the prior the page draws z from. A GAN's `truncation` is the |z| bound its card's
   * figures were measured at and the page starts at (null: not truncated).
   */
  latent?: { dim: number; prior: 'N(0, I)'; truncation?: number | null };
  provenance: Record<string, unknown>;
  training: Record<string, unknown>;
  quality: Record<string, unknown>;
  weights: {
    files: { path: string; bytes: number; sha256: string }[];
    manifest: string;
    parameters: number;
    storage: 'float16' | 'float32';
    float16MaxRelativeChange?: number;
  };
  parity: { file: string; tolerance: number; cases: string[] };
  intendedUse: string;
  limitations: string[];
  /**
   * A feature extractor's card (method 'classifier'): the datasets whose samples it measures, and
   * how it was trained. The judge measures distances in its features, not in an evaluator's.
   */
  features?: FeaturesCard;
}

export interface FeaturesCard {
  /** Datasets it was trained on and measures. */
  for: string[];
  /** How it was trained, in words. */
  objective: string;
}

/**
 * A generator trained with DP-SGD records it in training.privacy (training/train.py): the epsilon
 * the accountant gives for the steps taken at delta, the settings, and the model trained alike
 * without DP that its figures are compared with.
 */
export interface PrivacyRecord {
  epsilon: number;
  delta: number;
  noiseMultiplier: number;
  clip: number;
  steps: number;
  expectedLot: number;
  /** What one unit of the guarantee is ("one training example"). */
  unit: string;
  /** The id of the model trained alike without DP, or null. */
  baseline: string | null;
}

/** The card's DP-SGD record, or null for a model trained without it; throws naming a malformed one. */
export function privacyOf(card: { id?: unknown; training?: unknown }): PrivacyRecord | null {
  const p = isObject(card.training) ? card.training.privacy : undefined;
  if (p === undefined) return null;
  const bad = (what: string): never => {
    throw new Error(`card for ${String(card.id)}: training.privacy.${what}`);
  };
  if (!isObject(p)) return bad(`must be an object, got ${JSON.stringify(p)}`);
  for (const key of ['epsilon', 'noiseMultiplier', 'clip'] as const) {
    if (!isFiniteNumber(p[key]) || p[key] <= 0) bad(`${key} must be a positive number, got ${JSON.stringify(p[key])}`);
  }
  if (!isFiniteNumber(p.delta) || p.delta <= 0 || p.delta >= 1) bad(`delta must be between 0 and 1, got ${JSON.stringify(p.delta)}`);
  if (!isPositiveInt(p.steps) || !isPositiveInt(p.expectedLot)) bad('steps and expectedLot must be positive integers');
  if (typeof p.unit !== 'string' || !p.unit) bad('unit must say what one unit of the guarantee is');
  if (p.baseline !== null && (typeof p.baseline !== 'string' || !p.baseline)) bad(`baseline must be a model id or null, got ${JSON.stringify(p.baseline)}`);
  return {
    epsilon: p.epsilon as number, delta: p.delta as number, noiseMultiplier: p.noiseMultiplier as number, clip: p.clip as number,
    steps: p.steps as number, expectedLot: p.expectedLot as number, unit: p.unit as string, baseline: (p.baseline as string | null) ?? null,
  };
}

const ARCHITECTURE_TYPE: Record<Method, Architecture['type']> = {
  ddpm: 'unet',
  vae: 'cvae',
  gan: 'cgan',
  ar: 'vq-transformer',
  classifier: 'cnn-classifier',
};

/** Tokens a sample of an autoregressive card's model: (size / 2^levels)^dims; 0 for any other. */
export function tokenCountOf(card: Pick<ModelCard, 'architecture'>): number {
  const a = card.architecture;
  return a.type === 'vq-transformer' ? (a.size / 2 ** a.vqChannels.length) ** a.dims : 0;
}

/** Validates card.json for the builders; throws "card for <id>: ..." naming the first problem. */
export function parseCard(json: unknown): ModelCard {
  if (!isObject(json)) throw new Error('card: expected a JSON object');
  const id = typeof json.id === 'string' && json.id ? json.id : '(no id)';
  const fail: (problem: string) => never = (problem) => {
    throw new Error(`card for ${id}: ${problem}`);
  };
  if (id === '(no id)') fail('id is missing');
  const method = json.method;
  if (!(typeof method === 'string' && Object.hasOwn(ARCHITECTURE_TYPE, method))) fail(`unknown method '${String(method)}'`);
  const classes = json.classes;
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => typeof c === 'string')) {
    fail('classes must be a non-empty list of names');
  }
  const a = json.architecture;
  if (!isObject(a)) return fail('architecture is missing');

  const need = (key: string, check: (v: unknown) => boolean, what: string) => {
    if (!(key in a)) fail(`architecture is missing ${key} (${snake(key)} in the PyTorch config)`);
    if (!check(a[key])) fail(`architecture.${key} must be ${what}, got ${JSON.stringify(a[key])}`);
  };
  const expected = ARCHITECTURE_TYPE[method as Method];
  if (a.type !== expected) fail(`architecture.type '${String(a.type)}' does not match method '${String(method)}' (expected '${expected}')`);
  need('dims', (v) => v === 1 || v === 2, '1 or 2');
  need('inChannels', isPositiveInt, 'a positive integer');
  need('size', isPositiveInt, 'a positive integer');
  need('numClasses', isPositiveInt, 'a positive integer');
  if ((a.numClasses as number) !== (classes as string[]).length) {
    fail(`architecture.numClasses ${String(a.numClasses)} does not match the ${(classes as string[]).length} class names`);
  }

  if (method === 'ddpm') {
    need('baseChannels', isPositiveInt, 'a positive integer');
    need('channelMult', isPositiveIntList, 'a non-empty list of positive integers');
    need('blocksPerLevel', isPositiveInt, 'a positive integer');
    need('attentionLevels', (v) => Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0), 'a list of level indices');
    need('midAttention', (v) => typeof v === 'boolean', 'true or false');
    need('groups', isPositiveInt, 'a positive integer');
    need('timeEmbedDim', isPositiveInt, 'a positive integer');
    if ((a.baseChannels as number) % 2 !== 0) fail('architecture.baseChannels must be even (it is the sinusoidal embedding width)');
    const levels = (a.channelMult as number[]).length;
    if ((a.size as number) % 2 ** (levels - 1) !== 0) fail(`architecture.size ${String(a.size)} is not divisible by 2^${levels - 1}`);
    checkDiffusion(json, fail);
  } else if (method === 'vae' || method === 'gan') {
    need('channels', isPositiveIntList, 'a non-empty list of positive integers');
    need('kernel', (v) => isPositiveInt(v) && (v as number) % 2 === 1, 'an odd positive integer');
    need('latentDim', isPositiveInt, 'a positive integer');
    if (method === 'vae') need('hidden', isPositiveInt, 'a positive integer');
    else {
      need('groups', isPositiveInt, 'a positive integer');
      need('outScale', (v) => isFiniteNumber(v) && v > 0, 'a positive number');
      const levels = (a.channels as number[]).length;
      if ((a.size as number) % 2 ** levels !== 0) fail(`architecture.size ${String(a.size)} is not divisible by 2^${levels}`);
    }
    // the page samples z from a standard normal of latentDim numbers: the card must say the same
    const latent = json.latent;
    if (!isObject(latent) || latent.dim !== a.latentDim || latent.prior !== 'N(0, I)') {
      fail(`latent must be {"dim": ${String(a.latentDim)}, "prior": "N(0, I)"} (the prior sampled here), got ${JSON.stringify(latent)}`);
    }
    const t = latent.truncation;
    if (t !== undefined && t !== null && !(method === 'gan' && isFiniteNumber(t) && t > 0)) {
      fail(`latent.truncation must be ${method === 'gan' ? 'a positive number or null' : 'absent (a VAE is not truncated)'}, got ${JSON.stringify(t)}`);
    }
  } else if (method === 'ar') {
    need('vqChannels', isPositiveIntList, 'a non-empty list of positive integers');
    need('kernel', (v) => isPositiveInt(v) && (v as number) % 2 === 1, 'an odd positive integer');
    need('codebookSize', isPositiveInt, 'a positive integer');
    need('codeDim', isPositiveInt, 'a positive integer');
    need('width', isPositiveInt, 'a positive integer');
    need('layers', isPositiveInt, 'a positive integer');
    need('heads', isPositiveInt, 'a positive integer');
    need('mlpRatio', isPositiveInt, 'a positive integer');
    if ((a.width as number) % (a.heads as number) !== 0) fail(`architecture.width ${String(a.width)} does not split into ${String(a.heads)} heads`);
    const levels = (a.vqChannels as number[]).length;
    if ((a.size as number) % 2 ** levels !== 0) fail(`architecture.size ${String(a.size)} is not divisible by 2^${levels}`);
    checkTokenSampling(json, fail);
  } else {
    need('channels', isPositiveIntList, 'a non-empty list of positive integers');
    need('groups', isPositiveInt, 'a positive integer');
    need('featureDim', isPositiveInt, 'a positive integer');
  }
  if ('features' in json) {
    const f = json.features;
    if (method !== 'classifier') fail('only a classifier network can be a feature extractor');
    if (!isObject(f) || !Array.isArray(f.for) || f.for.length === 0 || !f.for.every((d) => typeof d === 'string' && d)) {
      fail(`features.for must be a non-empty list of dataset names, got ${JSON.stringify(isObject(f) ? f.for : f)}`);
    }
  }
  privacyOf(json);
  return json as unknown as ModelCard;
}

/** The schedule, the sampler defaults and the guidance label of a diffusion card, field by field. */
function checkDiffusion(json: Record<string, unknown>, fail: (problem: string) => never): void {
  const s = json.schedule;
  if (!isObject(s)) return fail('schedule is missing');
  const field = (key: string, check: (v: unknown) => boolean, what: string) => {
    if (!check(s[key])) fail(`schedule.${key} must be ${what}, got ${JSON.stringify(s[key])}`);
  };
  field('steps', isPositiveInt, 'a positive integer');
  field('beta', (v) => v === 'cosine' || v === 'linear', '"cosine" or "linear"');
  field('cosineOffset', (v) => isFiniteNumber(v) && v >= 0, 'a number of at least 0');
  field('maxBeta', (v) => isFiniteNumber(v) && v > 0 && v < 1, 'a number between 0 and 1');
  field('prediction', (v) => v === 'epsilon', '"epsilon" (this site samples noise-predicting models only)');
  field('clipSample', (v) => typeof v === 'boolean', 'true or false');
  if (s.clipSample) field('clipRange', (v) => isFiniteNumber(v) && v > 0, 'a positive number when clipSample is true');
  field('timestepInput', (v) => v === TIMESTEP_INPUT, JSON.stringify(TIMESTEP_INPUT));

  const d = json.samplerDefaults;
  if (!isObject(d)) return fail('samplerDefaults is missing');
  const sampler = (key: string, check: (v: unknown) => boolean, what: string) => {
    if (!check(d[key])) fail(`samplerDefaults.${key} must be ${what}, got ${JSON.stringify(d[key])}`);
  };
  sampler('method', (v) => v === 'ddim' || v === 'ddpm', '"ddim" or "ddpm"');
  sampler('steps', (v) => isPositiveInt(v) && (v as number) <= (s.steps as number), `a whole number from 1 to ${String(s.steps)}`);
  sampler('spacing', (v) => v === 'trailing', '"trailing" (the only spacing implemented here)');
  sampler('eta', (v) => isFiniteNumber(v) && v >= 0 && v <= 1, 'a number from 0 to 1');
  sampler('guidance', (v) => isFiniteNumber(v) && v >= 0, 'a number of at least 0');

  checkNullClass(json, fail, 'UNet', `samplerDefaults.guidance ${String(d.guidance)}`, d.guidance);
}

/**
 * The "no class" row of a network's class table (numClasses + 1 rows: the UNet's, unet.ts, or the
 * transformer's prompt, ar.ts), trained only if labels were dropped during training; a default
 * guidance other than 1 needs it trained.
 */
function checkNullClass(json: Record<string, unknown>, fail: (problem: string) => never, network: string, setting: string, guidance: unknown): void {
  const g = json.guidance;
  const numClasses = (json.architecture as Record<string, unknown>).numClasses as number;
  if (!isObject(g) || g.nullClass !== numClasses) {
    fail(`guidance.nullClass must be ${numClasses} (the ${network}'s "no class" row), got ${JSON.stringify(isObject(g) ? g.nullClass : g)}`);
  }
  if (!(isFiniteNumber(g.trainedDropout) && g.trainedDropout >= 0 && g.trainedDropout < 1)) {
    fail(`guidance.trainedDropout must be a number from 0 to 1, got ${JSON.stringify(g.trainedDropout)}`);
  }
  if (guidance !== 1 && g.trainedDropout === 0) fail(`${setting} needs the "no class" label trained (guidance.trainedDropout above 0)`);
}

/** An AR card's token sampler and its "no class" row (the transformer's last class embedding). */
function checkTokenSampling(json: Record<string, unknown>, fail: (problem: string) => never): void {
  const t = json.tokenSampling;
  if (!isObject(t)) return fail('tokenSampling is missing');
  const field = (key: string, check: (v: unknown) => boolean, what: string) => {
    if (!check(t[key])) fail(`tokenSampling.${key} must be ${what}, got ${JSON.stringify(t[key])}`);
  };
  field('guidance', (v) => isFiniteNumber(v) && v >= 0, 'a number of at least 0');
  field('temperature', (v) => isFiniteNumber(v) && v >= 0, 'a number of at least 0 (0: the likeliest code)');
  field('topK', (v) => Number.isInteger(v) && (v as number) >= 0, 'a whole number of at least 0 (0: all)');
  field('topP', (v) => isFiniteNumber(v) && v > 0 && v <= 1, 'a number above 0 and at most 1');
  checkNullClass(json, fail, 'transformer', `tokenSampling.guidance ${String(t.guidance)}`, t.guidance);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** camelCase card key -> the snake_case field name of the PyTorch config dataclass. */
function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPositiveInt(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) > 0;
}

function isPositiveIntList(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 && v.every(isPositiveInt);
}
