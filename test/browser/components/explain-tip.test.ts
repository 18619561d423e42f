/**
 * The explanations one tap or key away: the glossary's text opens from the "?" button by click or
 * keyboard, is announced, and closes on Escape or when focus leaves; every control of the sample
 * form that has a term carries one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import '../../../src/components/explain-tip.js';
import '../../../src/components/sample-controls.js';
import type { ExplainTip } from '../../../src/components/explain-tip.js';
import type { SampleControls } from '../../../src/components/sample-controls.js';
import { GLOSSARY } from '../../../src/lessons/glossary.js';
import { DEFAULT_SETTINGS } from '../../../src/pipeline/settings.js';
import { deepAll, mount, settle } from './helpers.js';

afterEach(() => document.body.replaceChildren());

describe('explanations', () => {
  it('open the glossary text by click and close on Escape and on blur', async () => {
    const tip = await mount<ExplainTip>('msl-explain', { term: 'guidance', label: 'guidance scale' });
    const button = tip.shadowRoot!.querySelector('button')!;
    expect(button.getAttribute('aria-label')).toBe('What is guidance scale?');
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(tip.shadowRoot!.querySelector('[data-testid="explain-text"]')).toBeNull();
    button.click();
    await tip.updateComplete;
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const text = tip.shadowRoot!.querySelector('[role="status"] [data-testid="explain-text"]')!.textContent;
    expect(text).toBe(GLOSSARY.find((t) => t.id === 'guidance')!.plain);
    button.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await tip.updateComplete;
    expect(tip.shadowRoot!.querySelector('[data-testid="explain-text"]')).toBeNull();
    button.click();
    await tip.updateComplete;
    button.dispatchEvent(new FocusEvent('blur'));
    await tip.updateComplete;
    expect(tip.shadowRoot!.querySelector('[data-testid="explain-text"]')).toBeNull();
  });

  it('renders nothing for a term the glossary does not have', async () => {
    const tip = await mount<ExplainTip>('msl-explain', { term: 'nonsense' });
    expect(tip.shadowRoot!.querySelector('button')).toBeNull();
  });

  it('sit beside every knob of the sample form, each on a term the glossary has', async () => {
    const form = await mount<SampleControls>('msl-sample-controls', {
      settings: DEFAULT_SETTINGS, classes: ['a', 'b'], methods: ['ddpm', 'vae', 'gan', 'ar'], maxSteps: 1000, guidable: true,
    });
    await settle(form.shadowRoot!);
    const tips = deepAll<ExplainTip>(form.shadowRoot!, 'msl-explain');
    const terms = new Set(GLOSSARY.map((t) => t.id));
    expect(tips.map((t) => t.label)).toEqual(['seed', 'sampler', 'steps', 'eta', 'guidance scale', 'temperature', 'truncation', 'temperature', 'top-k', 'top-p']);
    expect(tips.every((t) => terms.has(t.term))).toBe(true);
  });
});
