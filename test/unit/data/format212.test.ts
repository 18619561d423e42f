import { describe, expect, it } from 'vitest';
import { decodeFormat212, physical } from '../../../src/data/format212.js';
import { parseWfdbHeader } from '../../../src/data/wfdb-header.js';
import { mirrorHas, readMirror, readMirrorText } from './mirror.js';

/** Packs 12-bit samples two per 3 bytes, the inverse of the decoder (a lone last sample takes 2 bytes). */
function pack212(samples: number[], padOddToThreeBytes = false): Uint8Array {
  const bytes: number[] = [];
  for (let k = 0; k < samples.length; k += 2) {
    const s0 = samples[k]! & 0xfff;
    const s1 = (samples[k + 1] ?? 0) & 0xfff;
    bytes.push(s0 & 0xff, ((s0 >> 8) & 0x0f) | ((s1 >> 4) & 0xf0));
    if (k + 1 < samples.length || padOddToThreeBytes) bytes.push(s1 & 0xff);
  }
  return new Uint8Array(bytes);
}

describe('decodeFormat212', () => {
  it('decodes hand-packed bytes: low nibble of byte 1 to sample 0, high nibble to sample 1', () => {
    // sample0 = 0x123, sample1 = 0x456: bytes 0x23, 0x41, 0x56
    const [channel] = decodeFormat212(new Uint8Array([0x23, 0x41, 0x56]), 1);
    expect(Array.from(channel!)).toEqual([0x123, 0x456]);
  });

  it('sign-extends 12-bit values in both nibble positions', () => {
    const values = [-1, -2048, 2047, 0, 1, -2];
    for (const order of [values, [...values].reverse()]) {
      const [channel] = decodeFormat212(pack212(order), 1);
      expect(Array.from(channel!)).toEqual(order);
    }
    // -1 is 0xFFF in either position; -2048 is 0x800.
    expect(Array.from(decodeFormat212(new Uint8Array([0xff, 0x8f, 0x00]), 1)[0]!)).toEqual([-1, -2048]);
    expect(Array.from(decodeFormat212(new Uint8Array([0x00, 0xf8, 0xff]), 1)[0]!)).toEqual([-2048, -1]);
  });

  it('splits interleaved frames into one array per channel', () => {
    // frames (a, b): (1, -1), (2, -2), (3, -3)
    const channels = decodeFormat212(pack212([1, -1, 2, -2, 3, -3]), 2);
    expect(channels.map((c) => Array.from(c))).toEqual([
      [1, 2, 3],
      [-1, -2, -3],
    ]);
  });

  it('reads an odd sample count whose last group holds one sample, in 2 or 3 bytes', () => {
    const samples = [5, -6, 7, -8, 9, -10, 11, -12, 2047];
    for (const pad of [false, true]) {
      const [a, b, c] = decodeFormat212(pack212(samples, pad), 3, 3);
      expect([Array.from(a!), Array.from(b!), Array.from(c!)]).toEqual([
        [5, -8, 11],
        [-6, 9, -12],
        [7, -10, 2047],
      ]);
    }
    expect(Array.from(decodeFormat212(pack212([4, 5, 6]), 1)[0]!)).toEqual([4, 5, 6]);
  });

  it('stops at nSamples and ignores trailing bytes', () => {
    const [channel] = decodeFormat212(pack212([1, 2, 3, 4, 5, 6]), 1, 3);
    expect(Array.from(channel!)).toEqual([1, 2, 3]);
  });

  it('reports truncated data with expected and found samples per channel', () => {
    const bytes = pack212([1, 2, 3, 4, 5, 6, 7]); // 7 samples: 3 full frames of 2 signals
    expect(() => decodeFormat212(bytes, 2, 4)).toThrow(
      'format 212: truncated: 11 bytes of 2-signal data; expected 4 samples per channel, found 3',
    );
    expect(() => decodeFormat212(bytes, 0)).toThrow('nSignals must be a positive integer, got 0');
  });
});

describe('physical', () => {
  it('converts ADC units to millivolts as (adu - baseline) / gain', () => {
    const mv = physical(new Int16Array([1024, 1224, 824, 995]), 200, 1024);
    expect(Array.from(mv)).toEqual([0, 1, -1, Math.fround(-29 / 200)]);
    expect(() => physical(new Int16Array(1), 0, 0)).toThrow('gain must be a positive number, got 0');
  });
});

const HAS_100 = mirrorHas('mitdb/100.dat') && mirrorHas('mitdb/100.hea');

describe.skipIf(!HAS_100)('decodeFormat212 on the real MIT-BIH record 100', () => {
  it('gives 650000 samples per channel, starting with the well-known MLII values', () => {
    const header = parseWfdbHeader(readMirrorText('mitdb/100.hea'));
    const [mlii, v5] = decodeFormat212(readMirror('mitdb/100.dat'), header.nSignals, header.nSamples ?? undefined);
    expect(mlii!.length).toBe(650000);
    expect(v5!.length).toBe(650000);
    expect(Array.from(mlii!.subarray(0, 10))).toEqual([995, 995, 995, 995, 995, 995, 995, 995, 1000, 997]);
    // The header's initial values are the first samples of each signal.
    expect([mlii![0], v5![0]]).toEqual(header.signals.map((s) => s.initialValue));
    // Its checksums are the 16-bit sums of each signal's samples.
    const checksum = (s: Int16Array): number => (s.reduce((a, b) => a + b, 0) << 16) >> 16;
    expect([checksum(mlii!), checksum(v5!)]).toEqual(header.signals.map((s) => s.checksum));
  });
});
