/**
 * Decoder for WFDB signal format 212 (signal(5) in the WFDB Applications Guide,
 * https://physionet.org/physiotools/wag/signal-5.htm), the format of the MIT-BIH records.
 *
 * Samples are interleaved by frame (one sample of each signal in turn) and each pair of
 * consecutive samples is packed into 3 bytes:
 *   sample 0 = byte0 | (byte1 & 0x0F) << 8
 *   sample 1 = byte2 | (byte1 & 0xF0) << 4
 * Each 12-bit value is two's complement (2048..4095 stand for -2048..-1). When the total
 * number of samples is odd, the last group holds a single sample (sample 0).
 */

/** How many samples `byteLength` bytes of format 212 hold: 2 per full group, 1 for a 2-byte tail. */
function samplesIn(byteLength: number): number {
  const tail = byteLength % 3;
  return Math.floor(byteLength / 3) * 2 + (tail === 2 ? 1 : 0);
}

/** Sign-extends a 12-bit two's-complement value. */
function signed12(value: number): number {
  return (value << 20) >> 20;
}

/**
 * Splits format-212 bytes into one Int16Array of ADC units per signal.
 *
 * `nSamples` (per signal, from the header) makes the read exact: the data must hold at least
 * that many frames, and trailing bytes are ignored. Without it every complete frame in the
 * bytes is returned; that can include the padding sample of a final half-filled group, so pass
 * the header's count whenever there is one.
 */
export function decodeFormat212(bytes: Uint8Array, nSignals: number, nSamples?: number): Int16Array[] {
  if (!Number.isInteger(nSignals) || nSignals < 1) {
    throw new Error(`format 212: nSignals must be a positive integer, got ${nSignals}`);
  }
  if (nSamples !== undefined && (!Number.isInteger(nSamples) || nSamples < 0)) {
    throw new Error(`format 212: nSamples must be a non-negative integer, got ${nSamples}`);
  }
  const available = Math.floor(samplesIn(bytes.length) / nSignals);
  if (nSamples !== undefined && available < nSamples) {
    throw new Error(
      `format 212: truncated: ${bytes.length} bytes of ${nSignals}-signal data; ` +
        `expected ${nSamples} samples per channel, found ${available}`,
    );
  }
  const perChannel = nSamples ?? available;
  const channels = Array.from({ length: nSignals }, () => new Int16Array(perChannel));

  // k counts samples in file order: frame k / nSignals, signal k % nSignals.
  const total = perChannel * nSignals;
  const put = (k: number, value: number): void => {
    channels[k % nSignals]![Math.floor(k / nSignals)] = signed12(value);
  };
  for (let k = 0, group = 0; k < total; k += 2, group += 3) {
    const b1 = bytes[group + 1]!;
    put(k, bytes[group]! | ((b1 & 0x0f) << 8));
    if (k + 1 < total) put(k + 1, bytes[group + 2]! | ((b1 & 0xf0) << 4));
  }
  return channels;
}

/** Converts ADC units to physical units (mV for MIT-BIH): (adu - baseline) / gain. */
export function physical(adu: Int16Array, gain: number, baseline: number): Float32Array {
  if (!Number.isFinite(gain) || gain <= 0) throw new Error(`physical: gain must be a positive number, got ${gain}`);
  const out = new Float32Array(adu.length);
  for (let i = 0; i < adu.length; i++) out[i] = (adu[i]! - baseline) / gain;
  return out;
}

/**
 * One signal's ADC units as format 212, the inverse of decodeFormat212 for one signal: each pair
 * of 12-bit two's-complement samples in 3 bytes; an odd count ends with a 2-byte group. Throws on a
 * value outside -2048..2047.
 */
export function encodeFormat212(adu: Int16Array): Uint8Array {
  const out = new Uint8Array(Math.floor(adu.length / 2) * 3 + (adu.length % 2) * 2);
  for (let k = 0, group = 0; k < adu.length; k += 2, group += 3) {
    const a = adu[k]!;
    const b = k + 1 < adu.length ? adu[k + 1]! : 0;
    if (a < -2048 || a > 2047 || b < -2048 || b > 2047) throw new Error(`format 212: sample ${a < -2048 || a > 2047 ? a : b} is outside the 12-bit range`);
    out[group] = a & 0xff;
    out[group + 1] = ((a >> 8) & 0x0f) | (k + 1 < adu.length ? ((b >> 4) & 0xf0) : 0);
    if (k + 1 < adu.length) out[group + 2] = b & 0xff;
  }
  return out;
}

/** Physical units to ADC units, the inverse of `physical`: round(value x gain) + baseline. */
export function toAdu(values: ArrayLike<number>, gain: number, baseline: number): Int16Array {
  return Int16Array.from(values, (v) => Math.round(v * gain) + baseline);
}

/** The WFDB header's checksum: the sum of the samples, modulo 2^16, as a signed 16-bit value. */
export function wfdbChecksum(adu: Int16Array): number {
  let sum = 0;
  for (const v of adu) sum = (sum + v) & 0xffff;
  return (sum << 16) >> 16;
}
