/**
 * The architecture picture draws what it is given: a row per stage with its shape, what it does
 * and its parameters, bars as long as the log of the values there, and the total with an explanation.
 */
import { afterEach, expect, it } from 'vitest';
import '../../../src/components/architecture-view.js';
import { type ArchitectureView, compactCount } from '../../../src/components/architecture-view.js';
import type { ArchitecturePicture } from '../../../src/models/architecture.js';
import { mount } from './helpers.js';

afterEach(() => document.body.replaceChildren());

const picture: ArchitecturePicture = {
  modelId: 'tiny', parameters: 21632 + 40, unaccounted: 0,
  parts: [{
    title: 'Decoder', role: 'run once per sample',
    stages: [
      { shape: [4], what: 'z', paths: [], parameters: 0 },
      { shape: [4, 4, 8], what: 'dense, reshaped', paths: ['fc'], parameters: 21632 },
      { shape: [8, 8, 1], what: 'conv: the sample', paths: ['conv_out'], parameters: 40 },
    ],
  }],
};

it('draws a row per stage, bars by the log of the values there, and the total', async () => {
  const view = await mount<ArchitectureView>('msl-architecture', { picture });
  const root = view.shadowRoot!;
  expect(root.querySelector('h3')!.textContent).toBe('Decoder');
  const rows = [...root.querySelectorAll('[data-testid="architecture-stage"]')];
  expect(rows.map((r) => r.querySelector('.shape')!.textContent)).toEqual(['4', '4 × 4 × 8', '8 × 8 × 1']);
  expect(rows.map((r) => r.querySelector('.what')!.textContent!.replace(/\s+/g, ' ').trim())).toEqual([
    'z', 'dense, reshaped · 21.6k parameters', 'conv: the sample · 40 parameters',
  ]);
  // 4, 128 and 64 values: log2(1 + n) / log2(1 + 128)
  const widths = rows.map((r) => (r.querySelector('.bar') as HTMLElement).style.width);
  expect(widths).toEqual([`${((100 * Math.log2(5)) / Math.log2(129)).toFixed(1)}%`, '100%', `${((100 * Math.log2(65)) / Math.log2(129)).toFixed(1)}%`]);
  expect(rows[0]!.querySelector('.bar')!.classList.contains('weightless')).toBe(true);
  expect(root.querySelector('[data-testid="architecture-total"]')!.textContent!.replace(/\s+/g, ' ')).toMatch(/^ 21,672 parameters in all\. /);
  expect(root.querySelector('msl-explain')!.getAttribute('term')).toBe('architecture');
});

it('says why there is no picture', async () => {
  const view = await mount<ArchitectureView>('msl-architecture', { message: 'Could not trace the network: disposed' });
  expect(view.shadowRoot!.textContent).toContain('Could not trace the network: disposed');
  expect(view.shadowRoot!.querySelector('[data-testid="architecture-stage"]')).toBeNull();
});

it('writes counts compactly', () => {
  expect([12, 999, 1000, 21632, 668417, 1234567].map(compactCount)).toEqual(['12', '999', '1k', '21.6k', '668k', '1.23M']);
});
