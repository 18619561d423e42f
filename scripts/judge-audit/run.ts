/**
 * One generator through the judge panel, in a page of the built site, as a person would: pick it,
 * type the settings into the panel's form, run the audit, then train on synthetic and test on
 * real, wait for both, and read every figure off the page (figures.ts). Shared by the audit script
 * (main.ts) and the end-to-end test (test/e2e/judge-audit.test.ts).
 */
import type { Page } from 'playwright';
import type { JudgeSettings } from '../../src/judge/view.js';
import { pickModel, setField } from '../site-page.js';
import { type JudgeFigures, problemsIn, readJudgeFigures } from './figures.js';

export interface JudgedModel {
  id: string;
  method: string;
  dataset: string;
  classes: string[];
  /** The backend the page ran on (its badge). */
  backend: string;
  settings: JudgeSettings;
  /** Wall-clock seconds of each part. */
  seconds: { load: number; audit: number; tstr: number };
  figures: JudgeFigures;
  /** Figures missing or not finite; empty when all are there. */
  problems: string[];
}

export interface GeneratorCard {
  id: string;
  method: string;
  dataset: string;
  classes: string[];
  architecture: { inputShape: number[] };
}

export interface JudgeRunOptions {
  /** Called with the panel's progress line whenever it changes. */
  log?: (line: string) => void;
  /** Limits of the audit and of training, in ms. */
  auditTimeoutMs?: number;
  tstrTimeoutMs?: number;
}

/** Settings of diffusion sampling: the panel has no field for them beside a VAE or a GAN. */
const DIFFUSION_ONLY = new Set<keyof JudgeSettings>(['unconditional', 'steps']);

/** The panel's form fields, by setting. */
const FIELDS: Record<Exclude<keyof JudgeSettings, 'epochs'>, string> = {
  perClass: 'judge-per-class',
  unconditional: 'judge-unconditional',
  resamples: 'judge-resamples',
  seed: 'judge-seed',
  neighbours: 'judge-neighbours',
  steps: 'judge-steps',
};

/**
 * Polls the panel until `done()` holds, passing on each new progress line; throws with the panel's
 * message if the run failed or was cancelled, or when `timeoutMs` passes.
 */
async function waitForPanel(page: Page, what: string, done: () => Promise<boolean>, timeoutMs: number, log?: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const status = (await page.getByTestId('judge-status').innerText()).trim();
    if (/ failed: |was cancelled/.test(status)) throw new Error(`${what}: ${status}`);
    if (await done()) return;
    // no waiting for the progress bar: it goes away when the run ends
    const line = ((await page.getByTestId('judge-progress').allInnerTexts())[0] ?? status).replace(/\s+/g, ' ').trim();
    if (line !== last) log?.(line);
    last = line;
    if (Date.now() > deadline) throw new Error(`${what} did not finish in ${Math.round(timeoutMs / 1000)} s (last: ${line})`);
    await page.waitForTimeout(1000);
  }
}

/** Picks `card`'s model in `page`, runs the audit and TSTR with `settings`, and reads the figures. */
export async function judgeModel(page: Page, card: GeneratorCard, settings: JudgeSettings, options: JudgeRunOptions = {}): Promise<JudgedModel> {
  const { log } = options;
  const clock = (start: number) => (Date.now() - start) / 1000;
  let start = Date.now();
  await pickModel(page, card.id);
  const run = page.getByTestId('judge-run');
  await run.waitFor();
  for (let i = 0; !(await run.isEnabled()); i++) {
    if (i > 60) throw new Error(`the judge did not become ready for ${card.id}: ${await page.getByTestId('judge-status').innerText()}`);
    await page.waitForTimeout(500);
  }
  const load = clock(start);

  for (const [key, testid] of Object.entries(FIELDS) as [keyof typeof FIELDS, string][]) {
    if (card.method !== 'ddpm' && DIFFUSION_ONLY.has(key)) continue;
    await setField(page, testid, settings[key] === null ? '' : String(settings[key]));
  }
  start = Date.now();
  await run.click();
  await waitForPanel(page, `the audit of ${card.id}`, async () => /^Judged /.test(await page.getByTestId('judge-status').innerText()), options.auditTimeoutMs ?? 900_000, log);
  const audit = clock(start);

  start = Date.now();
  await setField(page, 'judge-epochs', String(settings.epochs));
  await page.getByTestId('judge-train').click();
  const results = page.getByTestId('judge-tstr-results');
  const stop = page.getByTestId('judge-tstr-cancel');
  await waitForPanel(page, `training for ${card.id}`, async () => (await results.count()) > 0 && !(await stop.isEnabled()), options.tstrTimeoutMs ?? 600_000, log);
  const tstr = clock(start);

  const figures = await readJudgeFigures(page);
  const problems = problemsIn(figures, {
    classes: card.classes,
    classMix: card.method === 'ddpm' && settings.unconditional > 0,
    ecg: card.architecture.inputShape.length !== 3,
  });
  return {
    id: card.id,
    method: card.method,
    dataset: card.dataset,
    classes: card.classes,
    backend: (await page.getByTestId('backend-badge').getAttribute('data-backend')) ?? '',
    settings,
    seconds: { load, audit, tstr },
    figures,
    problems,
  };
}
