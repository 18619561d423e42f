/**
 * Every figure of the judge panel (<msl-judge-panel>), read off the page as it is shown: the
 * numbers a person sees in its tables, charts and audit grid, parsed back into numbers. Nothing is
 * read from the controller's state, so a figure that is computed but not drawn counts as missing.
 * `problemsIn` lists what is missing or not finite.
 *
 * The page callbacks below use anonymous functions only: tsx (which runs the audit script) names
 * every function bound to a variable with a helper that does not exist in the page.
 */
import type { Locator, Page } from 'playwright';

export interface ShownInterval {
  estimate: number | null;
  low: number | null;
  high: number | null;
}

export interface Neighbour {
  /** 1-based row of the training pack, as the page shows it. */
  row: number | null;
  label: string;
  distance: number | null;
}

export interface ShownAuditItem {
  index: number;
  flagged: boolean;
  requested: string;
  /** The evaluator's class, where it differs from the one asked for. */
  readAs: string | null;
  pixel: Neighbour[];
  feature: Neighbour[];
  /** Samples drawn in this item (the generated one and its neighbours) that hold a picture or a trace. */
  drawn: number;
  samples: number;
}

export interface ShownHistogram {
  bins: number;
  /** Bin edges (bins + 1), as shown. */
  edges: number[];
  /** Counts per bin of each set, in the order the chart names them. */
  counts: number[][];
  bars: number;
}

export interface EcgFeature {
  label: string;
  unit: string;
  medianGenerated: number | null;
  medianReal: number | null;
  histogram: ShownHistogram;
}

export interface TstrRow {
  trainedOn: string;
  samples: number | null;
  accuracy: number | null;
  balancedAccuracy: number | null;
  recalls: (number | null)[];
}

export interface JudgeFigures {
  status: string;
  fidelity: {
    caption: string;
    frechet: { generated: ShownInterval; real: ShownInterval; card: string };
    kid: { generated: ShownInterval; real: ShownInterval };
    prdc: Record<'precision' | 'recall' | 'density' | 'coverage', { generated: number | null; real: number | null }>;
    warnings: string[];
  } | null;
  faithfulness: {
    rows: { name: string; count: number | null; rate: number | null; heldout: number | null; heldoutCount: number | null; card: number | null }[];
    mix: { rows: { name: string; fraction: number | null; count: number | null; trainFraction: number | null }[]; totalVariation: number | null } | null;
    mixNote: string | null;
  } | null;
  memorisation: {
    summary: string;
    flagged: number | null;
    generated: number | null;
    threshold: number | null;
    featureFlagged: number | null;
    medianGenerated: number | null;
    medianHeldOut: number | null;
    trainSearched: number | null;
    /** Distance-to-closest-record histograms, [generated, held-out], in pixel and in feature space. */
    histogram: ShownHistogram | null;
    featureHistogram: ShownHistogram | null;
    /** Items the grid shows at first (the closest). */
    shownFirst: number;
    /** The whole audit grid ("all"), the closest samples first. */
    items: ShownAuditItem[];
  } | null;
  ecg: { classes: { name: string; features: EcgFeature[] }[] } | null;
  tstr: {
    note: string | null;
    fallback: string | null;
    model: string | null;
    testSize: number | null;
    rows: TstrRow[];
    /** Points of each run's live loss curve. */
    lossPoints: Record<string, number>;
    confusion: { synthetic: number[][] | null; real: number[][] | null };
  } | null;
}

/** A number as the panel's fmt() writes it ("3.18", "1.2e-5", "–" for none, "∞"). */
export function shownNumber(text: string | null | undefined): number | null {
  const t = (text ?? '').trim();
  if (t === '' || t === '–') return null;
  if (t === '∞') return Infinity;
  if (t === '-∞') return -Infinity;
  const x = Number(t.replace(/,/g, ''));
  return Number.isNaN(x) ? null : x;
}

/** A percentage as the panel's percent() writes it ("97%", "61.0%"), as a fraction. */
export function shownPercent(text: string | null | undefined): number | null {
  const m = /(-?[\d.]+)%/.exec(text ?? '');
  return m ? Number(m[1]) / 100 : null;
}

