/**
 * The step viewer's player, driven frame by frame: positions run from `from` to `last` in order
 * whatever the frame timestamps say, and stop, restart and leaving the page each leave one loop
 * or none.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PlaybackController } from '../../../src/components/playback.js';

let queued: FrameRequestCallback[];

beforeEach(() => {
  queued = [];
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => queued.push(callback));
});
afterEach(() => vi.unstubAllGlobals());

function host(): ReactiveControllerHost & { controllers: ReactiveController[]; updates: number } {
  const h = {
    controllers: [] as ReactiveController[],
    updates: 0,
    addController(c: ReactiveController) { h.controllers.push(c); },
    removeController() {},
    requestUpdate() { h.updates += 1; },
    updateComplete: Promise.resolve(true),
  };
  return h;
}

/** Runs the one pending frame at `stamp`; fails if there is not exactly one loop. */
function frame(stamp: number): void {
  const next = queued.splice(0);
  expect(next).toHaveLength(1);
  next[0]!(stamp);
}

describe('the playback controller', () => {
  it('starts at `from` when frames are stamped before play() was called, and shows every step to `last`', () => {
    const player = new PlaybackController(host(), 10);
    const seen: number[] = [];
    const early = performance.now() - 1000;
    player.play(2, 5, (p) => seen.push(p));
    frame(early); // a frame that began a second before play()
    frame(early + 50);
    frame(early + 150);
    frame(early + 1000); // a slow machine: far past the end, yet each step is shown, one a frame
    expect(seen).toEqual([2, 3, 4]);
    expect(player.playing).toBe(true);
    frame(early + 1010);
    expect(seen).toEqual([2, 3, 4, 5]);
    expect(player.playing).toBe(false);
    expect(queued).toHaveLength(0);
  });

  it('never goes back, and stops for good when stopped', () => {
    const player = new PlaybackController(host(), 10);
    const seen: number[] = [];
    player.play(0, 9, (p) => seen.push(p));
    frame(1000);
    frame(1200);
    frame(1100); // an out-of-order stamp does not move it back
    player.stop();
    queued.splice(0).forEach((f) => f(5000)); // the stale loop's last frame does nothing
    expect(seen).toEqual([0, 1]);
    expect(player.playing).toBe(false);
    expect(queued).toHaveLength(0);
  });

  it('a second play replaces the first loop; the host leaving the page ends it', () => {
    const h = host();
    const player = new PlaybackController(h, 10);
    const first: number[] = [];
    const second: number[] = [];
    player.play(0, 9, (p) => first.push(p));
    player.play(4, 9, (p) => second.push(p));
    queued.splice(0).forEach((f) => f(100)); // both loops' first frames: only the second acts
    expect(first).toEqual([]);
    expect(second).toEqual([4]);
    for (const c of h.controllers) c.hostDisconnected?.();
    queued.splice(0).forEach((f) => f(900));
    expect(second).toEqual([4]);
    expect(player.playing).toBe(false);
  });
});
