/**
 * Loads a shipped model: its card, its weights manifest and shards (with
 * download progress), verifies every shard's size and SHA-256 before any
 * weight reaches the GPU, builds the network from the card, and warms it up
 * so its shaders are compiled before the first real run.
 *
 * On any failure it throws a ModelLoadError saying what was wrong, and
 * leaves nothing behind on the GPU.
 */
import * as tf from '@tensorflow/tfjs';
import { type Ar, createAr } from './ar.js';
import { type ModelCard, parseCard } from './card.js';
import { type Classifier, createClassifier } from './classifier.js';
import { type Gan, createGan } from './gan.js';
import { type UNet, createUNet } from './unet.js';
import { precompileDecoderPlan } from './decoder-plan.js';
import { precompileTokenPlan } from './token-plan.js';
import { precompileUNetPlan } from './unet-plan.js';
import { type Vae, createVae } from './vae.js';
import { type WeightsManifest, decodeManifestWeights } from './weights-from-manifest.js';
import { fetchModelFile } from './local-files.js';

/** What every loaded model has: its card, the size of each weight (values, by module path), and dispose(). */
interface Loaded {
  card: ModelCard;
  parameters: Readonly<Record<string, number>>;
  dispose(): void;
}

export type LoadedModel =
  | Loaded & { kind: 'ddpm'; net: UNet }
  | Loaded & { kind: 'vae'; net: Vae }
  | Loaded & { kind: 'gan'; net: Gan }
  | Loaded & { kind: 'ar'; net: Ar }
  | Loaded & { kind: 'classifier'; net: Classifier };

export type LoadPhase = 'card' | 'download' | 'verify' | 'build' | 'warm-up';

export interface LoadProgress {
  phase: LoadPhase;
  /** Bytes of weights received so far, and in all. */
  loaded: number;
  total: number;
}

export interface LoadOptions {
  onProgress?: (progress: LoadProgress) => void;
  signal?: AbortSignal;
  /** Defaults to fetchModelFile: the network, or a folder loaded from the person's disk (`local:`); Node tests read from disk. */
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
}

export type LoadErrorCode =
  | 'unreachable'
  | 'card-unreadable'
  | 'card-unsupported'
  | 'shard-missing'
  | 'shard-truncated'
  | 'shard-checksum'
  | 'build-failed';

