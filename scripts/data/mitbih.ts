/**
 * MIT-BIH Arrhythmia Database: heartbeats of lead MLII, baseline removed, in
 * millivolts, one fixed window per annotated beat, labelled with the AAMI
 * classes and split by patient into de Chazal's DS1 (train) and DS2 (test).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeFormat212, physical } from '../../src/data/format212.js';
import { isBeatCode, parseMitAnnotations } from '../../src/data/mit-annotations.js';
import { parseWfdbHeader } from '../../src/data/wfdb-header.js';
import { AAMI_CLASSES, type AamiClass, aamiClass, cutBeats, removeBaseline } from './ecg.js';
import { log, progressLine } from './log.js';
import { upToDate } from './output.js';
import { type IndexHeader, type SplitArrays, writePrepared } from './prepare.js';
import { OUTPUT_ROOT, SOURCES, locateSources } from './sources.js';
import { stampOf } from './stamp.js';

const PREP_VERSION = 1;

/** de Chazal, O'Dwyer and Reilly (2004): the customary inter-patient split. Paced records are in neither. */
export const DS1 = [101, 106, 108, 109, 112, 114, 115, 116, 118, 119, 122, 124, 201, 203, 205, 207, 208, 209, 215, 220, 223, 230];
export const DS2 = [100, 103, 105, 111, 113, 117, 121, 123, 200, 202, 210, 212, 213, 214, 219, 221, 222, 228, 231, 232, 233, 234];

/** Beat counts per AAMI class in de Chazal et al. (2004), Table I, for comparison. */
export const PUBLISHED_COUNTS: Record<'train' | 'test', Record<AamiClass, number>> = {
  train: { N: 45866, S: 944, V: 3788, F: 415, Q: 8 },
  test: { N: 44259, S: 1837, V: 3221, F: 388, Q: 7 },
};

export const SAMPLE_RATE_HZ = 360;
/** 250 ms before the R peak and 461 ms from it: P wave to the end of the T wave. */
export const WINDOW = { before: 90, after: 166 };

export interface RecordBeats {
  record: number;
  beats: Float32Array;
  labels: Uint8Array;
  /** Beat annotations outside the AAMI grouping, by symbol. */
  unmapped: Record<string, number>;
  /** AAMI beats annotated per class, before any is left out for its window. */
  annotated: number[];
  /** AAMI beats too close to the start or end for a full window. */
  atEdges: number;
}

/** Reads one record's MLII lead and annotations and cuts its beats. */
export function beatsOfRecord(record: number, header: string, dat: Uint8Array, atr: Uint8Array): RecordBeats {
  const info = parseWfdbHeader(header);
  const lead = info.signals.findIndex((signal) => signal.description === 'MLII');
  if (lead < 0) throw new Error(`record ${record} has no MLII lead (it has ${info.signals.map((s) => s.description).join(', ')})`);
  const spec = info.signals[lead]!;
  if (info.frequency !== SAMPLE_RATE_HZ) throw new Error(`record ${record} is sampled at ${info.frequency} Hz, expected ${SAMPLE_RATE_HZ}`);
  const adu = decodeFormat212(dat, info.nSignals, info.nSamples ?? undefined)[lead]!;
  const millivolts = removeBaseline(physical(adu, spec.gain, spec.baseline), SAMPLE_RATE_HZ);

  const peaks: number[] = [];
  const classes: number[] = [];
  const unmapped: Record<string, number> = {};
  for (const annotation of parseMitAnnotations(atr)) {
    const group = aamiClass(annotation.symbol);
    if (group) {
      peaks.push(annotation.sample);
      classes.push(AAMI_CLASSES.indexOf(group));
    } else if (isBeatCode(annotation.code)) {
      unmapped[annotation.symbol] = (unmapped[annotation.symbol] ?? 0) + 1;
    }
  }
  const { beats, kept } = cutBeats(millivolts, peaks, WINDOW);
  return {
    record,
    beats,
    labels: Uint8Array.from(kept, (i) => classes[i]!),
    unmapped,
    annotated: AAMI_CLASSES.map((_, c) => classes.filter((k) => k === c).length),
    atEdges: peaks.length - kept.length,
  };
}

