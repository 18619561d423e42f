import { preview } from 'vite';
import { describe, expect, inject, it } from 'vitest';
import { SHIPPED_MODELS } from '../../src/models/registry.js';
import { SUB_PATH, launch, openWatched, settledState, siteAndBrowser } from './page.js';

const siteDir = inject('siteDir');

describe('the built site, served from a sub-path of a static host', () => {
  const site = siteAndBrowser();

  it('starts on WebGPU when asked, passes its self-check, shows the thumbnails and requests nothing from another origin', async () => {
    const { browser, server } = site;
    const { page, requests, cspViolations, consoleErrors, pageErrors } = await openWatched(browser, `${server.url}?backend=webgpu`);
    expect(await settledState(page)).toBe('idle');

    const badge = page.getByTestId('backend-badge');
    expect(await badge.getAttribute('data-backend')).toBe('webgpu');
    expect(await page.getByTestId('backend-reason').innerText()).toMatch(/^WebGPU: forced by \?backend=webgpu/);
    expect(await page.getByTestId('self-check').getAttribute('data-ok')).toBe('true');
    const adapter = await page.getByTestId('gpu-adapter').innerText();
    console.log(`e2e: built site ran on WebGPU, adapter: ${adapter.split('\n')[1]}`);

    // every shipped generator's thumbnail, from the site itself, decoded at the size the card says
    const thumbnails = page.getByTestId('thumbnail');
    const shipped = SHIPPED_MODELS.filter((m) => (m as { thumbnail?: unknown }).thumbnail);
    expect(shipped.length).toBeGreaterThan(0);
    await expect.poll(() => thumbnails.count()).toBe(shipped.length);
    const loaded = await thumbnails.evaluateAll((images) =>
      Promise.all((images as HTMLImageElement[]).map(async (img) => {
        await img.decode();
        return { src: img.getAttribute('src'), natural: img.naturalWidth, shown: img.getBoundingClientRect().width };
      })),
    );
    for (const t of loaded) {
      expect(t.natural, t.src!).toBeGreaterThan(0);
      expect(t.shown, t.src!).toBeGreaterThanOrEqual(100);
    }

    expect(requests.length).toBeGreaterThan(1);
    for (const url of requests) expect(url.startsWith(`${server.origin}${SUB_PATH}`), url).toBe(true);
    expect(requests.filter((url) => url.endsWith('/thumbnail.png'))).toHaveLength(shipped.length);
    expect(cspViolations).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('picks its backend by measurement on a first visit, says why at the top, and keeps the choice', async () => {
    const { browser, server } = site;
    const { page, requests, cspViolations, consoleErrors, pageErrors } = await openWatched(browser, server.url);
    const opened = Date.now();
    expect(await settledState(page)).toBe('idle');
    const reason = page.getByTestId('backend-reason');
    const line = await reason.innerText();
    const backend = await page.getByTestId('backend-badge').getAttribute('data-backend');
    console.log(`e2e: a first visit chose ${backend} in ${Date.now() - opened} ms or less: ${line}`);
    expect(await page.getByTestId('self-check').getAttribute('data-ok')).toBe('true');
    // the line sits in the header, above the models
    const [lineTop, modelsTop] = await Promise.all([reason.boundingBox(), page.getByTestId('model-picker').boundingBox()]);
    expect(lineTop!.y).toBeLessThan(modelsTop!.y);

    const adapter = await page.evaluate(async () => {
      const found = await navigator.gpu?.requestAdapter();
      return found ? `${found.info.vendor} ${found.info.architecture} ${found.info.description}` : '';
    });
    if (/swiftshader/i.test(adapter)) {
      // WebGPU on SwiftShader (no GPU driver here): WASM, without timing the software GPU, and the reason with its figure
      expect(backend).toBe('wasm');
      expect(line).toMatch(/^WASM: WebGPU (and WebGL run|runs) on a software GPU here \(SwiftShader\), .* WASM took [\d.]+ ms for a test block/);
      expect(await page.getByTestId('backend-fallbacks').innerText()).toMatch(/webgpu: runs on a software GPU here \(SwiftShader\); not measured/);
    } else {
      expect(line).toMatch(/ faster here than |the only backend|not timed/);
    }
    // (WASM's threads start from blob: URLs of the page's own origin)
    for (const url of requests) expect(url.startsWith(`${server.origin}${SUB_PATH}`) || url.startsWith(`blob:${server.origin}/`), url).toBe(true);
    expect(cspViolations).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);

    // the next visit, in the same browser profile, takes the kept choice without measuring
    await page.reload();
    expect(await settledState(page)).toBe('idle');
    expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe(backend);
    expect(await reason.innerText()).toContain('kept for this device');
    await page.close();
  });

  it('honours ?backend=wasm, loading the WebAssembly binaries from the site itself', async () => {
    const { browser, server } = site;
    const { page, requests, cspViolations } = await openWatched(browser, `${server.url}?backend=wasm`);
    expect(await settledState(page)).toBe('idle');
    expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe('wasm');
    expect(await page.getByTestId('backend-reason').innerText()).toBe('WASM: forced by ?backend=wasm');
    expect(await page.getByTestId('self-check').getAttribute('data-ok')).toBe('true');
    const wasm = requests.filter((url) => url.endsWith('.wasm'));
    expect(wasm.length).toBeGreaterThan(0);
    for (const url of wasm) expect(url.startsWith(`${server.origin}${SUB_PATH}assets/`), url).toBe(true);
    expect(cspViolations).toEqual([]);
    await page.close();
  });

  it('explains an unknown ?backend= value and carries on with the automatic choice', async () => {
    const { page } = await openWatched(site.browser, `${site.server.url}?backend=quantum`);
    expect(await settledState(page)).toBe('idle');
    await expect.poll(() => page.getByTestId('backend-notice').innerText()).toContain('Unknown backend "quantum"');
    expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBeTruthy();
    // the automatic choice: measured (or kept from an earlier visit), not forced
    expect(await page.getByTestId('backend-reason').innerText()).toMatch(/ faster here than |the only backend|not timed/);
    await page.close();
  });
});

describe('the built site in a browser without WebGPU', () => {
  const site = siteAndBrowser({ webgpu: false });

  it('falls back and says why WebGPU was passed over', async () => {
    const { page, cspViolations } = await openWatched(site.browser, site.server.url);
    expect(await settledState(page)).toBe('idle');
    const backend = await page.getByTestId('backend-badge').getAttribute('data-backend');
    expect(['webgl', 'wasm']).toContain(backend);
    const reasons = await page.getByTestId('backend-fallbacks').innerText();
    expect(reasons).toMatch(/webgpu: (navigator\.gpu is missing|no WebGPU adapter)/);
    console.log(`e2e: without the WebGPU flag the site ran on ${backend}; reason: ${reasons.split('\n')[0]}`);
    expect(cspViolations).toEqual([]);
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
