/**
 * Offline use, for workshop rooms with bad wifi: the page saves itself and the models a person
 * chose (with their data's real samples) into the browser's cache, after saying how much that
 * takes, and registers a service worker (src/offline/sw.ts) that answers from that cache when the
 * network fails. Nothing is saved, and no service worker registered, until the person asks; "Clear"
 * removes both. The loader still checks saved weights against their card's SHA-256, and the page's
 * Content-Security-Policy is unchanged (the worker is the site's own file).
 *
 * The build lists every file with its size in offline.json (scripts/offline-plugin.ts); `plan`
 * turns a choice into files and bytes (pure); the controller does the saving.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { formatBytes } from '../models/catalogue.js';

/** The cache the service worker answers from (src/offline/sw.ts CACHE; a test checks they agree). */
export const OFFLINE_CACHE = 'medsynth-offline-v1';

export interface OfflineFile {
  /** Relative to the site's root. */
  path: string;
  bytes: number;
}

export interface OfflineManifest {
  site: OfflineFile[];
  models: Record<string, OfflineFile[]>;
  reference: Record<string, OfflineFile[]>;
}

/** The files and bytes that saving the site with `models` (id -> dataset) takes, each file once. */
export function plan(manifest: OfflineManifest, models: readonly { id: string; dataset: string }[]): { files: OfflineFile[]; bytes: number } {
  const unique = new Map<string, OfflineFile>();
  const add = (files: readonly OfflineFile[] | undefined) => files?.forEach((f) => unique.set(f.path, f));
  add(manifest.site);
  for (const m of models) {
    add(manifest.models[m.id]);
    add(manifest.reference[m.dataset]);
  }
  const files = [...unique.values()];
  // the page's own address, as a visit asks for it ('./'), answers for index.html
  if (unique.has('index.html')) files.unshift({ path: '', bytes: 0 });
  return { files, bytes: files.reduce((n, f) => n + f.bytes, 0) };
}

export type OfflineStatus = 'checking' | 'unavailable' | 'ready' | 'saving' | 'clearing';

export class OfflineController implements ReactiveController {
  status: OfflineStatus = 'checking';
  manifest: OfflineManifest | null = null;
  /** Ids of the models whose every file is saved. */
  saved = new Set<string>();
  /** Whether the page itself is saved. */
  siteSaved = false;
  progress: { done: number; total: number } | null = null;
  /** What happened last, or why offline use is not available here, in a sentence. */
  message = '';
  private abort: AbortController | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    /** The site's root, ending in '/'. */
    private readonly root = new URL('./', location.href).href,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.check();
  }

  hostDisconnected(): void {
    this.abort?.abort();
  }

  /** Reads the build's file list and what is saved already. */
  async check(): Promise<void> {
    if (!('serviceWorker' in navigator) || !('caches' in window)) {
      return this.set('unavailable', 'This browser cannot keep the site for offline use (no service workers or Cache Storage here; a private window may turn them off).');
    }
    try {
      const response = await fetch(new URL('offline.json', this.root), { cache: 'no-store' });
      if (!response.ok) throw new Error(`offline.json answered ${response.status}`);
      this.manifest = (await response.json()) as OfflineManifest;
    } catch {
      return this.set('unavailable', 'Offline use needs the built site (`npm run build`, then `npm run preview` or any static host); the development server has no list of its files.');
    }
    await this.readSaved();
    this.set('ready', '');
  }

  private async readSaved(): Promise<void> {
    const m = this.manifest;
    if (!m) return;
    this.siteSaved = false;
    this.saved = new Set();
    // looking must not make an (empty) cache: nothing is stored until a person saves
    if (!(await caches.has(OFFLINE_CACHE))) return;
    const cache = await caches.open(OFFLINE_CACHE);
    const has = async (files: readonly OfflineFile[]) => (await Promise.all(files.map((f) => cache.match(new URL(f.path, this.root))))).every(Boolean);
    this.siteSaved = await has(m.site);
    for (const [id, files] of Object.entries(m.models)) if (await has(files)) this.saved.add(id);
  }

  /**
   * Saves the site and `models` (with their datasets' real samples), file by file with progress,
   * then registers the service worker. `chosen`: how many of them the person picked (the rest came
   * with those), for the message. A failed or cancelled save keeps what was saved before it.
   */
  async save(models: readonly { id: string; dataset: string }[], chosen = models.length): Promise<void> {
    const m = this.manifest;
    if (!m || this.status !== 'ready') return;
    const { files, bytes } = plan(m, models);
    this.abort = new AbortController();
    const { signal } = this.abort;
    this.progress = { done: 0, total: bytes };
    this.set('saving', '');
    try {
      const cache = await caches.open(OFFLINE_CACHE);
      for (const file of files) {
        const url = new URL(file.path, this.root);
        const response = await fetch(url, { signal, cache: 'no-store' });
        if (!response.ok) throw new Error(`${file.path || 'the page'} answered ${response.status} ${response.statusText}`);
        await cache.put(url, response);
        this.progress = { done: this.progress.done + file.bytes, total: bytes };
        this.host.requestUpdate();
      }
      await navigator.serviceWorker.register(new URL('sw.js', this.root), { scope: this.root });
      await navigator.serviceWorker.ready;
      await this.readSaved();
      this.set('ready', `Saved for offline use: the site and ${chosen} model${chosen === 1 ? '' : 's'} with their data (${formatBytes(bytes)}). Until cleared, this browser opens them without a network.`);
    } catch (error) {
      await this.readSaved();
      this.set('ready', signal.aborted ? 'Saving was cancelled; what was saved before stays.' : `Could not save for offline use: ${(error as Error).message}`);
    } finally {
      this.progress = null;
      this.abort = null;
    }
  }

  cancel(): void {
    this.abort?.abort();
  }

  /** Removes everything saved and the service worker. */
  async clear(): Promise<void> {
    if (this.status !== 'ready') return;
    this.set('clearing', '');
    await caches.delete(OFFLINE_CACHE);
    const registration = await navigator.serviceWorker.getRegistration(this.root);
    await registration?.unregister();
    await this.readSaved();
    this.set('ready', 'Cleared: nothing of this site is kept for offline use.');
  }

  private set(status: OfflineStatus, message: string): void {
    this.status = status;
    this.message = message;
    this.host.requestUpdate();
  }
}
