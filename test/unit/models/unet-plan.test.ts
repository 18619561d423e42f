/**
 * Which UNets the compiled WebGPU plan (src/models/unet-plan.ts) runs, and what it says of the
 * others. Its arithmetic is tested on WebGPU in test/browser/unet-plan.test.ts and parity.test.ts.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UNetArchitecture } from '../../../src/models/card.js';
import { planSupport } from '../../../src/models/unet-plan.js';
import { loadCard } from './model-folder.js';

const MODELS = join(__dirname, '../../../models');

describe('planSupport', () => {
  const shipped = readdirSync(MODELS).filter((id) => id.endsWith('-ddpm'));

  it.each(shipped)('runs the shipped %s', (id) => {
    const card = loadCard(join(MODELS, id));
    expect(planSupport(card.architecture as UNetArchitecture)).toBeNull();
  });

  it('says why it cannot run other UNets', () => {
    const xray = loadCard(join(MODELS, 'xray-ddpm')).architecture as UNetArchitecture;
    expect(shipped.length).toBe(5);
    expect(planSupport({ ...xray, baseChannels: 6 })).toBe('channel counts 6, 6, 12, 24 are not all multiples of 4');
    expect(planSupport({ ...xray, attentionLevels: [0] })).toBe('attention over 784 positions (at most 256)');
    expect(planSupport({ ...xray, inChannels: 5 })).toBe('5 input channels (at most 4)');
  });
});