/** "12.2 [10.1, 14.3]" */
export function shownInterval(text: string): ShownInterval {
  const m = /^\s*(\S+)\s*\[\s*([^,\]]+),\s*([^\]]+)\]/.exec(text);
  return m ? { estimate: shownNumber(m[1]), low: shownNumber(m[2]), high: shownNumber(m[3]) } : { estimate: shownNumber(text), low: null, high: null };
}

const match = (re: RegExp, text: string, group = 1): string | null => re.exec(text)?.[group] ?? null;

/** Each body row of the tables under `scope`, as the texts of its cells (header cells included). */
function rows(scope: Locator): Promise<string[][]> {
  return scope.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => (cell.textContent ?? '').replace(/\s+/g, ' ').trim())));
}

async function optionalText(scope: Locator): Promise<string | null> {
  return (await scope.count()) ? (await scope.first().innerText()).trim() : null;
}

async function histogramOf(figure: Locator): Promise<ShownHistogram | null> {
  if (!(await figure.count())) return null;
  const table = await rows(figure.locator('details table'));
  const sets = Math.max(0, (table[0]?.length ?? 2) - 2);
  return {
    bins: table.length,
    edges: [...table.map((r) => shownNumber(r[0]) ?? NaN), shownNumber(table.at(-1)?.[1]) ?? NaN],
    counts: Array.from({ length: sets }, (_, s) => table.map((r) => shownNumber(r[s + 2]) ?? NaN)),
    bars: await figure.locator('svg rect').count(),
  };
}

async function fidelityOf(page: Page): Promise<JudgeFigures['fidelity']> {
  const section = page.getByTestId('judge-fidelity');
  if (!(await section.count())) return null;
  const table = await rows(section);
  const row = (name: string) => table.find((r) => r[0] === name) ?? [];
  const prdc = (name: string) => ({ generated: shownNumber(row(name)[1]), real: shownNumber(row(name)[2]) });
  return {
    caption: (await section.locator('caption').innerText()).trim(),
    frechet: { generated: shownInterval(row('Frechet distance')[1] ?? ''), real: shownInterval(row('Frechet distance')[2] ?? ''), card: row('Frechet distance')[3] ?? '' },
    kid: { generated: shownInterval(row('Kernel distance (KID)')[1] ?? ''), real: shownInterval(row('Kernel distance (KID)')[2] ?? '') },
    prdc: { precision: prdc('Precision'), recall: prdc('Recall'), density: prdc('Density'), coverage: prdc('Coverage') },
    warnings: await page.getByTestId('judge-fidelity-warning').allInnerTexts(),
  };
}

async function faithfulnessOf(page: Page): Promise<JudgeFigures['faithfulness']> {
  const section = page.getByTestId('judge-faithfulness');
  if (!(await section.count())) return null;
  const perClass = (await rows(section.locator('table').first())).map((r) => ({
    name: r[0] ?? '',
    count: shownNumber(r[1]),
    rate: shownPercent(r[2]),
    heldout: shownPercent(r[3]),
    heldoutCount: shownNumber(match(/\(of (\d+)\)/, r[3] ?? '')),
    card: shownPercent(r[4]),
  }));
  const mixTable = page.getByTestId('judge-class-mix');
  const mix = (await mixTable.count())
    ? {
        rows: (await rows(mixTable)).map((r) => ({
          name: r[0] ?? '',
          fraction: shownPercent(r[1]),
          count: shownNumber(match(/\((\d+)\)/, r[1] ?? '')),
          trainFraction: shownPercent(r[2]),
        })),
        totalVariation: shownNumber(match(/Total variation distance (\S+) /, await mixTable.locator('caption').innerText())),
      }
    : null;
  return { rows: perClass, mix, mixNote: await optionalText(page.getByTestId('judge-class-mix-note')) };
}

