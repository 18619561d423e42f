/**
 * Finds a dataset's source files and proves they are the published ones.
 *
 * Order: the folder named by MEDSYNTH_DATA_DIR (laid out like the mirror:
 * medmnist/, mitdb/, bccd/), else the project's mirror at ../shared/data,
 * else a download from the official address into data/sources/. Every file's
 * checksum is verified before it is used, wherever it came from.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type ExpectedFile, hashFile, readChecksumList } from './checksums.js';
import { downloadVerified } from './fetch.js';
import { log, progressLine } from './log.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
/** Where prepared datasets go; tests point it elsewhere. */
export const OUTPUT_ROOT = process.env.MEDSYNTH_OUTPUT_DIR ?? join(REPO_ROOT, 'data');
const CHECKSUMS = new URL('./checksums/', import.meta.url);

export interface SourceSpec {
  /** Folder name inside a mirror, and the checksum list's name. */
  folder: 'medmnist' | 'mitdb' | 'bccd';
  /** The official address of one file. */
  officialUrl: (path: string) => string;
  checksums: () => Promise<ExpectedFile[]>;
}

export const SOURCES = {
  medmnist: {
    folder: 'medmnist',
    officialUrl: (path) => `https://zenodo.org/records/10519652/files/${path}?download=1`,
    checksums: () => readChecksumList(new URL('medmnist.md5', CHECKSUMS), 'md5'),
  },
  mitdb: {
    folder: 'mitdb',
    officialUrl: (path) => `https://physionet.org/files/mitdb/1.0.0/${path}`,
    checksums: () => readChecksumList(new URL('mitdb.sha256', CHECKSUMS), 'sha256'),
  },
  bccd: {
    folder: 'bccd',
    officialUrl: (path) =>
      path === 'LICENSE'
        ? 'https://raw.githubusercontent.com/Shenggan/BCCD_Dataset/master/LICENSE'
        : `https://raw.githubusercontent.com/Shenggan/BCCD_Dataset/master/BCCD/${path}`,
    checksums: () => readChecksumList(new URL('bccd.sha256', CHECKSUMS), 'sha256'),
  },
} satisfies Record<string, SourceSpec>;

export interface LocatedSources {
  /** Where the files were found: a folder, or 'download'. */
  origin: string;
  /** Absolute path of each requested file, verified. */
  files: Map<string, string>;
  verified: ExpectedFile[];
}

/** A source file that is missing or is not the published one. */
export class SourceError extends Error {}

/** Where to look for source files, in order; the first that exists is used. */
export function mirrorFolders(): string[] {
  const named = process.env.MEDSYNTH_DATA_DIR;
  if (named) {
    if (!existsSync(named)) throw new SourceError(`MEDSYNTH_DATA_DIR names ${named}, which does not exist`);
    return [resolve(named)];
  }
  const shared = resolve(REPO_ROOT, '../shared/data');
  return existsSync(shared) ? [shared] : [];
}

/**
 * Locates and verifies the files `paths` (relative to the spec's folder).
 * Throws SourceError naming the first file that is missing, truncated or altered.
 */
export async function locateSources(spec: SourceSpec, paths: string[], label: string): Promise<LocatedSources> {
  const all = new Map((await spec.checksums()).map((entry) => [entry.path, entry]));
  const wanted = paths.map((path) => {
    const entry = all.get(path);
    if (!entry) throw new SourceError(`${label}: no published checksum for ${path}`);
    return entry;
  });

  const [mirror] = mirrorFolders();
  const base = mirror ? join(mirror, spec.folder) : join(OUTPUT_ROOT, 'sources', spec.folder);
  const files = new Map<string, string>();
  let done = 0;
  for (const entry of wanted) {
    const path = join(base, entry.path);
    if (!mirror && !(await isVerified(path, entry))) {
      await downloadVerified(spec.officialUrl(entry.path), path, entry, (received, total) =>
        progressLine(`${label}: downloading ${entry.path} ${formatBytes(received)}${total ? ` of ${formatBytes(total)}` : ''}`),
      );
    } else {
      await verify(path, entry, label);
    }
    files.set(entry.path, path);
    done += 1;
    progressLine(`${label}: verified ${done}/${wanted.length} source files`);
  }
  log(`${label}: ${wanted.length} source files verified (${mirror ? `from ${base}` : 'downloaded'})`);
  return { origin: mirror ? base : 'download', files, verified: wanted };
}

async function verify(path: string, entry: ExpectedFile, label: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info) {
    throw new SourceError(
      `${label}: ${path} is missing (expected the published file with ${entry.algorithm} ${entry.hex}). ` +
        'Name a folder holding it with MEDSYNTH_DATA_DIR, or leave no mirror and let the data step download it.',
    );
  }
  const got = await hashFile(path, entry.algorithm);
  if (got !== entry.hex) {
    throw new SourceError(
      `${label}: ${path} is not the published file: its ${entry.algorithm} is ${got}, expected ${entry.hex} ` +
        `(${info.size} bytes; truncated or altered). Replace it with the official file.`,
    );
  }
}

async function isVerified(path: string, entry: ExpectedFile): Promise<boolean> {
  return existsSync(path) && (await hashFile(path, entry.algorithm)) === entry.hex;
}

function formatBytes(bytes: number): string {
  return bytes > 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(0)} kB`;
}
