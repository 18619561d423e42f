/**
 * The project's one PNG writer and reader, platform-neutral (the page's exports, the model
 * thumbnails of scripts/thumbnails.ts, the Vite plugin, and the tests that read them back), after
 * the PNG specification (ISO/IEC 15948, W3C PNG 3rd edition): 8-bit grey, grey + alpha, RGB or
 * RGBA, not interlaced. The writer filters each row with whichever of None, Sub, Up and Paeth leaves
 * the smallest sum of absolute values (the usual heuristic); the reader undoes all five filters and
 * checks every CRC. Text goes in tEXt chunks (Latin-1), or in iTXt (UTF-8) where it is not Latin-1.
 */
import { unzlibSync, zlibSync } from 'fflate';

export interface PngImage {
  width: number;
  height: number;
  /** 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  /** Row by row, channels interleaved, 8 bits each. */
  data: Uint8Array;
  /** Text chunks: keyword -> text, in order. */
  text?: Record<string, string>;
}

const SIGNATURE = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);
const COLOUR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };
const CHANNELS: Record<number, 1 | 2 | 3 | 4> = { 0: 1, 4: 2, 2: 3, 6: 4 };

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as PNG (and zip) compute it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const latin1 = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
const fromLatin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  out.set(latin1(type), 4);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

function textChunk(keyword: string, text: string): Uint8Array {
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword) || keyword !== keyword.trim()) throw new Error(`PNG: text keyword "${keyword}" is not 1-79 printable characters`);
  if ([...text].every((ch) => ch.codePointAt(0)! <= 0xff && ch !== '\0')) return chunk('tEXt', latin1(`${keyword}\0${text}`));
  // iTXt: keyword, NUL, compression flag 0, method 0, empty language tag and translated keyword (each NUL-ended), UTF-8 text
  return chunk('iTXt', concat([latin1(`${keyword}\0\0\0\0\0`), new TextEncoder().encode(text)]));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The predictor of row filter `filter` for byte i: a left, b up, c up-left. */
function predict(filter: number, a: number, b: number, c: number): number {
  return filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : 0;
}

/** Row `filter` of `row` given the row above (`up`), `bpp` bytes per pixel. */
function applyFilter(filter: number, row: Uint8Array, up: Uint8Array, bpp: number): Uint8Array {
  const out = new Uint8Array(row.length);
  for (let i = 0; i < row.length; i++) {
    out[i] = (row[i]! - predict(filter, i >= bpp ? row[i - bpp]! : 0, up[i]!, i >= bpp ? up[i - bpp]! : 0)) & 0xff;
  }
  return out;
}

export function encodePng(image: PngImage): Uint8Array {
  const { width, height, channels, data } = image;
  if (!(width > 0 && height > 0) || data.length !== width * height * channels) throw new Error(`PNG: ${data.length} bytes are not ${width}x${height}x${channels}`);
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  let up: Uint8Array = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = data.subarray(y * stride, (y + 1) * stride);
    let best: { filter: number; bytes: Uint8Array; cost: number } | null = null;
    for (const filter of [0, 1, 2, 4]) {
      const bytes = applyFilter(filter, row, up, channels);
      const cost = bytes.reduce((n, v) => n + (v < 128 ? v : 256 - v), 0);
      if (!best || cost < best.cost) best = { filter, bytes, cost };
    }
    raw[y * (stride + 1)] = best!.filter;
    raw.set(best!.bytes, y * (stride + 1) + 1);
    up = row;
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, COLOUR_TYPE[channels]!, 0, 0, 0], 8);
  const text = Object.entries(image.text ?? {}).map(([key, value]) => textChunk(key, value));
  return concat([SIGNATURE, chunk('IHDR', header), ...text, chunk('IDAT', zlibSync(raw, { level: 9 })), chunk('IEND', new Uint8Array())]);
}

/** Width, height and channels from the header alone. */
export function pngHeader(bytes: Uint8Array): { width: number; height: number; channels: 1 | 2 | 3 | 4 } {
  if (bytes.length < 33 || !SIGNATURE.every((b, i) => bytes[i] === b)) throw new Error('not a PNG file (no PNG signature, or too short)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fromLatin1(bytes.subarray(12, 16)) !== 'IHDR') throw new Error('PNG: IHDR is not the first chunk');
  const depth = bytes[24]!;
  const channels = CHANNELS[bytes[25]!];
  if (depth !== 8 || !channels || bytes[28] !== 0) throw new Error('PNG: only 8-bit grey, grey+alpha, RGB and RGBA without interlacing are read');
  return { width: view.getUint32(16), height: view.getUint32(20), channels };
}

export function decodePng(bytes: Uint8Array): Required<PngImage> {
  const { width, height, channels } = pngHeader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  const text: Record<string, string> = {};
  for (let at = 8; ; ) {
    if (at + 12 > bytes.length) throw new Error('PNG: the file is truncated (it ends before its IEND chunk)');
    const length = view.getUint32(at);
    const type = fromLatin1(bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length) throw new Error(`PNG: the file is truncated in its ${type} chunk`);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) throw new Error(`PNG: the ${type} chunk fails its CRC: the file is damaged`);
    if (type === 'IDAT') idat.push(body);
    if (type === 'tEXt') {
      const zero = body.indexOf(0);
      text[fromLatin1(body.subarray(0, zero))] = fromLatin1(body.subarray(zero + 1));
    }
    if (type === 'iTXt') {
      const zero = body.indexOf(0);
      const keyword = fromLatin1(body.subarray(0, zero));
      if (body[zero + 1] !== 0) throw new Error(`PNG: the iTXt chunk "${keyword}" is compressed, which is not read`);
      const language = body.indexOf(0, zero + 3);
      const translated = body.indexOf(0, language + 1);
      text[keyword] = new TextDecoder().decode(body.subarray(translated + 1));
    }
    if (type === 'IEND') break;
    at += 12 + length;
  }
  const raw = unzlibSync(concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`PNG: ${raw.length} bytes of pixels, not ${height} rows of ${stride + 1}`);
  const data = new Uint8Array(height * stride);
  let up: Uint8Array = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    if (filter > 4) throw new Error(`PNG: unknown row filter ${filter}`);
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = data.subarray(y * stride, (y + 1) * stride);
    for (let i = 0; i < stride; i++) {
      row[i] = (line[i]! + predict(filter, i >= channels ? row[i - channels]! : 0, up[i]!, i >= channels ? up[i - channels]! : 0)) & 0xff;
    }
    up = row;
  }
  return { width, height, channels, data, text };
}
