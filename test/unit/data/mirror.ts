import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mirrorFolders } from '../../../scripts/data/sources.js';

/**
 * The read-only mirror of the public source data, found as the data step
 * finds it (MEDSYNTH_DATA_DIR, else ../shared/data beside the repository).
 * Tests of the real figures run where it is present and are skipped elsewhere.
 */
export const DATA_DIR: string | null = mirrorFolders()[0] ?? null;

export function mirrorHas(relativePath: string): boolean {
  return DATA_DIR !== null && existsSync(join(DATA_DIR, relativePath));
}

export function readMirror(relativePath: string): Uint8Array {
  return new Uint8Array(readFileSync(join(DATA_DIR!, relativePath)));
}

export function readMirrorText(relativePath: string): string {
  return readFileSync(join(DATA_DIR!, relativePath), 'latin1');
}
