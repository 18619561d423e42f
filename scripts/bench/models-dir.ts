/** Model folders on disk: which generators a folder holds, and a fetch that reads them. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isGenerator } from '../../src/models/catalogue.js';

export interface FolderModel {
  id: string;
  method: string;
}

/** Every `<dir>/<id>/card.json`, with the method its card names, sorted by id. */
export function modelsIn(dir: string): FolderModel[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'card.json')))
    .map((e) => {
      const card = JSON.parse(readFileSync(join(dir, e.name, 'card.json'), 'utf8')) as { method?: unknown };
      return { id: e.name, method: String(card.method) };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The generators (DDPM and VAE) of a folder: the benchmark's default list. */
export function generatorsIn(dir: string): string[] {
  return modelsIn(dir).filter(isGenerator).map((m) => m.id);
}

/** fetch() for file: URLs, as the loader needs it in Node: a 404 for a missing file. */
export async function fileFetch(url: string): Promise<Response> {
  let bytes: Buffer;
  try {
    bytes = await readFile(new URL(url));
  } catch {
    return new Response('not found', { status: 404, statusText: 'Not Found' });
  }
  return new Response(new Uint8Array(bytes), { headers: { 'content-length': String(bytes.length) } });
}
