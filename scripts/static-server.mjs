// A small static file server for the built site, used by the end-to-end tests
// and the benchmark. It serves a folder under a URL prefix, so tests prove the
// build works from a sub-path, and listens on loopback only. It sends the
// cross-origin isolation headers that the site's hosting should send (see
// CROSS_ORIGIN_ISOLATION in vite.config.ts): they let the WASM backend use threads.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { CROSS_ORIGIN_ISOLATION } from './cross-origin-isolation.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
};

/**
 * @param {string} root folder to serve
 * @param {{ prefix?: string, port?: number, cors?: boolean }} [options] prefix such as '/a/b/'; cors: let
 *   pages of any origin read the files (as static hosts such as GitHub Pages do), for embedded views
 * @returns {Promise<{ url: string, origin: string, close: () => Promise<void> }>}
 */
export async function serveStatic(root, { prefix = '/', port = 0, cors = false } = {}) {
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith(base)) return send(res, 404, 'not under the site prefix');
    const relative = normalize(path.slice(base.length) || 'index.html');
    if (relative.startsWith('..') || relative.includes(`${sep}..`)) return send(res, 403, 'forbidden');
    let file = join(root, relative);
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const info = await stat(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': info.size,
        ...CROSS_ORIGIN_ISOLATION,
        ...(cors ? { 'access-control-allow-origin': '*' } : {}),
      });
      createReadStream(file).pipe(res);
    } catch {
      send(res, 404, 'not found');
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the server has no port');
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    origin,
    url: `${origin}${base}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function send(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(text);
}
