/**
 * <msl-judge-panel> with plain-array inputs only (no model, no tensor): it shows every figure it
 * is given, draws the samples of the memorisation audit beside their neighbours and highlights the
 * flagged ones, draws the charts with text alternatives, and says what people want in typed events.
 */
import axe from 'axe-core';
import { afterEach, describe, expect, it } from 'vitest';
import '../../../src/components/judge-panel.js';
import type { JudgeCancelEvent, JudgePanel, JudgeRunEvent, JudgeTrainEvent } from '../../../src/components/judge-panel.js';
import type { JudgeSample } from '../../../src/components/judge-sample.js';
import { memorisationView, DEFAULT_JUDGE_SETTINGS, EMPTY_JUDGE_VIEW, type JudgeView } from '../../../src/judge/view.js';
import type { AuditTiming } from '../../../src/judge/estimate.js';
import type { MemorisationReport } from '../../../src/judge/memorisation.js';
import { deepAll, mount, nextEvent, redChannel, settle } from './helpers.js';

afterEach(() => document.body.replaceChildren());

/** A 4x4 grey image of one level. */
const flat = (level: number) => new Float32Array(16).fill(level);
const interval = (estimate: number, low: number, high: number) => ({ estimate, low, high, resamples: 50, level: 0.95 });

function histogram(counts: number[][], edges: number[]) {
  const totals = counts.map((c) => c.reduce((a, b) => a + b, 0));
  return { edges, counts, totals, fractions: counts.map((c, i) => c.map((n) => n / totals[i]!)) };
}

/** Three generated images, four training images; generated 1 is a copy of training image 2. */
function audit(): JudgeView['memorisation'] {
  const report: MemorisationReport = {
    k: 2,
    flagged: [1],
    feature: null,
    pixel: {
      space: 'network input units, Euclidean over all values',
      neighbours: [
        [{ index: 0, distance: 2.5 }, { index: 3, distance: 3 }],
        [{ index: 2, distance: 0 }, { index: 1, distance: 4 }],
        [{ index: 3, distance: 1.5 }, { index: 0, distance: 2 }],
      ],
      generatedDcr: [2.5, 0, 1.5],
      lone: { generated: 1 / 3, heldout: 0.05 },
      heldoutDcr: [1.2, 2, 2.2, 3],
      threshold: 1.224,
      flagged: [1],
      fractionFlagged: 1 / 3,
      medianGenerated: 1.5,
      medianHeldOut: 2.1,
      histogram: histogram([[1, 1, 1], [0, 3, 1]], [0, 1, 2, 3]),
    },
  };
  return memorisationView(
    report,
    { samples: [flat(10), flat(200), flat(60)], requested: [0, 1, 1], predicted: [0, 1, 0] },
    { samples: [flat(0), flat(50), flat(200), flat(90)], labels: [0, 0, 1, 1] },
    ['normal', 'pneumonia'],
    'all of each class of the train split',
  );
}

