/**
 * The automatic backend choice, as pure functions (no tfjs, no DOM): which GPUs are software
 * renderers, which started backends are worth timing, which one wins and the one line that says
 * why, and the per-device cache that spares the next visit the measurement.
 *
 * Why measure: on a machine without a GPU driver, Chromium offers WebGPU and WebGL on SwiftShader,
 * a GPU emulated on the CPU. There the default run (chest X-ray DDPM, 8 samples, 50 steps) took
 * 5.9 s on WASM, 276 s on WebGL and had not finished after 21 minutes on WebGPU, the backend the
 * fixed order picked. A test block of the real workload, timed on each backend, finds that out.
 */
import { BACKEND_ORDER, type BackendName, SHORT_NAMES, isBackendName } from './backends.js';

/** A timed run longer than this counts as slower than every backend that finished within it. */
export const RUN_CAP_MS = 400;
/**
 * The first run compiles the block's shaders (a hardware GPU may take a while over that, once; the
 * real model compiles the same programs anyway) or sets WASM up (700 ms on the 2-core test
 * machine); a software GPU gets no more than RUN_CAP_MS for it.
 */
export const WARM_UP_CAP_MS = 2000;

// ---------------------------------------------------------------------------------------------
// Software renderers

const SOFTWARE_GPUS: [RegExp, string][] = [
  [/swiftshader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
  [/microsoft basic render/i, 'Microsoft Basic Render Driver'],
];

/** What WebGPU says about its adapter (GPUAdapterInfo, or the deprecated GPUAdapter flag). */
export interface AdapterIdentity {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** The software renderer behind a WebGPU adapter ('SwiftShader', ...), or null for a hardware GPU. */
export function softwareAdapter(info: AdapterIdentity): string | null {
  const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  const named = SOFTWARE_GPUS.find(([pattern]) => pattern.test(text));
  if (named) return named[1];
  return info.isFallbackAdapter ? 'a fallback adapter' : null;
}

/**
 * The software renderer behind WebGL, from its renderer string (WEBGL_debug_renderer_info), or
 * null for a hardware GPU. Chromium names SwiftShader inside ANGLE's string:
 * "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)".
 */
export function softwareWebGlRenderer(renderer: string | null | undefined): string | null {
  if (!renderer) return null;
  const named = SOFTWARE_GPUS.find(([pattern]) => pattern.test(renderer));
  if (named) return named[1];
  return /\bsoftware\b/i.test(renderer) ? 'a software renderer' : null;
}

// ---------------------------------------------------------------------------------------------
// The decision

/** A backend that started, and the software renderer it runs on (null: hardware, or a CPU backend). */
export interface Started {
  backend: BackendName;
  software: string | null;
}

/** What the automatic choice learnt about one backend. */
export type Trial =
  | { backend: BackendName; status: 'unavailable'; reason: string }
  | { backend: BackendName; status: 'skipped'; software: string | null; reason: string }
  | { backend: BackendName; status: 'measured'; software: string | null; ms: number }
  | { backend: BackendName; status: 'over-cap'; software: string | null; capMs: number };

export interface Choice {
  backend: BackendName;
  /** One line for the top of the page: the choice and why, with the measured figures. */
  line: string;
  /** Every other backend, with the reason it was passed over. */
  passedOver: { backend: BackendName; reason: string }[];
}

/**
 * The order to time the started backends in: hardware and CPU backends in the usual order, then
 * software GPUs (timed only where WASM cannot run), whose work may go on burning the CPU after
 * their cap and must not slow the others.
 */
export function measureOrder(started: readonly Started[]): Started[] {
  return [...started.filter((s) => !s.software), ...started.filter((s) => s.software)];
}

/**
 * Why `candidate` is not worth timing, or null to time it; `started` is every backend that started.
 *   - A software GPU, when WASM runs. Timed on this project's 2-core test machine, WebGPU on
 *     SwiftShader took 2.3 s for the test block that WASM ran in 38 ms, and the work it had been
 *     given went on burning both cores for ten seconds after a 400 ms cap had given up on it (GPU
 *     work cannot be cancelled), slowing the first run on WASM; WebGL's shader compiles block the
 *     page outright. So neither is timed where WASM can run.
 *   - Plain JavaScript, when anything else runs: it is never faster than WASM, and its kernels run
 *     synchronously, so a slow run cannot be cut short at the cap either.
 */
export function skipReason(candidate: Started, started: readonly Started[]): string | null {
  if (candidate.software && started.some((s) => s.backend === 'wasm')) {
    return `runs on a software GPU here (${candidate.software}); not measured, since WASM runs and a software GPU is far slower at this work`;
  }
  if (candidate.backend === 'cpu' && started.some((s) => s.backend !== 'cpu')) {
    return 'not measured: the slowest backend, kept for when nothing else starts';
  }
  return null;
}

/** Measured within the cap first, fastest first; then over the cap, hardware before software, in the usual order. */
function rank(trials: readonly Trial[]): Trial[] {
  const order = (t: Trial) => BACKEND_ORDER.indexOf(t.backend);
  const measured = trials.filter((t) => t.status === 'measured').sort((a, b) => a.ms - b.ms || order(a) - order(b));
  const over = trials
    .filter((t) => t.status === 'over-cap')
    .sort((a, b) => Number(Boolean(a.software)) - Number(Boolean(b.software)) || order(a) - order(b));
  return [...measured, ...over];
}

/**
 * Picks the fastest backend from what was tried, and says why in one line. Returns null when no
 * backend was timed (none started, or every one was skipped).
 */
export function chooseBackend(trials: readonly Trial[]): Choice | null {
  const [best, second] = rank(trials);
  if (!best) return null;
  const others = trials.filter((t) => t.backend !== best.backend);
  const passedOver = others.map((t) => ({ backend: t.backend, reason: passedOverReason(t, best) }));
  return { backend: best.backend, line: reasonLine(best, second, others), passedOver };
}

function passedOverReason(t: Trial, best: Trial): string {
  switch (t.status) {
    case 'unavailable':
    case 'skipped':
      return t.reason;
    case 'measured':
      return `${formatMs(t.ms)} for the test block${onSoftware(t)}, slower than ${timeOf(best)} on ${SHORT_NAMES[best.backend]}`;
    case 'over-cap':
      return `over ${formatMs(t.capMs)} for the test block${onSoftware(t)}, slower than ${timeOf(best)} on ${SHORT_NAMES[best.backend]}`;
  }
}

function reasonLine(best: Trial, second: Trial | undefined, others: readonly Trial[]): string {
  const name = SHORT_NAMES[best.backend];
  const skipped = others.filter((t) => t.status === 'skipped' && t.software);
  const skippedNames = skipped.map((t) => SHORT_NAMES[t.backend]).join(' and ');
  const verb = skipped.length > 1 ? 'run' : 'runs';
  const renderers = [...new Set(skipped.map((t) => (t.status === 'skipped' ? t.software : null)))].join(', ');
  let line: string;
  if (best.status === 'over-cap') {
    line = `${name}: every backend timed took over ${formatMs(best.capMs)} for the test block here; ` +
      `${name} is the first of them in order${best.software ? '' : ' not on a software GPU'}`;
  } else if (best.status !== 'measured') {
    line = name; // not reached: rank() only returns timed trials
  } else if (second?.status === 'measured') {
    line = `${name}: ${ratio(second.ms / best.ms)} faster here than ${SHORT_NAMES[second.backend]}${onSoftware(second)}, ` +
      `${formatMs(best.ms)} against ${formatMs(second.ms)} for a test block of the default run`;
  } else if (second?.status === 'over-cap') {
    line = `${name}: at least ${ratio(second.capMs / best.ms)} faster here than ${SHORT_NAMES[second.backend]}${onSoftware(second)}, ` +
      `${formatMs(best.ms)} against over ${formatMs(second.capMs)} for a test block of the default run`;
  } else if (skipped.length) {
    line = `${name}: ${skippedNames} ${verb} on a software GPU here (${renderers}), far slower than ${name} at this work, ` +
      `so ${skipped.length > 1 ? 'they were' : 'it was'} not timed; ${name} took ${formatMs(best.ms)} for a test block of the default run`;
  } else {
    line = `${name}: the only backend measured here (${formatMs(best.ms)} for a test block of the default run)`;
  }
  if (skipped.length && (second?.status === 'measured' || second?.status === 'over-cap')) {
    line += `; ${skippedNames} also ${verb} on a software GPU, not measured`;
  }
  const software = best.status === 'unavailable' ? null : best.software;
  if (software) line += `; ${name} itself runs on a software GPU (${software}): correct, but slow`;
  return line;
}

/**
 * The line when the address forces a backend (`forced`); `backend` is the one that runs, the
 * forced one or, when that could not start, the next that did. A software GPU is named even then.
 */
export function forcedLine(forced: BackendName, backend: BackendName, software: string | null): string {
  const name = SHORT_NAMES[backend];
  const start = backend === forced
    ? `${name}: forced by ?backend=${forced}`
    : `${name}: ?backend=${forced} could not start here (see Compute below), and ${name} is the next that did`;
  return software
    ? `${start}; it runs on a software GPU here (${software}): correct, but slow ` +
        '(leave ?backend= out to let the page measure which backend is fastest)'
    : start;
}

/** The line when a backend runs without a measurement: nothing else could start. */
export function unmeasuredLine(backend: BackendName, software: string | null): string {
  const name = SHORT_NAMES[backend];
  return `${name}: the only backend that could start here` +
    (software ? `; it runs on a software GPU (${software}): correct, but slow` : '');
}

function onSoftware(t: Trial): string {
  return t.status !== 'unavailable' && t.software ? ` on a software GPU (${t.software})` : '';
}

function timeOf(t: Trial): string {
  return t.status === 'measured' ? formatMs(t.ms) : t.status === 'over-cap' ? `over ${formatMs(t.capMs)}` : '?';
}

function formatMs(ms: number): string {
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

function ratio(r: number): string {
  return `${r < 10 ? r.toFixed(1) : Math.round(r)}x`;
}

// ---------------------------------------------------------------------------------------------
// The per-device cache

/** What tells one device from another: a new GPU, browser version or core count measures again. */
export interface DeviceFacts {
  /** The WebGPU adapter's identity, null without one. */
  adapter: string | null;
  /** The WebGL renderer string, null without WebGL. */
  renderer: string | null;
  userAgent: string;
  cores: number;
}

export interface CachedChoice {
  backend: BackendName;
  line: string;
  passedOver: { backend: BackendName; reason: string }[];
  /** When it was measured, ISO 8601. */
  measuredAt: string;
}

/** The part of the Web Storage API the cache uses (tests pass a stand-in). */
export type ChoiceStorage = Pick<Storage, 'getItem' | 'setItem'>;

const CACHE_PREFIX = 'medsynth.backend-choice:';

/** The storage key of a device's choice: the facts themselves, so another device never matches. */
export function cacheKey(facts: DeviceFacts): string {
  return CACHE_PREFIX + JSON.stringify([facts.adapter, facts.renderer, facts.userAgent, facts.cores]);
}

/** The choice measured on an earlier visit of this device, or null (none, unreadable or malformed). */
export function readCachedChoice(storage: ChoiceStorage | null, facts: DeviceFacts): CachedChoice | null {
  let raw: string | null;
  try {
    raw = storage?.getItem(cacheKey(facts)) ?? null;
  } catch {
    return null; // storage refused (a sandboxed frame, say)
  }
  if (raw === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  return isCachedChoice(value) ? value : null;
}

/** Saves a measured choice for the next visit; a full or refused storage is no error. */
export function writeCachedChoice(storage: ChoiceStorage | null, facts: DeviceFacts, choice: CachedChoice): void {
  try {
    storage?.setItem(cacheKey(facts), JSON.stringify(choice));
  } catch {
    // the next visit measures again
  }
}

function isCachedChoice(value: unknown): value is CachedChoice {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.backend === 'string' && isBackendName(v.backend) &&
    typeof v.line === 'string' && typeof v.measuredAt === 'string' &&
    Array.isArray(v.passedOver) &&
    v.passedOver.every((p: unknown) => {
      const f = p as Record<string, unknown> | null;
      return typeof f === 'object' && f !== null && typeof f.backend === 'string' && isBackendName(f.backend) && typeof f.reason === 'string';
    })
  );
}
