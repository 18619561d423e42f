/**
 * What a benchmark run measures, its defaults, and how the settings travel in a URL
 * (`bench.html?models=xray-ddpm&backends=webgpu,wasm&batches=1,16&repeats=3&autorun=1`), so the
 * page, `npm run bench` and `npm run bench:node` read one set of defaults. No DOM, no tfjs.
 */
import { BACKEND_ORDER, type BackendName, isBackendName } from '../runtime/backends.js';

export interface BenchSettings {
  /** Model ids; empty: every shipped generator (DDPM, VAE and GAN). */
  models: string[];
  /** Folder URL holding models that are not shipped (`<base><id>/card.json`); null: models/. */
  modelsBase: string | null;
  backends: BackendName[];
  /** Samples made at once. */
  batches: number[];
  /** DDIM steps of a full run (the product's default is 50). */
  steps: number;
  /** Warm full runs per configuration; the leak check counts tensors across them. */
  repeats: number;
  /** Steps timed one at a time, each waited for, per configuration. */
  stepSamples: number;
  /**
   * Per-configuration time limit in seconds; what did not fit is reported as not measured. null:
   * none. Checked between steps: work a GPU already has queued (up to one full run) finishes first.
   */
  budgetS: number | null;
  /** Classifier-free guidance weight; null: the card's default. */
  guidance: number | null;
  seed: number;
  /** Start as soon as the page is ready (for automation). */
  autorun: boolean;
}

export const BENCH_DEFAULTS: Readonly<BenchSettings> = {
  models: [],
  modelsBase: null,
  // The backends a browser user can land on; the plain-JavaScript CPU backend is too slow to matter.
  backends: ['webgpu', 'webgl', 'wasm'],
  batches: [1, 16, 64],
  steps: 50,
  repeats: 3,
  stepSamples: 10,
  budgetS: null,
  guidance: null,
  seed: 0,
  autorun: false,
};

/**
 * `--quick` for the command-line benchmarks: a first look, with fewer batch sizes, steps and
 * repeats. Figures made with it say so (steps and repeats are part of every result).
 */
export const QUICK: Partial<BenchSettings> = { batches: [1, 16], steps: 10, repeats: 2, stepSamples: 5 };

/**
 * The command-line default per-configuration limit: a batch-64 run on SwiftShader (WebGPU emulated
 * on the CPU) can take many minutes, and a whole run must stay bounded.
 */
export const CLI_BUDGET_S = 120;

export interface ParsedSettings {
  settings: BenchSettings;
  /** One sentence per parameter that was present but not understood (its default was kept). */
  notices: string[];
}

/** Reads the URL query of the bench page; anything unreadable keeps its default and is reported. */
export function parseBenchParams(search: string): ParsedSettings {
  const params = new URLSearchParams(search);
  const notices: string[] = [];
  const settings: BenchSettings = { ...BENCH_DEFAULTS };
  const list = (name: string) => (params.get(name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const reject = (name: string, why: string) => notices.push(`?${name}=${params.get(name)} ${why}; using the default.`);

  if (params.has('models')) settings.models = list('models');
  const base = params.get('modelsBase');
  if (base) settings.modelsBase = base.endsWith('/') ? base : `${base}/`;

  if (params.has('backends')) {
    const names = list('backends').map((s) => s.toLowerCase());
    const unknown = names.filter((n) => !isBackendName(n));
    if (names.length === 0 || unknown.length > 0) reject('backends', `names no backend of ${BACKEND_ORDER.join(', ')}`);
    else settings.backends = unique(names as BackendName[]);
  }
  if (params.has('batches')) {
    const sizes = list('batches').map(Number);
    if (sizes.length === 0 || !sizes.every(isPositiveInt)) reject('batches', 'is not a list of positive whole numbers');
    else settings.batches = unique(sizes);
  }
  const whole = (name: 'steps' | 'repeats' | 'stepSamples' | 'seed', min: number) => {
    if (!params.has(name)) return;
    const value = Number(params.get(name));
    if (Number.isInteger(value) && value >= min) settings[name] = value;
    else reject(name, `is not a whole number of at least ${min}`);
  };
  whole('steps', 1);
  whole('repeats', 1);
  whole('stepSamples', 1);
  whole('seed', 0);
  if (params.has('budget')) {
    const value = Number(params.get('budget'));
    if (value > 0) settings.budgetS = value;
    else reject('budget', 'is not a positive number of seconds');
  }
  if (params.has('guidance')) {
    const value = Number(params.get('guidance'));
    if (Number.isFinite(value) && value >= 0) settings.guidance = value;
    else reject('guidance', 'is not a number of 0 or more');
  }
  settings.autorun = ['1', 'true', 'yes'].includes(params.get('autorun') ?? '');
  return { settings, notices };
}

/** The query string (without '?') that parseBenchParams reads back as `settings`. */
export function benchParams(settings: Partial<BenchSettings>): string {
  const params = new URLSearchParams();
  const s = settings;
  if (s.models?.length) params.set('models', s.models.join(','));
  if (s.modelsBase) params.set('modelsBase', s.modelsBase);
  if (s.backends) params.set('backends', s.backends.join(','));
  if (s.batches) params.set('batches', s.batches.join(','));
  for (const name of ['steps', 'repeats', 'stepSamples', 'seed', 'guidance'] as const) {
    const value = s[name];
    if (value !== undefined && value !== null) params.set(name, String(value));
  }
  if (s.budgetS) params.set('budget', String(s.budgetS));
  if (s.autorun) params.set('autorun', '1');
  return params.toString();
}

function isPositiveInt(v: number): boolean {
  return Number.isInteger(v) && v > 0;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
