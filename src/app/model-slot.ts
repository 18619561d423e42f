/**
 * Holds one loaded model for a page: loads it with progress, cancels a load still in flight when
 * another model is asked for, and frees the old model's GPU memory when it is replaced or the
 * page goes away. Only the newest request may fill the slot (a ticket, like a run counter).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type LoadProgress, type LoadedModel, loadModel } from '../models/loader.js';
import type { ModelSummary } from '../models/registry.js';

export type SlotStatus = 'empty' | 'loading' | 'ready' | 'error';

type Load = typeof loadModel;

export class ModelSlot implements ReactiveController {
  status: SlotStatus = 'empty';
  summary: ModelSummary | null = null;
  model: LoadedModel | null = null;
  progress: LoadProgress | null = null;
  error: string | null = null;

  private ticket = 0;
  private abort: AbortController | null = null;

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
    if (this.summary?.id === summary.id && this.status === 'ready' && this.model) return this.model;
    this.clear();
    const ticket = this.ticket;
    const abort = new AbortController();
    this.abort = abort;
    this.summary = summary;
    this.status = 'loading';
    this.progress = { phase: 'card', loaded: 0, total: summary.bytes };
    this.host.requestUpdate();
    try {
      const model = await this.load(summary.path, {
        signal: abort.signal,
        onProgress: (progress) => {
          if (ticket !== this.ticket) return;
          this.progress = progress;
          this.host.requestUpdate();
        },
      });
      if (ticket !== this.ticket) {
        model.dispose();
        return null;
      }
      this.model = model;
      this.status = 'ready';
      return model;
    } catch (error) {
      if (ticket !== this.ticket) return null;
      this.status = 'error';
      this.error = `${summary.name} could not be loaded: ${(error as Error).message}`;
      return null;
    } finally {
      if (ticket === this.ticket) {
        this.abort = null;
        this.progress = null;
        this.host.requestUpdate();
      }
    }
  }

  /** Cancels a load in flight and frees the model held. */
  clear(): void {
    this.ticket += 1;
    this.abort?.abort();
    this.abort = null;
    this.model?.dispose();
    this.model = null;
    this.summary = null;
    this.status = 'empty';
    this.progress = null;
    this.error = null;
  }
}
