/**
 * The checksums every source file must match before it is used. They come
 * from the datasets' own publications (MedMNIST's MD5s, PhysioNet's SHA-256
 * list) or, for BCCD, which publishes none, from the project's verified mirror.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

export type HashAlgorithm = 'md5' | 'sha256';

export interface ExpectedFile {
  /** Path relative to the dataset's source folder, with forward slashes. */
  path: string;
  algorithm: HashAlgorithm;
  hex: string;
}

/** Reads a `sha256sum`/`md5sum` style list: "HEX  path" per line. */
export async function readChecksumList(file: URL, algorithm: HashAlgorithm): Promise<ExpectedFile[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const match = /^([0-9a-f]+)\s+\*?(.+)$/.exec(line.trim());
      if (!match) throw new Error(`${file.pathname}: cannot read checksum line "${line}"`);
      return { hex: match[1]!, path: match[2]!, algorithm };
    });
}

export function hashFile(path: string, algorithm: HashAlgorithm): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash(algorithm);
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
