import type { Browser } from 'playwright';
import { preview } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { serveStatic } from '../../scripts/static-server.mjs';
import { launch, openWatched, settledState } from './page.js';

const siteDir = inject('siteDir');
const SUB_PATH = '/workshops/medsynth/';

describe('the built site, served from a sub-path of a static host', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serveStatic>>;

  beforeAll(async () => {
    server = await serveStatic(siteDir, { prefix: SUB_PATH });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('starts on WebGPU, passes its self-check and requests nothing from another origin', async () => {
    const { page, requests, cspViolations, consoleErrors } = await openWatched(browser, server.url);
    expect(await settledState(page)).toBe('idle');

    const badge = page.getByTestId('backend-badge');
    expect(await badge.getAttribute('data-backend')).toBe('webgpu');
    expect(await page.getByTestId('self-check').getAttribute('data-ok')).toBe('true');
    const adapter = await page.getByTestId('gpu-adapter').innerText();
    console.log(`e2e: built site ran on WebGPU, adapter: ${adapter.split('\n')[1]}`);

    expect(requests.length).toBeGreaterThan(1);
    for (const url of requests) expect(url.startsWith(`${server.origin}${SUB_PATH}`), url).toBe(true);
    expect(cspViolations).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('honours ?backend=wasm, loading the WebAssembly binaries from the site itself', async () => {
    const { page, requests, cspViolations } = await openWatched(browser, `${server.url}?backend=wasm`);
    expect(await settledState(page)).toBe('idle');
    expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe('wasm');
    expect(await page.getByTestId('self-check').getAttribute('data-ok')).toBe('true');
    const wasm = requests.filter((url) => url.endsWith('.wasm'));
    expect(wasm.length).toBeGreaterThan(0);
    for (const url of wasm) expect(url.startsWith(`${server.origin}${SUB_PATH}assets/`), url).toBe(true);
    expect(cspViolations).toEqual([]);
    await page.close();
  });

  it('explains an unknown ?backend= value and carries on with the automatic choice', async () => {
    const { page } = await openWatched(browser, `${server.url}?backend=quantum`);
    expect(await settledState(page)).toBe('idle');
    await expect.poll(() => page.getByTestId('backend-notice').innerText()).toContain('Unknown backend "quantum"');
    expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe('webgpu');
    await page.close();
  });
});

describe('the built site in a browser without WebGPU', () => {
  it('falls back and says why WebGPU was passed over', async () => {
    const server = await serveStatic(siteDir, { prefix: SUB_PATH });
    const browser = await launch({ webgpu: false });
    try {
      const { page, cspViolations } = await openWatched(browser, server.url);
      expect(await settledState(page)).toBe('idle');
      const backend = await page.getByTestId('backend-badge').getAttribute('data-backend');
      expect(['webgl', 'wasm']).toContain(backend);
      const reasons = await page.getByTestId('backend-fallbacks').innerText();
      expect(reasons).toMatch(/webgpu: (navigator\.gpu is missing|no WebGPU adapter)/);
      console.log(`e2e: without the WebGPU flag the site ran on ${backend}; reason: ${reasons.split('\n')[0]}`);
      expect(cspViolations).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});

describe('the built site under vite preview', () => {
  it('loads and runs', async () => {
    const server = await preview({ root: process.cwd(), logLevel: 'warn', build: { outDir: siteDir }, preview: { port: 0, host: '127.0.0.1' } });
    const browser = await launch();
    try {
      const url = server.resolvedUrls?.local[0];
      expect(url).toBeTruthy();
      const { page } = await openWatched(browser, url!);
      expect(await settledState(page)).toBe('idle');
      expect(await page.getByTestId('self-check').getAttribute('data-ok')).toBe('true');
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
