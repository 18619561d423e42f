/**
 * Parser for WFDB header (`.hea`) files, following the header(5) page of the WFDB
 * Applications Guide (https://physionet.org/physiotools/wag/header-5.htm):
 *
 *   record line:  name[/segments] nSignals [frequency[/counterFrequency[(baseCounter)]]
 *                 [nSamples [baseTime [baseDate]]]]
 *   signal lines: file format[xsamples][:skew][+offset] gain[(baseline)][/units]
 *                 adcResolution adcZero initialValue checksum blockSize description
 *   segment lines (multi-segment records, instead of signal lines): name nSamples
 *
 * Every field after the first two of a signal line is optional, but only from the right.
 * Lines starting with `#` are comments, kept in `comments` without the `#`.
 */

export interface WfdbSignal {
  fileName: string;
  /** Storage format, e.g. 212 (two 12-bit samples in 3 bytes) or 16. */
  format: number;
  /** Samples of this signal per frame (the `x` suffix); default 1. */
  samplesPerFrame: number;
  /** Skew in frames (the `:` suffix); default 0. */
  skew: number;
  /** Bytes to skip at the start of the file (the `+` suffix); default 0. */
  byteOffset: number;
  /** ADC units per physical unit; a missing or zero gain means the WFDB default, 200. */
  gain: number;
  /** ADC value of physical zero; defaults to adcZero. */
  baseline: number;
  /** Physical units; default 'mV'. */
  units: string;
  /** Bits per sample; defaults by format (12 for 212, 10 for 310/311, 8 for 80, 16 for 160, else 12). */
  adcResolution: number;
  /** ADC value at the middle of the input range; default 0. */
  adcZero: number;
  /** Value of the first sample; defaults to adcZero. */
  initialValue: number;
  /** 16-bit checksum of all samples; 0 when absent. */
  checksum: number;
  /** Block size in bytes; 0 (not blocked) when absent. */
  blockSize: number;
  /** Free text (the rest of the line); defaults to 'record <name>, signal <i>'. */
  description: string;
}

export interface WfdbSegment {
  /** Segment record name; '~' is a null (gap) segment. */
  name: string;
  nSamples: number;
}

export interface WfdbHeader {
  recordName: string;
  /** Number of segments of a multi-segment record; null for an ordinary record. */
  nSegments: number | null;
  nSignals: number;
  /** Samples per second per signal; default 250. */
  frequency: number;
  /** Counter frequency; defaults to frequency. */
  counterFrequency: number;
  /** Counter value of sample 0; default 0. */
  baseCounter: number;
  /** Samples per signal; null when the header does not say. */
  nSamples: number | null;
  /** HH:MM:SS of sample 0, as written; null when absent. */
  baseTime: string | null;
  /** DD/MM/YYYY of sample 0, as written; null when absent. */
  baseDate: string | null;
  /** One per signal; empty for a multi-segment record. */
  signals: WfdbSignal[];
  /** One per segment of a multi-segment record; empty otherwise. */
  segments: WfdbSegment[];
  comments: string[];
}

const DEFAULT_FREQUENCY = 250;
const DEFAULT_GAIN = 200;
const DEFAULT_RESOLUTION: Record<number, number> = { 80: 8, 160: 16, 212: 12, 310: 10, 311: 10 };

interface Line {
  text: string;
  /** 1-based line number in the file, for error messages. */
  number: number;
}

export function parseWfdbHeader(text: string): WfdbHeader {
  const comments: string[] = [];
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) comments.push(trimmed.slice(1).trim());
    else if (trimmed !== '') lines.push({ text: trimmed, number: i + 1 });
  });

  const [recordLine, ...rest] = lines;
  if (!recordLine) throw new Error('WFDB header: no record line (the text is empty or holds only comments)');
  const record = parseRecordLine(recordLine);

  const expected = record.nSegments ?? record.nSignals;
  const kind = record.nSegments === null ? 'signal' : 'segment';
  if (rest.length < expected) {
    throw new Error(
      `WFDB header '${record.recordName}': the record line declares ${expected} ${kind}s but ${rest.length} ${kind} line(s) follow`,
    );
  }
  const body = rest.slice(0, expected);
  const segments = record.nSegments === null ? [] : body.map((line) => parseSegmentLine(line, record.recordName));
  const signals = record.nSegments === null ? body.map((line, i) => parseSignalLine(line, i, record.recordName)) : [];
  return { ...record, signals, segments, comments };
}

type RecordFields = Omit<WfdbHeader, 'signals' | 'segments' | 'comments'>;

