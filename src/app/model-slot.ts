/**
 * Holds one loaded model for a page: loads it with progress, cancels a load still in flight when
 * another model is asked for (the next download begins once it has stopped), and frees the old
 * model's GPU memory when it is replaced or the page goes away. Only the newest request may fill
 * the slot: the job runner (src/util/jobs.ts) drops the outcome of a load that a newer request or
 * a clear() overtook.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type LoadProgress, type LoadedModel, loadModel } from '../models/loader.js';
import type { ModelSummary } from '../models/registry.js';
import { JobRunner } from '../util/jobs.js';

export type SlotStatus = 'empty' | 'loading' | 'ready' | 'error';

type Load = typeof loadModel;

export class ModelSlot implements ReactiveController {
  status: SlotStatus = 'empty';
  summary: ModelSummary | null = null;
  model: LoadedModel | null = null;
  progress: LoadProgress | null = null;
  error: string | null = null;

  private readonly loads = new JobRunner();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly load: Load = loadModel,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.clear();
  }

  /**
   * Loads `summary` into the slot, replacing what was there. Resolves with the model, or null when
   * a newer request or a clear() overtook this one; a failure leaves status 'error' and a message.
   * The caller must have stopped every run on the old model first.
   */
  async open(summary: ModelSummary): Promise<LoadedModel | null> {
    if (this.summary?.id === summary.id && this.summary.path === summary.path && this.status === 'ready' && this.model) return this.model;
    this.clear();
    this.summary = summary;
    this.status = 'loading';
    this.progress = { phase: 'card', loaded: 0, total: summary.bytes };
    this.host.requestUpdate();
    const outcome = await this.loads.start((signal, isCurrent) =>
      this.load(summary.path, {
        signal,
        onProgress: (progress) => {
          if (!isCurrent()) return;
          this.progress = progress;
          this.host.requestUpdate();
        },
      }),
    );
    if (outcome.status === 'stale') {
      outcome.late?.value.dispose(); // it arrived after the slot moved on: nobody else holds it
      return null;
    }
    this.progress = null;
    if (outcome.status === 'done') {
      this.model = outcome.value;
      this.status = 'ready';
    } else {
      this.status = 'error';
      this.error = `${summary.name} could not be loaded: ${(outcome.error as Error).message}`;
    }
    this.host.requestUpdate();
    return outcome.status === 'done' ? outcome.value : null;
  }

  /** Cancels a load in flight and frees the model held. */
  clear(): void {
    this.loads.invalidate();
    this.model?.dispose();
    this.model = null;
    this.summary = null;
    this.status = 'empty';
    this.progress = null;
    this.error = null;
  }
}
