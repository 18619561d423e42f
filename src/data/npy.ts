import { unzipSync, zipSync } from 'fflate';

/**
 * Readers for NumPy's `.npy` and `.npz` files, platform-neutral (no DOM, no Node APIs), so the
 * browser can open user-supplied files with the same code the Node data step uses.
 *
 * NPY layout (numpy/lib/format.py, "NEP 1"):
 *   bytes 0-5   magic "\x93NUMPY"
 *   bytes 6-7   format version major, minor: 1.0, 2.0 or 3.0
 *   then        header length: uint16 LE in 1.0, uint32 LE in 2.0 and 3.0
 *   then        header: a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False,
 *               'shape': (4708, 28, 28), }, latin-1 in 1.0/2.0 and UTF-8 in 3.0
 *   then        the raw data, C order, product(shape) * itemsize bytes.
 */

export type NpyDtype =
  | 'bool'
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64';

export type NpyData =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

export interface NpyArray {
  /** `bool` arrays (descr `|b1`) hold their 0/1 bytes in a Uint8Array. */
  dtype: NpyDtype;
  /** Empty for a 0-d (scalar) array, which holds one element. */
  shape: number[];
  /** C-order elements, copied into a fresh, aligned buffer. */
  data: NpyData;
}

interface DtypeInfo {
  dtype: NpyDtype;
  itemSize: number;
  view: (buffer: ArrayBuffer, length: number) => NpyData;
}

/** The `descr` strings numpy writes for the supported little-endian dtypes. */
const DTYPES: Record<string, DtypeInfo> = {
  '|b1': { dtype: 'bool', itemSize: 1, view: (b, n) => new Uint8Array(b, 0, n) },
  '|u1': { dtype: 'uint8', itemSize: 1, view: (b, n) => new Uint8Array(b, 0, n) },
  '|i1': { dtype: 'int8', itemSize: 1, view: (b, n) => new Int8Array(b, 0, n) },
  '<i2': { dtype: 'int16', itemSize: 2, view: (b, n) => new Int16Array(b, 0, n) },
  '<u2': { dtype: 'uint16', itemSize: 2, view: (b, n) => new Uint16Array(b, 0, n) },
  '<i4': { dtype: 'int32', itemSize: 4, view: (b, n) => new Int32Array(b, 0, n) },
  '<u4': { dtype: 'uint32', itemSize: 4, view: (b, n) => new Uint32Array(b, 0, n) },
  '<i8': { dtype: 'int64', itemSize: 8, view: (b, n) => new BigInt64Array(b, 0, n) },
  '<u8': { dtype: 'uint64', itemSize: 8, view: (b, n) => new BigUint64Array(b, 0, n) },
  '<f4': { dtype: 'float32', itemSize: 4, view: (b, n) => new Float32Array(b, 0, n) },
  '<f8': { dtype: 'float64', itemSize: 8, view: (b, n) => new Float64Array(b, 0, n) },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Typed arrays use the platform's byte order; the file's is little-endian. */
const PLATFORM_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Parses one `.npy` file; `name` only labels error messages. */
export function parseNpy(bytes: Uint8Array, name = 'array'): NpyArray {
  function fail(why: string): never {
    throw new Error(`npy '${name}': ${why}`);
  }
  if (MAGIC.some((b, i) => bytes[i] !== b)) {
    fail('bad magic: the file does not start with "\\x93NUMPY", so it is not an NPY file');
  }
  if (bytes.length < 10) fail('truncated: the file ends inside the version and header length');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (minor !== 0 || major < 1 || major > 3) fail(`unsupported NPY format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);

  // Version 1.0 stores the header length in 2 bytes; 2.0 and 3.0 in 4.
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) fail('truncated: the file ends inside the version and header length');
  const lengths = new DataView(bytes.buffer, bytes.byteOffset + 8, lengthBytes);
  const headerLength = major === 1 ? lengths.getUint16(0, true) : lengths.getUint32(0, true);
  const headerStart = 8 + lengthBytes;
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) fail(`truncated: the header needs ${headerLength} bytes, found ${bytes.length - headerStart}`);

  const headerBytes = bytes.subarray(headerStart, dataStart);
  const header = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : latin1(headerBytes);
  const { descr, fortranOrder, shape } = parseHeader(header, fail);

  if (fortranOrder) fail('fortran_order is True; only C-order arrays are supported (save with np.ascontiguousarray)');
  if (/^[|<>=]?O$/.test(descr)) fail(`object arrays (dtype '${descr}') hold pickled Python objects and cannot be read`);
  const info = DTYPES[descr];
  if (!info) {
    if (descr.startsWith('>')) fail(`big-endian dtype '${descr}' is not supported (save with a '<' dtype)`);
    fail(`unsupported dtype '${descr}' (supported: ${Object.keys(DTYPES).join(' ')})`);
  }
  const { dtype, itemSize, view } = info;
  if (itemSize > 1 && !PLATFORM_IS_LITTLE_ENDIAN) fail('this platform is big-endian; only little-endian data can be read');

  const count = shape.reduce((a, b) => a * b, 1);
  const byteLength = count * itemSize;
  const found = bytes.length - dataStart;
  if (found < byteLength) fail(`truncated: expected ${byteLength} bytes of data, found ${found}`);

  // slice() copies into a new buffer that starts at offset 0, so every typed view is aligned.
  const copy = bytes.slice(dataStart, dataStart + byteLength);
  return { dtype, shape, data: view(copy.buffer, count) };
}

/** Reads the three keys of the header dict: descr, fortran_order and shape. */
function parseHeader(
  header: string,
  fail: (why: string) => never,
): { descr: string; fortranOrder: boolean; shape: number[] } {
  const value = (key: string, pattern: string): RegExpMatchArray | null =>
    header.match(new RegExp(`['"]${key}['"]\\s*:\\s*${pattern}`));

  const descrMatch = value('descr', `(?:'([^']*)'|"([^"]*)"|(\\[))`);
  if (!descrMatch) fail(`header has no 'descr' entry: ${header.trim()}`);
  if (descrMatch[3]) fail('structured dtypes (a list in descr) are not supported');
  const descr = descrMatch[1] ?? descrMatch[2] ?? '';

  const orderMatch = value('fortran_order', '(True|False)');
  if (!orderMatch) fail(`header has no 'fortran_order' entry: ${header.trim()}`);

  const shapeMatch = value('shape', '\\(([^)]*)\\)');
  if (!shapeMatch) fail(`header has no 'shape' tuple: ${header.trim()}`);
  const shape = (shapeMatch[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d+L?$/.test(s)) fail(`shape entry '${s}' is not a non-negative integer`);
      return Number.parseInt(s, 10);
    });
  return { descr, fortranOrder: orderMatch[1] === 'True', shape };
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return text;
}

/**
 * Class labels as Int32Array, from any integer (or bool) dtype, 64-bit ones included.
 * MedMNIST stores labels as uint8 `[N, 1]`; the shape is ignored, the elements kept in order.
 */
export function labelsToInt32(a: NpyArray): Int32Array {
  if (a.dtype === 'float32' || a.dtype === 'float64') {
    throw new Error(`labels must have an integer dtype, got ${a.dtype}`);
  }
  const out = new Int32Array(a.data.length);
  let i = 0;
  for (const v of a.data) {
    const n = Number(v);
    if (n < -2147483648 || n > 2147483647) throw new Error(`label ${String(v)} at index ${i} does not fit in int32`);
    out[i++] = n;
  }
  return out;
}

/**
 * Reads a `.npz` archive (a zip of `.npy` files, stored or deflated, as np.savez and
 * np.savez_compressed write it) into arrays keyed by member name without `.npy`.
 * Members that are not `.npy` files are skipped, as np.load's `files` list skips them.
 */
export function readNpz(bytes: Uint8Array, name = 'archive'): Map<string, NpyArray> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`npz '${name}': not a readable zip archive (${why}); the file may be truncated or corrupt`, {
      cause: err,
    });
  }
  const arrays = new Map<string, NpyArray>();
  for (const [member, data] of Object.entries(members)) {
    if (!member.endsWith('.npy')) continue;
    const key = member.slice(0, -'.npy'.length);
    arrays.set(key, parseNpy(data, `${name}/${key}`));
  }
  return arrays;
}

