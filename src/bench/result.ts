/**
 * One benchmark result: a model on a backend at a batch size. Plain JSON, so the page can hand it
 * to automation and the scripts can write it to bench-results/ unchanged.
 */
import type { BackendName } from '../runtime/backends.js';
import type { LoadPhase } from '../models/loader.js';
import type { Spread } from './stats.js';

/**
 * ok: everything measured. partial: the time limit (or a failure) cut it short, and what was not
 * measured is null. skipped: nothing ran (backend unavailable, not a generator). error: it failed.
 */
export type BenchStatus = 'ok' | 'partial' | 'skipped' | 'error';

export interface MemorySnapshot {
  numTensors: number;
  numBytes: number;
  /** WebGPU and WebGL: bytes of tensor data held on the GPU, and what the backend has allocated. */
  numBytesInGPU: number | null;
  numBytesInGPUAllocated: number | null;
}

export interface BenchResult {
  model: string;
  /** 'ddpm', 'vae', 'gan' or 'ar' from the card; null when the card could not be read. */
  method: string | null;
  backend: BackendName;
  batch: number;
  status: BenchStatus;
  /** Why a figure is missing, in a sentence. */
  note: string | null;
  /** The GPU adapter, or how the WebAssembly backend runs (SIMD, threads). */
  device: string | null;

  /** DDPM: DDIM steps of a full run, and the guidance weight (eta = 0). VAE: null (one decode). */
  steps: number | null;
  guidance: number | null;
  repeats: number;

  /** Starting a fresh backend instance (not part of the cold figure). */
  backendStartMs: number | null;
  /** loadModel: card, download, SHA-256, build, warm-up (shader compilation). */
  loadMs: number | null;
  loadPhasesMs: Partial<Record<LoadPhase, number>>;
  /** The first full run after loading, read back. */
  firstRunMs: number | null;
  /** Cold time to the first finished samples: loadMs + firstRunMs. */
  coldMs: number | null;
  /**
   * DDPM: one denoising step (guided: both passes), each read back before the next starts, so the
   * GPU has finished. Transformer: one token (a cached step, its logits read back and drawn from).
   * VAE, GAN: one decode of the batch, read back.
   */
  stepMs: Spread | null;
  /**
   * The JavaScript of one step (DDPM: guided noise and the scheduler's update, as denoise takes
   * them; transformer: one cached token step) or one decode, until its GPU work is queued: on a
   * fast GPU a step cannot take less.
   */
  encodeMs: Spread | null;
  /** WebGPU: the compute dispatches one step, token or decode records (tfjs's and the compiled plans'); null elsewhere. */
  dispatches: number | null;
  /** A full warm run as the product does it: noise, every step queued, the result read back once. */
  runMs: Spread | null;
  samplesPerSecond: Spread | null;

  /** Bytes the loader received (card, manifest, shards), with the HTTP cache bypassed. */
  bytesDownloaded: number | null;
  /** Held after the runs, with the model still loaded (its weights are most of it). */
  memoryAfterRuns: MemorySnapshot | null;
  /**
   * Tensor count after loading and after `runs` more runs: equal when nothing leaks. On a GPU, also
   * the backend's allocated buffer bytes after the first run (when its buffer pool has filled) and
   * after the last: equal when buffers are reused, not piling up.
   */
  leakCheck: {
    runs: number;
    tensorsBefore: number;
    tensorsAfter: number;
    gpuBytesAfterFirstRun?: number | null;
    gpuBytesAfter?: number | null;
  } | null;
  /** Tensors left after the model was disposed, over the count before it was loaded (0 expected). */
  tensorsLeftAfterDispose: number | null;
}

export interface BenchReport {
  /** ISO 8601, when the run started. */
  date: string;
  /** Where it ran: browser user agent or Node version, CPU count, anything the caller adds. */
  environment: Record<string, string | number>;
  settings: Record<string, unknown>;
  results: BenchResult[];
}

export function emptyResult(model: string, backend: BackendName, batch: number, repeats: number): BenchResult {
  return {
    model, method: null, backend, batch, status: 'ok', note: null, device: null,
    steps: null, guidance: null, repeats,
    backendStartMs: null, loadMs: null, loadPhasesMs: {}, firstRunMs: null, coldMs: null,
    stepMs: null, encodeMs: null, dispatches: null, runMs: null, samplesPerSecond: null,
    bytesDownloaded: null, memoryAfterRuns: null, leakCheck: null, tensorsLeftAfterDispose: null,
  };
}
