/**
 * The built site's benchmark page (bench.html), as `npm run bench` drives it: one tiny
 * configuration on WebGPU (SwiftShader on a machine without a GPU) and on WebAssembly, with the
 * figures handed over as JSON on the <msl-bench> element. The tiny fixture model is answered by
 * the page's request router on the site's own origin, so the page's CSP applies as on a real host.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routeModels } from '../../scripts/bench/route-models.js';
import type { BenchPanel } from '../../src/bench/bench-panel.js';
import { benchParams } from '../../src/bench/config.js';
import { formatResults } from '../../src/bench/table.js';
import { wasmThreads } from '../../src/runtime/runtime.js';
import { TINY_MODELS } from '../unit/models/model-folder.js';
import { openWatched, siteAndBrowser } from './page.js';

const MODEL = 'tiny-xray-ddpm';

describe('the benchmark page of the built site', () => {
  const site = siteAndBrowser();

  it('measures a tiny DDPM on WebGPU and WebAssembly and hands over finite figures and no leak', async () => {
    const { server } = site;
    const query = benchParams({
      models: [MODEL], modelsBase: 'bench-models/', backends: ['webgpu', 'wasm'], batches: [1],
      steps: 2, repeats: 1, stepSamples: 1, autorun: true,
    });
    const watched = await openWatched(site.browser, `${server.url}bench.html?${query}`, {
      before: (page) => routeModels(page, `${server.url}bench-models/`, TINY_MODELS),
    });
    const page = watched.page;
    await page.waitForFunction(
      () => ['done', 'cancelled', 'error'].includes(document.querySelector('msl-bench')?.getAttribute('data-state') ?? ''),
      undefined,
      { timeout: 100_000 },
    );
    expect(await page.locator('msl-bench').getAttribute('data-state')).toBe('done');
    const report = (await page.evaluate(() => (document.querySelector('msl-bench') as BenchPanel).report))!;
    console.log(`e2e: bench page on ${report.results[0]?.device}\n${formatResults(report.results)}`);

    expect(report.results.map((r) => [r.backend, r.status, r.steps, r.repeats])).toEqual([['webgpu', 'ok', 2, 1], ['wasm', 'ok', 2, 1]]);
    const folderBytes = ['card.json', 'weights.json', 'weights.bin'].reduce((n, f) => n + statSync(join(TINY_MODELS, MODEL, f)).size, 0);
    for (const r of report.results) {
      for (const figure of [r.loadMs, r.firstRunMs, r.coldMs, r.stepMs?.median, r.encodeMs?.median, r.runMs?.median, r.samplesPerSecond?.median]) {
        expect(Number.isFinite(figure) && figure! > 0, `${r.backend}: ${figure}`).toBe(true);
      }
      expect(r.bytesDownloaded).toBe(folderBytes);
      expect(r.leakCheck!.tensorsAfter).toBe(r.leakCheck!.tensorsBefore);
      expect(r.tensorsLeftAfterDispose).toBe(0);
    }
    expect(report.results[0]!.memoryAfterRuns!.numBytesInGPU).toBeGreaterThan(0);
    // a guided step of the tiny UNet in Chromium: its compiled plan's 23 network kernels and the
    // guidance kernel, then the scheduler's 2; dispatches are counted on WebGPU alone
    expect(report.results.map((r) => r.dispatches)).toEqual([26, null]);
    // The server sends the cross-origin isolation headers, so WASM runs on a thread per core
    // (see scripts/wasm-threads-plugin.ts): two on the 2-core CI machine
    expect(report.environment.crossOriginIsolated).toBe('true');
    const threads = wasmThreads(Number(report.environment.logicalProcessors));
    expect(report.results[1]!.device).toBe(`WebAssembly, SIMD, ${threads} thread${threads === 1 ? '' : 's'}`);
    await expect.poll(() => page.getByTestId('bench-table').locator('tbody tr').count()).toBe(2);
    expect([...watched.consoleErrors, ...watched.pageErrors, ...watched.cspViolations.map((v) => `CSP: ${v}`)]).toEqual([]);
    await page.close();
  }, 120_000);
});
