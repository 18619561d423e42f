/**
 * The page's own modules in Node, for the scripts that measure the judge (judge-timing.ts,
 * membership.ts), and the site's URLs served from this checkout.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

export const REPO = fileURLToPath(new URL('../', import.meta.url));

/**
 * The page's modules, through Vite's own loader: the judge imports the list of shipped models from
 * `virtual:model-registry`, which only the models plugin of vite.config.ts provides.
 */
export async function pageModules() {
  const vite = await createServer({ root: REPO, server: { middlewareMode: true, hmr: false, ws: false }, appType: 'custom', logLevel: 'warn' });
  const load = <T>(path: string) => vite.ssrLoadModule(path) as Promise<T>;
  return {
    ...(await load<typeof import('../src/bench/fresh-backend.js')>('/src/bench/fresh-backend.ts')),
    ...(await load<typeof import('../src/judge/estimate.js')>('/src/judge/estimate.ts')),
    ...(await load<typeof import('../src/judge/judge-controller.js')>('/src/judge/judge-controller.ts')),
    ...(await load<typeof import('../src/models/loader.js')>('/src/models/loader.ts')),
    close: () => vite.close(),
  };
}

/** The site's URLs as files of this checkout: models/ and, for reference/, public/reference/. */
export async function repoFetch(url: string): Promise<Response> {
  const path = url.replace(/^\.?\//, '');
  try {
    const bytes = await readFile(join(REPO, path.startsWith('reference/') ? `public/${path}` : path));
    return new Response(new Uint8Array(bytes), { headers: { 'content-length': String(bytes.length) } });
  } catch {
    return new Response('not found', { status: 404, statusText: 'Not Found' });
  }
}

/** What a Lit controller needs of its host, for a controller driven without a page. */
export const headlessHost = { addController() {}, removeController() {}, requestUpdate() {}, updateComplete: Promise.resolve(true) };

/** Runs a script's main and exits with its outcome (Vite's server would keep Node alive). */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    },
  );
}
