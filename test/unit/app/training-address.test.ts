/** The training views' settings in the address: written and read back exactly, the page's other parameters kept, nonsense left for the run to refuse. */
import { describe, expect, it } from 'vitest';
import { readTraining, writeTraining } from '../../../src/app/training-address.js';
import { DEFAULT_EXPERIMENT } from '../../../src/federated/experiment.js';
import { DEFAULT_FEEDBACK } from '../../../src/federated/feedback.js';

describe('training settings in the address', () => {
  it('round-trips the hospitals\' settings, DP included, and keeps the other parameters', () => {
    const settings = { ...DEFAULT_EXPERIMENT, split: 'patient' as const, hospitals: 3, fraction: 0.5, dp: { clip: 0.5, sigma: 1.1, delta: 1e-5 }, seed: 42 };
    const query = writeTraining('?model=xray-vae&backend=wasm', 'train', 'mitbih', settings);
    expect(query).toMatch(/^\?model=xray-vae&backend=wasm&train=dataset:mitbih,split:patient,hospitals:3,/);
    expect(query).toContain(',dp:0.5/1.1/0.00001,');
    expect(readTraining(query, 'train', DEFAULT_EXPERIMENT)).toEqual({ dataset: 'mitbih', settings });
    expect(new URLSearchParams(query).get('model')).toBe('xray-vae');
    // the loop's own parameter beside it; DP off
    const both = writeTraining(writeTraining(query, 'train', 'mitbih', { ...settings, dp: null }), 'loop', 'breastmnist', { ...DEFAULT_FEEDBACK, generations: 6 });
    expect(readTraining(both, 'train', DEFAULT_EXPERIMENT)!.settings.dp).toBeNull();
    expect(readTraining(both, 'loop', DEFAULT_FEEDBACK)).toEqual({ dataset: 'breastmnist', settings: { ...DEFAULT_FEEDBACK, generations: 6 } });
    // as the lab writes the address back, encoded
    expect(readTraining(`?${new URLSearchParams(both).toString()}`, 'loop', DEFAULT_FEEDBACK)!.settings.generations).toBe(6);
  });

  it('fills what a link leaves out from the defaults, ignores names it does not know, and keeps nonsense for the run to refuse', () => {
    expect(readTraining('?model=x', 'train', DEFAULT_EXPERIMENT)).toBeNull();
    expect(readTraining('?train=hospitals:3', 'train', DEFAULT_EXPERIMENT)).toBeNull(); // no dataset
    const read = readTraining('?train=dataset:pneumoniamnist,rounds:abc,hospitals:999,colour:blue', 'train', DEFAULT_EXPERIMENT)!;
    expect(read.settings.hospitals).toBe(999);
    expect(read.settings.rounds).toBeNaN();
    expect(read.settings.alpha).toBe(DEFAULT_EXPERIMENT.alpha);
    expect('colour' in read.settings).toBe(false);
  });
});
