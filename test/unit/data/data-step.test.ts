/**
 * The data step as a user meets it: `npm run data` on a folder of sources,
 * verified checksums, clear refusals, nothing half-written, and a second run
 * that does nothing.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hashFile } from '../../../scripts/data/checksums.js';
import { downloadVerified } from '../../../scripts/data/fetch.js';
import { DATA_DIR, mirrorHas } from './mirror.js';

const run = promisify(execFile);

/** Runs `npm run data` (the same script) with its folders pointed at `dirs`. */
async function dataStep(args: string[], dirs: { sources: string; out: string }) {
  const env = {
    ...process.env,
    MEDSYNTH_DATA_DIR: dirs.sources,
    MEDSYNTH_OUTPUT_DIR: join(dirs.out, 'data'),
    MEDSYNTH_REFERENCE_DIR: join(dirs.out, 'reference'),
  };
  try {
    const { stdout } = await run('npx', ['tsx', 'scripts/data/main.ts', ...args], { env });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

async function sourcesWith(file: string, bytes: Uint8Array): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'medsynth-sources-'));
  await mkdir(join(root, 'medmnist'));
  await writeFile(join(root, 'medmnist', file), bytes);
  return root;
}

describe.skipIf(!mirrorHas('medmnist/breastmnist.npz'))('npm run data on real sources', () => {
  const real = () => readFile(join(DATA_DIR!, 'medmnist/breastmnist.npz'));

  it('prepares a dataset, records what it verified, and does nothing the second time', async () => {
    const dirs = { sources: await sourcesWith('breastmnist.npz', await real()), out: await mkdtemp(join(tmpdir(), 'medsynth-out-')) };
    const first = await dataStep(['breastmnist'], dirs);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('breastmnist: written');

    const index = JSON.parse(await readFile(join(dirs.out, 'data/breastmnist/index.json'), 'utf8'));
    expect(index.sampleShape).toEqual([28, 28, 1]);
    expect(Object.fromEntries(Object.entries(index.splits).map(([k, v]) => [k, (v as { count: number }).count])))
      .toEqual({ train: 546, val: 78, test: 156 });
    expect(index.splits.train.classCounts).toEqual([147, 399]);
    expect(index.verified).toEqual([{ path: 'breastmnist.npz', algorithm: 'md5', hex: '750601b1f35ba3300ea97c75c52ff8f6' }]);
    const train = await readFile(join(dirs.out, 'data/breastmnist', index.splits.train.x));
    expect(train.length).toBe(546 * 28 * 28);

    const summary = JSON.parse(await readFile(join(dirs.out, 'data/summary.json'), 'utf8'));
    expect(summary.breastmnist.splits.test.classes).toEqual({ malignant: 42, 'normal or benign': 114 });
    const pack = JSON.parse(await readFile(join(dirs.out, 'reference/breastmnist/index.json'), 'utf8'));
    expect(pack.splits.heldout.classCounts).toEqual([42, 64]);
    expect(pack.splits.train.count).toBe(546);

    const again = await dataStep(['breastmnist'], dirs);
    expect(again.output).toContain('breastmnist: up to date');
  }, 60_000);

  it('refuses an altered file, naming it and the checksum expected, and writes nothing', async () => {
    const bytes = new Uint8Array(await real());
    bytes[bytes.length >> 1]! ^= 0x01; // one flipped bit
    const dirs = { sources: await sourcesWith('breastmnist.npz', bytes), out: await mkdtemp(join(tmpdir(), 'medsynth-out-')) };
    const result = await dataStep(['breastmnist'], dirs);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/breastmnist\.npz is not the published file: its md5 is [0-9a-f]{32}, expected 750601b1f35ba3300ea97c75c52ff8f6/);
    expect(await readdir(join(dirs.out, 'data'))).toEqual(['summary.json']);
    const summary = JSON.parse(await readFile(join(dirs.out, 'data/summary.json'), 'utf8'));
    expect(summary.breastmnist.status).toBe('failed');
  }, 60_000);

  it('refuses a truncated file and a missing one', async () => {
    const truncated = (await real()).subarray(0, 1000);
    const dirs = { sources: await sourcesWith('breastmnist.npz', truncated), out: await mkdtemp(join(tmpdir(), 'medsynth-out-')) };
    expect((await dataStep(['breastmnist'], dirs)).output).toContain('(1000 bytes; truncated or altered)');
    const missing = await dataStep(['retinamnist'], dirs);
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/retinamnist\.npz is missing \(expected the published file with md5 bd4c0672f1bba3e3a89f0e4e876791e4\)/);
  }, 60_000);

  it('starts the site anyway with --if-missing, and says how to retry', async () => {
    const dirs = { sources: await sourcesWith('unrelated.txt', new Uint8Array(1)), out: await mkdtemp(join(tmpdir(), 'medsynth-out-')) };
    const result = await dataStep(['retinamnist', '--if-missing'], dirs);
    expect(result.code).toBe(0);
    expect(result.output).toContain('Run `npm run data` to retry');
  }, 60_000);
});

describe('downloads from an official address', () => {
  async function serve(body: Uint8Array, declaredLength = body.length) {
    const server = createServer((_, res) => {
      res.writeHead(200, { 'content-length': declaredLength });
      res.end(body);
      if (declaredLength > body.length) res.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}/file.npz`, close: () => server.close() };
  }
  const body = new TextEncoder().encode('the published bytes');
  const good = { path: 'file.npz', algorithm: 'sha256' as const, hex: '' };

  it('keeps a file only when its checksum matches', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'medsynth-dl-'));
    const source = join(folder, 'published');
    await writeFile(source, body);
    const expected = { ...good, hex: await hashFile(source, 'sha256') };
    const server = await serve(body);
    const progress: number[] = [];
    await downloadVerified(server.url, join(folder, 'got.npz'), expected, (received) => progress.push(received));
    expect(await readFile(join(folder, 'got.npz'), 'utf8')).toBe('the published bytes');
    expect(progress.at(-1)).toBe(body.length);

    const wrong = { ...expected, hex: '0'.repeat(64) };
    await expect(downloadVerified(server.url, join(folder, 'bad.npz'), wrong)).rejects.toThrow(
      `sha256 is ${expected.hex}, expected ${'0'.repeat(64)}`,
    );
    expect(await readdir(folder)).toEqual(['got.npz', 'published']);
    server.close();
  });

  it('refuses a download cut short, leaving no partial file', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'medsynth-dl-'));
    const server = await serve(body, body.length + 100);
    await expect(downloadVerified(server.url, join(folder, 'cut.npz'), { ...good, hex: 'x' })).rejects.toThrow();
    expect(await readdir(folder)).toEqual([]);
    server.close();
  });

  it('says so when the address cannot be reached', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'medsynth-dl-'));
    await expect(downloadVerified('http://127.0.0.1:9/none', join(folder, 'x'), { ...good, hex: 'x' })).rejects.toThrow(
      'could not reach http://127.0.0.1:9/none',
    );
  });
});

