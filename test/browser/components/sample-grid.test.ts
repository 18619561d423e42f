import { afterEach, describe, expect, it } from 'vitest';
import '../../../src/components/sample-grid.js';
import type { SampleGrid, SampleSelectEvent } from '../../../src/components/sample-grid.js';
import '../../../src/components/sample-view.js';
import type { SampleView } from '../../../src/components/sample-view.js';
import { deepAll, mount, nextEvent, redChannel, settle } from './helpers.js';

afterEach(() => document.body.replaceChildren());

/** A 4x3 image whose grey levels count up from `start`. */
const ramp = (start: number) => Float32Array.from({ length: 12 }, (_, i) => start + i * 10);

describe('the sample grid', () => {
  it('draws each image at its own resolution, enlarged with crisp pixels', async () => {
    const samples = [ramp(0), ramp(100)];
    const grid = await mount<SampleGrid>('msl-sample-grid', { samples, shape: [3, 4, 1], itemLabel: 'synthetic normal' });
    await settle(grid);
    const canvases = deepAll<HTMLCanvasElement>(grid.shadowRoot!, 'canvas');
    expect(canvases).toHaveLength(3); // two cells and the large view
    expect([canvases[0]!.width, canvases[0]!.height]).toEqual([4, 3]);
    expect(redChannel(canvases[0]!)).toEqual([...samples[0]!]);
    expect(redChannel(canvases[1]!)).toEqual([...samples[1]!]);
    expect(getComputedStyle(canvases[0]!).imageRendering).toBe('pixelated');
    expect(canvases[0]!.getBoundingClientRect().width).toBeGreaterThanOrEqual(36);
  });

  it('shows the hovered or focused sample large, and keeps a chosen one', async () => {
    const grid = await mount<SampleGrid>('msl-sample-grid', { samples: [ramp(0), ramp(100), ramp(50)], shape: [3, 4, 1] });
    await settle(grid);
    const large = () => redChannel(deepAll<HTMLCanvasElement>(grid.shadowRoot!.querySelector('figure')!, 'canvas')[0]!);
    expect(large()).toEqual([...ramp(0)]);
    const buttons = grid.shadowRoot!.querySelectorAll('button');
    buttons[1]!.dispatchEvent(new MouseEvent('mouseenter'));
    await settle(grid);
    expect(large()).toEqual([...ramp(100)]);
    buttons[1]!.dispatchEvent(new MouseEvent('mouseleave'));
    buttons[2]!.focus();
    await settle(grid);
    expect(large()).toEqual([...ramp(50)]);

    const chosen = nextEvent<SampleSelectEvent>(grid, 'msl-sample-select');
    buttons[2]!.click();
    expect((await chosen).detail.index).toBe(2);
    buttons[2]!.blur();
    await settle(grid);
    expect(large()).toEqual([...ramp(50)]);
    expect(buttons[2]!.getAttribute('aria-pressed')).toBe('true');
    expect(buttons[2]!.getAttribute('aria-label')).toBe('sample 3 of 3');
    const released = nextEvent<SampleSelectEvent>(grid, 'msl-sample-select');
    buttons[2]!.click();
    expect((await released).detail.index).toBeNull();
  });

  it('says when there is nothing to show', async () => {
    const grid = await mount<SampleGrid>('msl-sample-grid');
    expect(grid.shadowRoot!.textContent).toContain('No samples yet.');
  });
});

describe('an ECG beat on ECG paper', () => {
  it('draws the trace where the mV axis says, with square small boxes', async () => {
    // 0 mV for the first half, 0.5 mV for the second: 360 Hz, 256 samples = 708 ms
    const beat = Float32Array.from({ length: 256 }, (_, i) => (i < 128 ? 0 : 0.5));
    const view = await mount<SampleView>('msl-sample-view', {
      values: beat, shape: [256, 1], size: 354, range: { minMv: -0.5, maxMv: 1 }, sampleRateHz: 360, label: 'beat',
    });
    const canvas = view.shadowRoot!.querySelector('canvas')!;
    const ratio = canvas.width / 354;
    // 708.3 ms over 354 px: 0.5 px per ms, so 20 px per 40 ms box and 20 px per 0.1 mV: 1.5 mV = 300 px
    expect(canvas.height / ratio).toBe(300);
    const ctx = canvas.getContext('2d')!;
    const pixel = (x: number, y: number) => [...ctx.getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data];
    // the darkest of the pixels around (x, y): an antialiased 1 px line may straddle two rows
    const isTrace = (x: number, y: number) =>
      Math.min(...[-1, 0, 1].map((dy) => Math.max(...pixel(x, y + dy / ratio).slice(0, 3)))) < 150; // paper is >= 217
    // y of v mV: (1 - v) / 1.5 * 300
    expect(isTrace(60, 200)).toBe(true); // 0 mV, early
    expect(isTrace(300, 100)).toBe(true); // 0.5 mV, late
    expect(isTrace(60, 100)).toBe(false);
    expect(isTrace(300, 200)).toBe(false);
    // paper: pink minor and major lines, pink-white between them
    const [r, g] = pixel(10, 50);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeGreaterThan(180);
    expect(canvas.getAttribute('role')).toBe('img');
    expect(canvas.getAttribute('aria-label')).toBe('beat');
  });

  it('squeezes the mV axis rather than draw a chart taller than wide', async () => {
    const view = await mount<SampleView>('msl-sample-view', {
      values: new Float32Array(256), shape: [256, 1], size: 300, range: { minMv: -4, maxMv: 4 }, sampleRateHz: 360,
    });
    const canvas = view.shadowRoot!.querySelector('canvas')!;
    expect(canvas.height).toBe(canvas.width);
  });
});
