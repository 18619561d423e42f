import { createHash } from 'node:crypto';
import type { ExpectedFile } from './checksums.js';

/** Names one preparation: the code's version and every input's checksum. */
export function stampOf(version: number, inputs: ExpectedFile[], settings: unknown = null): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ version, settings, inputs: inputs.map((f) => `${f.path}:${f.hex}`) }));
  return hash.digest('hex').slice(0, 16);
}
