/**
 * Which UNets, decoders and transformers the compiled WebGPU plans (src/models/unet-plan.ts,
 * decoder-plan.ts, token-plan.ts) run, and what they say of the others; and where a plan places
 * its activations: no op writes over a tensor that is still to be read, its own inputs included.
 * Their arithmetic is tested on WebGPU in test/browser/unet-plan.test.ts, decoder-plan.test.ts,
 * token-plan.test.ts and parity.test.ts.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ArArchitecture, GanArchitecture, UNetArchitecture, VaeArchitecture } from '../../../src/models/card.js';
import { decoderPlanSupport, lowerDecoder } from '../../../src/models/decoder-plan.js';
import { type Act, LANES, type Lowered, place, reads } from '../../../src/models/gpu-plan.js';
import { tokenPlanSupport } from '../../../src/models/token-plan.js';
import { lowerUNet, planSupport } from '../../../src/models/unet-plan.js';
import { TINY_MODELS, loadCard } from './model-folder.js';

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

describe('tokenPlanSupport', () => {
  const shipped = readdirSync(MODELS).filter((id) => id.endsWith('-ar'));

  it.each(shipped)('runs the shipped %s', (id) => {
    expect(tokenPlanSupport(loadCard(join(MODELS, id)).architecture as ArArchitecture)).toBeNull();
  });

  it('says why it cannot run other transformers', () => {
    const xray = loadCard(join(MODELS, 'xray-ar')).architecture as ArArchitecture;
    expect(shipped.length).toBe(5);
    expect(tokenPlanSupport({ ...xray, heads: 3 })).toBe('width 128 does not split into 3 heads');
    expect(tokenPlanSupport({ ...xray, width: 256, heads: 256 })).toBe('256 heads (at most 128: a thread each for the softmax)');
    expect(tokenPlanSupport({ ...xray, width: 512 })).toBe('a row needs 17680 bytes of workgroup memory (at most 16384)');
  });
});

/** Floats of the slab a tensor takes (its values and statistics), as place() counts them. */
const span = (t: Act): [number, number] => [t.off, t.off + Math.ceil((t.H * t.W * t.C + 2 * t.C) / LANES) * LANES];

/**
 * Every op's output, against every tensor made before it that an op at or after it still reads
 * (its own inputs among them), in a network placed in a slab of `slab` floats: their places must
 * not overlap, and all lie in the slab.
 */
function placementClashes(net: Lowered, slab: number): string[] {
  const made = new Map<Act, number>();
  const lastRead = new Map<Act, number>();
  net.ops.forEach((op, i) => {
    if (!made.has(op.out)) made.set(op.out, i);
    reads(op).forEach((t) => lastRead.set(t, i));
  });
  const clashes: string[] = [];
  net.ops.forEach((op, i) => {
    if (op.out === net.out || made.get(op.out) !== i) return;
    const [start, end] = span(op.out);
    if (start < 0 || end > slab) clashes.push(`op ${i} (${op.kind}) writes [${start}, ${end}) outside the slab of ${slab}`);
    for (const [t, at] of made) {
      if (at >= i || t === net.out || (lastRead.get(t) ?? -1) < i) continue;
      const [s, e] = span(t);
      if (start < e && s < end) clashes.push(`op ${i} (${op.kind}) writes over op ${at}'s output, read until op ${lastRead.get(t)}`);
    }
  });
  return clashes;
}

const lower = (dir: string): Lowered => {
  const a = loadCard(dir).architecture;
  return a.type === 'unet' ? lowerUNet(a) : lowerDecoder(a as VaeArchitecture | GanArchitecture);
};

describe('the plans\' activation slab', () => {
  const folders = [
    ...readdirSync(MODELS).map((id) => join(MODELS, id)),
    ...readdirSync(TINY_MODELS).map((id) => join(TINY_MODELS, id)),
  ].filter((dir) => /-(ddpm|vae|gan)(-|$)/.test(dir));

  it.each(folders)('%s: no op writes over what is still to be read', (dir) => {
    const net = lower(dir);
    const slab = place(net);
    expect(net.ops.length).toBeGreaterThan(3);
    expect(placementClashes(net, slab)).toEqual([]);
  });

  it('the check finds an op placed over its own input', () => {
    const net = lower(join(MODELS, 'xray-ddpm'));
    const slab = place(net);
    const i = net.ops.findIndex((op, k) => k > 0 && op.kind === 'conv' && op.out !== net.out && !op.fromInput);
    const op = net.ops[i]!;
    const input = reads(op)[0]!;
    op.out.off = input.off;
    expect(placementClashes(net, slab)).toContain(`op ${i} (conv) writes over op ${net.ops.findIndex((o) => o.out === input)}'s output, read until op ${Math.max(...net.ops.map((o, k) => (reads(o).includes(input) ? k : -1)))}`);
  });
});
