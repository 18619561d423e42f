import { chromium } from 'playwright';
import { launchOptions } from './chromium.mjs';
import { serveStatic } from './static-server.mjs';
import { setField } from './site-page.js';
const server = await serveStatic('dist');
const base = server.url.replace("127.0.0.1", "localhost");
const browser = await chromium.launch({ ...launchOptions(), headless: true });
const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
page.on('console', (m) => { if (m.type() === 'error') console.error('page:', m.text()); });
const model = process.argv[2] ?? 'breast-ddpm';
await page.goto(`${base}?model=${model}&backend=wasm`);
const run = page.getByTestId('judge-run');
await run.waitFor({ timeout: 120000 });
for (let i = 0; !(await run.isEnabled()); i++) { if (i > 240) throw new Error('not ready'); await page.waitForTimeout(500); }
await setField(page, 'judge-per-class', '32');
await setField(page, 'judge-resamples', '50');
if (model.endsWith('ddpm')) { await setField(page, 'judge-steps', '20'); await setField(page, 'judge-unconditional', '0'); }
const t0 = Date.now();
await run.click();
await page.waitForFunction(() => /^Judged /.test((document.querySelector('msl-app')?.shadowRoot?.querySelector('msl-judge-panel')?.shadowRoot?.querySelector('[data-testid="judge-status"]') as HTMLElement | null)?.innerText ?? ''), undefined, { timeout: 900000 }).catch(async (e) => { console.log(await page.getByTestId('judge-status').innerText()); throw e; });
console.log('audit', (Date.now() - t0) / 1000, 's');
if (model.endsWith('ddpm')) {
  const t1 = Date.now();
  await page.getByTestId('judge-membership-run').click();
  await page.getByTestId('judge-membership-verdict').waitFor({ timeout: 900000 });
  console.log('membership', (Date.now() - t1) / 1000, 's:', await page.getByTestId('judge-membership-verdict').innerText());
}
for (const id of ['judge-fidelity', 'judge-fidelity-evaluator', 'judge-artefacts', 'judge-lone', 'judge-membership']) {
  const el = page.getByTestId(id).first();
  if (await el.count()) { await el.screenshot({ path: `/tmp/shots/${model}-${id}.png` }); console.log(id, (await el.innerText()).replace(/\s+/g, ' ').slice(0, 600)); }
}
await browser.close();
await server.close();
