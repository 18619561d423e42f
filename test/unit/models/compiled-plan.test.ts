/**
 * Which UNets and decoders the compiled WebGPU plans (src/models/unet-plan.ts, decoder-plan.ts)
 * run, and what they say of the others. Their arithmetic is tested on WebGPU in
 * test/browser/unet-plan.test.ts, decoder-plan.test.ts and parity.test.ts.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GanArchitecture, UNetArchitecture, VaeArchitecture } from '../../../src/models/card.js';
import { decoderPlanSupport } from '../../../src/models/decoder-plan.js';
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

describe('decoderPlanSupport', () => {
  const shipped = readdirSync(MODELS).filter((id) => /-(vae|gan)(-|$)/.test(id));

  it.each(shipped)('runs the shipped %s', (id) => {
    const card = loadCard(join(MODELS, id));
    expect(decoderPlanSupport(card.architecture as VaeArchitecture | GanArchitecture)).toBeNull();
  });

  it('says why it cannot run other decoders', () => {
    const vae = loadCard(join(MODELS, 'xray-vae')).architecture as VaeArchitecture;
    const gan = loadCard(join(MODELS, 'bccd-gan')).architecture as GanArchitecture;
    expect(shipped.length).toBe(13);
    expect(decoderPlanSupport({ ...vae, hidden: 126 })).toBe('widths 32, 48, 126 are not all multiples of 4');
    expect(decoderPlanSupport({ ...gan, channels: [16, 30, 48] })).toBe('widths 16, 30, 48 are not all multiples of 4');
    expect(decoderPlanSupport({ ...gan, inChannels: 6 })).toBe('6 output channels (at most 4)');
    expect(decoderPlanSupport({ ...vae, size: 30 })).toBe('size 30 does not halve 2 times');
  });
});
