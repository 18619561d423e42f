/**
 * One generation at a time for a page: starts a job with an abort signal, reports its steps and
 * speed, cancels it on request (the denoising loop stops before its next step), and keeps only
 * the newest run's outcome: every run takes a number, and a stale one cannot touch the page.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { StepReport } from './sampling.js';

export type RunStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

export interface RunProgress extends StepReport {
  /** Steps per second since the run started; null before the first step. */
  stepsPerSecond: number | null;
}

export type Job<T> = (signal: AbortSignal, onStep: (report: StepReport) => void) => Promise<T>;

export class GenerationController<T> implements ReactiveController {
  status: RunStatus = 'idle';
  progress: RunProgress | null = null;
  /** The newest finished run's output; a cancelled run leaves the one before in place. */
  result: T | null = null;
  /** What the last run came to, in a sentence: made, cancelled, or failed. */
  message: string | null = null;
  seconds = 0;

  private runs = 0;
  private abort: AbortController | null = null;
  private current: Promise<unknown> | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly now: () => number = () => performance.now(),
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    void this.cancel();
  }

  /** Cancels a run in progress, then runs `job`. Resolves with its output, or null if it did not finish. */
  async start(job: Job<T>, total: number): Promise<T | null> {
    await this.cancel();
    const run = ++this.runs;
    const abort = new AbortController();
    const started = this.now();
    this.abort = abort;
    this.status = 'running';
    this.message = null;
    this.progress = { done: 0, total, stepsPerSecond: null };
    this.host.requestUpdate();
    const onStep = (report: StepReport) => {
      if (run !== this.runs) return;
      const seconds = (this.now() - started) / 1000;
      this.progress = { ...report, stepsPerSecond: seconds > 0 ? report.done / seconds : null };
      this.host.requestUpdate();
    };
    const work = job(abort.signal, onStep);
    this.current = work.catch(() => undefined);
    try {
      const output = await work;
      if (run !== this.runs) return null;
      this.seconds = (this.now() - started) / 1000;
      this.result = output;
      this.status = 'done';
      return output;
    } catch (error) {
      if (run !== this.runs) return null;
      if (abort.signal.aborted) {
        this.status = 'cancelled';
        const p = this.progress;
        this.message = `Cancelled after ${p?.done ?? 0} of ${p?.total ?? total} steps.`;
      } else {
        this.status = 'error';
        this.message = `The run failed: ${(error as Error).message}`;
      }
      return null;
    } finally {
      if (run === this.runs) {
        this.abort = null;
        this.current = null;
        this.host.requestUpdate();
      }
    }
  }

  /** Asks the running job to stop and waits until it has (its tensors freed). */
  async cancel(): Promise<void> {
    this.abort?.abort();
    await this.current;
  }

  /** Forgets the last outcome (the model it came from is gone). */
  reset(): void {
    this.runs += 1;
    this.abort?.abort();
    this.abort = null;
    this.status = 'idle';
    this.progress = null;
    this.result = null;
    this.message = null;
  }
}
