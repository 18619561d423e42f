/**
 * The files of model folders loaded from the person's disk (src/models/local-folder.ts), held in
 * this tab's memory and served under `local:<key>/<file>` addresses, so that the loader reads a
 * folder from disk as it reads a shipped model from the network. Nothing here leaves the tab.
 */
import { siteUrl } from '../util/site-base.js';

export const LOCAL_SCHEME = 'local:';

const folders = new Map<string, ReadonlyMap<string, Blob>>();
let held = 0;

/** Whether a model's path is a folder from the person's disk. */
export function isLocalPath(path: string): boolean {
  return path.startsWith(LOCAL_SCHEME);
}

/** Holds a folder's files (by name) under a new path, `local:<key>/`; a folder loaded again gets a new one. */
export function holdLocalFolder(files: ReadonlyMap<string, Blob>): string {
  held += 1;
  folders.set(String(held), files);
  return `${LOCAL_SCHEME}${held}/`;
}

/** Lets go of a folder's files. */
export function forgetLocalFolder(path: string): void {
  if (isLocalPath(path)) folders.delete(path.slice(LOCAL_SCHEME.length).split('/')[0]!);
}

/**
 * The loader's fetch: a file of a folder held here, else the network (from the site, for a view
 * embedded elsewhere). A file the folder lacks answers 404, as a missing file on a server does.
 */
export async function fetchModelFile(url: string, init?: RequestInit): Promise<Response> {
  if (!isLocalPath(url)) return fetch(siteUrl(url), init);
  const [key, ...rest] = url.slice(LOCAL_SCHEME.length).split('/');
  const file = folders.get(key!)?.get(rest.join('/'));
  return file ? new Response(file) : new Response(null, { status: 404, statusText: 'not in the folder you chose' });
}
