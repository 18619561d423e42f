/**
 * Keeping long computations polite: a yield to the event loop whenever a chunk of work has held
 * the thread for more than a frame's worth of time, so the page keeps painting and the Cancel
 * button keeps working, and the abort signal checked at every such point. The denoising loop and
 * every computation of the judge pace themselves with these. Pure: no DOM, no tensors.
 */

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

/**
 * Resolves on a later turn of the event loop, after the timers, input and rendering that are due:
 * slower than nextTask, for where the page must paint before going on (the benchmark's phases).
 */
export function afterTimers(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The error an aborted computation throws: the signal's reason, or a DOMException named AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The computation was cancelled.', 'AbortError');
}

/** Whether `error` means "cancelled" rather than "failed": the signal was aborted, or it is an AbortError. */
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

/**
 * A pause between chunks of work: `wait()` resolves at once while running, and while paused
 * waits for `resume()`; an abort rejects it, so a paused run can still be cancelled.
 */
export class PauseGate {
  private held: { promise: Promise<void>; release: () => void } | null = null;

  get paused(): boolean {
    return this.held !== null;
  }

  pause(): void {
    if (this.held) return;
    let release!: () => void;
    const promise = new Promise<void>((resolve) => { release = resolve; });
    this.held = { promise, release };
  }

  resume(): void {
    this.held?.release();
    this.held = null;
  }

  async wait(signal?: AbortSignal): Promise<void> {
    while (this.held) {
      if (signal?.aborted) throw abortReason(signal);
      const { promise } = this.held;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(abortReason(signal!));
        signal?.addEventListener('abort', onAbort, { once: true });
        void promise.then(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
    if (signal?.aborted) throw abortReason(signal);
  }
}
