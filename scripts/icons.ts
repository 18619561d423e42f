/**
 * The web app manifest's icons (public/icon-192.png, public/icon-512.png): the favicon's idea at
 * the sizes an installed app needs, drawn here so no image tool is needed: a heartbeat trace in
 * white on the site's blue, its corners rounded.
 *
 *   npx tsx scripts/icons.ts
 */
import { writeFileSync } from 'node:fs';
import { encodePng } from '../src/export/png.js';

/** The trace, in units of the icon's side. */
const TRACE: [number, number][] = [[0.12, 0.56], [0.36, 0.56], [0.43, 0.44], [0.5, 0.74], [0.57, 0.2], [0.64, 0.6], [0.7, 0.56], [0.88, 0.56]];

function distanceToSegment(px: number, py: number, [ax, ay]: [number, number], [bx, by]: [number, number]): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function icon(size: number): Uint8Array {
  const data = new Uint8Array(size * size * 4);
  const radius = 0.18;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size;
      const v = (y + 0.5) / size;
      // rounded square: outside the corner circles is transparent
      const cx = Math.min(Math.max(u, radius), 1 - radius);
      const cy = Math.min(Math.max(v, radius), 1 - radius);
      const inside = Math.hypot(u - cx, v - cy) <= radius;
      const d = Math.min(...TRACE.slice(1).map((b, i) => distanceToSegment(u, v, TRACE[i]!, b)));
      // the line 0.05 of the side wide, its edge smoothed over one pixel
      const line = Math.max(0, Math.min(1, (0.025 - d) * size + 0.5));
      const at = (y * size + x) * 4;
      data.set([Math.round(0x1d + line * (255 - 0x1d)), Math.round(0x4f + line * (255 - 0x4f)), Math.round(0x91 + line * (255 - 0x91)), inside ? 255 : 0], at);
    }
  }
  return encodePng({ width: size, height: size, channels: 4, data });
}

for (const size of [192, 512]) writeFileSync(`public/icon-${size}.png`, icon(size));
console.info('wrote public/icon-192.png and public/icon-512.png');
