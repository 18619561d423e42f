/** The export bar offers the files that fit what was made, and asks for each by its format. */
import { afterEach, expect, it } from 'vitest';
import '../../../src/components/export-bar.js';
import type { ExportBar, ExportEvent } from '../../../src/components/export-bar.js';
import { mount, nextEvent } from './helpers.js';

afterEach(() => document.body.replaceChildren());

const buttons = (bar: ExportBar) => [...bar.shadowRoot!.querySelectorAll('button')].map((b) => [b.dataset.testid, b.textContent!.trim()]);

it('images: the grid, the sample shown large and the set; beats: CSV and WFDB', async () => {
  const bar = await mount<ExportBar>('msl-export-bar', { kind: 'image', sample: 3 });
  expect(buttons(bar)).toEqual([['export-grid-png', 'The grid (PNG)'], ['export-sample-png', 'Sample 3 (PNG)'], ['export-npz', 'All, MedMNIST-style (.npz)']]);
  const asked = nextEvent<ExportEvent>(bar, 'msl-export');
  bar.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="export-npz"]')!.click();
  expect((await asked).format).toBe('npz');
  bar.kind = 'signal';
  bar.disabled = true;
  await bar.updateComplete;
  expect(buttons(bar)).toEqual([['export-csv', 'Beats (CSV)'], ['export-wfdb', 'WFDB record (.zip)']]);
  expect([...bar.shadowRoot!.querySelectorAll('button')].every((b) => b.disabled)).toBe(true);
});
