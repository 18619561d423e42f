/**
 * Cuts a square patch centred on a box out of an RGBA image and resizes it
 * to `size` x `size` RGB by averaging the source pixels under each output
 * pixel (a grid of bilinear taps as fine as the source pixels), so small and
 * large cells alike come out without aliasing. Parts of the square outside
 * the image repeat the nearest edge pixel, which keeps the cell centred.
 */

export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, row-major RGBA. */
  data: Uint8Array;
}

export interface Box {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/** The square around `box`: its longer side plus `margin` of it on every side. */
export function squareAround(box: Box, margin: number): { cx: number; cy: number; side: number } {
  const side = Math.max(box.xmax - box.xmin, box.ymax - box.ymin) * (1 + 2 * margin);
  return { cx: (box.xmin + box.xmax) / 2, cy: (box.ymin + box.ymax) / 2, side: Math.max(side, 1) };
}

export function cropPatch(image: RgbaImage, box: Box, size: number, margin = 0.1): Uint8Array {
  const { cx, cy, side: around } = squareAround(box, margin);
  // Never enlarge: a small cell (a platelet) keeps its native resolution and some context.
  const side = Math.max(around, size);
  const scale = side / size; // source pixels per output pixel
  const taps = Math.max(1, Math.ceil(scale));
  const left = cx - side / 2;
  const top = cy - side / 2;
  const { width, height, data } = image;
  const out = new Uint8Array(size * size * 3);
  const sum = new Float64Array(3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      sum.fill(0);
      for (let ty = 0; ty < taps; ty++) {
        // Pixel centres sit at +0.5: the source point under this tap.
        const sy = top + (y + (ty + 0.5) / taps) * scale - 0.5;
        const y0 = Math.floor(sy);
        const fy = sy - y0;
        const row0 = clamp(y0, height) * width;
        const row1 = clamp(y0 + 1, height) * width;
        for (let tx = 0; tx < taps; tx++) {
          const sx = left + (x + (tx + 0.5) / taps) * scale - 0.5;
          const x0 = Math.floor(sx);
          const fx = sx - x0;
          const c0 = clamp(x0, width);
          const c1 = clamp(x0 + 1, width);
          const w00 = (1 - fx) * (1 - fy);
          const w01 = fx * (1 - fy);
          const w10 = (1 - fx) * fy;
          const w11 = fx * fy;
          const a = (row0 + c0) * 4;
          const b = (row0 + c1) * 4;
          const c = (row1 + c0) * 4;
          const d = (row1 + c1) * 4;
          for (let k = 0; k < 3; k++) {
            sum[k]! += w00 * data[a + k]! + w01 * data[b + k]! + w10 * data[c + k]! + w11 * data[d + k]!;
          }
        }
      }
      for (let k = 0; k < 3; k++) out[(y * size + x) * 3 + k] = Math.round(sum[k]! / (taps * taps));
    }
  }
  return out;
}

function clamp(value: number, length: number): number {
  return value < 0 ? 0 : value >= length ? length - 1 : value;
}
