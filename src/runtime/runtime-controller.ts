import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { BackendName } from './backends.js';
import { ComputeRuntime, DeviceLostEvent, type RuntimeReport } from './runtime.js';
import { WASM_PATHS } from './wasm-paths.js';

export type RuntimeStatus = 'starting' | 'ready' | 'recovering' | 'error';

/**
 * The page's one ComputeRuntime, shared by every host on the page (the site has one; a course page
 * may embed several views, src/embed/embed.ts), with how many hold it. tfjs has one backend per
 * page, so two runtimes would fight over it.
 */
let shared: { runtime: ComputeRuntime; forced: BackendName | null; start: Promise<unknown>; holders: number } | null = null;
/** How many runtimes this page has started, for the embedding tests. */
export let runtimesStarted = 0;

/**
 * Holds the page's ComputeRuntime: starts it when the first host connects, keeps each host
 * informed of its report, and releases the GPU device when the last one disconnects.
 */
export class RuntimeController implements ReactiveController {
  status: RuntimeStatus = 'starting';
  report: RuntimeReport | null = null;
  /** The latest thing the user should know: a lost device, a failure. */
  message: string | null = null;
  runtime: ComputeRuntime | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly forced: () => BackendName | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const forced = this.forced();
    const joining = shared !== null;
    if (!shared) {
      const runtime = new ComputeRuntime({ forced, wasmPaths: WASM_PATHS });
      shared = { runtime, forced, start: runtime.start(), holders: 0 };
      runtimesStarted += 1;
    }
    shared.holders += 1;
    const runtime = shared.runtime;
    this.runtime = runtime;
    runtime.addEventListener('change', this.onChange);
    runtime.addEventListener('devicelost', this.onLost);
    this.status = 'starting';
    if (joining && shared.forced !== forced) {
      this.message = `The views on this page share one compute backend, started as ${shared.forced ?? 'the fastest here'}.`;
    }
    // one that joins after the start has missed its 'change'
    shared.start.then(() => {
      if (this.runtime === runtime && this.status === 'starting') this.onChange();
    }, this.onError);
  }

  hostDisconnected(): void {
    this.runtime?.removeEventListener('change', this.onChange);
    this.runtime?.removeEventListener('devicelost', this.onLost);
    if (shared && shared.runtime === this.runtime && --shared.holders === 0) {
      shared.runtime.dispose();
      shared = null;
    }
    this.runtime = null;
  }

  private readonly onError = (error: unknown): void => {
    this.status = 'error';
    this.message = error instanceof Error ? error.message : String(error);
    this.host.requestUpdate();
  };

  private readonly onChange = (): void => {
    this.report = this.runtime?.report ?? null;
    this.status = 'ready';
    this.host.requestUpdate();
  };

  private readonly onLost = (event: Event): void => {
    this.status = 'recovering';
    this.message = `${(event as DeviceLostEvent).message} Starting again without a reload.`;
    this.host.requestUpdate();
  };
}
