/**
 * One generation at a time for a page: starts a job with an abort signal, reports its steps and
 * speed, cancels it on request (the denoising loop stops before its next step), and keeps only
 * the newest run's outcome: the job runner (src/util/jobs.ts) drops a stale run's.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { StepReport } from '../pipeline/pipeline.js';
import { JobRunner } from '../util/jobs.js';

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

  private readonly jobs = new JobRunner();

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
    this.status = 'running';
    this.message = null;
    this.progress = { done: 0, total, stepsPerSecond: null };
    this.host.requestUpdate();
    const outcome = await this.jobs.start((signal, isCurrent) => {
      // the clock starts when the run does, not while the one before winds down
      const started = this.now();
      const onStep = (report: StepReport) => {
        if (!isCurrent()) return;
        const seconds = (this.now() - started) / 1000;
        this.progress = { ...report, stepsPerSecond: seconds > 0 ? report.done / seconds : null };
        this.host.requestUpdate();
      };
      return job(signal, onStep).then((output) => ({ output, seconds: (this.now() - started) / 1000 }));
    });
    if (outcome.status === 'stale') return null;
    if (outcome.status === 'done') {
      this.seconds = outcome.value.seconds;
      this.result = outcome.value.output;
      this.status = 'done';
    } else if (outcome.status === 'cancelled') {
      this.status = 'cancelled';
      const p = this.progress;
      this.message = `Cancelled after ${p?.done ?? 0} of ${p?.total ?? total} steps.`;
    } else {
      this.status = 'error';
      this.message = `The run failed: ${(outcome.error as Error).message}`;
    }
    this.host.requestUpdate();
    return outcome.status === 'done' ? outcome.value.output : null;
  }

  /** Asks the running job to stop and waits until it has (its tensors freed). */
  cancel(): Promise<void> {
    return this.jobs.cancel();
  }

  /** Forgets the last outcome (the model it came from is gone); a run still in flight can no longer touch it. */
  reset(): void {
    this.jobs.invalidate();
    this.status = 'idle';
    this.progress = null;
    this.result = null;
    this.message = null;
  }
}
