/**
 * Hospitals training together, in the built site, with tiny settings: on WebGPU (SwiftShader here),
 * MIT-BIH split by patient with DP-SGD on, trained to the end: the hospitals' records, a figure per
 * strategy per round, epsilon growing, the VAEs' samples and the membership test are all on the
 * page. On WASM, which cannot train convolutions, the same dense networks train (the chest X-ray
 * set, split by a class skew); there a long run is paused (nothing moves), resumed and cancelled
 * (the rounds done stay), and an absurd setting is refused with its reason. The bias feedback loop
 * runs on both, tiny: each generation's class mixes add up, the evaluator judges every synthetic
 * record, and a sample per class is drawn.
 */
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { axeViolations, setField, siteAndBrowser, waitForState } from './page.js';

async function settle(page: Page, view: 'federated' | 'feedback' = 'federated', timeout = 240_000): Promise<string> {
  const status = page.getByTestId(`${view}-status`);
  await expect.poll(() => status.innerText(), { timeout, interval: 500 }).toMatch(/^(Done|Cancelled|Not run|Training failed)/);
  return status.innerText();
}

/** A chart's table of numbers (in a closed <details>): per round, the cells after the round's number. */
async function chartRows(page: Page, testid: string): Promise<string[][]> {
  const rows = await page.getByTestId(testid).locator('tbody tr').all();
  return Promise.all(rows.map(async (row) => (await row.locator('td').allTextContents())));
}

async function tiny(page: Page, fields: Record<string, string>, view: 'federated' | 'feedback' = 'federated', more: Record<string, string> = {}): Promise<void> {
  for (const [id, value] of Object.entries({ ...fields, ...more })) await setField(page, `${view}-${id}`, value);
}

/** The feedback loop's two generations, `records` each, of `classes` classes: mixes that add up, charts, and a sample per class. */
async function checkFeedback(page: Page, records: number, classes: number): Promise<void> {
  const rows = await page.getByTestId('feedback-table').locator('tbody tr').all();
  expect(rows).toHaveLength(2);
  for (const row of rows) {
    const cells = await row.locator('td').allTextContents();
    expect(cells).toHaveLength(2 * classes);
    const learned = cells.filter((_, i) => i % 2 === 0).map((c) => Number(c.split(' ')[0]));
    const seen = cells.filter((_, i) => i % 2 === 1).map((c) => Number(c.split(' ')[0]));
    expect(learned.reduce((a, b) => a + b, 0)).toBe(records);
    expect(seen.reduce((a, b) => a + b, 0)).toBe(records); // the evaluator judged every synthetic record
  }
  expect(await chartRows(page, 'feedback-asked')).toHaveLength(2);
  expect(await page.getByTestId('feedback-samples').locator('msl-sample-view').count()).toBe(2 * classes);
}

