/**
 * PNG files with their provenance inside, written and read without a canvas (so Node tests read
 * back exactly what the page writes), following the PNG specification (ISO/IEC 15948, W3C PNG
 * 3rd edition): 8-bit greyscale or RGB, not interlaced, rows filtered with filter 0 (none) when
 * written; every filter type is undone when read. Text goes in tEXt chunks (Latin-1), or iTXt
 * (UTF-8) where it is not Latin-1.
 */
import { unzlibSync, zlibSync } from 'fflate';

export interface PngImage {
  width: number;
  height: number;
  /** 1: greyscale, 3: RGB. */
  channels: 1 | 3;
  /** Row-major, channels interleaved: width x height x channels bytes. */
  pixels: Uint8Array;
}

const SIGNATURE = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG (and zip) compute it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const ascii = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(ascii(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const isLatin1 = (s: string) => [...s].every((ch) => ch.codePointAt(0)! <= 0xff && ch !== '\0');

function textChunk(keyword: string, text: string): Uint8Array {
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword) || keyword !== keyword.trim()) throw new Error(`PNG text keyword "${keyword}" is not 1-79 printable characters`);
  if (isLatin1(text)) return chunk('tEXt', Uint8Array.from(`${keyword}\0${text}`, (ch) => ch.charCodeAt(0)));
  // iTXt: keyword, NUL, compression flag 0, method 0, empty language tag and translated keyword, UTF-8 text
  const utf8 = new TextEncoder().encode(text);
  const head = ascii(`${keyword}\0\0\0\0\0`);
  const data = new Uint8Array(head.length + utf8.length);
  data.set(head);
  data.set(utf8, head.length);
  return chunk('iTXt', data);
}

/** An 8-bit PNG of `image`, with `text` as text chunks (keyword -> text), in the order given. */
export function encodePng(image: PngImage, text: Readonly<Record<string, string>> = {}): Uint8Array {
  const { width, height, channels, pixels } = image;
  if (!(width > 0 && height > 0) || pixels.length !== width * height * channels) {
    throw new Error(`PNG: ${pixels.length} bytes for ${width} x ${height} x ${channels}`);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, channels === 1 ? 0 : 2, 0, 0, 0], 8);          // bit depth, colour type, compression, filter, interlace
  const row = width * channels;
  const raw = new Uint8Array((row + 1) * height);               // each row: filter byte 0, then the row
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  const parts = [SIGNATURE, chunk('IHDR', header), ...Object.entries(text).map(([k, v]) => textChunk(k, v)),
    chunk('IDAT', zlibSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The Paeth predictor of the PNG specification. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Reads an 8-bit greyscale, RGB or RGBA PNG (not interlaced) and its text chunks; RGBA comes back
 * as RGB (the alpha dropped). Throws, saying why, on anything else or on a damaged file.
 */
export function decodePng(bytes: Uint8Array): PngImage & { text: Record<string, string> } {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error('not a PNG file (no PNG signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text: Record<string, string> = {};
  const idat: Uint8Array[] = [];
  let width = 0;
  let height = 0;
  let colourType = -1;
  let at = 8;
  for (;;) {
    if (at + 12 > bytes.length) throw new Error('PNG file is truncated (no IEND chunk)');
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length) throw new Error(`PNG file is truncated in its ${type} chunk`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) throw new Error(`PNG ${type} chunk fails its CRC: the file is damaged`);
    at += 12 + length;
    if (type === 'IHDR') {
      width = view.getUint32(data.byteOffset - bytes.byteOffset);
      height = view.getUint32(data.byteOffset - bytes.byteOffset + 4);
      const [depth, colour, , , interlace] = data.subarray(8);
      if (depth !== 8 || ![0, 2, 6].includes(colour!) || interlace !== 0) {
        throw new Error(`PNG of bit depth ${depth}, colour type ${colour}, interlace ${interlace}: only 8-bit grey, RGB or RGBA, not interlaced, is read`);
      }
      colourType = colour!;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'tEXt') {
      const nul = data.indexOf(0);
      text[String.fromCharCode(...data.subarray(0, nul))] = String.fromCharCode(...data.subarray(nul + 1));
    } else if (type === 'iTXt') {
      const nul = data.indexOf(0);
      const keyword = String.fromCharCode(...data.subarray(0, nul));
      if (data[nul + 1] !== 0) throw new Error(`PNG iTXt "${keyword}" is compressed, which is not read`);
      const lang = data.indexOf(0, nul + 3);
      const translated = data.indexOf(0, lang + 1);
      text[keyword] = new TextDecoder().decode(data.subarray(translated + 1));
    } else if (type === 'IEND') {
      break;
    }
  }
  if (colourType < 0) throw new Error('PNG file has no IHDR chunk');
  const inChannels = colourType === 0 ? 1 : colourType === 2 ? 3 : 4;
  const joined = new Uint8Array(idat.reduce((n, d) => n + d.length, 0));
  idat.reduce((o, d) => (joined.set(d, o), o + d.length), 0);
  const raw = unzlibSync(joined);
  const row = width * inChannels;
  if (raw.length !== (row + 1) * height) throw new Error(`PNG image data holds ${raw.length} bytes, ${(row + 1) * height} expected`);
  const full = new Uint8Array(row * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (row + 1)]!;
    const src = raw.subarray(y * (row + 1) + 1, (y + 1) * (row + 1));
    const out = full.subarray(y * row, (y + 1) * row);
    const up = y > 0 ? full.subarray((y - 1) * row, y * row) : new Uint8Array(row);
    for (let i = 0; i < row; i++) {
      const a = i >= inChannels ? out[i - inChannels]! : 0;
      const b = up[i]!;
      const c = i >= inChannels ? up[i - inChannels]! : 0;
      const predicted = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : NaN;
      if (Number.isNaN(predicted)) throw new Error(`PNG row ${y} has an unknown filter type ${filter}`);
      out[i] = (src[i]! + predicted) & 0xff;
    }
  }
  const channels = inChannels === 1 ? 1 : 3;
  const pixels = inChannels === 4 ? Uint8Array.from({ length: width * height * 3 }, (_, i) => full[Math.floor(i / 3) * 4 + (i % 3)]!) : full;
  return { width, height, channels, pixels, text };
}