function parseRecordLine(line: Line): RecordFields {
  const [nameField, nSignalsField, frequencyField, nSamplesField, baseTime, baseDate] = line.text.split(/\s+/);
  const where = `WFDB header, line ${line.number} (record line)`;
  const [recordName = '', segmentsField] = (nameField ?? '').split('/');
  if (nSignalsField === undefined) throw new Error(`${where}: '${line.text}' lacks the number of signals`);

  let frequency = DEFAULT_FREQUENCY;
  let counterFrequency: number | undefined;
  let baseCounter = 0;
  if (frequencyField !== undefined) {
    // frequency[/counterFrequency[(baseCounter)]], e.g. 360 or 360/1(0)
    const m = frequencyField.match(/^([^/]+)(?:\/([^(]+)(?:\(([^)]*)\))?)?$/);
    if (!m) throw new Error(`${where}: frequency field '${frequencyField}' is malformed`);
    frequency = toNumber(m[1] ?? '', 'sampling frequency', where);
    if (m[2] !== undefined) counterFrequency = toNumber(m[2], 'counter frequency', where);
    if (m[3] !== undefined) baseCounter = toNumber(m[3], 'base counter value', where);
  }
  return {
    recordName,
    nSegments: segmentsField === undefined ? null : toInteger(segmentsField, 'number of segments', where),
    nSignals: toInteger(nSignalsField, 'number of signals', where),
    frequency,
    counterFrequency: counterFrequency ?? frequency,
    baseCounter,
    nSamples: nSamplesField === undefined ? null : toInteger(nSamplesField, 'number of samples', where),
    baseTime: baseTime ?? null,
    baseDate: baseDate ?? null,
  };
}

function parseSegmentLine(line: Line, recordName: string): WfdbSegment {
  const where = `WFDB header '${recordName}', line ${line.number} (segment line)`;
  const [name, nSamples] = line.text.split(/\s+/);
  if (name === undefined || nSamples === undefined) throw new Error(`${where}: expected 'name nSamples', got '${line.text}'`);
  return { name, nSamples: toInteger(nSamples, 'number of samples', where) };
}

function parseSignalLine(line: Line, index: number, recordName: string): WfdbSignal {
  const where = `WFDB header '${recordName}', line ${line.number} (signal ${index})`;
  // The first eight fields are single words; the description is the rest of the line.
  const words = [...line.text.matchAll(/\S+/g)].slice(0, 8);
  const field = (i: number): string | undefined => words[i]?.[0];
  const last = words[words.length - 1];
  const description = words.length === 8 && last ? line.text.slice(last.index + last[0].length).trim() : '';

  const fileName = field(0) ?? '';
  const formatField = field(1);
  if (formatField === undefined) throw new Error(`${where}: '${line.text}' lacks the storage format`);
  // format[xsamples][:skew][+offset], e.g. 212, 16x4, 212:3+512
  const f = formatField.match(/^(\d+)(?:x(\d+))?(?::(\d+))?(?:\+(\d+))?$/);
  if (!f) throw new Error(`${where}: format field '${formatField}' is not of the form format[xN][:skew][+offset]`);
  const format = Number(f[1]);

  // gain[(baseline)][/units], e.g. 200, 200(1024)/mV, 1000/uV
  let gain = 0;
  let baseline: number | undefined;
  let units = 'mV';
  const gainField = field(2);
  if (gainField !== undefined) {
    const g = gainField.match(/^([^(/]+)(?:\(([^)]*)\))?(?:\/(.+))?$/);
    if (!g) throw new Error(`${where}: gain field '${gainField}' is not of the form gain[(baseline)][/units]`);
    gain = toNumber(g[1] ?? '', 'ADC gain', where);
    if (g[2] !== undefined) baseline = toInteger(g[2], 'baseline', where);
    if (g[3] !== undefined) units = g[3];
  }

  const optionalInteger = (i: number, what: string): number | undefined => {
    const value = field(i);
    return value === undefined ? undefined : toInteger(value, what, where);
  };
  const resolution = optionalInteger(3, 'ADC resolution');
  const adcZero = optionalInteger(4, 'ADC zero') ?? 0;
  return {
    fileName,
    format,
    samplesPerFrame: f[2] === undefined ? 1 : Number(f[2]),
    skew: f[3] === undefined ? 0 : Number(f[3]),
    byteOffset: f[4] === undefined ? 0 : Number(f[4]),
    gain: gain === 0 ? DEFAULT_GAIN : gain,
    baseline: baseline ?? adcZero,
    units,
    adcResolution: resolution || (DEFAULT_RESOLUTION[format] ?? 12),
    adcZero,
    initialValue: optionalInteger(5, 'initial value') ?? adcZero,
    checksum: optionalInteger(6, 'checksum') ?? 0,
    blockSize: optionalInteger(7, 'block size') ?? 0,
    description: description || `record ${recordName}, signal ${index}`,
  };
}

function toNumber(text: string, what: string, where: string): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) throw new Error(`${where}: ${what} '${text}' is not a number`);
  return value;
}

function toInteger(text: string, what: string, where: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`${where}: ${what} '${text}' is not an integer`);
  return Number(text);
}
