/**
 * Cuts a square patch centred on a box out of an RGBA image and resizes it
 * to `size` x `size` RGB by averaging the source pixels under each output
 * pixel (sampled on a 4 x 4 grid, bilinear), so small and large cells alike
 * come out without aliasing. Parts of the square outside the image repeat
 * the nearest edge pixel, which keeps the cell centred.
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

const TAPS = 4;

/** The square around `box`: its longer side plus `margin` of it on every side. */
export function squareAround(box: Box, margin: number): { cx: number; cy: number; side: number } {
  const side = Math.max(box.xmax - box.xmin, box.ymax - box.ymin) * (1 + 2 * margin);
  return { cx: (box.xmin + box.xmax) / 2, cy: (box.ymin + box.ymax) / 2, side: Math.max(side, 1) };
}

export function cropPatch(image: RgbaImage, box: Box, size: number, margin = 0.1): Uint8Array {
  const { cx, cy, side } = squareAround(box, margin);
  const scale = side / size;
  const left = cx - side / 2;
  const top = cy - side / 2;
  const out = new Uint8Array(size * size * 3);
  const rgb = [0, 0, 0];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      rgb.fill(0);
      for (let ty = 0; ty < TAPS; ty++) {
        for (let tx = 0; tx < TAPS; tx++) {
          // Pixel centres at +0.5: the source point under this tap.
          const sx = left + (x + (tx + 0.5) / TAPS) * scale - 0.5;
          const sy = top + (y + (ty + 0.5) / TAPS) * scale - 0.5;
          addBilinear(image, sx, sy, rgb);
        }
      }
      for (let c = 0; c < 3; c++) out[(y * size + x) * 3 + c] = Math.round(rgb[c]! / (TAPS * TAPS));
    }
  }
  return out;
}

function addBilinear(image: RgbaImage, sx: number, sy: number, rgb: number[]): void {
  const clampX = (v: number) => Math.min(image.width - 1, Math.max(0, v));
  const clampY = (v: number) => Math.min(image.height - 1, Math.max(0, v));
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const fx = sx - x0;
  const fy = sy - y0;
  for (const [dx, dy, w] of [
    [0, 0, (1 - fx) * (1 - fy)],
    [1, 0, fx * (1 - fy)],
    [0, 1, (1 - fx) * fy],
    [1, 1, fx * fy],
  ] as const) {
    const at = (clampY(y0 + dy) * image.width + clampX(x0 + dx)) * 4;
    for (let c = 0; c < 3; c++) rgb[c]! += w * image.data[at + c]!;
  }
}
