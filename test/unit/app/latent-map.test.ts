/**
 * The latent map: principal axes of known points, a point of the map and back, neighbours drawn
 * within the spread, and on the tiny VAE fixture real samples encoded by class name, mapped, and
 * decoded under a point and around a chosen sample, leaving nothing on the backend.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LatentExplorer, around, buildLatentMap, decodeToDisplay, principalPlane, project, unproject } from '../../../src/app/latent-map.js';
import { loadModel } from '../../../src/models/loader.js';
import type { VaeModel } from '../../../src/pipeline/pipeline.js';
import { FIXTURES, fakeHost, repoFetch } from './fixture-fetch.js';

let vae: VaeModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  vae = (await loadModel(`${FIXTURES}tiny-xray-vae/`, { fetch: repoFetch })) as VaeModel;
});

describe('the map', () => {
  it('finds the direction points vary along, and goes to a point of the map and back', () => {
    // points on the line (1, 2, 0) t around (5, 5, 5), with a little spread along z
    const points = [-2, -1, 0, 1, 2].map((t, i) => Float32Array.of(5 + t, 5 + 2 * t, 5 + (i % 2 ? 0.1 : -0.1)));
    const p = principalPlane(points);
    expect(Array.from(p.mean)).toEqual([5, 5, 4.98].map((v) => expect.closeTo(v, 6)));
    const axis = Array.from(p.axes[0]).map((v) => v * Math.sign(p.axes[0][0]!));
    expect(axis).toEqual([1 / Math.sqrt(5), 2 / Math.sqrt(5), 0].map((v) => expect.closeTo(v, 6)));
    expect(p.share[0]).toBeGreaterThan(0.99);
    expect(p.share[0] + p.share[1]).toBeCloseTo(1, 12);
    const [u, v] = project(p, points[4]!);
    expect(Math.abs(u)).toBeCloseTo(2 * Math.sqrt(5), 5);
    // a point on the plane comes back where it was
    const back = unproject(p, [u, v]);
    expect(project(p, back)).toEqual([expect.closeTo(u, 5), expect.closeTo(v, 5)]);
    expect(() => principalPlane(points.slice(0, 2))).toThrow('at least three');
  });

  it('draws neighbours within the spread, the same for a seed', () => {
    const mu = Float32Array.of(1, -1, 0);
    const a = around(mu, Float32Array.of(0, 0, 0), 3, 7);
    expect(a.map((z) => Array.from(z))).toEqual([[1, -1, 0], [1, -1, 0], [1, -1, 0]]);
    const b = around(mu, Float32Array.of(1, 1, 1), 3, 7);
    expect(around(mu, Float32Array.of(1, 1, 1), 3, 7)).toEqual(b);
    expect(b[0]).not.toEqual(b[1]);
  });
});

describe('the tiny VAE\'s latent space', () => {
  /** Held-out samples whose pack lists the classes in reverse order: level 20 + 200 x pack class. */
  const flat = (level: number) => new Float32Array(784).fill(level);
  const heldout = () => {
    const classNames = [...vae.card.classes].reverse();
    const samples = Array.from({ length: 10 }, (_, i) => flat(20 + 200 * (i % 2) + i));
    return { samples, labels: Uint8Array.from(samples.map((_, i) => i % 2)), classNames };
  };

  it('encodes real samples with their own class, maps them, and leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const map = await buildLatentMap(vae, heldout(), 3, 4);
    expect(tf.memory().numTensors).toBe(before);
    expect(map.samples).toHaveLength(6);
    // card class c is pack class (1 - c): its samples are at level 20 + 200 (1 - c) + i
    map.samples.forEach((s, i) => expect(Math.floor((s[0]! - 20) / 200)).toBe(1 - map.classes[i]!));
    expect(map.encoded.mu[0]).toHaveLength(vae.net.architecture.latentDim);
    expect(map.encoded.sigma.every((s) => s.every((v) => v > 0))).toBe(true);
    expect(map.points[0]).toEqual(project(map.projection, map.encoded.mu[0]!));
  });

  it('decodes under a point and around a chosen sample, the reconstruction being its mean decoded', async () => {
    const host = fakeHost();
    const explorer = new LatentExplorer(host);
    const before = tf.memory().numTensors;
    await explorer.start(vae, heldout(), 3, 4);
    const map = explorer.map!;
    await explorer.decodeAt(vae, [0.5, -0.25], 1);
    const [expected] = await decodeToDisplay(vae, [unproject(map.projection, [0.5, -0.25])], 1);
    expect(explorer.under!.sample).toEqual(expected);
    await explorer.inspect(vae, 2, 3, 9);
    const ins = explorer.inspected!;
    expect(ins.index).toBe(2);
    expect(ins.reconstruction).toEqual((await decodeToDisplay(vae, [map.encoded.mu[2]!], map.classes[2]!))[0]);
    expect(ins.around).toHaveLength(3);
    expect(tf.memory().numTensors).toBe(before);
    explorer.clear();
    expect(explorer.map).toBeNull();
    expect(explorer.under).toBeNull();
  });
});
