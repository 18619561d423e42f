/**
 * fetch() over the repository's files for Node tests of the page's controllers: a URL relative to
 * the site maps to a file under the repository root (reference packs under public/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = 'test/fixtures/tiny-models/';

export async function repoFetch(url: string, init?: RequestInit): Promise<Response> {
  init?.signal?.throwIfAborted();
  const path = url.replace(/^\//, '');
  const file = join(REPO, path.startsWith('reference/') ? `public/${path}` : path);
  if (!existsSync(file)) return new Response('not found', { status: 404, statusText: 'Not Found' });
  return new Response(readFileSync(file));
}

/** A Lit host for a controller outside a page: counts the updates asked for. */
export function fakeHost() {
  const controllers: { hostConnected?: () => void; hostDisconnected?: () => void }[] = [];
  return {
    updates: 0,
    controllers,
    addController(c: (typeof controllers)[number]) {
      controllers.push(c);
    },
    removeController() {},
    requestUpdate() {
      this.updates += 1;
    },
    updateComplete: Promise.resolve(true),
    connect() {
      for (const c of controllers) c.hostConnected?.();
    },
    disconnect() {
      for (const c of controllers) c.hostDisconnected?.();
    },
  };
}
