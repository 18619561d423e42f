/**
 * The service worker, registered only once a person saves the site for offline use
 * (src/app/offline.ts): every same-origin GET goes to the network first, so an online visit always
 * gets the current site and models; when the network fails, the copy saved in the cache answers.
 * Saved weights are still checked against their card's SHA-256 by the loader, as any download is.
 *
 * Built to `sw.js` at the site's root (vite.config.ts), so its scope is the whole site. No imports:
 * it is one self-contained file.
 */

/** The cache the page saves into (src/app/offline.ts OFFLINE_CACHE; a test checks they agree). */
const CACHE = 'medsynth-offline-v1';

interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
interface WorkerScope {
  location: Location;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
}

const scope = self as unknown as WorkerScope;

scope.addEventListener('install', (event) => event.waitUntil(scope.skipWaiting()));
scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));

scope.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== scope.location.origin) return;
  event.respondWith(fetch(request).catch(async (error: unknown) => {
    const cache = await caches.open(CACHE);
    // a page's address carries its settings in the query: the saved page is the same for all of them
    const saved = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
    if (saved) return saved;
    throw error;
  }));
});