describe('hospitals training together', () => {
  const site = siteAndBrowser({ webgpu: true });

  it('on WebGPU: MIT-BIH by patient with DP-SGD, to the end; the feedback loop', { timeout: 400_000 }, async () => {
    const page = await site.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${site.server.url}?backend=webgpu`);
    await waitForState(page, ['idle', 'done']);
    expect(await page.getByTestId('runs-on').innerText()).toContain('WebGPU');
    const panel = page.getByTestId('federated');
    // the evaluator (a convolutional network, slow on an emulated GPU) judges one sample per class, after the last round
    await tiny(page, { dataset: 'mitbih', split: 'patient', hospitals: '2', trainSize: '30', rounds: '2', batchSize: '15', judgePerClass: '1', judgeEvery: '2', seed: '5' });
    await page.getByTestId('federated-dp').check();
    await tiny(page, { 'dp-sigma': '1.2' });
    expect(await panel.locator('p.note').first().innerText()).toContain('here they train on WebGPU');
    await page.getByTestId('federated-run').click();
    expect(await settle(page)).toMatch(/^Done: 2 rounds, [\d.]+ s a round here\.$/);

    // two hospitals of whole patients, and the pool
    const hospitals = page.getByTestId('federated-mix');
    expect(await hospitals.locator('tbody tr').count()).toBe(3);
    const records = await hospitals.locator('tbody tr td:nth-child(2)').allInnerTexts();
    expect(Number(records[0]) + Number(records[1])).toBe(30);
    expect(records[2]).toBe('30');
    // a figure per strategy after round 2, epsilon included, on a chart with a line per strategy
    const latest = page.getByTestId('federated-latest');
    expect(await latest.locator('caption').innerText()).toBe('After round 2');
    expect(await latest.locator('tbody tr').count()).toBe(4);
    for (const row of await latest.locator('tbody tr').all()) {
      const cells = await row.locator('td').allInnerTexts();
      expect(cells[0]).toMatch(/^\d+(\.\d)?%$/); // accuracy
      expect(Number(cells[3])).toBeGreaterThan(0); // VAE loss
      expect(cells[4]).toMatch(/^\d+%$/); // seen as asked, by the evaluator
      expect(Number(cells[5])).toBeGreaterThan(0); // epsilon, each network
      expect(Number(cells[6])).toBeGreaterThan(Number(cells[5])); // both released: more
    }
    const epsilon = page.getByTestId('federated-epsilon');
    expect(await epsilon.locator('g[data-series]').count()).toBe(4);
    const table = await chartRows(page, 'federated-epsilon');
    expect(table).toHaveLength(2);
    const [first, second] = table.map((row) => row.map(Number));
    second!.forEach((e, i) => expect(e).toBeGreaterThan(first![i]!)); // privacy spent grows round by round
    // one sample per class (5) for each strategy, drawn
    expect(await page.getByTestId('federated-samples').locator('msl-sample-view').count()).toBe(20);
    const membership = page.getByTestId('federated-membership');
    expect(await membership.locator('tbody tr').count()).toBe(4);
    for (const auc of await membership.locator('tbody tr td:nth-child(2)').allInnerTexts()) expect(Number(auc)).toBeGreaterThanOrEqual(0);
    // the copy check of each VAE: as many samples as the records its AUC was taken on
    const copies = await membership.locator('tbody tr td:nth-child(5)').allInnerTexts();
    const trainedOn = await membership.locator('tbody tr td:nth-child(4)').allInnerTexts();
    copies.forEach((c, i) => expect(c).toMatch(new RegExp(`^\\d+(\\.\\d)?% of ${trainedOn[i]!.split(' / ')[0]}$`)));

    // the feedback loop, tiny: the real generation and one on its samples, each judged by the evaluator
    await tiny(page, {}, 'feedback', { dataset: 'mitbih', trainSize: '10', generations: '1', epochs: '1', batchSize: '10' });
    await page.getByTestId('feedback-run').click();
    expect(await settle(page, 'feedback')).toMatch(/^Done: 2 generations, [\d.]+ s a generation here\.$/);
    await checkFeedback(page, 10, 5);

    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('hospitals training together, on WASM', () => {
  const site = siteAndBrowser();

  it('trains the same dense networks on the chest X-rays, split by a class skew; pause, resume and cancel; an absurd setting refused; the feedback loop', { timeout: 300_000 }, async () => {
    // bypassing the site's CSP only so the accessibility checker can be added to the page
    const context = await site.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${site.server.url}?backend=wasm`);
    await waitForState(page, ['idle', 'done']);
    expect(await page.getByTestId('federated').locator('p.note').first().innerText()).toContain('here they train on WebAssembly (CPU)');
    await tiny(page, { dataset: 'pneumoniamnist', hospitals: '3', alpha: '0.3', trainSize: '60', rounds: '2', batchSize: '20' });
    await page.getByTestId('federated-run').click();
    expect(await settle(page)).toMatch(/^Done: 2 rounds/);
    expect(await page.getByTestId('federated-mix').locator('tbody tr').count()).toBe(4);
    expect(await page.getByTestId('federated-latest').locator('tbody tr').count()).toBe(4);
    expect(await page.getByTestId('federated-epsilon').count()).toBe(0);
    expect(await page.getByTestId('federated-samples').locator('msl-sample-view').count()).toBe(8);
    // the address is a link to the run's settings: a new page opened from it starts from them
    const link = page.url();
    expect(new URL(link).searchParams.get('train')).toMatch(/^dataset:pneumoniamnist,split:skew,hospitals:3,alpha:0.3,trainSize:60,rounds:2,/);
    const linked = await context.newPage();
    await linked.goto(link);
    await waitForState(linked, ['idle', 'done']);
    expect(await linked.getByTestId('federated-mix').count()).toBe(0); // the settings, not a run
    expect(await linked.getByTestId('federated-hospitals').inputValue()).toBe('3');
    expect(await linked.getByTestId('federated-dataset').inputValue()).toBe('pneumoniamnist');
    expect(await linked.getByTestId('federated-alpha').inputValue()).toBe('0.3');
    expect(await linked.getByTestId('federated-trainSize').inputValue()).toBe('60');
    await linked.close();
    const seen = await chartRows(page, 'federated-faithfulness');
    expect(seen).toHaveLength(2);
    for (const row of seen) for (const cell of row) expect(cell).toMatch(/^\d+%$/); // judged every round (the default)
    const latest = page.getByTestId('federated-latest');

    // a long run: paused, nothing moves; resumed; cancelled, and the rounds done stay
    await tiny(page, { rounds: '200' });
    await page.getByTestId('federated-run').click();
    const status = page.getByTestId('federated-status');
    await expect.poll(() => status.innerText(), { timeout: 60_000 }).toMatch(/^Training: round [2-9]/);
    await page.getByTestId('federated-pause').click();
    await expect.poll(() => status.innerText()).toMatch(/^Paused after \d+ of 200 rounds/);
    const paused = await status.innerText();
    await page.waitForTimeout(1500);
    expect(await status.innerText()).toBe(paused);
    await page.getByTestId('federated-pause').click(); // resume
    await expect.poll(() => status.innerText()).toMatch(/^Training/);
    await page.getByTestId('federated-cancel').click();
    expect(await settle(page)).toMatch(/^Cancelled after \d+ of 200 rounds; the rounds done stay on show\.$/);
    expect(await latest.locator('tbody tr').count()).toBe(4);

    await tiny(page, { rounds: '0' });
    await page.getByTestId('federated-run').click();
    expect(await settle(page)).toBe('Not run: rounds must be a whole number from 1 to 200, got 0.');

    await tiny(page, {}, 'feedback', { dataset: 'pneumoniamnist', trainSize: '40', generations: '1', epochs: '2', batchSize: '20' });
    await page.getByTestId('feedback-run').click();
    expect(await settle(page, 'feedback')).toMatch(/^Done: 2 generations/);
    await checkFeedback(page, 40, 2);
    // the shipped DP variants beside the live run, read from their cards
    const variants = page.getByTestId('dp-variant');
    await expect.poll(() => variants.count()).toBe(3);
    expect(await variants.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model')))).toEqual(['ecg-vae-nodp', 'ecg-vae-dp10', 'ecg-vae-dp1']);
    expect(await variants.locator('td:nth-child(2)').allInnerTexts()).toEqual(['none (no DP)', expect.stringMatching(/^(9\.\d+|10)$/), expect.stringMatching(/^(0\.9\d*|1)$/)]);
    expect(await axeViolations(page)).toEqual([]); // both views with their results, as a screen reader meets them
    await tiny(page, {}, 'feedback', { generations: '15' });
    await page.getByTestId('feedback-run').click();
    await expect.poll(() => page.getByTestId('feedback-status').innerText(), { timeout: 60_000 }).toMatch(/^Training generation [1-9]/);
    await page.getByTestId('feedback-cancel').click();
    expect(await settle(page, 'feedback')).toMatch(/^Cancelled after \d+ of 16 generations; the generations done stay on show\.$/);
    await tiny(page, {}, 'feedback', { trainSize: '100000' });
    await page.getByTestId('feedback-run').click();
    expect(await settle(page, 'feedback')).toMatch(/^Not run: training records must be a whole number from 2 to \d+, got 100000\.$/);
    // a variant opens in the lab above
    await variants.nth(2).getByTestId('dp-variant-open').click();
    await page.locator('[data-testid="settings"][data-model="ecg-vae-dp1"]').waitFor({ timeout: 60_000 });
    expect(new URL(page.url()).searchParams.get('model')).toBe('ecg-vae-dp1');
    expect(await page.getByTestId('load-error').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('trains both views on WebGL too, where that is what the browser has', { timeout: 300_000 }, async () => {
    const page = await site.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${site.server.url}?backend=webgl`);
    await waitForState(page, ['idle', 'done']);
    expect(await page.getByTestId('federated').locator('p.note').first().innerText()).toContain('here they train on WebGL');
    await tiny(page, { dataset: 'pneumoniamnist', hospitals: '2', trainSize: '30', rounds: '1', batchSize: '15', judgePerClass: '2' });
    await page.getByTestId('federated-run').click();
    expect(await settle(page)).toMatch(/^Done: 1 rounds?, /);
    expect(await page.getByTestId('federated-latest').locator('tbody tr').count()).toBe(4);
    expect(await page.getByTestId('federated-membership').locator('tbody tr').count()).toBe(4);
    await tiny(page, {}, 'feedback', { dataset: 'pneumoniamnist', trainSize: '20', generations: '1', epochs: '1', batchSize: '10' });
    await page.getByTestId('feedback-run').click();
    expect(await settle(page, 'feedback')).toMatch(/^Done: 2 generations/);
    await checkFeedback(page, 20, 2);
    expect(errors).toEqual([]);
    await page.close();
  });
});
