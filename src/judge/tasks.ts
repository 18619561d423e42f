/**
 * What every long computation of the judge shares: a progress report, an abort signal honoured
 * between chunks, and a yield to the event loop whenever a chunk has held the thread for more than
 * a frame's worth of time, so the page keeps painting and the Cancel button keeps working.
 * Pure: no DOM, no tensors.
 */

export interface JudgeProgress {
  /** What is being done, in words ("nearest training samples, pixel space"). */
  phase: string;
  done: number;
  total: number;
}

export type OnProgress = (progress: JudgeProgress) => void;

/** Options every long computation takes. */
export interface TaskOptions {
  signal?: AbortSignal;
  onProgress?: OnProgress;
}

/** Resolves in a new task (MessageChannel: no 4 ms timer clamping), or a timer where there is none. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof MessageChannel === 'undefined') {
      setTimeout(resolve, 0);
      return;
    }
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** The error an aborted computation throws: the signal's reason, or a DOMException named AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The computation was cancelled.', 'AbortError');
}

export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return (signal?.aborted ?? false) || (error instanceof DOMException && error.name === 'AbortError');
}

/**
 * Hands the thread back to the event loop once `budgetMs` have passed since the last time, and
 * checks the signal every call: call `tick()` between chunks of work.
 */
export class Pacer {
  private last: number;

  constructor(
    private readonly signal?: AbortSignal,
    private readonly budgetMs = 12,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.last = this.now();
  }

  async tick(): Promise<void> {
    if (this.signal?.aborted) throw abortReason(this.signal);
    if (this.now() - this.last >= this.budgetMs) {
      await nextTask();
      this.last = this.now();
      if (this.signal?.aborted) throw abortReason(this.signal);
    }
  }

  /** Always yields (a read-back that resolved at once on a CPU backend would otherwise never let go). */
  async yield(): Promise<void> {
    if (this.signal?.aborted) throw abortReason(this.signal);
    await nextTask();
    this.last = this.now();
    if (this.signal?.aborted) throw abortReason(this.signal);
  }
}
