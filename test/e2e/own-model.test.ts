/**
 * Your own model, in the built site: a model folder that training/ exports, trained here and now
 * (test/fixtures/make-tiny-models.py --only tiny-xray-ddpm: the real training entry for 2 steps on
 * fake data, then the real export), is chosen from disk, verified (SHA-256, card, PyTorch's parity
 * vectors on WebGPU) and generates; a folder with an altered weight file, one without a
 * card and a classifier are each refused with their own message, and change nothing. And the judge
 * against the person's own real data: a MedMNIST-form .npz read in the page stands for the held-out set.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJudgeFigures } from '../../scripts/judge-audit/figures.js';
import { encodeNpz } from '../../src/data/npy.js';
import { REPO, TINY_MODELS } from '../unit/models/model-folder.js';
import { pickModel, setField, siteAndBrowser, waitForState } from './page.js';

const scratch = mkdtempSync(join(tmpdir(), 'msl-own-model-'));
const trained = join(scratch, 'trained');
beforeAll(async () => {
  await promisify(execFile)(process.env.MEDSYNTH_PYTHON ?? '/usr/bin/python3',
    ['test/fixtures/make-tiny-models.py', '--out', trained, '--only', 'tiny-xray-ddpm'], { cwd: REPO, timeout: 170_000 });
}, 180_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let copies = 0;

/** A copy of a fixture folder, under the folder's own name, with `edit` applied to its files. */
function copyOf(id: string, edit: (dir: string) => void = () => {}): string {
  copies += 1;
  const dir = join(scratch, String(copies), id);
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(join(TINY_MODELS, id))) copyFileSync(join(TINY_MODELS, id, name), join(dir, name));
  edit(dir);
  return dir;
}

async function chooseFolder(page: Page, dir: string): Promise<string> {
  await page.getByTestId('own-model-folder').setInputFiles(dir);
  const status = page.getByTestId('own-model-status');
  await page.waitForFunction(() => !/^Checking/.test(document.querySelector('msl-app')?.shadowRoot
    ?.querySelector('msl-own-model')?.shadowRoot?.querySelector('[data-testid="own-model-status"]')?.textContent ?? 'Checking'), null, { timeout: 120_000 });
  return (await status.innerText()).trim();
}