function view(patch: Partial<JudgeView> = {}): JudgeView {
  return {
    ...EMPTY_JUDGE_VIEW,
    model: { id: 'toy-ddpm', name: 'Toy DDPM', method: 'ddpm', dataset: 'toy' },
    evaluator: 'toy-classifier',
    classes: ['normal', 'pneumonia'],
    sample: { kind: 'image', shape: [4, 4, 1], sampleRateHz: 360, startMs: 0 },
    status: 'done',
    generatedCount: 3,
    unconditionalCount: 4,
    fidelity: {
      space: "the evaluator's features (toy-classifier)",
      classes: ['normal', 'pneumonia'],
      perClass: [30, 30],
      featureDim: 64,
      minTrusted: 128,
      generatedVsHeldOut: { sizes: { a: 60, b: 60 }, frechet: interval(3.18, 2.5, 4.02), frechetInfinity: { sizes: [30, 45, 60], values: [3.6, 3.3, 3.18], infinity: 2.71, slope: 27 }, kid: interval(0.0123, 0.004, 0.021), prdc: { precision: 0.8, recall: 0.55, density: 0.9, coverage: 0.7 }, tooSmall: true },
      trainVsHeldOut: { sizes: { a: 60, b: 60 }, frechet: interval(2.24, 1.9, 2.8), frechetInfinity: null, kid: interval(0.002, -0.001, 0.006), prdc: { precision: 0.9, recall: 0.85, density: 1.1, coverage: 0.9 }, tooSmall: true },
      warnings: ['Only 60 samples per set: the Frechet distance is biased.'],
    },
    faithfulness: {
      generated: { perClass: [{ name: 'normal', count: 30, hits: 27, rate: 0.9 }, { name: 'pneumonia', count: 30, hits: 30, rate: 1 }], overall: 0.95, confusion: [[27, 3], [0, 30]] },
      heldout: { perClass: [{ name: 'normal', count: 64, hits: 48, rate: 0.75 }, { name: 'pneumonia', count: 64, hits: 64, rate: 1 }], overall: 0.875, confusion: [[48, 16], [0, 64]] },
      mix: { total: 4, totalVariation: 0.008, perClass: [{ name: 'normal', count: 1, fraction: 0.25, trainFraction: 0.258 }, { name: 'pneumonia', count: 3, fraction: 0.75, trainFraction: 0.742 }] },
      mixNote: null,
    },
    memorisation: audit(),
    card: {
      samplesPerClass: 200, frechetGenerated: 3.18, frechetReal: 2.24, classifiedAsRequested: { normal: 0.995, pneumonia: 0.995 },
      realHeldOutClassifiedAsLabelled: null, memorisationFraction: 0.0275, memorisationMedianGenerated: null, memorisationMedianHeldOut: null,
      independent: { extractor: 'toy-features', frechetGenerated: 9.5, frechetReal: 7.25, infinityGenerated: 8.5, infinityReal: 0.25, frechetIntervalGenerated: null, frechetIntervalReal: null, n: 400 },
      membership: null, surround: null,
    },
    ...patch,
  };
}

const byTestId = <E extends Element = HTMLElement>(panel: JudgePanel, id: string) => deepAll<E>(panel.shadowRoot!, `[data-testid="${id}"]`);

