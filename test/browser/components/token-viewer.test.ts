import { afterEach, describe, expect, it } from 'vitest';
import type { FrameChangeEvent } from '../../../src/components/stepped-viewer.js';
import '../../../src/components/token-viewer.js';
import type { TokenViewer } from '../../../src/components/token-viewer.js';
import type { TokenFrame } from '../../../src/pipeline/pipeline.js';
import { deepAll, mount, nextEvent, redChannel, settle } from './helpers.js';

afterEach(() => document.body.replaceChildren());

/** A 2x2 token grid filled in four steps: the decoded picture one grey level brighter each time. */
const CODES = [5, 1, 5, 3];
const FRAMES: TokenFrame[] = CODES.map((code, p) => ({
  position: p,
  chosen: code,
  codes: Int32Array.from(CODES.slice(0, p + 1)),
  partial: new Float32Array(4).fill(40 * (p + 1)),
  partialFilled: p + 1,
  top: p === 3 ? [{ code: 2, p: 0.95 }, { code: 3, p: 0.05 }] : [{ code, p: 0.6 }, { code: 7, p: 0.4 }],
}));

async function viewer(props: Partial<TokenViewer> = {}): Promise<TokenViewer> {
  const el = await mount<TokenViewer>('msl-token-viewer', { frames: FRAMES, tokenShape: [2, 2], codebookSize: 8, shape: [2, 2, 1], count: 2, ...props });
  await settle(el);
  return el;
}

const shown = (el: TokenViewer) => redChannel(deepAll<HTMLCanvasElement>(el.shadowRoot!, 'canvas')[0]!)[0];
const grid = (el: TokenViewer) => [...el.shadowRoot!.querySelectorAll('[data-testid="token-grid"] span')].map((s) => [s.textContent, s.className]);

describe('the token viewer', () => {
  it('opens on the finished sample, its codes in reading order and the likeliest next codes', async () => {
    const el = await viewer();
    expect(shown(el)).toBe(160);
    expect(el.shadowRoot!.querySelector('[data-testid="token-status"]')!.textContent).toBe('Token 4 of 4');
    expect(grid(el)).toEqual([['5', ''], ['1', ''], ['5', ''], ['3', 'current']]);
    const rows = [...el.shadowRoot!.querySelectorAll('[data-testid="next-token"] tbody tr')].map((r) => r.textContent!.replace(/\s+/g, ' ').trim());
    expect(rows).toEqual(['2 95.0%', '3 (drawn) 5.0%']);
    expect(el.shadowRoot!.textContent).toContain('The model was nearly sure here.');
    // the codebook: 3 of its 8 codes used, this position's marked
    const cells = [...el.shadowRoot!.querySelectorAll('.codebook span')].map((c) => c.className);
    expect(cells).toEqual(['', 'used', '', 'now', '', 'used', '', '']);
  });

  it('moves with the scrubber: fewer codes, the rest not chosen yet, and reports where it stopped', async () => {
    const el = await viewer();
    const scrubber = el.shadowRoot!.querySelector<HTMLInputElement>('[data-testid="token-scrubber"]')!;
    expect(scrubber.max).toBe('3');
    scrubber.value = '1';
    scrubber.dispatchEvent(new Event('input'));
    await settle(el);
    expect(shown(el)).toBe(80);
    expect(grid(el)).toEqual([['5', ''], ['1', 'current'], ['·', 'empty'], ['·', 'empty']]);
    const moved = nextEvent<FrameChangeEvent>(el, 'msl-frame-change');
    scrubber.dispatchEvent(new Event('change'));
    expect((await moved).detail.frame).toBe(1);
  });

  it('says so when there is nothing to show yet', async () => {
    const el = await viewer({ frames: [] });
    expect(el.shadowRoot!.textContent).toContain('Generate with an autoregressive model');
  });
});