const cards = (page: Page) => page.locator('[data-testid^="model-card-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));

describe('your own model, from disk', () => {
  const site = siteAndBrowser({ webgpu: true });

  it('a folder training/ exported loads, passes parity on WebGPU and generates; bad folders are refused and change nothing', { timeout: 400_000 }, async () => {
    const page = await site.browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${site.server.url}?backend=webgpu`);
    await waitForState(page, ['idle']);
    expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe('webgpu');
    await page.getByTestId('own-model').locator('summary').click();
    const shipped = await cards(page);

    const loaded = await chooseFolder(page, join(trained, 'tiny-xray-ddpm'));
    expect(loaded).toMatch(/^Loaded .+ \(tiny-xray-ddpm\) from tiny-xray-ddpm: every weight file matches the card's SHA-256, and its 2 parity outputs match PyTorch on WebGPU within 1e-3 of their scale \(worst .+, \d\.\de-\d\)\.$/);
    const offered = await cards(page);
    expect([...offered].sort()).toEqual([...shipped, 'model-card-tiny-xray-ddpm'].sort());
    await expect.poll(() => page.locator('[data-testid="settings"][data-model="tiny-xray-ddpm"]').count(), { timeout: 120_000 }).toBe(1);
    expect(await page.getByTestId('model-card-tiny-xray-ddpm').getByTestId('from-disk').count()).toBe(1);
    expect(await waitForState(page, ['idle', 'done'])).toBe('idle');
    await setField(page, 'count', '2');
    await page.getByTestId('generate').click();
    expect(await waitForState(page, ['done', 'error'], 300_000)).toBe('done');
    // two samples, each beside real held-out X-rays (the card names PneumoniaMNIST)
    expect(await page.getByTestId('sample-grid').locator('canvas').count()).toBeGreaterThanOrEqual(2);

    const refusals: [string, RegExp][] = [
      [copyOf('tiny-xray-vae', (dir) => {
        const bytes = readFileSync(join(dir, 'weights.bin'));
        bytes[100] = bytes[100]! ^ 0xff;
        writeFileSync(join(dir, 'weights.bin'), bytes);
      }), /^Not loaded: weights\.bin is not the file this card was exported with/],
      [copyOf('tiny-xray-vae', (dir) => rmSync(join(dir, 'card.json'))), /^Not loaded: There is no card\.json among the files chosen/],
      [copyOf('tiny-xray-classifier'), /^Not loaded: tiny-xray-classifier is an evaluator/],
    ];
    for (const [dir, message] of refusals) {
      expect(await chooseFolder(page, dir)).toMatch(message);
      expect(await page.getByTestId('own-model-status').getAttribute('role')).toBe('alert');
      expect(await cards(page)).toEqual(offered);
      expect(await page.locator('[data-testid="settings"]').getAttribute('data-model')).toBe('tiny-xray-ddpm');
    }
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('the judge compares with your own MedMNIST-form .npz, and refuses one of another shape', { timeout: 600_000 }, async () => {
    const page = await site.browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${site.server.url}?backend=wasm`);
    await waitForState(page, ['idle']);
    await pickModel(page, 'xray-vae');
    // 6 held-out images per class and 10 training images: grey 28x28, as PneumoniaMNIST stores them
    const grey = (n: number, seed: number) => ({ dtype: 'uint8' as const, shape: [n, 28, 28], data: Uint8Array.from({ length: n * 784 }, (_, i) => (i * 37 + seed * 11) % 251) });
    const mine = join(scratch, 'mine.npz');
    writeFileSync(mine, encodeNpz({
      test_images: grey(12, 1), test_labels: { dtype: 'uint8', shape: [12, 1], data: Uint8Array.from({ length: 12 }, (_, i) => i % 2) },
      train_images: grey(10, 2), train_labels: { dtype: 'uint8', shape: [10, 1], data: Uint8Array.from({ length: 10 }, (_, i) => (i < 3 ? 0 : 1)) },
    }));
    await page.getByTestId('own-data').locator('summary').click();
    await page.getByTestId('own-data-file').setInputFiles(mine);
    const status = page.getByTestId('own-data-status');
    await expect.poll(() => status.count(), { timeout: 30_000 }).toBe(1);
    expect(await status.innerText()).toBe('The judge compares with mine.npz: 12 (6 normal, 6 pneumonia) test images as held-out data, and ' +
      '10 (3 normal, 7 pneumonia) training images for the memorisation audit and the membership test. Read here; nothing was uploaded.');

    for (const [field, value] of [['judge-per-class', '4'], ['judge-resamples', '10'], ['judge-neighbours', '2']] as const) await setField(page, field, value);
    await page.getByTestId('judge-run').click();
    await expect.poll(() => page.getByTestId('judge-status').innerText(), { timeout: 500_000, interval: 1_000 }).toMatch(/^Judged 8 samples|failed/);
    const figures = await readJudgeFigures(page);
    expect(figures.status).toMatch(/^Judged 8 samples of /);
    // the evaluator's ceiling is measured on the file's held-out images, and the audit looks among its training images
    expect(figures.faithfulness!.rows.map((r) => r.heldoutCount)).toEqual([6, 6]);
    expect(figures.memorisation!.items).toHaveLength(8);

    const rgb = join(scratch, 'rgb.npz');
    writeFileSync(rgb, encodeNpz({ test_images: { dtype: 'uint8', shape: [2, 28, 28, 3], data: new Uint8Array(2 * 784 * 3) }, test_labels: { dtype: 'uint8', shape: [2, 1], data: new Uint8Array(2) } }));
    await page.getByTestId('own-data-file').setInputFiles(rgb);
    await expect.poll(() => status.innerText()).toMatch(/^rgb\.npz was not used: rgb\.npz: test_images is uint8 \[2, 28, 28, 3\], expected uint8 \[2, 28, 28\].* The judge still compares with mine\.npz\.$/);
    expect(await status.getAttribute('role')).toBe('alert');
    expect(await page.getByTestId('own-data-drop').count()).toBe(1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
