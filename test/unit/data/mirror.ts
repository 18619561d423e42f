import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The local read-only mirror of the public source data (see its DATA.md): the folder named by
 * MEDSYNTH_DATA_DIR, else /work/shared/data. Tests that need it are skipped where it is absent.
 */
export const DATA_DIR = process.env.MEDSYNTH_DATA_DIR ?? '/work/shared/data';

export function mirrorHas(relativePath: string): boolean {
  return existsSync(join(DATA_DIR, relativePath));
}

export function readMirror(relativePath: string): Uint8Array {
  return new Uint8Array(readFileSync(join(DATA_DIR, relativePath)));
}

export function readMirrorText(relativePath: string): string {
  return readFileSync(join(DATA_DIR, relativePath), 'latin1');
}
