/**
 * Inside a VAE's latent space, with real data: real held-out samples encoded (each with its own
 * class, as the encoder is conditional) to the mean and spread of their latents, a 2-D map of
 * those means (their two principal axes), the latent under a point of the map decoded, and one
 * real sample's reconstruction and neighbours (latents drawn around its mean, within its spread).
 *
 * The projection is pure (no tensors); encoding and decoding free every tensor they make.
 */
import * as tf from '@tensorflow/tfjs';
import type { ReactiveControllerHost } from 'lit';
import type { LabelledSamples } from '../data/reference-packs.js';
import { symmetricEigen } from '../metrics/eigen.js';
import { covariance, matrix, mean } from '../metrics/linalg.js';
import { scalingOf } from '../models/scaling.js';
import { type VaeModel, decodeLatents } from '../pipeline/pipeline.js';
import { JobRunner } from '../util/jobs.js';
import { Rng } from '../util/random.js';
import { GenerationController } from './generation.js';

export interface Encoded {
  /** The mean of each sample's latent. */
  mu: Float32Array[];
  /** The standard deviation, exp(logvar / 2). */
  sigma: Float32Array[];
}

/** Encodes samples given in display units with their class, in batches. */
export async function encodeSamples(model: VaeModel, samples: readonly Float32Array[], classes: readonly number[], batchSize = 64): Promise<Encoded> {
  const shape = model.card.architecture.inputShape;
  const { toNetwork } = scalingOf(model.card);
  const size = shape.reduce((a, b) => a * b, 1);
  const mu: Float32Array[] = [];
  const sigma: Float32Array[] = [];
  for (let start = 0; start < samples.length; start += batchSize) {
    const rows = samples.slice(start, start + batchSize);
    const flat = new Float32Array(rows.length * size);
    rows.forEach((s, i) => flat.set(toNetwork(s), i * size));
    const out = tf.tidy(() => {
      const e = model.net.encode(tf.tensor(flat, [rows.length, ...shape]), classes.slice(start, start + rows.length));
      return [e.mu, tf.exp(e.logvar.mul(0.5))] as const;
    });
    try {
      const [m, s] = await Promise.all([out[0].data<'float32'>(), out[1].data<'float32'>()]);
      const dim = out[0].shape[1]!;
      for (let i = 0; i < rows.length; i++) {
        mu.push(m.slice(i * dim, (i + 1) * dim));
        sigma.push(s.slice(i * dim, (i + 1) * dim));
      }
    } finally {
      out[0].dispose();
      out[1].dispose();
    }
  }
  return { mu, sigma };
}

/** A 2-D projection of latents: their mean and two principal axes (unit vectors), largest variance first. */
export interface Projection {
  mean: Float64Array;
  axes: [Float64Array, Float64Array];
  /** The variance along each axis, and the share of the total it is. */
  variance: [number, number];
  share: [number, number];
}

/** The two principal axes of `points` (at least 3, all of one length). */
export function principalPlane(points: readonly ArrayLike<number>[]): Projection {
  if (points.length < 3) throw new Error('a map needs at least three points');
  const dim = points[0]!.length;
  const x = matrix(points.length, dim);
  points.forEach((p, i) => x.data.set(Array.from(p), i * dim));
  const centre = mean(x);
  const cov = covariance(x);
  const { values, vectors } = symmetricEigen(cov);
  const order = Array.from(values.keys()).sort((a, b) => values[b]! - values[a]!);
  const column = (j: number) => Float64Array.from({ length: dim }, (_, i) => vectors.data[i * dim + j]!);
  const total = values.reduce((a, b) => a + Math.max(b, 0), 0);
  const [a, b] = [order[0]!, order[1]!];
  return {
    mean: centre, axes: [column(a), column(b)],
    variance: [values[a]!, values[b]!],
    share: [values[a]! / total, values[b]! / total],
  };
}

/** Where a latent falls on the map. */
export function project(p: Projection, z: ArrayLike<number>): [number, number] {
  let u = 0;
  let v = 0;
  for (let i = 0; i < p.mean.length; i++) {
    const d = z[i]! - p.mean[i]!;
    u += d * p.axes[0][i]!;
    v += d * p.axes[1][i]!;
  }
  return [u, v];
}

/** The latent at a point of the map: the mean plus the point's distance along each axis. */
export function unproject(p: Projection, [u, v]: readonly [number, number]): Float32Array {
  return Float32Array.from(p.mean, (m, i) => m + u * p.axes[0][i]! + v * p.axes[1][i]!);
}

/** `count` latents around a mean, each value within the encoder's spread: mu + sigma z, z ~ N(0, I) by `seed`. */
export function around(mu: Float32Array, sigma: Float32Array, count: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => Float32Array.from(mu, (m, i) => m + sigma[i]! * rng.normal()));
}

