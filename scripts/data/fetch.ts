/**
 * Downloads one file from its official address to a temporary name, hashing
 * it on the way, and renames it into place only when the checksum matches.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ExpectedFile } from './checksums.js';

export type Progress = (received: number, total: number | null) => void;

export async function downloadVerified(
  url: string,
  destination: string,
  expected: ExpectedFile,
  onProgress: Progress = () => {},
): Promise<void> {
  const temporary = `${destination}.part-${process.pid}`;
  await mkdir(dirname(destination), { recursive: true });
  try {
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      throw new Error(`could not reach ${url}: ${(error as Error).cause ?? (error as Error).message}`);
    }
    if (!response.ok || !response.body) {
      throw new Error(`${url} answered ${response.status} ${response.statusText}`);
    }
    const total = Number(response.headers.get('content-length')) || null;
    const hash = createHash(expected.algorithm);
    const out = createWriteStream(temporary);
    let received = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      received += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      onProgress(received, total);
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    if (total !== null && received < total) {
      throw new Error(`${url}: the download stopped after ${received} of ${total} bytes`);
    }
    const got = hash.digest('hex');
    if (got !== expected.hex) {
      throw new Error(
        `${url}: ${expected.algorithm} is ${got}, expected ${expected.hex} (${received} bytes received); the file was not kept`,
      );
    }
    await rename(temporary, destination);
  } finally {
    await rm(temporary, { force: true });
  }
}