export class ModelLoadError extends Error {
  constructor(
    readonly code: LoadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

/** `base` is the model's folder URL, ending in '/'. */
export async function loadModel(base: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const get = options.fetch ?? fetchModelFile;
  const report = (phase: LoadPhase, loaded = 0, total = 0) => options.onProgress?.({ phase, loaded, total });
  const { signal } = options;

  report('card');
  const card = await readCard(get, base, signal);
  const manifest = (await readJson(get, `${base}${card.weights.manifest}`, signal, 'card-unreadable')) as WeightsManifest;
  const files = card.weights.files;
  const total = files.reduce((n, f) => n + f.bytes, 0);
  const shards: ArrayBuffer[] = [];
  let loaded = 0;
  for (const file of files) {
    const bytes = await download(get, `${base}${file.path}`, file.bytes, signal, (received) =>
      report('download', loaded + received, total),
    );
    loaded += bytes.byteLength;
    report('verify', loaded, total);
    const digest = await sha256Hex(bytes);
    if (digest !== file.sha256) {
      throw new ModelLoadError(
        'shard-checksum',
        `${card.id}: ${file.path} is not the published file (SHA-256 ${digest.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…). ` +
          'It may have been corrupted in transit or by a cache; reload to fetch it again.',
      );
    }
    shards.push(bytes);
  }
  const shardOrder = manifest.flatMap((group) => group.paths);
  if (shardOrder.join() !== files.map((f) => f.path).join()) {
    throw new ModelLoadError('card-unreadable', `${card.id}: the weights manifest lists ${shardOrder.join(', ')}, the card ${files.map((f) => f.path).join(', ')}`);
  }

  signal?.throwIfAborted();
  report('build', total, total);
  const model = build(card, manifest, shards);
  try {
    report('warm-up', total, total);
    await warmUp(model);
    signal?.throwIfAborted();
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

async function readCard(get: NonNullable<LoadOptions['fetch']>, base: string, signal?: AbortSignal): Promise<ModelCard> {
  const json = await readJson(get, `${base}card.json`, signal, 'card-unreadable');
  try {
    return parseCard(json);
  } catch (error) {
    throw new ModelLoadError('card-unsupported', `${(error as Error).message}. This site cannot run that model; is it from a newer version?`);
  }
}

async function readJson(get: NonNullable<LoadOptions['fetch']>, url: string, signal: AbortSignal | undefined, code: LoadErrorCode): Promise<unknown> {
  const response = await request(get, url, signal);
  try {
    return await response.json();
  } catch {
    throw new ModelLoadError(code, `${url} is not valid JSON`);
  }
}

async function request(get: NonNullable<LoadOptions['fetch']>, url: string, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await get(url, { signal });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new ModelLoadError('unreachable', `could not fetch ${url}: ${(error as Error).message}. Is the network down? A model saved for offline use (see "Use it offline") opens without one.`);
  }
  if (!response.ok) {
    throw new ModelLoadError(response.status === 404 ? 'shard-missing' : 'unreachable', `${url} answered ${response.status} ${response.statusText}`);
  }
  return response;
}

/** Reads a shard, reporting progress; refuses one shorter or longer than the card says. */
async function download(
  get: NonNullable<LoadOptions['fetch']>,
  url: string,
  expected: number,
  signal: AbortSignal | undefined,
  onBytes: (received: number) => void,
): Promise<ArrayBuffer> {
  const response = await request(get, url, signal);
  const bytes = new Uint8Array(expected);
  let received = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (received + value.length > expected) {
        await reader.cancel();
        throw new ModelLoadError('shard-truncated', `${url} is longer than the ${expected} bytes the card lists`);
      }
      bytes.set(value, received);
      received += value.length;
      onBytes(received);
    }
  } else {
    const all = new Uint8Array(await response.arrayBuffer());
    if (all.length > expected) throw new ModelLoadError('shard-truncated', `${url} is longer than the ${expected} bytes the card lists`);
    bytes.set(all);
    received = all.length;
    onBytes(received);
  }
  if (received < expected) {
    throw new ModelLoadError('shard-truncated', `${url} stopped after ${received} of ${expected} bytes (truncated); reload to try again`);
  }
  return bytes.buffer;
}

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function build(card: ModelCard, manifest: WeightsManifest, shards: ArrayBuffer[]): LoadedModel {
  const weights = decodeManifestWeights(manifest, shards);
  const parameters = Object.fromEntries(Object.entries(weights).map(([name, t]) => [name, t.size]));
  try {
    switch (card.method) {
      case 'ddpm': {
        const net = createUNet(card, weights);
        return { kind: 'ddpm', card, parameters, net, dispose: () => net.dispose() };
      }
      case 'vae': {
        const net = createVae(card, weights);
        return { kind: 'vae', card, parameters, net, dispose: () => net.dispose() };
      }
      case 'gan': {
        const net = createGan(card, weights);
        return { kind: 'gan', card, parameters, net, dispose: () => net.dispose() };
      }
      case 'ar': {
        const net = createAr(card, weights);
        return { kind: 'ar', card, parameters, net, dispose: () => net.dispose() };
      }
      case 'classifier': {
        const net = createClassifier(card, weights);
        return { kind: 'classifier', card, parameters, net, dispose: () => net.dispose() };
      }
    }
  } catch (error) {
    tf.dispose(Object.values(weights));
    throw new ModelLoadError('build-failed', `${card.id}: ${(error as Error).message}`);
  }
}

/**
 * One small forward pass (guided-batch sized for diffusion), read back: compiles every shader.
 * On WebGPU the pass is first recorded in tfjs's compile-only mode, which asks the driver for all
 * the pipelines at once (createComputePipelineAsync) instead of one after another as each kernel
 * first runs; the real pass then finds them compiled. The compiled plan of a UNet, a decoder
 * (gpu-plan.ts) or a transformer's token step (token-plan.ts) is compiled the same way, all at
 * once, before that, and its first run (this one)
 * is checked for GPU errors before the model is handed over: after one, the model runs tfjs's ops.
 */
async function warmUp(model: LoadedModel): Promise<void> {
  const shape = model.card.architecture.inputShape;
  const pass = () => tf.tidy(() => {
    switch (model.kind) {
      case 'ddpm':
        return model.net.predictNoise(tf.zeros([2, ...shape]), [999, 999], [0, model.card.architecture.numClasses]);
      case 'vae':
      case 'gan':
        return model.net.decode(tf.zeros([1, model.net.architecture.latentDim]), [0]);
      case 'ar': {
        // the whole causal pass at every length a cached step attends over would be many shaders;
        // one cached step (and the decoder) compiles what the first tokens need
        const cache = model.net.startCache([0]);
        try {
          const logits = model.net.next(cache, null);
          const x = model.net.decode(tf.zeros([1, model.net.numTokens], 'int32'));
          return tf.concat([tf.reshape(logits, [-1]), tf.reshape(x, [-1])]);
        } finally {
          cache.dispose();
        }
      }
      case 'classifier':
        return model.net.logits(tf.zeros([1, ...shape]));
    }
  });
  if (tf.getBackend() === 'webgpu') {
    const backend = tf.backend() as tf.KernelBackend & { checkCompileCompletionAsync(): Promise<void>; device: GPUDevice };
    // A UNet or a decoder runs as its compiled plan on WebGPU: its kernels compile at once, before the pass uses them
    if (model.kind === 'ddpm') await precompileUNetPlan(model.net.architecture, backend.device);
    if (model.kind === 'vae' || model.kind === 'gan') await precompileDecoderPlan(model.net.architecture, backend.device);
    if (model.kind === 'ar') await precompileTokenPlan(model.net.architecture, backend.device);
    tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', true);
    try {
      tf.dispose(pass());
    } finally {
      tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', false);
    }
    await backend.checkCompileCompletionAsync();
  }
  const out = pass();
  await out.data();
  out.dispose();
  if (model.kind !== 'classifier') await model.net.compiledChecked();
}
