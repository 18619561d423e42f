/**
 * Serves the shipped models (models/<id>/ with card.json, weights.json,
 * shards and the picker's thumbnail.png) from the dev server, copies them into
 * the build, and exposes the list of shipped models as the module
 * `virtual:model-registry`, read from the cards themselves so the registry
 * cannot drift from what ships.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { type CatalogueEntry, summarise, thumbnailOf } from '../src/models/catalogue.js';
import { parseCard } from '../src/models/card.js';
import { pngHeader } from '../src/export/png.js';

const VIRTUAL_ID = 'virtual:model-registry';
const RESOLVED_ID = `\0${VIRTUAL_ID}`;
/** What ships of a model folder: the card, the manifest, its shards, the human README and the thumbnail. */
const SHIPPED = /^(card\.json|weights\.json|README\.md|thumbnail\.png|.+\.bin)$/;
const CONTENT_TYPES: Record<string, string> = { json: 'application/json', png: 'image/png', md: 'text/markdown; charset=utf-8' };

export function modelsPlugin(modelsDir = resolve(import.meta.dirname, '../models')): Plugin {
  const folders = () =>
    existsSync(modelsDir)
      ? readdirSync(modelsDir).filter((id) => existsSync(join(modelsDir, id, 'card.json'))).sort()
      : [];
  // The same summary the page makes of a card it fetches; parseCard refuses a malformed card at build time.
  const entry = (id: string): CatalogueEntry => {
    const card = parseCard(JSON.parse(readFileSync(join(modelsDir, id, 'card.json'), 'utf8')));
    const png = join(modelsDir, id, 'thumbnail.png');
    const thumbnail = existsSync(png) ? thumbnailOf(card, `models/${id}/thumbnail.png`, pngHeader(readFileSync(png))) : undefined;
    return summarise(card, `models/${id}/`, thumbnail);
  };

  return {
    name: 'medsynth-models',
    resolveId: (id) => (id === VIRTUAL_ID ? RESOLVED_ID : null),
    load(id) {
      if (id !== RESOLVED_ID) return null;
      for (const folder of folders()) {
        this.addWatchFile(join(modelsDir, folder, 'card.json'));
        // only a file that exists: Vite resolves every watched file as an import of this module
        if (existsSync(join(modelsDir, folder, 'thumbnail.png'))) this.addWatchFile(join(modelsDir, folder, 'thumbnail.png'));
      }
      return `export const MODELS = ${JSON.stringify(folders().map(entry), null, 2)};`;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
        const match = /\/models\/([\w-]+)\/([\w.-]+)$/.exec(path);
        const file = match && join(modelsDir, match[1]!, match[2]!);
        if (!file || !SHIPPED.test(match[2]!) || !existsSync(file)) return next();
        res.setHeader('content-type', CONTENT_TYPES[file.split('.').pop()!] ?? 'application/octet-stream');
        res.setHeader('content-length', statSync(file).size);
        res.end(readFileSync(file));
      });
    },
    generateBundle() {
      for (const id of folders()) {
        for (const name of readdirSync(join(modelsDir, id)).filter((n) => SHIPPED.test(n))) {
          const file = join(modelsDir, id, name);
          this.emitFile({ type: 'asset', fileName: relative(resolve(modelsDir, '..'), file), source: readFileSync(file) });
        }
      }
    },
  };
}
