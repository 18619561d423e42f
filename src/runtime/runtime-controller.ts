import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { BackendName } from './backends.js';
import { ComputeRuntime, DeviceLostEvent, type RuntimeReport } from './runtime.js';
import { WASM_PATHS } from './wasm-paths.js';

export type RuntimeStatus = 'starting' | 'ready' | 'recovering' | 'error';

/**
 * Owns the page's ComputeRuntime: starts it when the host connects, keeps the
 * host informed of its report, and releases the GPU device on disconnect.
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
    const runtime = new ComputeRuntime({ forced: this.forced(), wasmPaths: WASM_PATHS });
    this.runtime = runtime;
    runtime.addEventListener('change', this.onChange);
    runtime.addEventListener('devicelost', this.onLost);
    this.status = 'starting';
    runtime.start().catch((error: unknown) => {
      this.status = 'error';
      this.message = error instanceof Error ? error.message : String(error);
      this.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this.runtime?.removeEventListener('change', this.onChange);
    this.runtime?.removeEventListener('devicelost', this.onLost);
    this.runtime?.dispose();
    this.runtime = null;
  }

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