async function auditItems(page: Page): Promise<ShownAuditItem[]> {
  const raw = await page.getByTestId('judge-audit-item').evaluateAll((items) =>
    items.map((li) => ({
      index: Number((li as HTMLElement).dataset.index),
      flagged: (li as HTMLElement).dataset.flagged === 'true',
      // each cell: the spans under a sample; the first cell is the generated sample
      cells: [...li.querySelectorAll('.cell')].map((cell) => [...cell.querySelectorAll(':scope > span')].map((s) => (s.textContent ?? '').trim())),
      spaces: [...li.querySelectorAll('.which')].map((p) => (p.textContent ?? '').trim()),
      // a sample is drawn when its canvas holds more than one level, or its trace has points
      drawn: [...li.querySelectorAll('msl-judge-sample')].map((s) => {
        const root = s.shadowRoot;
        const canvas = root?.querySelector('canvas');
        if (canvas) {
          const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
          return new Set(Array.from(data).filter((_, i) => i % 4 === 0)).size > 1;
        }
        return (root?.querySelector('polyline')?.getAttribute('points')?.split(' ').length ?? 0) > 1;
      }),
    })),
  );
  return raw.map((item) => {
    const [generated = [], ...neighbours] = item.cells;
    const k = item.spaces.length ? neighbours.length / item.spaces.length : 0;
    const neighbour = (spans: string[]): Neighbour => ({
      distance: shownNumber(match(/^d (\S+)$/, spans[0] ?? '')),
      row: shownNumber(match(/^#(\d+) /, spans[1] ?? '')),
      label: match(/^#\d+ (.*)$/, spans[1] ?? '') ?? '',
    });
    const requested = generated[1] ?? '';
    return {
      index: item.index,
      flagged: item.flagged,
      requested: requested.replace(/ \(read .*\)$/, ''),
      readAs: match(/\(read (.*)\)$/, requested),
      pixel: neighbours.slice(0, k).map(neighbour),
      feature: neighbours.slice(k).map(neighbour),
      drawn: item.drawn.filter(Boolean).length,
      samples: item.drawn.length,
    };
  });
}

async function memorisationOf(page: Page): Promise<JudgeFigures['memorisation']> {
  const section = page.getByTestId('judge-memorisation');
  if (!(await section.count())) return null;
  const summary = (await page.getByTestId('judge-flag-summary').innerText()).replace(/\s+/g, ' ').trim();
  const hint = (await section.locator('p.hint').first().innerText()).replace(/\s+/g, ' ');
  const histogram = await histogramOf(page.getByTestId('judge-dcr-histogram'));
  // the other space's histogram, and the whole grid, as a person sees them after a click
  const spaces = page.getByTestId('judge-space').locator('input');
  let featureHistogram: ShownHistogram | null = null;
  if (await spaces.count()) {
    await spaces.nth(1).check();
    featureHistogram = await histogramOf(page.getByTestId('judge-dcr-histogram'));
    await spaces.nth(0).check();
  }
  const shownFirst = await page.getByTestId('judge-audit-item').count();
  const show = page.getByTestId('judge-audit-filter').locator('input');
  await show.nth(2).check();
  const items = await auditItems(page);
  await show.nth(0).check();
  return {
    summary,
    flagged: shownNumber(match(/^(\d+) of \d+/, summary)),
    generated: shownNumber(match(/^\d+ of (\d+)/, summary)),
    threshold: shownNumber(match(/distance below (\S+?),/, summary)),
    featureFlagged: shownNumber(match(/feature space: (\d+)\./, summary)),
    medianGenerated: shownNumber(match(/generated (\S+?),/, hint)),
    medianHeldOut: shownNumber(match(/real held-out (\S+?) \(/, hint)),
    trainSearched: shownNumber(match(/Searched (\d+) training samples/, hint)),
    histogram,
    featureHistogram,
    shownFirst,
    items,
  };
}

/** Every class's beat-feature charts: picks each class in the panel's menu in turn. */
async function ecgOf(page: Page): Promise<JudgeFigures['ecg']> {
  const select = page.getByTestId('judge-ecg-class');
  if (!(await select.count())) return null;
  const options = await select.locator('option').evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, text: (o.textContent ?? '').trim() })));
  const classes: { name: string; features: EcgFeature[] }[] = [];
  for (const option of options) {
    await select.selectOption(option.value);
    const charts = page.getByTestId('judge-ecg-feature');
    const features: EcgFeature[] = [];
    for (let i = 0; i < (await charts.count()); i++) {
      const chart = charts.nth(i);
      // "R amplitude of N beats: median 1.2 mV generated, 1.1 mV real."
      const label = (await chart.locator('svg').getAttribute('aria-label')) ?? '';
      const parts = /^(.*) of .* beats: median (\S+) (\S+) generated, (\S+) \S+ real/.exec(label);
      features.push({
        label: parts?.[1] ?? label,
        unit: parts?.[3] ?? '',
        medianGenerated: shownNumber(parts?.[2]),
        medianReal: shownNumber(parts?.[4]),
        histogram: (await histogramOf(chart))!,
      });
    }
    classes.push({ name: option.text.replace(/ \(.*\)$/, ''), features });
  }
  if (options[0]) await select.selectOption(options[0].value);
  return { classes };
}

