// Saves a screenshot of a page of the site once it has settled, for the README
// and for looking at what users see:  node scripts/screenshot.mjs URL OUT.png [WIDTH HEIGHT]
import { chromium } from 'playwright';
import { launchOptions } from './chromium.mjs';

const [url, out, width = '1000', height = '700'] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: node scripts/screenshot.mjs URL OUT.png [WIDTH HEIGHT]');
  process.exit(2);
}
const browser = await chromium.launch({ ...launchOptions(), headless: true });
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`page: ${message.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction(
    () => ['idle', 'error', 'done'].includes(document.querySelector('msl-app')?.getAttribute('state') ?? ''),
    undefined,
    { timeout: 120_000 },
  );
  await page.screenshot({ path: out, fullPage: true });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
}
