/** The pause between chunks of work: passes while running, holds while paused until resumed, and lets a cancel through. */
import { describe, expect, it } from 'vitest';
import { PauseGate } from '../../../src/util/pacing.js';

const settledWithin = async (p: Promise<unknown>, ms = 20) =>
  Promise.race([p.then(() => 'resolved', () => 'rejected'), new Promise((resolve) => setTimeout(() => resolve('waiting'), ms))]);

describe('PauseGate', () => {
  it('passes at once while running, holds while paused, and lets go on resume', async () => {
    const gate = new PauseGate();
    expect(await settledWithin(gate.wait())).toBe('resolved');
    gate.pause();
    gate.pause(); // twice is once
    expect(gate.paused).toBe(true);
    const held = gate.wait();
    expect(await settledWithin(held)).toBe('waiting');
    gate.resume();
    expect(await settledWithin(held)).toBe('resolved');
    expect(gate.paused).toBe(false);
  });

  it('rejects a wait when the run is cancelled, paused or not', async () => {
    const gate = new PauseGate();
    const controller = new AbortController();
    gate.pause();
    const held = gate.wait(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(held).rejects.toThrow('cancelled');
    gate.resume();
    await expect(gate.wait(controller.signal)).rejects.toThrow('cancelled');
  });
});
