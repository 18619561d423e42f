/**
 * The whole page state, seed included, as the address's query string: a link reproduces the exact
 * samples and view. Pure functions: `readAddress` takes the query apart into raw values (the model
 * is not known yet, so nothing can be clamped), `resolveState` clamps them for a model, and
 * `writeAddress` writes a state back, keeping parameters it does not own (`?backend=`).
 */
import {
  type ModelLimits, type Note, type RawSettings, type SettingName, type Settings, clampNumber, clampSettings,
} from '../pipeline/settings.js';
import type { PathMode } from '../diffusion/latent.js';
import type { GeneratorMethod } from '../models/card.js';

/** The two samples of a latent model (VAE, GAN) an interpolation strip runs between, and how. */
export interface PathState {
  from: number;
  to: number;
  mode: PathMode;
}

export interface PageState {
  /** The chosen model's id, or null before one is picked. */
  model: string | null;
  /** Same-origin model folders to offer beside the shipped ones (a fresh export, test fixtures). */
  extra: string[];
  settings: Settings;
  /** The sample whose every denoising step is kept for the step viewer. */
  watch: number;
  /** The step viewer's position, 0..steps; null shows the finished sample. */
  frame: number | null;
  /** The sample shown large, or null for none. */
  selected: number | null;
  path: PathState;
  /** Also load the other method's model of the same data, and run both. */
  compare: boolean;
  /** Larger everything, fewer details: for a projector. */
  presenter: boolean;
}

/** The address taken apart, values as written. */
export interface Address {
  model: string | null;
  extra: string[];
  settings: RawSettings;
  watch?: string;
  frame?: string;
  selected?: string;
  from?: string;
  to?: string;
  mode?: string;
  compare: boolean;
  presenter: boolean;
}

/** Parameter name of each setting in the address. */
const PARAM: Record<SettingName, string> = {
  classIndex: 'class',
  count: 'count',
  seed: 'seed',
  sampler: 'sampler',
  steps: 'steps',
  eta: 'eta',
  guidance: 'guidance',
  temperature: 'temperature',
  truncation: 'truncation',
  topK: 'topk',
  topP: 'topp',
};

/** The settings each method reads; the others are left out of its links. */
const USED_BY: Record<GeneratorMethod, SettingName[]> = {
  ddpm: ['classIndex', 'count', 'seed', 'sampler', 'steps', 'eta', 'guidance'],
  vae: ['classIndex', 'count', 'seed', 'temperature'],
  gan: ['classIndex', 'count', 'seed', 'truncation'],
  ar: ['classIndex', 'count', 'seed', 'guidance', 'temperature', 'topK', 'topP'],
};

/** Every parameter this module writes, in the order it writes them. */
const OWNED = ['model', ...Object.values(PARAM), 'watch', 'frame', 'selected', 'from', 'to', 'path', 'compare', 'presenter', 'extra'];

const FLAG_ON = new Set(['', '1', 'true', 'yes', 'on']);

/** A folder this site may load a model from: relative or root-relative, never another origin. */
export function isSafeModelFolder(path: string): boolean {
  return /^\/?([\w.-]+\/)+$/.test(path) && !path.split('/').includes('..') && !path.startsWith('//');
}

export function readAddress(search: string): Address {
  const params = new URLSearchParams(search);
  const get = (name: string) => params.get(name) ?? undefined;
  const flag = (name: string) => params.has(name) && FLAG_ON.has((params.get(name) ?? '').toLowerCase());
  const settings: RawSettings = {};
  for (const [field, name] of Object.entries(PARAM) as [SettingName, string][]) {
    const value = get(name);
    if (value !== undefined) settings[field] = value;
  }
  return {
    model: get('model')?.trim() || null,
    extra: (get('extra') ?? '').split(',').map((p) => p.trim()).filter(Boolean),
    settings,
    watch: get('watch'),
    frame: get('frame'),
    selected: get('selected'),
    from: get('from'),
    to: get('to'),
    mode: get('path'),
    compare: flag('compare'),
    presenter: flag('presenter'),
  };
}

/** The address's values held to a model's limits, with a note for each that had to change. */
export function resolveState(address: Address, limits: ModelLimits, defaults: Settings): { state: PageState; notes: Note[] } {
  const { settings, notes } = clampSettings(address.settings, limits, defaults);
  const last = settings.count - 1;
  const index = (raw: string | undefined, fallback: number, max: number) =>
    clampNumber(raw, { min: 0, max, integer: true }, fallback, '').value;
  const optional = (raw: string | undefined, max: number) => (raw === undefined || raw === '' ? null : index(raw, 0, max));
  const pathEnd = Math.max(last, 1);
  return {
    state: {
      model: address.model,
      extra: address.extra.filter(isSafeModelFolder),
      settings,
      watch: index(address.watch, 0, last),
      frame: optional(address.frame, settings.steps),
      selected: optional(address.selected, last),
      path: {
        from: index(address.from, 0, pathEnd),
        to: index(address.to, Math.min(1, pathEnd), pathEnd),
        mode: address.mode === 'linear' ? 'linear' : 'spherical',
      },
      compare: address.compare,
      presenter: address.presenter,
    },
    notes,
  };
}

/**
 * The query string for `state` ('?...', or '' when nothing is set), keeping the parameters of
 * `current` that this module does not own. `methods` are the methods on show: only their settings
 * are written. Class is written by name, so a link reads as what it shows.
 */
export function writeAddress(state: PageState, methods: readonly GeneratorMethod[], classes: readonly string[], current = ''): string {
  const params = new URLSearchParams();
  const keep = new URLSearchParams(current);
  if (state.model) {
    params.set('model', state.model);
    const used = new Set(methods.flatMap((m) => USED_BY[m]));
    for (const [field, name] of Object.entries(PARAM) as [SettingName, string][]) {
      if (!used.has(field)) continue;
      const value = state.settings[field];
      params.set(name, field === 'classIndex' ? (classes[value as number] ?? String(value)) : String(value));
    }
    if (methods.includes('ddpm') || methods.includes('ar')) {
      params.set('watch', String(state.watch));
      if (state.frame !== null) params.set('frame', String(state.frame));
    }
    if (state.selected !== null) params.set('selected', String(state.selected));
    if (methods.includes('vae') || methods.includes('gan')) {
      params.set('from', String(state.path.from));
      params.set('to', String(state.path.to));
      params.set('path', state.path.mode);
    }
  }
  if (state.compare) params.set('compare', '1');
  if (state.presenter) params.set('presenter', '1');
  if (state.extra.length) params.set('extra', state.extra.join(','));
  for (const [name, value] of keep) if (!OWNED.includes(name)) params.append(name, value);
  const query = params.toString().replace(/%2F/g, '/').replace(/%2C/g, ',');
  return query ? `?${query}` : '';
}