async function confusion(page: Page, testid: string): Promise<number[][] | null> {
  const table = page.getByTestId(testid);
  return (await table.count()) ? (await rows(table)).map((r) => r.slice(1).map((c) => shownNumber(c) ?? NaN)) : null;
}

async function tstrOf(page: Page): Promise<JudgeFigures['tstr']> {
  const results = page.getByTestId('judge-tstr-results');
  if (!(await results.count())) return null;
  const section = page.getByTestId('judge-tstr');
  const curves = await page.getByTestId('judge-loss-curve').locator('polyline').evaluateAll((lines) =>
    lines.map((l) => [l.getAttribute('data-series') ?? '', (l.getAttribute('points') ?? '').trim().split(/\s+/).filter(Boolean).length] as const),
  );
  return {
    note: await optionalText(page.getByTestId('judge-tstr-note')),
    fallback: await optionalText(page.getByTestId('judge-tstr-fallback')),
    model: await optionalText(section.locator('p.hint', { hasText: /^Model: / })),
    testSize: shownNumber(match(/Tested on (\d+) real/, await results.locator('caption').innerText())),
    rows: (await rows(results)).map((r) => ({
      trainedOn: r[0] ?? '',
      samples: shownNumber(r[1]),
      accuracy: shownPercent(r[2]),
      balancedAccuracy: shownPercent(r[3]),
      recalls: r.slice(4).map(shownPercent),
    })),
    lossPoints: Object.fromEntries(curves),
    confusion: { synthetic: await confusion(page, 'judge-confusion-synthetic'), real: await confusion(page, 'judge-confusion-real') },
  };
}

/** Every figure the judge panel shows now. */
export async function readJudgeFigures(page: Page): Promise<JudgeFigures> {
  return {
    status: (await page.getByTestId('judge-status').innerText()).trim(),
    fidelity: await fidelityOf(page),
    faithfulness: await faithfulnessOf(page),
    memorisation: await memorisationOf(page),
    ecg: await ecgOf(page),
    tstr: await tstrOf(page),
  };
}

export interface Expectations {
  classes: readonly string[];
  /** A diffusion model with unconditional samples asked for: the class mix must be shown. */
  classMix: boolean;
  /** An ECG model: the beat features must be shown. */
  ecg: boolean;
}

