import { afterEach, describe, expect, it } from 'vitest';
import '../../../src/components/sample-grid.js';
import type { SampleGrid, SampleSelectEvent } from '../../../src/components/sample-grid.js';
import '../../../src/components/sample-view.js';
import type { SampleView } from '../../../src/components/sample-view.js';
import { deepAll, mount, nextEvent, redChannel, rgbChannels, settle } from './helpers.js';

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

  it('draws RGB images in colour, channels-last, in the cells and the large view', async () => {
    // 2x3 (height 2, width 3) RGB: pixel p has red 10p, green 200 - 10p, blue alternating 0 / 255
    const rgb = Float32Array.from({ length: 18 }, (_, i) => {
      const p = Math.floor(i / 3);
      return [10 * p, 200 - 10 * p, p % 2 ? 255 : 0][i % 3]!;
    });
    const grid = await mount<SampleGrid>('msl-sample-grid', { samples: [rgb], shape: [2, 3, 3], large: 240 });
    await settle(grid);
    const canvases = deepAll<HTMLCanvasElement>(grid.shadowRoot!, 'canvas');
    expect(canvases).toHaveLength(2);
    for (const canvas of canvases) {
      expect([canvas.width, canvas.height]).toEqual([3, 2]);
      expect(rgbChannels(canvas)).toEqual([...rgb]);
      expect(getComputedStyle(canvas).imageRendering).toBe('pixelated');
    }
  });

  it('sizes cells and the large view at whole CSS pixels per image pixel, 28x28 and 64x64 alike', async () => {
    const width = (el: Element) => el.getBoundingClientRect().width;
    const small = await mount<SampleGrid>('msl-sample-grid', { samples: [new Float32Array(784)], shape: [28, 28, 1], large: 224 });
    await settle(small);
    const [cell28, large28] = deepAll<HTMLCanvasElement>(small.shadowRoot!, 'canvas');
    expect([width(cell28!), width(large28!)]).toEqual([84, 224]);
    const big = await mount<SampleGrid>('msl-sample-grid', { samples: Array.from({ length: 30 }, () => new Float32Array(64 * 64 * 3)), shape: [64, 64, 3], large: 224 });
    await settle(big);
    const canvases = deepAll<HTMLCanvasElement>(big.shadowRoot!, 'canvas');
    const largeView = canvases.at(-1)!;
    expect([largeView.width, largeView.height]).toEqual([64, 64]);
    expect(width(largeView)).toBe(192); // 3x
    expect(getComputedStyle(largeView).imageRendering).toBe('pixelated');
    // 30 cells, 6 columns: 56 px would cut a 64 px image unevenly, so it is halved, and smoothed
    expect(width(canvases[0]!)).toBe(32);
    expect(getComputedStyle(canvases[0]!).imageRendering).not.toBe('pixelated');
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