/** An array to write: uint8, int16, int32 or float32, C order. */
export type NpyInput = { shape: readonly number[] } & (
  | { dtype: 'uint8'; data: Uint8Array }
  | { dtype: 'int16'; data: Int16Array }
  | { dtype: 'int32'; data: Int32Array }
  | { dtype: 'float32'; data: Float32Array });

const DESCR: Record<NpyInput['dtype'], string> = { uint8: '|u1', int16: '<i2', int32: '<i4', float32: '<f4' };

/**
 * One `.npy` file, version 1.0, as numpy writes it: the header dict padded with spaces and a
 * newline so the data starts at a multiple of 64 bytes; data little-endian.
 */
export function encodeNpy(array: NpyInput): Uint8Array {
  const count = array.shape.reduce((n, d) => n * d, 1);
  if (array.data.length !== count) throw new Error(`npy: ${array.data.length} values for shape (${array.shape.join(', ')})`);
  if (!PLATFORM_IS_LITTLE_ENDIAN) throw new Error('npy: writing on a big-endian platform is not supported');
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${DESCR[array.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const bytes = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(10 + header.length + bytes.length);
  out.set(MAGIC);
  out.set([1, 0, header.length & 0xff, header.length >> 8], 6);
  out.set(Uint8Array.from(header, (ch) => ch.charCodeAt(0)), 10);
  out.set(bytes, 10 + header.length);
  return out;
}

const ZIP_EPOCH = new Date(1980, 0, 1);

/** A `.npz` archive of `arrays` (name -> array), stored uncompressed, as np.savez writes it. */
export function encodeNpz(arrays: Readonly<Record<string, NpyInput>>): Uint8Array {
  // a fixed date (zip's earliest) makes the same arrays the same bytes
  return zipSync(Object.fromEntries(Object.entries(arrays).map(([key, a]) => [`${key}.npy`, encodeNpy(a)])), { level: 0, mtime: ZIP_EPOCH });
}
