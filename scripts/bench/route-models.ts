import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Page } from 'playwright';

/**
 * Answers the page's requests under `base` (a URL ending in '/') from files under `dir`, with a
 * 404 for anything missing, as if the site served them: the page sees its own origin, so its
 * Content-Security-Policy (connect-src 'self') allows them.
 */
export async function routeModels(page: Page, base: string, dir: string): Promise<void> {
  const root = resolve(dir);
  const prefix = new URL(base).pathname;
  await page.route(`${base}**`, async (route) => {
    const path = decodeURIComponent(new URL(route.request().url()).pathname).slice(prefix.length);
    const file = resolve(root, path);
    if (!file.startsWith(root + sep) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    const contentType = file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    return route.fulfill({ status: 200, body: await readFile(file), contentType });
  });
}