/** Decodes latents of one class to display units. */
export async function decodeToDisplay(model: VaeModel, latents: readonly Float32Array[], classIndex: number): Promise<Float32Array[]> {
  const dim = latents[0]?.length ?? 0;
  const flat = new Float32Array(latents.length * dim);
  latents.forEach((z, i) => flat.set(z, i * dim));
  const values = scalingOf(model.card).toDisplay(await decodeLatents(model, flat, new Array<number>(latents.length).fill(classIndex)));
  const size = values.length / Math.max(latents.length, 1);
  return latents.map((_, i) => values.slice(i * size, (i + 1) * size));
}

/** The encoded real samples and their map. */
export interface LatentMap {
  modelId: string;
  /** Real held-out samples (display units) and their classes, as the model numbers them. */
  samples: Float32Array[];
  classes: number[];
  encoded: Encoded;
  projection: Projection;
  /** Each sample's place on the map. */
  points: [number, number][];
}

/**
 * Up to `perClass` held-out samples of every class of the model, drawn by `seed`, encoded and
 * mapped. The pack's classes are found by name; a class the pack lacks is left out.
 */
export async function buildLatentMap(model: VaeModel, heldout: LabelledSamples & { classNames: readonly string[] }, perClass: number, seed: number): Promise<LatentMap> {
  const samples: Float32Array[] = [];
  const classes: number[] = [];
  const rng = new Rng(seed);
  model.card.classes.forEach((name, c) => {
    const packClass = heldout.classNames.indexOf(name);
    if (packClass < 0) return;
    const ofClass = heldout.samples.filter((_, i) => heldout.labels[i] === packClass);
    for (const i of rng.choose(ofClass.length, Math.min(perClass, ofClass.length))) {
      samples.push(ofClass[i]!);
      classes.push(c);
    }
  });
  if (samples.length < 3) throw new Error(`the real data has too few samples of ${model.card.name}'s classes to map`);
  const encoded = await encodeSamples(model, samples, classes);
  const projection = principalPlane(encoded.mu);
  return { modelId: model.card.id, samples, classes, encoded, projection, points: encoded.mu.map((m) => project(projection, m)) };
}

/** A real sample looked at closely: its encoding, its reconstruction and decoded neighbours. */
export interface Inspected {
  index: number;
  mu: Float32Array;
  sigma: Float32Array;
  /** The decoded mean: the VAE's reconstruction. */
  reconstruction: Float32Array;
  /** Decoded latents drawn around the mean, within the encoder's spread. */
  around: Float32Array[];
}

/** The latent explorer of the page: the map (a generation: cancellable), and quick decodes under the pointer and of a chosen sample. */
export class LatentExplorer {
  readonly build: GenerationController<LatentMap>;
  /** The decoded latent under the pointer, and where it is. */
  under: { point: [number, number]; sample: Float32Array } | null = null;
  inspected: Inspected | null = null;
  private readonly quick = new JobRunner();

  constructor(private readonly host: ReactiveControllerHost) {
    this.build = new GenerationController(host);
  }

  get map(): LatentMap | null {
    return this.build.result;
  }

  get running(): boolean {
    return this.build.status === 'running';
  }

  async start(model: VaeModel, heldout: LabelledSamples & { classNames: readonly string[] }, perClass = 100, seed = 1): Promise<void> {
    this.quick.invalidate();
    this.under = null;
    this.inspected = null;
    await this.build.start(async (signal, onStep) => {
      const map = await buildLatentMap(model, heldout, perClass, seed);
      signal.throwIfAborted();
      onStep({ done: 1, total: 1 });
      return map;
    }, 1);
  }

  /** Decodes the latent at a point of the map, as `classIndex`; a newer point drops an older one's decode. */
  async decodeAt(model: VaeModel, point: [number, number], classIndex: number): Promise<void> {
    const map = this.map;
    if (!map || map.modelId !== model.card.id) return;
    const outcome = await this.quick.start(async () => (await decodeToDisplay(model, [unproject(map.projection, point)], classIndex))[0]!);
    if (outcome.status !== 'done') return;
    this.under = { point, sample: outcome.value };
    this.host.requestUpdate();
  }

  /** Encodes real sample `index` of the map again, with its reconstruction and `count` neighbours drawn by `seed`. */
  async inspect(model: VaeModel, index: number, count = 4, seed = 1): Promise<void> {
    const map = this.map;
    if (!map || map.modelId !== model.card.id || !map.samples[index]) return;
    const mu = map.encoded.mu[index]!;
    const sigma = map.encoded.sigma[index]!;
    const outcome = await this.quick.start(async () => {
      const [reconstruction, ...near] = await decodeToDisplay(model, [mu, ...around(mu, sigma, count, seed)], map.classes[index]!);
      return { index, mu, sigma, reconstruction: reconstruction!, around: near };
    });
    if (outcome.status !== 'done') return;
    this.inspected = outcome.value;
    this.host.requestUpdate();
  }

  /** Stops the map and any decode, and waits until they have let go of the model. */
  async cancel(): Promise<void> {
    await Promise.all([this.quick.cancel(), this.build.cancel()]);
  }

  /** The model changed: the map goes. */
  clear(): void {
    this.quick.invalidate();
    this.build.reset();
    this.under = null;
    this.inspected = null;
  }
}
