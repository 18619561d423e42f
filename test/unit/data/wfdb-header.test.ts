import { describe, expect, it } from 'vitest';
import { parseWfdbHeader } from '../../../src/data/wfdb-header.js';
import { mirrorHas, readMirrorText } from './mirror.js';

describe('parseWfdbHeader', () => {
  it('reads a two-signal format-212 record like those of MIT-BIH, comments included', () => {
    const text = [
      'rec1 2 360 650000',
      'rec1.dat 212 200 11 1024 995 -22131 0 MLII',
      'rec1.dat 212 200 11 1024 1011 20052 0 V5',
      '# 69 M 1085 1629 x1',
      '# Aldomet, Inderal',
      '',
    ].join('\n');
    const h = parseWfdbHeader(text);
    expect(h).toMatchObject({
      recordName: 'rec1',
      nSegments: null,
      nSignals: 2,
      frequency: 360,
      counterFrequency: 360,
      baseCounter: 0,
      nSamples: 650000,
      baseTime: null,
      baseDate: null,
      segments: [],
      comments: ['69 M 1085 1629 x1', 'Aldomet, Inderal'],
    });
    expect(h.signals).toEqual([
      {
        fileName: 'rec1.dat', format: 212, samplesPerFrame: 1, skew: 0, byteOffset: 0,
        gain: 200, baseline: 1024, units: 'mV', adcResolution: 11, adcZero: 1024,
        initialValue: 995, checksum: -22131, blockSize: 0, description: 'MLII',
      },
      {
        fileName: 'rec1.dat', format: 212, samplesPerFrame: 1, skew: 0, byteOffset: 0,
        gain: 200, baseline: 1024, units: 'mV', adcResolution: 11, adcZero: 1024,
        initialValue: 1011, checksum: 20052, blockSize: 0, description: 'V5',
      },
    ]);
  });

  it('reads the optional suffixes of the record and signal fields', () => {
    const text = [
      '# a leading comment',
      'rec2 2 250/1000(-5) 1200 10:20:30.5 01/02/2003',
      'rec2.dat 16x4:2+512 1000(-3)/uV 16 5 7 123 512 ECG lead II, upper',
      'rec2.dat 212 0',
    ].join('\r\n');
    const h = parseWfdbHeader(text);
    expect(h).toMatchObject({
      frequency: 250, counterFrequency: 1000, baseCounter: -5, nSamples: 1200,
      baseTime: '10:20:30.5', baseDate: '01/02/2003', comments: ['a leading comment'],
    });
    expect(h.signals[0]).toEqual({
      fileName: 'rec2.dat', format: 16, samplesPerFrame: 4, skew: 2, byteOffset: 512,
      gain: 1000, baseline: -3, units: 'uV', adcResolution: 16, adcZero: 5,
      initialValue: 7, checksum: 123, blockSize: 512, description: 'ECG lead II, upper',
    });
    // Gain 0 means 200; resolution defaults to 12 for format 212; zero, baseline, initial value to 0.
    expect(h.signals[1]).toEqual({
      fileName: 'rec2.dat', format: 212, samplesPerFrame: 1, skew: 0, byteOffset: 0,
      gain: 200, baseline: 0, units: 'mV', adcResolution: 12, adcZero: 0,
      initialValue: 0, checksum: 0, blockSize: 0, description: 'record rec2, signal 1',
    });
  });

  it('uses the WFDB defaults for a bare record line and a bare signal line', () => {
    const h = parseWfdbHeader('bare 1\nbare.dat 16\n');
    expect(h).toMatchObject({ frequency: 250, counterFrequency: 250, nSamples: null });
    expect(h.signals[0]).toMatchObject({ gain: 200, baseline: 0, units: 'mV', adcResolution: 12, adcZero: 0 });
  });

  it('reads the segment list of a multi-segment record', () => {
    const h = parseWfdbHeader('multi/3 2 360 45000\nmulti_1 15000\n~ 5000\nmulti_2 25000\n');
    expect(h).toMatchObject({ recordName: 'multi', nSegments: 3, nSignals: 2, nSamples: 45000, signals: [] });
    expect(h.segments).toEqual([
      { name: 'multi_1', nSamples: 15000 },
      { name: '~', nSamples: 5000 },
      { name: 'multi_2', nSamples: 25000 },
    ]);
  });

  it('says what is wrong with a malformed header', () => {
    expect(() => parseWfdbHeader('# only a comment\n\n')).toThrow('WFDB header: no record line');
    expect(() => parseWfdbHeader('r 2 360 10\nr.dat 212 200\n')).toThrow(
      "WFDB header 'r': the record line declares 2 signals but 1 signal line(s) follow",
    );
    expect(() => parseWfdbHeader('r two 360')).toThrow(
      "WFDB header, line 1 (record line): number of signals 'two' is not an integer",
    );
    expect(() => parseWfdbHeader('r 1 fast')).toThrow("sampling frequency 'fast' is not a number");
    expect(() => parseWfdbHeader('# c\nr 1 360\nr.dat 212 200 11 zero')).toThrow(
      "WFDB header 'r', line 3 (signal 0): ADC zero 'zero' is not an integer",
    );
    expect(() => parseWfdbHeader('r 1 360\nr.dat 212 high')).toThrow("ADC gain 'high' is not a number");
    expect(() => parseWfdbHeader('r 1 360\nr.dat x212')).toThrow("format field 'x212' is not of the form");
  });
});

describe.skipIf(!mirrorHas('mitdb/100.hea'))('parseWfdbHeader on the real MIT-BIH record 100', () => {
  it('finds 2 signals at 360 Hz, 650000 samples, MLII first, gain 200 and zero 1024', () => {
    const h = parseWfdbHeader(readMirrorText('mitdb/100.hea'));
    expect(h).toMatchObject({ recordName: '100', nSignals: 2, frequency: 360, nSamples: 650000 });
    expect(h.signals.map((s) => s.description)).toEqual(['MLII', 'V5']);
    expect(h.signals[0]).toMatchObject({
      fileName: '100.dat', format: 212, gain: 200, adcZero: 1024, baseline: 1024, initialValue: 995, adcResolution: 11,
    });
    expect(h.comments[0]).toBe('69 M 1085 1629 x1');
  });
});
