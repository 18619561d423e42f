/**
 * The job runner's races, driven step by step: every job below finishes only when the test says
 * so (a deferred promise), so which job is in flight, which one is stale and what each outcome is
 * are fixed, not left to timing.
 */
import { describe, expect, it } from 'vitest';
import { type JobOutcome, JobRunner } from '../../../src/util/jobs.js';

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Lets every pending promise reaction run. */
const flush = () => new Promise((r) => setTimeout(r, 0));

/** A job that runs until the test finishes it, or until aborted when `honoursSignal`; it records what happened to it. */
function job<T>(honoursSignal = true) {
  const done = deferred<T>();
  const log: string[] = [];
  let signal: AbortSignal | null = null;
  let isCurrent: (() => boolean) | null = null;
  const work = async (s: AbortSignal, current: () => boolean): Promise<T> => {
    signal = s;
    isCurrent = current;
    log.push('started');
    if (honoursSignal) s.addEventListener('abort', () => done.reject(new DOMException('stopped', 'AbortError')), { once: true });
    try {
      return await done.promise;
    } finally {
      log.push('freed');
    }
  };
  return {
    work,
    log,
    finish: done.resolve,
    fail: done.reject,
    get signal() {
      return signal;
    },
    get isCurrent() {
      return isCurrent;
    },
  };
}

describe('the job runner', () => {
  it('runs a job and says it is done, with its value', async () => {
    const jobs = new JobRunner();
    const a = job<number>();
    const outcome = jobs.start(a.work);
    await flush();
    expect(jobs.running).toBe(true);
    expect(a.isCurrent!()).toBe(true);
    a.finish(42);
    expect(await outcome).toEqual({ status: 'done', value: 42 });
    await flush();
    expect(jobs.running).toBe(false);
  });

  it('says a job failed, with its error, when it throws without being cancelled', async () => {
    const jobs = new JobRunner();
    const a = job<number>();
    const outcome = jobs.start(a.work);
    await flush();
    const error = new Error('out of memory');
    a.fail(error);
    expect(await outcome).toEqual({ status: 'failed', error });
  });

  it('cancels: aborts the job, waits until it has freed what it held, and says cancelled', async () => {
    const jobs = new JobRunner();
    const a = job<number>();
    const outcome = jobs.start(a.work);
    await flush();
    await jobs.cancel();
    expect(a.signal!.aborted).toBe(true);
    expect(a.log).toEqual(['started', 'freed']);
    expect((await outcome).status).toBe('cancelled');
    expect(jobs.running).toBe(false);
    // nothing in flight: cancel() returns at once
    await jobs.cancel();
  });

  it('on a second start, stops the first and starts the second only once the first has finished', async () => {
    const jobs = new JobRunner();
    const a = job<string>(false); // ignores its signal, as a read-back in flight does
    const b = job<string>();
    const first = jobs.start(a.work);
    await flush();
    const second = jobs.start(b.work);
    await flush();
    expect(a.signal!.aborted).toBe(true);
    expect(a.isCurrent!()).toBe(false);
    expect(b.log).toEqual([]); // waiting for the first
    a.finish('old');
    // the first finished after it was overtaken: stale, its value handed back for freeing only
    expect(await first).toEqual({ status: 'stale', late: { value: 'old' } });
    await flush();
    expect(b.log).toEqual(['started']);
    b.finish('new');
    expect(await second).toEqual({ status: 'done', value: 'new' });
  });

  it('never runs a job that was overtaken while it waited its turn', async () => {
    const jobs = new JobRunner();
    const a = job<string>(false);
    const b = job<string>();
    const c = job<string>();
    const outcomes = [jobs.start(a.work), jobs.start(b.work), jobs.start(c.work)];
    await flush();
    a.finish('a');
    await flush();
    expect(b.log).toEqual([]);
    expect(c.log).toEqual(['started']);
    c.finish('c');
    expect((await Promise.all(outcomes)).map((o) => o.status)).toEqual(['stale', 'stale', 'done']);
  });

  it('cancels a job still waiting for the one before: it never starts', async () => {
    const jobs = new JobRunner();
    const a = job<string>(false);
    const b = job<string>();
    const first = jobs.start(a.work);
    const second = jobs.start(b.work);
    const cancelled = jobs.cancel();
    a.finish('a');
    await cancelled;
    expect(b.log).toEqual([]);
    expect((await first).status).toBe('stale');
    expect((await second).status).toBe('cancelled');
  });

  it('on invalidate (a reset while running), drops the outcome at once, and a late finish cannot overwrite a newer result', async () => {
    const jobs = new JobRunner();
    let result: string | null = null;
    const apply = (o: JobOutcome<string>) => {
      if (o.status === 'done') result = o.value;
    };
    const a = job<string>(false);
    const first = jobs.start(a.work).then((o) => (apply(o), o));
    await flush();
    jobs.invalidate();
    expect(a.signal!.aborted).toBe(true);
    expect(a.isCurrent!()).toBe(false); // its progress reports must now be ignored
    expect(jobs.running).toBe(true); // it has not stopped yet

    const b = job<string>();
    const second = jobs.start(b.work).then((o) => (apply(o), o));
    await flush();
    expect(b.log).toEqual([]);
    a.finish('old, from before the reset');
    expect((await first).status).toBe('stale');
    expect(result).toBeNull();
    await flush();
    b.finish('new');
    expect((await second).status).toBe('done');
    expect(result).toBe('new');
    // a reset with nothing in flight changes nothing for the next job
    jobs.invalidate();
    const c = job<string>();
    const third = jobs.start(c.work);
    await flush();
    c.finish('next');
    expect(await third).toEqual({ status: 'done', value: 'next' });
  });

  it('counts a job that throws an AbortError of its own as cancelled', async () => {
    const jobs = new JobRunner();
    const a = job<number>();
    const outcome = jobs.start(a.work);
    await flush();
    a.fail(new DOMException('the fetch was aborted', 'AbortError'));
    expect((await outcome).status).toBe('cancelled');
  });
});
