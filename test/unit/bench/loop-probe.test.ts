/**
 * `npm run bench:node -- --probe-loop` on the tiny fixture models, on WASM (WebGPU's rows are
 * measured by hand: see the README): a DDPM's pieces of a step, a VAE's decode and a transformer's
 * token step each come out as a figure, say what the network ran as, and leave no tensor behind.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { probeLoop } from '../../../scripts/bench/loop-probe.js';
import { TINY_MODELS } from '../models/model-folder.js';

describe('the loop probe', () => {
  afterEach(() => vi.restoreAllMocks());

  it('times a DDPM step, a VAE decode and a transformer token step, piece by piece', async () => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { printed.push(args.join(' ')); });
    const code = await probeLoop([
      '--probe-loop', '--models-dir', TINY_MODELS, '--models', 'tiny-xray-ddpm,tiny-xray-vae,tiny-xray-ar,tiny-xray-classifier',
      '--backends', 'wasm', '--batches', '1,2', '--repeats', '2',
    ], null);
    expect(code).toBe(0);
    const text = printed.join('\n');
    const figure = String.raw`\d[\d.]* (ms|s|µs) \([\d.]+(–[\d.]+)?\)`;
    const row = (batch: number, piece: string) => new RegExp(String.raw`^\s*${batch}\s+${piece}\s+${figure}\s*$`, 'm');
    for (const batch of [1, 2]) {
      expect(text).toMatch(row(batch, String.raw`step \(guided, 2B through the network\)`));
      expect(text).toMatch(row(batch, 'decode'));
      expect(text).toMatch(row(batch, String.raw`token step \(guided: 2B rows\)`));
      expect(text).toMatch(row(batch, String.raw`  encode only \(JavaScript until queued\)`));
    }
    expect(text.match(/the network ran as\s+tfjs ops \(the backend is wasm\)/g)).toHaveLength(4);   // the VAE's and the transformer's, per batch
    expect(text).not.toMatch(/tiny-xray-classifier on/);
    expect(tf.memory().numTensors).toBe(0);
  }, 120_000);
});
