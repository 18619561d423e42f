/**
 * What every long computation of the judge shares: a progress report and an abort signal, honoured
 * between chunks (the pacing itself, `Pacer`, is in src/util/pacing.ts). Types only.
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
