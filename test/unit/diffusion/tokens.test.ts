/**
 * The token sampler against the golden cases the Python side checks too
 * (test/fixtures/token-sampling-golden.json), the token draws' uniform numbers, and a whole sampling
 * run on the tiny fixture: guided and not, seeded, cancellable, leak-free.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TokenSampling, drawToken, filterLogits, guidedLogits, sampleTokens } from '../../../src/diffusion/tokens.js';
import type { Ar } from '../../../src/models/ar.js';
import { tokenUniformsOf } from '../../../src/pipeline/pipeline.js';
import { gaussian, streamKey, uniforms } from '../../../src/util/random.js';
import { TINY_MODELS, loadModel } from '../models/model-folder.js';

const GOLDEN = JSON.parse(readFileSync('test/fixtures/token-sampling-golden.json', 'utf8')) as {
  logits: number[][];
  unconditional: number[][];
  cases: { settings: TokenSampling; logProbs: (number | null)[][]; draws: Record<string, number[]> }[];
};

describe('the token filters and draw (goldens shared with Python)', () => {
  it.each(GOLDEN.cases.map((c) => [JSON.stringify(c.settings), c] as const))('%s', (_name, c) => {
    GOLDEN.logits.forEach((row, r) => {
      const lp = filterLogits(guidedLogits(row, GOLDEN.unconditional[r]!, c.settings.guidance), c.settings);
      c.logProbs[r]!.forEach((want, i) => {
        if (want === null) expect(lp[i]).toBe(-Infinity);
        else expect(lp[i]).toBeCloseTo(want, 6);
      });
      for (const [u, tokens] of Object.entries(c.draws)) expect(drawToken(lp, Number(u))).toBe(tokens[r]);
    });
  });

  it('refuses a negative temperature', () => {
    expect(() => filterLogits([0, 1], { temperature: -1, topK: 0, topP: 1 })).toThrow('temperature must be 0 or more');
  });
});

describe('the token draws\' uniform numbers', () => {
  it('are the first numbers of the same stream the diffusion noise is made from', () => {
    const key = streamKey(7, 2, 0);
    const [u, v] = uniforms(key, 2);
    const [g0] = gaussian(key, 2);                                   // Box-Muller of the same two numbers
    expect(Math.fround(Math.sqrt(-2 * Math.log(1 - u!)) * Math.cos(2 * Math.PI * v!))).toBe(g0);
    expect([...uniforms(key, 40)].every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('are sample i\'s own, whatever the count', () => {
    const many = tokenUniformsOf(5, 4, 9);
    expect(tokenUniformsOf(5, 2, 9)).toEqual(many.slice(0, 2));
    expect(many[1]).toEqual(uniforms(streamKey(5, 1, 0), 9));
  });
});

describe('a sampling run on the tiny fixture', () => {
  let ar: Ar;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const m = loadModel(`${TINY_MODELS}/tiny-xray-ar`);
    if (m.method !== 'ar') throw new Error('not an AR fixture');
    ar = m.model;
  });
  afterAll(() => ar.dispose());

  const run = (sampling: Partial<TokenSampling>, classes = [0, 1], seed = 3) => sampleTokens(ar, {
    classes, sampling: { guidance: 1, temperature: 1, topK: 0, topP: 1, ...sampling }, uniforms: tokenUniformsOf(seed, classes.length, ar.numTokens),
  });

  it('repeats itself for a seed, draws every code from the kept ones, and leaves nothing behind', async () => {
    const before = tf.memory().numTensors;
    const a = await run({ guidance: 2, temperature: 0.8, topK: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(await run({ guidance: 2, temperature: 0.8, topK: 3 })).toEqual(a);
    expect(a.map((t) => t.length)).toEqual([ar.numTokens, ar.numTokens]);
    expect(await run({}, [0, 1], 4)).not.toEqual(await run({}, [0, 1], 3));
    // sample 0 is the same alone as in a batch
    expect((await run({ guidance: 2 }, [0]))[0]).toEqual((await run({ guidance: 2 }, [0, 1]))[0]);
  });

  it('reports each position with the watched row\'s distribution, and stops when cancelled', async () => {
    const seen: number[] = [];
    const sums: number[] = [];
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    await expect(sampleTokens(ar, {
      classes: [1], sampling: { guidance: 1, temperature: 1, topK: 5, topP: 1 }, uniforms: tokenUniformsOf(1, 1, ar.numTokens), signal: controller.signal,
      onToken: ({ position, probabilities }) => {
        seen.push(position);
        sums.push(probabilities.reduce((a, b) => a + b, 0));
        expect(probabilities.filter((p) => p > 0).length).toBeLessThanOrEqual(5);
        if (position === 4) controller.abort(new Error('cancelled'));
      },
    })).rejects.toThrow('cancelled');
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    for (const s of sums) expect(s).toBeCloseTo(1, 9);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('takes the most likely code at temperature 0, as top-k 1 does', async () => {
    expect(await run({ temperature: 0 })).toEqual(await run({ topK: 1 }));
  });
});
