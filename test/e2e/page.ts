import { type Browser, type Page, chromium } from 'playwright';
import { resolve } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { launchOptions } from '../../scripts/chromium.mjs';
import { serveStatic } from '../../scripts/static-server.mjs';

/** Driving the page as a person would (shared with `npm run audit`). */
export { type AppState, pickModel, setField, waitForState } from '../../scripts/site-page.js';

const AXE = resolve('node_modules/axe-core/axe.min.js');

/** Where the end-to-end tests serve the built site: a sub-path, as on a shared static host. */
export const SUB_PATH = '/workshops/medsynth/';

export interface WatchedPage {
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Content-Security-Policy violations the page reported. */
  cspViolations: string[];
  consoleErrors: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
}

export async function launch(options: { webgpu?: boolean } = {}): Promise<Browser> {
  return chromium.launch({ ...launchOptions(options), headless: true });
}

export type Served = Awaited<ReturnType<typeof serveStatic>>;

/**
 * For the tests of one describe block: the built site served from SUB_PATH (or `root`, a folder
 * made in an earlier beforeAll), and a headless Chromium. Both start before the block's tests and
 * stop after them; read them inside the tests.
 */
export function siteAndBrowser(options: { root?: () => string; webgpu?: boolean } = {}): { server: Served; browser: Browser } {
  const ctx = {} as { server: Served; browser: Browser };
  beforeAll(async () => {
    ctx.server = await serveStatic(options.root?.() ?? inject('siteDir'), { prefix: SUB_PATH });
    ctx.browser = await launch({ webgpu: options.webgpu });
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}

/**
 * Opens a page that records every request, CSP violation, console error and uncaught exception;
 * `before` runs on the page before it navigates (to route requests, say).
 */
export async function openWatched(
  browser: Browser,
  url: string,
  options: { before?: (page: Page) => Promise<void> } = {},
): Promise<WatchedPage> {
  const page = await browser.newPage();
  const watched: WatchedPage = { page, requests: [], cspViolations: [], consoleErrors: [], pageErrors: [] };
  page.on('request', (request) => watched.requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') watched.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => watched.pageErrors.push(error.message));
  await page.exposeFunction('__reportCsp', (text: string) => watched.cspViolations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportCsp: (text: string) => void }).__reportCsp;
      report(`${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  await options.before?.(page);
  await page.goto(url);
  return watched;
}

/** Waits until the root element settles (idle or error) and returns its state. */
export async function settledState(page: Page): Promise<string | null> {
  await page.waitForFunction(
    () => ['idle', 'error'].includes(document.querySelector('msl-app')?.getAttribute('state') ?? ''),
    undefined,
    { timeout: 90_000 },
  );
  return page.locator('msl-app').getAttribute('state');
}

/** Serious and critical axe-core violations on the page as it is now, as readable lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`);
}
