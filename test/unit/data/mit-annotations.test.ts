import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { annotationSymbol, isBeatCode, parseMitAnnotations } from '../../../src/data/mit-annotations.js';
import { DATA_DIR, mirrorHas, readMirror } from './mirror.js';

// Builders for annotation words: 16-bit little-endian, code in the high 6 bits, value in the low 10.
const word = (code: number, value = 0): number[] => [value & 0xff, (code << 2) | (value >> 8)];
const END = word(0, 0);
/** SKIP and its 32-bit interval: high 16-bit word first, each word little-endian. */
const skip = (interval: number): number[] => {
  const u = interval >>> 0;
  return [...word(59), (u >>> 16) & 0xff, u >>> 24, u & 0xff, (u >>> 8) & 0xff];
};
const num = (n: number): number[] => word(60, n);
const sub = (n: number): number[] => word(61, n);
const chn = (n: number): number[] => word(62, n);
const aux = (text: string): number[] => {
  const bytes = [...text].map((c) => c.charCodeAt(0));
  return [...word(63, bytes.length), ...bytes, ...(bytes.length % 2 ? [0] : [])];
};
const file = (...parts: number[][]): Uint8Array => new Uint8Array(parts.flat());

describe('parseMitAnnotations', () => {
  it('adds each word value to the running time and stops at the 0 word', () => {
    const anns = parseMitAnnotations(file(word(1, 18), word(5, 100), word(28, 0), END, word(1, 7)));
    expect(anns.map((a) => [a.sample, a.code, a.symbol])).toEqual([
      [18, 1, 'N'],
      [118, 5, 'V'],
      [118, 28, '+'],
    ]);
    expect(anns[0]).toEqual({ sample: 18, code: 1, symbol: 'N', subtype: 0, chan: 0, num: 0, aux: null });
  });

  it('adds SKIP intervals stored high word first, negative ones included', () => {
    // 70000 = 0x0001_1170: bytes 00 EC | 01 00 | 70 11
    expect(skip(70000)).toEqual([0x00, 0xec, 0x01, 0x00, 0x70, 0x11]);
    const anns = parseMitAnnotations(file(skip(70000), word(1, 5), skip(-10), word(2, 3), END));
    expect(anns.map((a) => a.sample)).toEqual([70005, 69998]);
  });

  it('gives SUB to one annotation, and NUM and CHN to it and every later one until changed', () => {
    const anns = parseMitAnnotations(
      file(word(1, 10), sub(3), chn(1), num(5), word(1, 10), word(5, 10), num(0), word(14, 10), sub(1023), END),
    );
    expect(anns.map(({ sample, subtype, chan, num }) => ({ sample, subtype, chan, num }))).toEqual([
      { sample: 10, subtype: 3, chan: 1, num: 5 },
      { sample: 20, subtype: 0, chan: 1, num: 5 },
      { sample: 30, subtype: 0, chan: 1, num: 0 },
      { sample: 40, subtype: 1023, chan: 1, num: 0 },
    ]);
  });

  it('reads AUX text of odd and even length, skipping the pad byte and a trailing NUL', () => {
    const anns = parseMitAnnotations(
      file(word(28, 18), aux('(AFIB'), word(1, 59), word(28, 2), aux('(N\0'), word(22, 1), aux('noisy'), END),
    );
    expect(anns.map((a) => [a.sample, a.symbol, a.aux])).toEqual([
      [18, '+', '(AFIB'],
      [77, 'N', null],
      [79, '+', '(N'],
      [80, '"', 'noisy'],
    ]);
  });

  it('returns what it read when the file has no terminator word', () => {
    expect(parseMitAnnotations(file(word(1, 1), word(1, 1))).map((a) => a.sample)).toEqual([1, 2]);
    expect(parseMitAnnotations(new Uint8Array(0))).toEqual([]);
  });

  it('refuses a file that ends inside a SKIP or AUX field, or mid-word', () => {
    expect(() => parseMitAnnotations(file(word(1, 1), skip(5)).subarray(0, 6))).toThrow(
      'truncated annotation file: SKIP at byte 2 needs 4 more bytes, found 2',
    );
    expect(() => parseMitAnnotations(file(word(28, 1), aux('(SVTA')).subarray(0, 7))).toThrow(
      'truncated annotation file: AUX of 5 bytes at byte 2 needs 6 more bytes, found 3',
    );
    expect(() => parseMitAnnotations(file(word(1, 1), [7]))).toThrow('truncated annotation file: a stray byte at 2');
    expect(() => parseMitAnnotations(file(sub(2), word(1, 1)))).toThrow('SUB at byte 0 comes before any annotation');
  });
});

describe('annotation codes', () => {
  it('follow the WFDB ecgcodes.h mnemonics', () => {
    const table = Object.fromEntries([0, 1, 2, 3, 4, 5, 6, 8, 12, 13, 14, 15, 16, 22, 25, 28, 31, 37, 38, 41, 42].map(
      (c) => [c, annotationSymbol(c)],
    ));
    expect(table).toEqual({
      0: ' ', 1: 'N', 2: 'L', 3: 'R', 4: 'a', 5: 'V', 6: 'F', 8: 'A', 12: '/', 13: 'Q', 14: '~',
      15: '[15]', 16: '|', 22: '"', 25: 'B', 28: '+', 31: '!', 37: 'x', 38: 'f', 41: 'r', 42: '[42]',
    });
  });

  it('count as beats exactly N L R B A a J S V r F e j n E / f Q', () => {
    const beats = Array.from({ length: 64 }, (_, c) => c).filter(isBeatCode).map(annotationSymbol);
    expect(beats.sort()).toEqual([...'NLRBAaJSVrFejnE/fQ'].sort());
    expect(isBeatCode(37)).toBe(false); // x: non-conducted P wave
    expect(isBeatCode(31)).toBe(false); // !: ventricular flutter wave
  });
});

describe.skipIf(!mirrorHas('mitdb/100.atr'))('parseMitAnnotations on the real MIT-BIH annotations', () => {
  it('starts record 100 with the (N rhythm label and its first normal beat', () => {
    const anns = parseMitAnnotations(readMirror('mitdb/100.atr'));
    expect(anns.slice(0, 2)).toEqual([
      { sample: 18, code: 28, symbol: '+', subtype: 0, chan: 0, num: 0, aux: '(N' },
      { sample: 77, code: 1, symbol: 'N', subtype: 0, chan: 0, num: 0, aux: null },
    ]);
  });

  it('holds 109,494 beat labels over the 48 records, as DATA.md says', () => {
    const files = readdirSync(join(DATA_DIR!, 'mitdb')).filter((f) => f.endsWith('.atr'));
    expect(files).toHaveLength(48);
    const counts = new Map<string, number>();
    for (const f of files) {
      for (const a of parseMitAnnotations(readMirror(join('mitdb', f)))) {
        if (isBeatCode(a.code)) counts.set(a.symbol, (counts.get(a.symbol) ?? 0) + 1);
      }
    }
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(109494);
    expect(Object.fromEntries(['N', 'L', 'R', 'V', '/', 'A'].map((s) => [s, counts.get(s)]))).toEqual({
      N: 75052, L: 8075, R: 7259, V: 7130, '/': 7028, A: 2546,
    });
  });
});
