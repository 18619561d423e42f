/**
 * One cancellable job at a time, for a controller that starts long work on behalf of a page (a
 * generation, a model load, the judge's audit) and must never let an old job touch the page.
 *
 *   start(work)   stops the job in flight, waits until it has finished (its tensors freed), then
 *                 runs `work`; resolves with what came of it: done, cancelled, failed, or stale
 *   cancel()      aborts the job in flight and waits until it has finished
 *   invalidate()  for reset/clear: aborts the job in flight and makes it stale at once, so its
 *                 outcome is dropped even if it ignores the signal and finishes late
 *
 * Every start and every invalidate takes a new ticket; a job whose ticket is no longer the newest
 * is stale, like the run counter a stale animation loop compares. Pure: no DOM, no tensors.
 */
import { abortReason, isAbort } from './pacing.js';

/**
 * What came of a job. `stale`: a newer start() or invalidate() overtook it, so nothing of it may
 * reach the page; `late` holds what it resolved with, if it did, for the caller to free.
 */
export type JobOutcome<T> =
  | { status: 'done'; value: T }
  | { status: 'cancelled'; error: unknown }
  | { status: 'failed'; error: unknown }
  | { status: 'stale'; late: { value: T } | null };

/**
 * The work of a job. `signal` aborts on cancel(), invalidate() or a newer start(); `isCurrent()`
 * says whether the job is still the newest, for callbacks (progress) that must not touch the
 * page once it is not.
 */
export type JobWork<T> = (signal: AbortSignal, isCurrent: () => boolean) => Promise<T>;

export class JobRunner {
  private ticket = 0;
  private abort: AbortController | null = null;
  /** Settles (never rejects) when the newest job has finished, and every job before it. */
  private settled: Promise<void> | null = null;

  /** Whether a job is in flight (also one that was cancelled or went stale and has not yet stopped). */
  get running(): boolean {
    return this.settled !== null;
  }

  start<T>(work: JobWork<T>): Promise<JobOutcome<T>> {
    const ticket = ++this.ticket;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const previous = this.settled;
    const isCurrent = () => ticket === this.ticket;
    const outcome = (async (): Promise<JobOutcome<T>> => {
      // one job at a time: the one before must have stopped (freed its tensors) before this begins
      await previous;
      if (!isCurrent()) return { status: 'stale', late: null };
      if (abort.signal.aborted) return { status: 'cancelled', error: abortReason(abort.signal) };
      try {
        const value = await work(abort.signal, isCurrent);
        return isCurrent() ? { status: 'done', value } : { status: 'stale', late: { value } };
      } catch (error) {
        if (!isCurrent()) return { status: 'stale', late: null };
        return isAbort(error, abort.signal) ? { status: 'cancelled', error } : { status: 'failed', error };
      }
    })();
    const settled = outcome.then(() => {
      if (this.settled === settled) this.settled = null;
      if (this.abort === abort) this.abort = null;
    });
    this.settled = settled;
    return outcome;
  }

  /** Asks the job in flight to stop and waits until it has. */
  async cancel(): Promise<void> {
    this.abort?.abort();
    await this.settled;
  }

  /** Makes the job in flight stale at once (its outcome is dropped) and asks it to stop; does not wait. */
  invalidate(): void {
    this.ticket += 1;
    this.abort?.abort();
  }
}
