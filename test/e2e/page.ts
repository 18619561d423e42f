import { type Browser, type Page, chromium } from 'playwright';
import { launchOptions } from '../../scripts/chromium.mjs';

export interface WatchedPage {
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Content-Security-Policy violations the page reported. */
  cspViolations: string[];
  consoleErrors: string[];
}

export async function launch(options: { webgpu?: boolean } = {}): Promise<Browser> {
  return chromium.launch({ ...launchOptions(options), headless: true });
}

/** Opens a page that records every request, CSP violation and console error. */
export async function openWatched(browser: Browser, url: string): Promise<WatchedPage> {
  const page = await browser.newPage();
  const watched: WatchedPage = { page, requests: [], cspViolations: [], consoleErrors: [] };
  page.on('request', (request) => watched.requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') watched.consoleErrors.push(message.text());
  });
  await page.exposeFunction('__reportCsp', (text: string) => watched.cspViolations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportCsp: (text: string) => void }).__reportCsp;
      report(`${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
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
