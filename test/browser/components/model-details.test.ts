/**
 * What "About this model" shows of a shipped card (src/components/model-details.ts): the distance
 * in the independent features first, with its interval and the real-vs-real yardstick, the
 * evaluator's as a labelled second view, the membership test and how far training went. The card
 * is the real breast-ddpm-memorised one (the exhibit of memorisation), and the figures are checked
 * against the card's own numbers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import '../../../src/components/model-details.js';
import type { ModelDetails } from '../../../src/components/model-details.js';
import { parseCard } from '../../../src/models/card.js';
import { mount } from './helpers.js';

/** The shipped card, as the page fetches it (scripts/models-plugin.ts serves models/). */
async function shippedCard(id: string) {
  const response = await fetch(`/models/${id}/card.json`);
  expect(response.ok).toBe(true);
  return (await response.json()) as typeof import('../../../models/breast-ddpm-memorised/card.json');
}

afterEach(() => document.body.replaceChildren());

const row = (el: ModelDetails, term: string) => {
  const dts = [...el.shadowRoot!.querySelectorAll('dt')];
  const dt = dts.find((d) => d.textContent!.trim() === term);
  return dt?.nextElementSibling?.textContent!.replace(/\s+/g, ' ').trim() ?? null;
};

describe('the model details', () => {
  it("lead with the independent features' distance beside real-vs-real, and say what the membership test found", async () => {
    const breast = await shippedCard('breast-ddpm-memorised');
    const card = parseCard(breast);
    const el = await mount<ModelDetails>('msl-model-details', { card });
    const q = breast.quality;
    const g = q.independentFeatures.generatedVsHeldOut;
    const r = q.independentFeatures.realTrainVsHeldOut;
    const frechet = row(el, 'Fréchet distance')!;
    expect(frechet).toContain(`in the features of features-grey28, ${g.n[0]} samples a side: ${g.frechet.toPrecision(3)} [${g.frechetInterval95[0]!.toPrecision(3)}, ${g.frechetInterval95[1]!.toPrecision(3)}]`);
    expect(frechet).toContain(`${r.frechet.toPrecision(3)} [${r.frechetInterval95[0]!.toPrecision(3)}`);
    expect(frechet).toContain(`(${(g.frechet / r.frechet).toFixed(1)}× real-vs-real)`);
    // the evaluator's distance is there, under its own label, after the independent one
    expect(row(el, 'In the evaluator')).toContain(`a second view, in the evaluator's own features`);
    expect(row(el, 'In the evaluator')).toContain(q.frechet.generatedVsHeldOut.toPrecision(3));
    const membership = row(el, 'Membership test')!;
    // the page's own verdict, on the harder of the two AUCs (here: without the held-out near-copies)
    const d = q.membership.dedup;
    expect(membership).toContain(`The model tells its own training images from unseen ones (AUC ${d.auc.toFixed(3)} [${d.interval95[0]!.toFixed(3)}, ${d.interval95[1]!.toFixed(3)}], without ${q.membership.heldOutNearCopies} held-out near-copies): it has memorised them`);
    expect(row(el, 'Training')).toContain(`${breast.training.steps.toLocaleString('en')} steps of ${breast.training.batch} (${breast.training.hardware}`);
    expect(row(el, 'Surround check')).toMatch(/^0 of 400 samples have a border unusual among real training images \(real training images: 0 of 546\)$/);
  });

  it("say what an autoregressive card measured of its tokens, and nothing of the kind for other families", async () => {
    const json = (await (await fetch('/models/xray-ar/card.json')).json()) as { quality: { tokens: Record<string, number> } };
    const el = await mount<ModelDetails>('msl-model-details', { card: parseCard(json) });
    const t = json.quality.tokens;
    expect(row(el, 'Tokens')).toBe(`on held-out data, the VQ autoencoder reconstructs with mean squared error ${t.heldOutReconstructionMse!.toPrecision(2)} `
      + `using ${t.codesUsed} of its ${t.codebookSize} codes, the ceiling on any sample's sharpness; the transformer predicts the true tokens at `
      + `${t.heldOutBitsPerToken!.toFixed(2)} bits each (a blind guess: ${t.uniformBitsPerToken!.toFixed(0)})`);
    expect(row(el, 'Method')).toMatch(/^Autoregressive transformer, [\d,]+ parameters/);
    document.body.replaceChildren();
    const other = await mount<ModelDetails>('msl-model-details', { card: parseCard(await shippedCard('breast-ddpm')) });
    expect(row(other, 'Tokens')).toBeNull();
  });
});