/** What is missing or not finite among the figures, as readable lines (empty: all there). */
export function problemsIn(f: JudgeFigures, expect: Expectations): string[] {
  const out: string[] = [];
  const finite = (what: string, x: number | null | undefined) => {
    if (x === null || x === undefined || !Number.isFinite(x)) out.push(`${what} is ${x === null || x === undefined ? 'missing' : x}`);
  };
  const interval = (what: string, i: ShownInterval) => {
    finite(`${what}`, i.estimate);
    finite(`${what}: low end of the interval`, i.low);
    finite(`${what}: high end of the interval`, i.high);
  };
  if (!f.fidelity) out.push('the fidelity table is missing');
  else {
    interval('FD generated vs held-out', f.fidelity.frechet.generated);
    interval('FD real training vs held-out', f.fidelity.frechet.real);
    interval('KID generated vs held-out', f.fidelity.kid.generated);
    interval('KID real training vs held-out', f.fidelity.kid.real);
    for (const [name, p] of Object.entries(f.fidelity.prdc)) {
      finite(`${name}, generated`, p.generated);
      finite(`${name}, real`, p.real);
    }
  }
  if (!f.faithfulness) out.push('the class faithfulness table is missing');
  else {
    const names = f.faithfulness.rows.map((r) => r.name);
    if (names.join('|') !== expect.classes.join('|')) out.push(`faithfulness rows are ${names.join(', ')}, not ${expect.classes.join(', ')}`);
    for (const r of f.faithfulness.rows) {
      finite(`${r.name}: classified as requested`, r.rate);
      finite(`${r.name}: samples`, r.count);
      // a class with no real held-out sample has no rate to show; one with samples must
      if (r.heldoutCount) finite(`${r.name}: real held-out classified as labelled`, r.heldout);
    }
    if (expect.classMix) {
      if (!f.faithfulness.mix) out.push('the class mix of unconditional samples is missing');
      else {
        finite('class mix: total variation distance', f.faithfulness.mix.totalVariation);
        f.faithfulness.mix.rows.forEach((r) => (finite(`class mix: ${r.name}`, r.fraction), finite(`class mix: ${r.name} in training`, r.trainFraction)));
      }
    } else if (!f.faithfulness.mixNote) out.push('neither a class mix nor a note saying why there is none');
  }
  const m = f.memorisation;
  if (!m) out.push('the memorisation audit is missing');
  else {
    finite('flagged samples', m.flagged);
    finite('flagging threshold', m.threshold);
    finite('flagged in feature space', m.featureFlagged);
    finite('median distance, generated', m.medianGenerated);
    finite('median distance, held-out', m.medianHeldOut);
    for (const [space, h] of [['pixel', m.histogram], ['feature', m.featureHistogram]] as const) {
      if (!h || h.bins < 1 || h.bars < 1) out.push(`the distance-to-closest-record histogram (${space} space) is missing`);
      else if (h.counts.length !== 2) out.push(`the DCR histogram (${space} space) has ${h.counts.length} sets, not generated and held-out`);
      else if (h.counts[0]!.reduce((a, b) => a + b, 0) !== m.generated) out.push(`the DCR histogram (${space} space) counts ${h.counts[0]!.reduce((a, b) => a + b, 0)} generated samples, not ${m.generated}`);
    }
    if (!m.shownFirst) out.push('the audit grid is empty');
    if (m.items.length !== m.generated) out.push(`the audit grid shows ${m.items.length} of the ${m.generated} generated samples under "all"`);
    for (const item of m.items) {
      if (!item.pixel.length || !item.feature.length) out.push(`audit item ${item.index + 1} has no neighbours in ${item.pixel.length ? 'feature' : 'pixel'} space`);
      [...item.pixel, ...item.feature].forEach((n) => finite(`audit item ${item.index + 1}: a neighbour's distance`, n.distance));
      if (item.drawn !== item.samples) out.push(`audit item ${item.index + 1}: ${item.samples - item.drawn} of ${item.samples} samples are blank`);
    }
  }
  if (expect.ecg) {
    if (!f.ecg) out.push('the ECG beat features are missing');
    else if (!f.ecg.classes.some((c) => c.features.length)) out.push('no class has beat feature charts');
    else {
      for (const c of f.ecg.classes) {
        for (const feat of c.features) {
          finite(`${c.name}: ${feat.label} median, generated`, feat.medianGenerated);
          finite(`${c.name}: ${feat.label} median, real`, feat.medianReal);
        }
      }
    }
  }
  const t = f.tstr;
  if (!t) out.push('the train-on-synthetic results are missing');
  else {
    finite('TSTR test size', t.testSize);
    for (const r of t.rows) (finite(`TSTR ${r.trainedOn}: accuracy`, r.accuracy), finite(`TSTR ${r.trainedOn}: balanced accuracy`, r.balancedAccuracy));
    if (!t.rows.some((r) => r.trainedOn === 'synthetic')) out.push('no TSTR result for the classifier trained on synthetic samples');
    if (!(t.lossPoints.synthetic ?? 0)) out.push('the loss curve of the synthetic run is missing');
    for (const [run, matrix] of Object.entries(t.confusion)) {
      if (!matrix) {
        if (run === 'synthetic' || t.rows.some((r) => r.trainedOn === run)) out.push(`the ${run} confusion matrix is missing`);
        continue;
      }
      const sum = matrix.flat().reduce((a, b) => a + b, 0);
      if (sum !== t.testSize) out.push(`the ${run} confusion matrix sums to ${sum}, not the ${t.testSize} held-out samples`);
    }
  }
  return out;
}
