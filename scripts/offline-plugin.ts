/**
 * Writes `offline.json` into the build: every file a visit needs, with its size, so the page can
 * say how much saving it for offline use takes before it does (src/app/offline.ts):
 *
 *   site       the page itself (index.html and its assets, the icons, the web app manifest, the
 *              models' picker thumbnails, this list); not the benchmark page, nor the service
 *              worker (the browser keeps that itself)
 *   models     per model id, its folder's files but the thumbnail
 *   reference  per dataset, its real held-out and training samples (public/reference/)
 *
 * Read off the written build, so it lists exactly what was built.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Plugin } from 'vite';
import type { OfflineFile, OfflineManifest } from '../src/app/offline.js';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

export function offlinePlugin(): Plugin {
  let outDir = 'dist';
  return {
    name: 'medsynth-offline',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const manifest: OfflineManifest = { site: [], models: {}, reference: {} };
      for (const file of walk(outDir).sort()) {
        const path = relative(outDir, file).split('\\').join('/');
        const entry: OfflineFile = { path, bytes: statSync(file).size };
        const [top, group] = path.split('/');
        // every model's picker thumbnail goes with the site (a few kB each), so the picker is whole offline
        if (top === 'models' && group && !path.endsWith('/thumbnail.png')) (manifest.models[group] ??= []).push(entry);
        else if (top === 'reference' && group) (manifest.reference[group] ??= []).push(entry);
        else if (!/^(bench\.html|sw\.js|_headers|offline\.json)$|^assets\/bench-/.test(path)) manifest.site.push(entry);
      }
      // the list itself goes with the site, so the page can say what is saved when offline; its size
      // is its own length, which the entry changes by a digit at most: settle it in two passes
      const self: OfflineFile = { path: 'offline.json', bytes: 0 };
      manifest.site.push(self);
      for (let i = 0; i < 2; i++) self.bytes = JSON.stringify(manifest).length + 1;
      writeFileSync(join(outDir, 'offline.json'), `${JSON.stringify(manifest)}\n`);
    },
  };
}
