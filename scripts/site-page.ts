/**
 * Driving the built site's page in Playwright, as a person would: wait for the app to settle, fill
 * a field, pick a model. No test framework in here: the end-to-end tests (test/e2e) and the judge
 * audit (scripts/judge-audit) share it.
 */
import type { Page } from 'playwright';

/** The root element's `state` attribute. */
export type AppState = 'loading' | 'idle' | 'generating' | 'done' | 'error';

/** Waits until the root element is in one of `states` and returns the state it is in. */
export async function waitForState(page: Page, states: readonly AppState[], timeout = 120_000): Promise<AppState> {
  await page.waitForFunction(
    (wanted: readonly string[]) => wanted.includes(document.querySelector('msl-app')?.getAttribute('state') ?? ''),
    states,
    { timeout },
  );
  return (await page.locator('msl-app').getAttribute('state')) as AppState;
}

/** Sets an input or select as a person does: types or chooses, then leaves the field (a change event). */
export async function setField(page: Page, testId: string, value: string): Promise<void> {
  const field = page.getByTestId(testId);
  if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
  else await field.fill(value);
  await field.dispatchEvent('change');
}

/** Picks a model's card and waits until that model is loaded; throws with the page's message if it is not. */
export async function pickModel(page: Page, id: string, timeout = 150_000): Promise<void> {
  await page.getByTestId(`model-card-${id}`).click();
  const loaded = page.locator(`[data-testid="settings"][data-model="${id}"]`);
  await loaded.or(page.getByTestId('load-error')).waitFor({ timeout });
  const errors = await page.getByTestId('load-error').allInnerTexts();
  if (errors.length) throw new Error(`${id} did not load: ${errors.join(' ')}`);
  if ((await waitForState(page, ['idle', 'done', 'error'])) === 'error') throw new Error(`the page is in its error state after loading ${id}`);
}