describe('the judge panel', () => {
  it('shows the distances with their intervals beside real-vs-real and the card, and the small-sample warning', async () => {
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: view() });
    const infinity = byTestId(panel, 'judge-frechet-infinity')[0]!;
    expect([...infinity.children].slice(1).map((c) => c.textContent!.trim())).toEqual(['2.71', '–', '–']);
    expect(byTestId(panel, 'judge-frechet-bias')[0]!.textContent!.replace(/\s+/g, ' ')).toContain('measured on 30, 45, 60 samples per set it was 3.6, 3.3, 3.18, and the line through those in 1 / N meets infinite N at 2.71');
    const frechet = byTestId(panel, 'judge-frechet')[0]!;
    const cells = [...frechet.querySelectorAll('td')].map((td) => td.textContent!.replace(/\s+/g, ' ').trim());
    expect(cells).toEqual(['3.18 [2.5, 4.02]', '2.24 [1.9, 2.8]', '3.18 (real 2.24)']);
    expect(byTestId(panel, 'judge-kid')[0]!.textContent).toContain('0.0123 [0.004, 0.021]');
    expect(byTestId(panel, 'judge-fidelity')[0]!.textContent).toContain('Coverage');
    expect(byTestId(panel, 'judge-fidelity-warning')[0]!.textContent).toContain('biased');
    expect(byTestId(panel, 'judge-status')[0]!.textContent).toContain('Judged 3 samples of Toy DDPM and 4 unconditional ones');
  });

  it('shows class faithfulness per class beside the evaluator on real data and the card, and the class mix', async () => {
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: view() });
    const rows = byTestId(panel, 'judge-faithful-row').map((r) => [...r.children].map((c) => c.textContent!.replace(/\s+/g, ' ').trim()));
    expect(rows).toEqual([
      ['normal', '30', '90%', '75% (of 64)', '100%'],
      ['pneumonia', '30', '100%', '100% (of 64)', '100%'],
    ]);
    expect(byTestId(panel, 'judge-class-mix')[0]!.textContent).toContain('Total variation distance 0.008');
    const noMix = await mount<JudgePanel>('msl-judge-panel', { view: view({ faithfulness: { ...view().faithfulness!, mix: null, mixNote: 'A VAE here is conditional only.' } }) });
    expect(byTestId(noMix, 'judge-class-mix-note')[0]!.textContent).toBe('A VAE here is conditional only.');
  });

  it('sets each generated sample beside its nearest training samples, closest first, and highlights the copy', async () => {
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: view() });
    await settle(panel);
    const items = byTestId(panel, 'judge-audit-item');
    expect(items.map((i) => i.dataset.index)).toEqual(['1', '2', '0']);
    expect(items.map((i) => i.dataset.flagged)).toEqual(['true', 'false', 'false']);
    expect(items[0]!.textContent).toContain('Flagged: closer than the held-out 1st percentile');
    const lone = byTestId(panel, 'judge-lone')[0]!;
    expect(lone.textContent!.replace(/\s+/g, ' ')).toContain('33.3% of generated samples are much closer to one training sample than to any other (the closest under 0.5 times the second closest), against 5.0% of real held-out samples. Far more than real data');
    expect(lone.className).toBe('warning');
    panel.view = { ...panel.view, memorisation: { ...panel.view.memorisation!, lone: { generated: 0.19, heldout: 0.31 } } };
    await settle(panel);
    expect(byTestId(panel, 'judge-lone')[0]!.textContent).toContain('this check cannot tell copies here');
    expect(getComputedStyle(items[0]!).borderTopWidth).toBe('3px');
    // the copy and its training original, drawn pixel for pixel
    const canvases = deepAll<HTMLCanvasElement>(items[0]!, 'canvas');
    expect(canvases).toHaveLength(3);
    expect(redChannel(canvases[0]!)).toEqual(new Array(16).fill(200));
    expect(redChannel(canvases[1]!)).toEqual(new Array(16).fill(200));
    expect(canvases[1]!.getAttribute('aria-label')).toBe('training sample 3 (pneumonia), distance 0 in pixel space');
    expect(items[0]!.textContent).toContain('d 0');
    expect(byTestId(panel, 'judge-flag-summary')[0]!.textContent!.replace(/\s+/g, ' ')).toContain('1 of 3 generated samples (33.3%)');
    expect(byTestId(panel, 'judge-flag-summary')[0]!.textContent).toContain('The model card found 2.8%');
    // only the flagged ones
    const flaggedOnly = deepAll<HTMLInputElement>(byTestId(panel, 'judge-audit-filter')[0]!, 'input')[1]!;
    flaggedOnly.click();
    await settle(panel);
    expect(byTestId(panel, 'judge-audit-item').map((i) => i.dataset.index)).toEqual(['1']);
  });

  it('draws the distance histogram with its flagging line, a text alternative and the numbers as a table', async () => {
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: view() });
    const chart = byTestId(panel, 'judge-dcr-histogram')[0]!;
    const svg = chart.querySelector('svg')!;
    expect(svg.getAttribute('role')).toBe('img');
    expect(svg.getAttribute('aria-label')).toContain('for 3 generated and 4 real held-out samples');
    expect(svg.getAttribute('aria-label')).toContain('1 generated samples lie left of the flagging line at 1.22');
    expect(svg.querySelectorAll('rect')).toHaveLength(6);
    expect(svg.querySelector('line[stroke="#a40e26"]')).not.toBeNull();
    const rows = [...chart.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent));
    expect(rows).toEqual([['0', '1', '1', '0'], ['1', '2', '1', '3'], ['2', '3', '1', '1']]);
  });

  it('sends the form settings with a run, and a cancel while running', async () => {
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: EMPTY_JUDGE_VIEW, settings: { ...DEFAULT_JUDGE_SETTINGS, perClass: 32 } });
    const perClass = byTestId<HTMLInputElement>(panel, 'judge-per-class')[0]!;
    expect(perClass.value).toBe('32');
    expect(byTestId<HTMLButtonElement>(panel, 'judge-cancel')[0]!.disabled).toBe(true);
    perClass.value = '999';
    perClass.dispatchEvent(new Event('change'));
    const steps = byTestId<HTMLInputElement>(panel, 'judge-steps')[0]!;
    steps.value = '20';
    steps.dispatchEvent(new Event('change'));
    const run = nextEvent<JudgeRunEvent>(panel, 'msl-judge-run');
    byTestId<HTMLButtonElement>(panel, 'judge-run')[0]!.click();
    expect((await run).detail.settings).toEqual({ ...DEFAULT_JUDGE_SETTINGS, perClass: 256, steps: 20 });
    expect(byTestId(panel, 'judge-tstr')).toHaveLength(0);

    panel.view = view({ status: 'running', task: 'audit', progress: { task: 'audit', stage: 3, stages: 7, phase: 'generating samples', done: 12, total: 40 } });
    await settle(panel);
    expect(byTestId<HTMLButtonElement>(panel, 'judge-run')[0]!.disabled).toBe(true);
    const progress = byTestId(panel, 'judge-progress')[0]!;
    expect(progress.textContent!.replace(/\s+/g, ' ')).toContain('Step 3 of 7: generating samples 12 of 40');
    expect(progress.querySelector('progress')!.value).toBe(12);
    const cancel = nextEvent<JudgeCancelEvent>(panel, 'msl-judge-cancel');
    byTestId<HTMLButtonElement>(panel, 'judge-cancel')[0]!.click();
    expect((await cancel).detail.task).toBe('audit');

    panel.disabled = true;
    panel.disabledReason = 'Pick a diffusion model or a VAE first.';
    panel.view = EMPTY_JUDGE_VIEW;
    await settle(panel);
    expect(byTestId<HTMLButtonElement>(panel, 'judge-run')[0]!.disabled).toBe(true);
    expect(byTestId(panel, 'judge-status')[0]!.textContent).toBe('Pick a diffusion model or a VAE first.');
  });

  it('shows the diffusion-only settings for a diffusion model only', async () => {
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: EMPTY_JUDGE_VIEW, method: 'vae' });
    expect(byTestId(panel, 'judge-steps')).toHaveLength(0);
    expect(byTestId(panel, 'judge-unconditional')).toHaveLength(0);
    expect(panel.shadowRoot!.textContent).not.toMatch(/Diffusion steps|Unconditional samples/);
    expect(byTestId(panel, 'judge-per-class')).toHaveLength(1);
    panel.method = 'ddpm';
    await settle(panel);
    expect(byTestId(panel, 'judge-steps')).toHaveLength(1);
    expect(byTestId(panel, 'judge-unconditional')).toHaveLength(1);
  });

  it('starts no audit and no training while the page generates (one run at a time)', async () => {
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: view(), busy: true });
    await settle(panel);
    const runButton = byTestId<HTMLButtonElement>(panel, 'judge-run')[0]!;
    expect(runButton.disabled).toBe(true);
    expect(byTestId<HTMLButtonElement>(panel, 'judge-train')[0]!.disabled).toBe(true);
    expect(byTestId(panel, 'judge-waits')[0]!.textContent).toContain('waits for the generation');
    // nor by Enter in a field (the form's submit)
    let asked = 0;
    panel.addEventListener('msl-judge-run', () => asked++);
    byTestId(panel, 'judge-form')[0]!.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(asked).toBe(0);
    panel.busy = false;
    await settle(panel);
    expect(runButton.disabled).toBe(false);
    expect(byTestId<HTMLButtonElement>(panel, 'judge-train')[0]!.disabled).toBe(false);
    expect(byTestId(panel, 'judge-waits')).toHaveLength(0);
    runButton.click();
    expect(asked).toBe(1);
  });

  it('says why a kernel distance can come out below zero, where one does', async () => {
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: view() });
    expect(byTestId(panel, 'judge-kid-negative')).toHaveLength(0);
    const fidelity = view().fidelity!;
    panel.view = view({ fidelity: { ...fidelity, generatedVsHeldOut: { ...fidelity.generatedVsHeldOut, kid: interval(-0.0021, -0.006, 0.003) } } });
    await settle(panel);
    expect(byTestId(panel, 'judge-kid')[0]!.textContent).toContain('-0.0021');
    const why = byTestId(panel, 'judge-kid-negative')[0]!.textContent!.replace(/\s+/g, ' ');
    expect(why).toContain('unbiased');
    expect(why).toContain('near 0');
    expect(why).toContain('below zero');
  });

  it('explains a gap between precision and recall, where there is one', async () => {
    const fidelity = view().fidelity!;
    const withPrdc = (precision: number, recall: number) =>
      view({ fidelity: { ...fidelity, generatedVsHeldOut: { ...fidelity.generatedVsHeldOut, prdc: { precision, recall, density: 1, coverage: 0.7 } } } });
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: withPrdc(0.8, 0.55) });
    const note = () => byTestId(panel, 'judge-precision-recall')[0]?.textContent!.replace(/\s+/g, ' ') ?? null;
    expect(note()).toContain('Precision 0.80 is above recall 0.55');
    expect(note()).toContain('only part of the real variety');
    panel.view = withPrdc(0.5, 0.9);
    await settle(panel);
    expect(note()).toContain('Recall 0.90 is above precision 0.50');
    expect(note()).toContain('unlike any real sample');
    panel.view = withPrdc(0.8, 0.75);
    await settle(panel);
    expect(note()).toBeNull();
  });

  it('says before an audit how long it should take, from the last audit measured, and when it cannot', async () => {
    const timing: AuditTiming = {
      model: 'toy-ddpm', backend: 'wasm',
      generator: { classes: 2, unconditional: false, defaultSteps: null },
      real: { heldout: 106, train: 546, kept: { outputs: false, comparison: false, nearest: false } },
      settings: { perClass: 16, unconditional: 64, resamples: 100, steps: null, seed: 1 },
      seconds: { generate: 0.23, evaluate: 4.72, distances: 1.3, memorisation: 0.17 },
    };
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: EMPTY_JUDGE_VIEW, settings: { ...DEFAULT_JUDGE_SETTINGS, perClass: 16 } });
    const estimate = () => byTestId(panel, 'judge-estimate')[0]?.textContent!.replace(/\s+/g, ' ').trim() ?? null;
    expect(estimate()).toBe('First audit of this model: the time is unknown until one has been measured on this machine.');
    panel.view = view({ timing });
    await settle(panel);
    expect(estimate()).toContain('About 1.1 s on wasm');
    expect(estimate()).toContain('652 real samples are kept');
    // the estimate follows the form
    const perClass = byTestId<HTMLInputElement>(panel, 'judge-per-class')[0]!;
    perClass.value = '64';
    perClass.dispatchEvent(new Event('change'));
    await settle(panel);
    expect(estimate()).toContain('About 3.3 s');
    // not while a run goes, nor when nothing can be judged
    panel.view = view({ timing, status: 'running', task: 'audit', progress: { task: 'audit', stage: 3, stages: 7, phase: 'generating samples', done: 1, total: 4 } });
    await settle(panel);
    expect(estimate()).toBeNull();
    panel.view = EMPTY_JUDGE_VIEW;
    panel.disabled = true;
    await settle(panel);
    expect(estimate()).toBeNull();
  });

  it('labels both axes of the loss chart and marks the loss with nice ticks', async () => {
    const tstr = {
      running: true, epochs: 2, report: null, note: null,
      batchLosses: { synthetic: [0.93, 0.71, 0.52], real: [0.88] }, epochLosses: { synthetic: [0.8], real: [] }, batchesPerEpoch: { synthetic: 2, real: 2 },
    };
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: view({ tstr }) });
    await settle(panel);
    const svg = byTestId(panel, 'judge-loss-curve')[0]!.querySelector('svg')!;
    const ticks = (axis: string) => [...svg.querySelectorAll(`text[data-axis="${axis}"]`)].map((t) => t.textContent!.trim());
    expect(ticks('y')).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);
    expect(ticks('x')).toEqual(['0', '0.5', '1', '1.5', '2']);
    const labels = [...svg.querySelectorAll('text.axis-label')].map((t) => t.textContent!.trim());
    expect(labels).toEqual(['epoch (a point per batch)', 'loss (cross-entropy)']);
    // the y ticks go up the chart in order, the first on the x axis
    const ys = [...svg.querySelectorAll('text[data-axis="y"]')].map((t) => Number(t.getAttribute('y')));
    expect(ys).toEqual([...ys].sort((a, b) => b - a));
    // the top tick is the chart's top: the highest loss, 0.93, sits just under it
    const points = svg.querySelector('polyline')!.getAttribute('points')!.split(' ').map((p) => Number(p.split(',')[1]));
    expect(Math.min(...points)).toBeGreaterThan(ys.at(-1)! - 3);
  });

  it('shows training live: the loss curve as batches arrive, then accuracies, confusion matrices and any fallback', async () => {
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: view() });
    const train = nextEvent<JudgeTrainEvent>(panel, 'msl-judge-train');
    byTestId<HTMLButtonElement>(panel, 'judge-train')[0]!.click();
    expect((await train).detail.settings.epochs).toBe(8);

    const tstr = {
      running: true, epochs: 2, report: null, note: 'Trained on 3 synthetic samples.',
      batchLosses: { synthetic: [0.9, 0.7, 0.5], real: [] }, epochLosses: { synthetic: [0.8], real: [] }, batchesPerEpoch: { synthetic: 2, real: 0 },
    };
    panel.view = view({ status: 'running', task: 'tstr', tstr, progress: { task: 'tstr', stage: 1, stages: 1, phase: 'training', done: 3, total: 8 } });
    await settle(panel);
    const curve = byTestId(panel, 'judge-loss-curve')[0]!;
    expect(curve.querySelectorAll('polyline')).toHaveLength(1);
    expect(curve.querySelector('polyline')!.getAttribute('points')!.split(' ')).toHaveLength(3);
    expect(curve.querySelector('svg')!.getAttribute('aria-label')).toContain('synthetic at 0.5 after 3 batches; real not started');
    expect(byTestId<HTMLButtonElement>(panel, 'judge-tstr-cancel')[0]!.disabled).toBe(false);
    expect(byTestId(panel, 'judge-progress')[0]!.textContent).toContain('training');

    const run = (r: 'synthetic' | 'real', accuracy: number, confusion: number[][]) => ({
      run: r, trainSize: 3, epochLosses: [0.8, 0.4], batchLosses: [0.9, 0.7, 0.5, 0.3], accuracy, balancedAccuracy: accuracy, perClassRecall: [accuracy, accuracy], confusion,
    });
    const report = {
      backend: 'wasm', testSize: 10,
      model: { kind: 'dense' as const, description: 'a multilayer perceptron on the pixels', fallback: 'The wasm backend cannot train convolutions (it has no Conv2DBackpropFilter kernel), so a multilayer perceptron was trained instead.' },
      synthetic: run('synthetic', 0.7, [[4, 1], [2, 3]]), real: run('real', 0.9, [[5, 0], [1, 4]]),
    };
    panel.view = view({ tstr: { ...tstr, running: false, report, batchLosses: { synthetic: [0.9, 0.7, 0.5, 0.3], real: [1, 0.6, 0.4, 0.2] }, batchesPerEpoch: { synthetic: 2, real: 2 } } });
    await settle(panel);
    expect(byTestId(panel, 'judge-loss-curve')[0]!.querySelectorAll('polyline')).toHaveLength(2);
    expect(byTestId(panel, 'judge-tstr-fallback')[0]!.textContent).toContain('cannot train convolutions');
    const results = [...byTestId(panel, 'judge-tstr-results')[0]!.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent!.trim()));
    expect(results).toEqual([['synthetic', '3', '70.0%', '70.0%', '70%', '70%'], ['real', '3', '90.0%', '90.0%', '90%', '90%']]);
    const synthetic = byTestId(panel, 'judge-confusion-synthetic')[0]!;
    expect([...synthetic.querySelectorAll('tbody td')].map((td) => td.textContent)).toEqual(['4', '1', '2', '3']);
    expect(byTestId(panel, 'judge-confusion-real')).toHaveLength(1);
  });

  it('shows ECG beats as traces and overlays beat features per class', async () => {
    const beat = (amp: number) => Float32Array.from({ length: 256 }, (_, i) => amp * Math.exp(-(((i - 90) / 5) ** 2)));
    const report: MemorisationReport = {
      k: 1, flagged: [], feature: null,
      pixel: {
        space: 'network input units', neighbours: [[{ index: 0, distance: 0.4 }]], generatedDcr: [0.4], heldoutDcr: [0.3, 0.5], threshold: 0.302, flagged: [],
        fractionFlagged: 0, medianGenerated: 0.4, medianHeldOut: 0.4, histogram: histogram([[1, 0], [1, 1]], [0, 0.3, 0.6]),
        lone: { generated: NaN, heldout: NaN },
      },
    };
    const featureHistogram = histogram([[1, 2, 0], [0, 2, 2]], [0.5, 1, 1.5, 2]);
    const features = ['R amplitude', 'QRS width', 'ST level (J + 60 ms)'].map((label, i) => ({
      name: (['rAmplitudeMv', 'qrsWidthMs', 'stLevelMv'] as const)[i]!, label, unit: i === 1 ? 'ms' : 'mV', histogram: featureHistogram, medians: { generated: 1.1, real: 1.3 },
    }));
    const panel = await mount<JudgePanel>('msl-judge-panel', {
      view: view({
        classes: ['N', 'V'], sample: { kind: 'signal', shape: [256], sampleRateHz: 360, startMs: -250 }, fidelity: null, faithfulness: null,
        memorisation: memorisationView(report, { samples: [beat(1)], requested: [0], predicted: [0] }, { samples: [beat(1.2)], labels: [0] }, ['N', 'V']),
        ecg: { realSet: 'real training beats', classes: [{ name: 'N', generated: 3, real: 4, features }, { name: 'V', generated: 0, real: 4, features: [] }] },
      }),
    });
    await settle(panel);
    const traces = deepAll<JudgeSample>(panel.shadowRoot!, 'msl-judge-sample');
    expect(traces).toHaveLength(2);
    const polyline = traces[0]!.shadowRoot!.querySelector('polyline')!;
    expect(polyline.getAttribute('points')!.split(' ')).toHaveLength(256);
    expect(traces[0]!.shadowRoot!.querySelector('svg')!.getAttribute('aria-label')).toBe('generated sample 1, asked for N, read as N');
    const charts = byTestId(panel, 'judge-ecg-feature');
    expect(charts).toHaveLength(3);
    expect(charts[1]!.querySelector('svg')!.getAttribute('aria-label')).toBe('QRS width of N beats: median 1.1 ms generated, 1.3 ms real.');
    const select = byTestId<HTMLSelectElement>(panel, 'judge-ecg-class')[0]!;
    select.value = '1';
    select.dispatchEvent(new Event('change'));
    await settle(panel);
    expect(byTestId(panel, 'judge-ecg-feature')).toHaveLength(0);
    expect(byTestId(panel, 'judge-ecg')[0]!.textContent).toContain('Not enough beats of this class');
  });

  it('has no serious accessibility violations (axe-core)', async () => {
    const tstr = {
      running: false, epochs: 2, note: null, batchLosses: { synthetic: [0.9, 0.5], real: [0.8, 0.4] }, epochLosses: { synthetic: [0.7], real: [0.6] }, batchesPerEpoch: { synthetic: 1, real: 1 },
      report: {
        backend: 'webgpu', testSize: 10, model: { kind: 'conv' as const, description: 'two convolutions', fallback: null },
        synthetic: { run: 'synthetic' as const, trainSize: 3, epochLosses: [], batchLosses: [], accuracy: 0.7, balancedAccuracy: 0.7, perClassRecall: [0.7, 0.7], confusion: [[4, 1], [2, 3]] },
        real: null,
      },
    };
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: view({ tstr }) });
    await settle(panel);
    const result = await axe.run(panel, { resultTypes: ['violations'] });
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
  it('runs the membership test for a diffusion model and shows its AUC with and without near-copies, the ROC curves and the verdict', async () => {
    const base = view();
    const card = { ...base.card!, membership: { all: { auc: 0.952, low: 0.926, high: 0.975 }, dedup: { auc: 0.995, low: 0.988, high: 0.999 }, nearCopies: 25, splitByPatient: false, attack: 'denoising error' } };
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: { ...base, card: { ...card, membership: null } }, method: 'vae' });
    expect(byTestId(panel, 'judge-membership-unavailable')).toHaveLength(1);
    expect(byTestId(panel, 'judge-membership-run')).toHaveLength(0);
    expect(byTestId(panel, 'judge-membership-card')).toHaveLength(0);
    // a GAN's card measures membership by distance: it is shown, named, with no page test to agree with
    const distance = { ...card.membership, all: { auc: 0.523, low: 0.459, high: 0.587 }, attack: 'distance to the nearest generated sample of the class' };
    panel.view = { ...base, card: { ...card, membership: distance } };
    panel.method = 'gan';
    await settle(panel);
    expect(byTestId(panel, 'judge-membership-card')[0]!.textContent!.replace(/\s+/g, ' ')).toBe(
      "The model card's test (PyTorch, training/membership.py, scored by the distance to the nearest generated sample of the class): "
      + 'AUC 0.523 [0.459, 0.587], 0.995 [0.988, 0.999] without 25 near-copies.');
    panel.view = { ...base, card };
    panel.method = 'ddpm';
    await settle(panel);
    // the card's own test, beside the button that runs the page's
    expect(byTestId(panel, 'judge-membership-card')[0]!.textContent!.replace(/\s+/g, ' ')).toContain(
      "The model card's test (PyTorch, training/membership.py): AUC 0.952 [0.926, 0.975], 0.995 [0.988, 0.999] without 25 near-copies.");
    const asked = nextEvent(panel, 'msl-judge-membership');
    byTestId<HTMLButtonElement>(panel, 'judge-membership-run')[0]!.click();
    await asked;
    const roc = [{ falsePositive: 0, truePositive: 0 }, { falsePositive: 0.1, truePositive: 0.8 }, { falsePositive: 1, truePositive: 1 }];
    const all = { auc: 0.952, low: 0.926, high: 0.975, n: { train: 106, heldout: 106 }, roc };
    const dedup = { auc: 0.995, low: 0.985, high: 1, n: { train: 106, heldout: 81 }, roc };
    panel.view = view({
      card,
      status: 'done',
      task: 'membership',
      membership: {
        running: false,
        report: { model: 'toy-ddpm', timesteps: [50, 100, 200, 400], draws: 2, all, dedup, nearCopies: 25, nearCopyThreshold: 3.21, meanError: { train: 0.049, heldout: 0.284 }, verdict: 'The model tells its own training images from unseen ones.', caveat: null },
      },
    });
    await settle(panel);
    const cells = (id: string) => [...byTestId(panel, id)[0]!.children].map((c) => c.textContent!.trim());
    expect(cells('judge-membership-all')).toEqual(['all', '106', '106', '0.952', '0.926 to 0.975']);
    expect(cells('judge-membership-dedup')).toEqual(['without 25 near-copies', '106', '81', '0.995', '0.985 to 1']);
    expect(byTestId(panel, 'judge-membership-verdict')[0]!.className).toBe('warning');
    expect(byTestId(panel, 'judge-membership-copies')[0]!.textContent).toContain('25 of 106 held-out images');
    const svg = byTestId(panel, 'judge-membership-roc')[0]!.querySelector('svg')!;
    expect(svg.getAttribute('aria-label')).toContain('all held-out, AUC 0.952');
    expect(svg.querySelectorAll('polyline')).toHaveLength(2);
    expect(byTestId(panel, 'judge-status')[0]!.textContent).toBe('Membership test of Toy DDPM done.');
  });
  it('measures in the independent features first and keeps the evaluator-space figures as a labelled second view beside the card', async () => {
    const base = view();
    const independent = { ...base.fidelity!, space: 'independent features (toy-features)', featureDim: 128 };
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: { ...base, fidelity: independent, evaluatorFidelity: base.fidelity } });
    const [first] = byTestId(panel, 'judge-fidelity');
    const [second] = byTestId(panel, 'judge-fidelity-evaluator');
    expect(first!.querySelector('caption')!.textContent).toContain('In independent features (toy-features) (128 dimensions)');
    expect(second!.querySelector('h3')!.textContent).toBe("Second view: the same in the evaluator's features");
    expect(second!.querySelector('caption')!.textContent).toContain("In the evaluator's features (toy-classifier) (64 dimensions)");
    // each table beside the card's figure measured in the same features
    const cardCell = (section: Element) => section.querySelector('[data-testid="judge-frechet"]')!.children[3]!.textContent!.trim();
    expect(cardCell(first!)).toBe('9.5 (real 7.25; 400 per set)');
    expect(first!.querySelector('[data-testid="judge-frechet-infinity"]')!.children[3]!.textContent!.trim()).toBe('8.5 (real 0.25)');
    expect(cardCell(second!)).toBe('3.18 (real 2.24)');
  });
  it('shows the surround check per class and the flagged samples', async () => {
    const check = { width: 2, fences: { low: -30, high: 60 }, generated: [{ flagged: 0, checked: 30 }, { flagged: 2, checked: 30 }], train: [{ flagged: 1, checked: 100 }, { flagged: 0, checked: 100 }], heldout: [{ flagged: 0, checked: 30 }, { flagged: 0, checked: 30 }], flaggedSamples: [40, 33] };
    const panel = await mount<JudgePanel>('msl-judge-panel', { view: view({ surround: { check, classes: ['normal', 'pneumonia'], shape: [4, 4, 1], samples: [flat(250), flat(200)] } }) });
    const rows = [...byTestId(panel, 'judge-artefacts-table')[0]!.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent!.trim()));
    expect(rows).toEqual([['normal', '0 of 30 (0%)', '1 of 100 (1%)', '0 of 30 (0%)'], ['pneumonia', '2 of 30 (7%)', '0 of 100 (0%)', '0 of 30 (0%)']]);
    expect(byTestId(panel, 'judge-artefacts-flagged')[0]!.textContent).toContain('2 generated images have an unusual surround');
    const canvases = deepAll<HTMLCanvasElement>(byTestId(panel, 'judge-artefacts')[0]!, 'canvas');
    expect(canvases).toHaveLength(2);
    expect(redChannel(canvases[0]!)).toEqual(new Array(16).fill(250));
  });
});
