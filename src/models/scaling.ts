/**
 * Between network units and what people look at, as the card's `scaling`
 * says: images are x/127.5 - 1 in the network and 0..255 on screen; ECG beats
 * are mV/scale in the network and millivolts on the chart.
 */
import type { ModelCard } from './card.js';

export interface Scaling {
  kind: 'image' | 'signal';
  /** Network units to display units (0..255 grey levels, or mV). */
  toDisplay(x: ArrayLike<number>): Float32Array;
  /** Display units to network units. */
  toNetwork(x: ArrayLike<number>): Float32Array;
}

export function scalingOf(card: ModelCard): Scaling {
  const s = card.scaling as { input?: string; scaleMv?: number };
  if (s.input === 'x/127.5-1') {
    return {
      kind: 'image',
      toDisplay: (x) => Float32Array.from(x, (v) => Math.round((Math.min(1, Math.max(-1, v)) + 1) * 127.5)),
      toNetwork: (x) => Float32Array.from(x, (v) => v / 127.5 - 1),
    };
  }
  if (typeof s.scaleMv === 'number' && s.scaleMv > 0) {
    const scale = s.scaleMv;
    return {
      kind: 'signal',
      toDisplay: (x) => Float32Array.from(x, (v) => v * scale),
      toNetwork: (x) => Float32Array.from(x, (v) => v / scale),
    };
  }
  throw new Error(`${card.id}: unknown input scaling ${JSON.stringify(card.scaling)}`);
}
