/**
 * Reader for MIT-format WFDB annotation files (e.g. `.atr`), following annot(5) of the WFDB
 * Applications Guide (https://physionet.org/physiotools/wag/annot-5.htm) and getann() in the
 * WFDB library's annot.c.
 *
 * The file is a sequence of 16-bit little-endian words: the high 6 bits are a code A, the low
 * 10 bits a value I.
 *   A = 0, I = 0   end of file
 *   A = 1..58      an annotation of type A at (previous annotation time + I)
 *   A = 59 SKIP    the next 4 bytes are a signed 32-bit interval, high 16-bit word first
 *                  (PDP-11 order), each word little-endian; it is added to the running time
 *   A = 60 NUM     I is the `num` of the preceding annotation and of later ones until changed
 *   A = 61 SUB     I is the subtype of the preceding annotation
 *   A = 62 CHN     I is the `chan` of the preceding annotation and of later ones until changed
 *   A = 63 AUX     I bytes of aux text follow, padded with one byte to an even length
 * SUB, CHN, NUM and AUX follow the annotation word they modify; SKIP precedes the next one.
 * A = 0 with I > 0 is a null annotation (code 0, NOTQRS), as putann() writes one.
 */

export interface MitAnnotation {
  /** Sample number (time) of the annotation. */
  sample: number;
  /** Annotation type code (ecgcodes.h), e.g. 1 NORMAL, 5 PVC. */
  code: number;
  /** WFDB mnemonic for the code, e.g. 'N', 'V', '+'; '[42]' for codes without one. */
  symbol: string;
  subtype: number;
  chan: number;
  num: number;
  /** Aux text up to its first NUL (rhythm changes hold e.g. '(AFIB'); null when absent. */
  aux: string | null;
}

const SKIP = 59;
const NUM = 60;
const SUB = 61;
const CHN = 62;
const AUX = 63;

/** WFDB mnemonics for codes 0..49 (annot.c `cstring`, ecgcodes.h); codes 15, 17, 42-49 have none. */
const SYMBOLS: readonly string[] = [
  ' ', 'N', 'L', 'R', 'a', 'V', 'F', 'J', 'A', 'S', // 0-9: NOTQRS NORMAL LBBB RBBB ABERR PVC FUSION NPC APC SVPB
  'E', 'j', '/', 'Q', '~', '', '|', '', 's', 'T', // 10-19: VESC NESC PACE UNKNOWN NOISE - ARFCT - STCH TCH
  '*', 'D', '"', '=', 'p', 'B', '^', 't', '+', 'u', // 20-29: SYSTOLE DIASTOLE NOTE MEASURE PWAVE BBB PACESP TWAVE RHYTHM UWAVE
  '?', '!', '[', ']', 'e', 'n', '@', 'x', 'f', '(', // 30-39: LEARN FLWAV VFON VFOFF AESC SVESC LINK NAPC PFUS WFON
  ')', 'r', // 40-41: WFOFF RONT
];

/** Mnemonic for an annotation code, '[code]' where WFDB defines none. */
export function annotationSymbol(code: number): string {
  const symbol = SYMBOLS[code];
  return symbol ? symbol : `[${code}]`;
}

/**
 * Beat codes in the standard MIT-BIH beat count: N L R B A a J S V r F e j n E / f Q.
 * WFDB's isqrs() also counts '!' (ventricular flutter wave, 472 in MIT-BIH record 207) and
 * '?' (LEARN); the published MIT-BIH total of 109,494 beats leaves both out, and so does this set.
 */
const BEAT_CODES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 25, 34, 35, 38, 41]);

export function isBeatCode(code: number): boolean {
  return BEAT_CODES.has(code);
}

export function parseMitAnnotations(bytes: Uint8Array): MitAnnotation[] {
  const annotations: MitAnnotation[] = [];
  let time = 0;
  let num = 0; // num and chan carry over to later annotations until changed
  let chan = 0;
  let current: MitAnnotation | undefined;
  let pos = 0;

  const need = (n: number, what: string): void => {
    if (pos + n > bytes.length) {
      throw new Error(
        `truncated annotation file: ${what} at byte ${pos - 2} needs ${n} more bytes, found ${bytes.length - pos}`,
      );
    }
  };
  const modified = (what: string): MitAnnotation => {
    if (!current) throw new Error(`annotation file: ${what} at byte ${pos - 2} comes before any annotation`);
    return current;
  };

  while (pos + 2 <= bytes.length) {
    const word = bytes[pos]! | (bytes[pos + 1]! << 8);
    pos += 2;
    if (word === 0) return annotations; // A = 0, I = 0: end of file
    const code = word >> 10;
    const value = word & 0x3ff;
    switch (code) {
      case SKIP: {
        need(4, 'SKIP');
        const high = bytes[pos]! | (bytes[pos + 1]! << 8);
        const low = bytes[pos + 2]! | (bytes[pos + 3]! << 8);
        time += (high << 16) | low; // signed 32-bit
        pos += 4;
        break;
      }
      case NUM:
        num = value;
        if (current) current.num = value;
        break;
      case SUB:
        modified('SUB').subtype = value;
        break;
      case CHN:
        chan = value;
        if (current) current.chan = value;
        break;
      case AUX: {
        const padded = value + (value & 1);
        need(padded, `AUX of ${value} bytes`);
        modified('AUX').aux = auxText(bytes.subarray(pos, pos + value));
        pos += padded;
        break;
      }
      default:
        time += value;
        current = { sample: time, code, symbol: annotationSymbol(code), subtype: 0, chan, num, aux: null };
        annotations.push(current);
    }
  }
  if (pos < bytes.length) throw new Error(`truncated annotation file: a stray byte at ${pos} after the last word`);
  return annotations; // no terminator word: WFDB also returns what it read
}

/** Aux bytes as text (one char per byte), cut at the first NUL. */
function auxText(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) {
    if (b === 0) break;
    text += String.fromCharCode(b);
  }
  return text;
}

/** The code of a WFDB mnemonic ('N' -> 1, 'V' -> 5); throws for one WFDB does not define. */
export function annotationCode(symbol: string): number {
  const code = SYMBOLS.indexOf(symbol);
  if (code < 1 || symbol === '') throw new Error(`"${symbol}" is not a WFDB annotation mnemonic`);
  return code;
}

/**
 * An MIT-format annotation file of (sample, code) annotations in time order, the inverse of
 * parseMitAnnotations for annotations without subtype, chan, num or aux: a SKIP before any interval
 * over 1023 samples, then the end-of-file word.
 */
export function encodeMitAnnotations(annotations: readonly { sample: number; code: number }[]): Uint8Array {
  const words: number[] = [];
  let time = 0;
  for (const { sample, code } of annotations) {
    if (!Number.isInteger(code) || code < 1 || code > 49) throw new Error(`annotation code ${code} is not 1..49`);
    let interval = sample - time;
    if (!Number.isInteger(interval) || interval < 0) throw new Error(`annotations must be in time order (sample ${sample} after ${time})`);
    if (interval > 0x3ff) {
      // SKIP, then the interval as a 32-bit value, high 16-bit word first (PDP-11 order)
      words.push(SKIP << 10, (interval >>> 16) & 0xffff, interval & 0xffff);
      interval = 0;
    }
    words.push((code << 10) | interval);
    time = sample;
  }
  words.push(0);
  const out = new Uint8Array(words.length * 2);
  words.forEach((w, i) => {
    out[2 * i] = w & 0xff;
    out[2 * i + 1] = w >> 8;
  });
  return out;
}