export async function prepareMitBih(): Promise<'written' | 'up to date'> {
  const records = [...DS1, ...DS2].sort((a, b) => a - b);
  const paths = records.flatMap((r) => [`${r}.hea`, `${r}.dat`, `${r}.atr`]);
  const expected = (await SOURCES.mitdb.checksums()).filter((entry) => paths.includes(entry.path));
  const stamp = stampOf(PREP_VERSION, expected, WINDOW);
  if (await upToDate(join(OUTPUT_ROOT, 'mitbih'), stamp)) return 'up to date';

  const { files, verified } = await locateSources(SOURCES.mitdb, paths, 'mitbih');
  const perRecord = new Map<number, RecordBeats>();
  for (const [i, record] of records.entries()) {
    progressLine(`mitbih: cutting beats of record ${record} (${i + 1}/${records.length})`);
    const read = (ext: string) => readFile(files.get(`${record}.${ext}`)!);
    perRecord.set(
      record,
      beatsOfRecord(record, (await read('hea')).toString('latin1'), new Uint8Array(await read('dat')), new Uint8Array(await read('atr'))),
    );
  }

  const splits = { train: joinRecords(DS1, perRecord), test: joinRecords(DS2, perRecord) };
  const unmapped: Record<string, number> = {};
  let atEdges = 0;
  for (const beats of perRecord.values()) {
    atEdges += beats.atEdges;
    for (const [symbol, n] of Object.entries(beats.unmapped)) unmapped[symbol] = (unmapped[symbol] ?? 0) + n;
  }
  log(`mitbih: ${atEdges} beats too near a record's start or end were left out; outside AAMI: ${JSON.stringify(unmapped)}`);

  const header: IndexHeader = {
    dataset: 'mitbih',
    kind: 'signal',
    sampleShape: [WINDOW.before + WINDOW.after],
    dtype: 'float32',
    classes: [...AAMI_CLASSES],
    stamp,
    modality: 'ECG heartbeat, lead MLII',
    sampleRateHz: SAMPLE_RATE_HZ,
    units: 'mV',
    window: WINDOW,
    processing: [
      'lead MLII, physical units (adu - baseline) / gain',
      'baseline wander removed: signal minus median(median(signal, 200 ms), 600 ms)',
      `one window per beat annotation: ${WINDOW.before} samples before the R peak and ${WINDOW.after} from it`,
      'AAMI classes: N = N L R e j, S = A a J S, V = V E, F = F, Q = / f Q',
      'split by patient: train = DS1, test = DS2 (de Chazal et al. 2004); paced records 102 104 107 217 excluded',
    ],
    leftOut: { atRecordEdges: atEdges, outsideAami: unmapped },
    publishedCounts: PUBLISHED_COUNTS,
    provenance: {
      source: 'MIT-BIH Arrhythmia Database 1.0.0 (https://physionet.org/content/mitdb/1.0.0/)',
      licence: 'Open Data Commons Attribution License v1.0',
      citation:
        'Moody GB, Mark RG. The impact of the MIT-BIH Arrhythmia Database. IEEE Eng in Med and Biol 20(3):45-50 (2001); ' +
        'Goldberger AL et al. PhysioBank, PhysioToolkit, and PhysioNet. Circulation 101(23):e215-e220 (2000)',
      notes: ['Not for clinical use.'],
    },
    verified,
  };
  await writePrepared(header, splits, {
    heldout: { split: 'test', perClass: 64 },
    train: { split: 'train', perClass: 1000 },
  });
  return 'written';
}

function joinRecords(records: number[], perRecord: Map<number, RecordBeats>): SplitArrays {
  const parts = records.map((record) => perRecord.get(record)!);
  const total = parts.reduce((n, part) => n + part.labels.length, 0);
  const length = WINDOW.before + WINDOW.after;
  const split = { x: new Float32Array(total * length), y: new Uint8Array(total), record: new Uint16Array(total) };
  let at = 0;
  for (const part of parts) {
    split.x.set(part.beats, at * length);
    split.y.set(part.labels, at);
    split.record.fill(part.record, at, at + part.labels.length);
    at += part.labels.length;
  }
  return split;
}
