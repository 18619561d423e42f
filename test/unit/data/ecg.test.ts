import { describe, expect, it } from 'vitest';
import { aamiClass, cutBeats, medianFilter, removeBaseline } from '../../../scripts/data/ecg.js';
import { DS1, DS2, PUBLISHED_COUNTS, beatsOfRecord } from '../../../scripts/data/mitbih.js';
import { mirrorHas, readMirror, readMirrorText } from './mirror.js';

/** The median of each window, by sorting: slow and obviously right. */
function naiveMedian(x: Float32Array, width: number): Float32Array {
  const half = (width - 1) / 2;
  return x.map((_, i) => {
    const window = [...x.subarray(Math.max(0, i - half), Math.min(x.length, i + half + 1))].sort((a, b) => a - b);
    const n = window.length;
    return n % 2 ? window[(n - 1) / 2]! : (window[n / 2 - 1]! + window[n / 2]!) / 2;
  });
}

describe('the running median filter', () => {
  it('agrees with sorting every window, including the shrinking ends and ties', () => {
    const x = Float32Array.from({ length: 300 }, (_, i) => Math.round(Math.sin(i * 0.7) * 5 + ((i * 13) % 7)) + 0); // + 0: no negative zeros
    for (const width of [1, 3, 7, 71]) expect(medianFilter(x, width)).toEqual(naiveMedian(x, width));
  });

  it('refuses an even width', () => {
    expect(() => medianFilter(new Float32Array(4), 4)).toThrow('odd');
  });
});

describe('baseline removal', () => {
  it('takes away slow wander and keeps the sharp beats', () => {
    const rate = 360;
    const wander = (i: number) => 0.8 + 0.5 * Math.sin((2 * Math.PI * 0.2 * i) / rate);
    const spikes = (i: number) => (i % rate === 180 ? 1.5 : 0);
    const x = Float32Array.from({ length: rate * 10 }, (_, i) => wander(i) + spikes(i));
    const clean = removeBaseline(x, rate);
    for (let i = rate; i < rate * 9; i++) expect(Math.abs(clean[i]! - spikes(i))).toBeLessThan(0.02);
  });
});

describe('AAMI classes and beat windows', () => {
  it('groups MIT-BIH symbols as de Chazal et al. did', () => {
    const groups = Object.fromEntries([...'NLRejAaJSVEF/fQ'].map((s) => [s, aamiClass(s)]));
    expect(groups).toEqual({
      N: 'N', L: 'N', R: 'N', e: 'N', j: 'N', A: 'S', a: 'S', J: 'S', S: 'S',
      V: 'V', E: 'V', F: 'F', '/': 'Q', f: 'Q', Q: 'Q',
    });
    for (const other of ['+', '~', '|', 'x', '!', '"']) expect(aamiClass(other)).toBeNull();
  });

  it('cuts fixed windows and leaves out beats too near the ends', () => {
    const signal = Float32Array.from({ length: 20 }, (_, i) => i);
    const { beats, kept } = cutBeats(signal, [1, 5, 17, 18], { before: 2, after: 3 });
    expect(kept).toEqual([1, 2]);
    expect([...beats]).toEqual([3, 4, 5, 6, 7, 15, 16, 17, 18, 19]);
  });
});

describe.skipIf(!mirrorHas('mitdb/100.dat'))('MIT-BIH beats from the real records', () => {
  const perClass = (records: number[]) => {
    const annotated = [0, 0, 0, 0, 0];
    const kept = [0, 0, 0, 0, 0];
    let edges = 0;
    for (const record of records) {
      const beats = beatsOfRecord(
        record,
        readMirrorText(`mitdb/${record}.hea`),
        readMirror(`mitdb/${record}.dat`),
        readMirror(`mitdb/${record}.atr`),
      );
      expect(beats.beats.length).toBe(beats.labels.length * 256);
      expect(beats.unmapped).toEqual({});
      beats.annotated.forEach((n, c) => (annotated[c]! += n));
      beats.labels.forEach((c) => (kept[c]! += 1));
      edges += beats.atEdges;
    }
    return { annotated, kept, edges };
  };

  it('match the published DS1 and DS2 class counts exactly, before windows at record edges are left out', () => {
    for (const [split, records] of [['train', DS1], ['test', DS2]] as const) {
      const { annotated, kept, edges } = perClass(records);
      expect(annotated).toEqual(Object.values(PUBLISHED_COUNTS[split]));
      const left = annotated.reduce((a, b) => a + b) - kept.reduce((a, b) => a + b);
      expect(left).toBe(edges);
      expect(edges).toBeLessThan(25); // a handful per record at most
    }
  }, 120_000);

  it('are in millivolts around a flat baseline, with the R peak at sample 90', () => {
    const { beats, labels } = beatsOfRecord(100, readMirrorText('mitdb/100.hea'), readMirror('mitdb/100.dat'), readMirror('mitdb/100.atr'));
    const normal = labels.indexOf(0);
    const beat = beats.subarray(normal * 256, normal * 256 + 256);
    const peak = beat.indexOf(Math.max(...beat));
    expect(Math.abs(peak - 90)).toBeLessThanOrEqual(3);
    expect(beat[90]!).toBeGreaterThan(0.5);
    expect(beat[90]!).toBeLessThan(3);
    expect(Math.abs(beat[0]!)).toBeLessThan(0.3);
  });
});
