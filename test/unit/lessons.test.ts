/**
 * The lessons: every slide opens a shipped model with settings its card allows (nothing clamped),
 * addresses round-trip, and the figures a slide states are computed from the run it is given.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LabResult, ModelOutput } from '../../src/app/lab-controller.js';
import { readAddress, resolveState } from '../../src/app/url-state.js';
import { GLOSSARY } from '../../src/lessons/glossary.js';
import { LESSONS, type LessonLive, lessonById, readLesson, slideAddress } from '../../src/lessons/lessons.js';
import { meanAbsDifference, roughness, spread } from '../../src/lessons/measures.js';
import { parseCard } from '../../src/models/card.js';
import { SHIPPED_MODELS } from '../../src/models/registry.js';
import { defaultsOf, limitsOf } from '../../src/pipeline/settings.js';

const cardOf = (id: string) => {
  const summary = SHIPPED_MODELS.find((m) => m.id === id);
  if (!summary) throw new Error(`no shipped model ${id}`);
  return parseCard(JSON.parse(readFileSync(`${summary.path}card.json`, 'utf8')));
};

describe('the lessons', () => {
  it('open shipped models at settings their cards allow, every one', () => {
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    for (const lesson of LESSONS) {
      expect(lesson.slides.length, lesson.id).toBeGreaterThan(0);
      for (const slide of lesson.slides) {
        const address = readAddress(`?${slide.state}`);
        const card = cardOf(address.model!);
        expect(card.method).not.toBe('classifier');
        const { notes, state } = resolveState(address, limitsOf(card), defaultsOf(card));
        expect(notes, `${lesson.id}: ${slide.title}`).toEqual([]);
        // every setting the slide names is the one the page will run
        for (const [name, value] of new URLSearchParams(slide.state)) {
          if (name === 'class') expect(card.classes[state.settings.classIndex]).toBe(value);
          if (name === 'steps' || name === 'count' || name === 'seed') expect(String(state.settings[name])).toBe(value);
          if (name === 'guidance' || name === 'temperature' || name === 'eta') expect(state.settings[name]).toBe(Number(value));
        }
        expect(slide.text.join(' '), 'numbers are read off the run, not written in advance').not.toMatch(/\d+(\.\d+)?\s*(%|ms|s\b|levels)/);
      }
    }
  });

  it('reads a lesson and slide from an address, and writes a slide\'s address keeping how the page runs', () => {
    expect(readLesson('?lesson=guidance&slide=2')).toEqual({ lesson: lessonById('guidance'), slide: 1 });
    expect(readLesson('?lesson=guidance&slide=99')!.slide).toBe(3);
    expect(readLesson('?lesson=guidance&slide=x')!.slide).toBe(0);
    expect(readLesson('?lesson=guidance')!.slide).toBe(0);
    expect(readLesson('?lesson=nonsense')).toBeNull();
    const lesson = lessonById('guidance')!;
    const query = slideAddress(lesson, 2, '?model=xray-vae&temperature=2&backend=webgpu&presenter=1&lesson=guidance&slide=1');
    const params = new URLSearchParams(query);
    expect(params.get('model')).toBe('xray-ddpm');
    expect(params.get('guidance')).toBe('4');
    expect(params.get('temperature')).toBeNull();
    expect(params.get('slide')).toBe('3');
    expect(params.get('backend')).toBe('webgpu');
    expect(params.get('presenter')).toBe('1');
  });
});

describe('the glossary', () => {
  it('names the code its maths comes from, and the code has those names', () => {
    expect(new Set(GLOSSARY.map((t) => t.id)).size).toBe(GLOSSARY.length);
    const cited = GLOSSARY.flatMap((t) => t.maths ?? []).flatMap((line) => [...line.matchAll(/\(((?:src\/\w+\/)?[\w-]+\.ts)(?::? ([^)]*))?\)/g)]);
    expect(cited.length).toBeGreaterThanOrEqual(5);
    for (const [, file, names] of cited) {
      const path = file!.startsWith('src/') ? file! : `src/diffusion/${file}`;
      const source = readFileSync(path, 'utf8');
      for (const name of (names ?? '').match(/\b[a-zA-Z]\w*(?=\(|,|$| =)/g) ?? []) expect(source, `${name} in ${path}`).toContain(name);
    }
  });
});

describe('what a slide says about its run', () => {
  const flat = (v: number, n = 4) => new Float32Array(n).fill(v);
  const output = (samples: Float32Array[], extra: Partial<ModelOutput> = {}): ModelOutput => ({
    samples, frames: [], latents: [], shape: [2, 2, 1], sampleRateHz: 360, method: 'ddpm',
    model: SHIPPED_MODELS[0]!, ...extra,
  } as ModelOutput);
  const result = (samples: Float32Array[], guidance: number, extra: Partial<ModelOutput> = {}): LabResult => ({
    settings: { ...defaultsOf(null), guidance, count: samples.length }, watch: 0, main: output(samples, extra), partner: null, link: '', strip: [],
  });
  const live = (patch: Partial<LessonLive>): LessonLive => ({ run: null, seconds: 2.25, earlier: [], backend: 'WebGPU', real: null, card: null, game: null, sweep: null, latent: null, network: null, judge: { membership: null, tstr: null }, ...patch });

  it('measures spread, sharpness and change as defined', () => {
    // two samples 0 and 2 at every pixel: standard deviation (n - 1) sqrt(2)
    expect(spread([flat(0), flat(2)])).toBeCloseTo(Math.SQRT2, 12);
    expect(spread([flat(5)])).toBeNaN();
    expect(roughness(Float32Array.of(0, 10, 0, 0, 0, 0), 3)).toBeCloseTo(5, 12);
    expect(roughness(Float32Array.of(0, 0, 0, 10, 20, 30), 2, 3)).toBeCloseTo(20, 12);
    expect(meanAbsDifference(flat(1), flat(4))).toBe(3);
  });

  it('guidance: the spread of this run beside the earlier slides\' and real samples\'', () => {
    const guidance = lessonById('guidance')!;
    const slide = guidance.slides[2]!;
    expect(slide.live!(live({}))).toEqual([]);
    const sentences = slide.live!(live({
      run: result([flat(0), flat(1)], 4),
      earlier: [result([flat(0), flat(4)], 0), null],
      real: [flat(0), flat(6)],
    }));
    expect(sentences).toEqual([
      `The 2 samples differ by ${Math.SQRT1_2.toFixed(1)} levels per pixel (standard deviation across samples) at guidance 4; earlier slides: ${(4 / Math.SQRT2).toFixed(1)} at guidance 0. Real held-out samples of the class, as many: ${(6 / Math.SQRT2).toFixed(1)}.`,
    ]);
  });

  it('the network slides read the traced network: ends, stages, parameters, and the UNet\'s deepest shape', () => {
    const slide = lessonById('noise-to-xray')!.slides.find((x) => x.show.includes('network'))!;
    expect(slide.live!(live({}))).toEqual([]);
    const stage = (shape: number[], parameters: number, ...paths: string[]) => ({ shape, what: 'a stage', paths, parameters });
    const network = {
      modelId: 'xray-ddpm', parameters: 1000, unaccounted: 0,
      parts: [{ title: 'UNet', role: '', stages: [
        stage([28, 28, 1], 0), stage([128], 300, 'time_mlp', 'class_emb'), stage([28, 28, 16], 100, 'in_conv'),
        stage([14, 14, 16], 0), stage([7, 7, 64], 500, 'down.1.0'), stage([28, 28, 1], 100, 'out_conv'),
      ] }],
    };
    expect(slide.live!(live({ network }))).toEqual([
      '1,000 learned parameters in all.',
      'UNet: from 28 × 28 × 1 to 28 × 28 × 1 in 5 stages, 1,000 parameters.',
      'At its deepest the image is 7 × 7 × 64; t and the class enter every ResBlock as 128 numbers.',
    ]);
  });

  it('the judge\'s lessons read its own results once it has run them', () => {
    const useful = lessonById('is-it-useful')!.slides[0]!;
    expect(useful.live!(live({}))).toEqual([]);
    const run = (trainSize: number, accuracy: number, balancedAccuracy: number) => ({ trainSize, accuracy, balancedAccuracy }) as never;
    const tstr = { synthetic: run(200, 0.8125, 0.75), real: run(4708, 0.875, 0.8) } as never;
    expect(useful.live!(live({ judge: { membership: null, tstr } }))).toEqual([
      'Trained on 200 synthetic samples: 81% right on the real held-out test (balanced 75%); trained on 4708 real samples: 88% (balanced 80%).',
    ]);
    const membership = lessonById('remember')!.slides[1]!;
    const all = { auc: 0.5321, low: 0.48, high: 0.59, n: { train: 100, heldout: 100 } };
    expect(membership.live!(live({ judge: { membership: { all } as never, tstr: null } }))).toEqual([
      'Measured here: AUC 0.532 [0.480, 0.590] over 100 training and 100 held-out images.',
    ]);
  });

  it('steps: how far the samples moved from an earlier slide\'s run, naming what differs, read off both runs', () => {
    const slide = lessonById('steps')!.slides[2]!;
    const run = (level: number, patch: Partial<LabResult['settings']>): LabResult => {
      const r = result([flat(level), flat(level)], 2);
      return { ...r, settings: { ...r.settings, steps: 50, eta: 0, seed: 5, ...patch } };
    };
    const sentence = (now: LabResult, before: LabResult) => slide.live!(live({ run: now, earlier: [before] })).filter((l) => l.startsWith('Against'));
    expect(sentence(run(4, { eta: 1 }), run(1, {}))).toEqual(["Against slide 1's run (eta 0, the same seed), the samples moved by 3.0 levels per pixel on average."]);
    expect(sentence(run(4, { eta: 1, seed: 9 }), run(1, {}))).toEqual(["Against slide 1's run (eta 0, seed 5), the samples moved by 3.0 levels per pixel on average."]);
    // the person set eta back to slide 1's: nothing differs, nothing to say
    expect(sentence(run(1, {}), run(1, {}))).toEqual([]);
  });

  it('a row of values: how far the sample moved between values, and the times at the ends', () => {
    const slide = lessonById('guidance')!.slides[3]!;
    const cell = (value: number, level: number, ms: number) => ({ value, label: `guidance ${value}`, sample: flat(level), ms });
    const sweep = { model: { id: 'xray-ddpm', method: 'ddpm' as const }, knob: 'guidance' as const, settings: defaultsOf(null), shape: [2, 2, 1],
      sampleRateHz: 360, cells: [cell(0, 10, 40), cell(1, 13, 41), cell(4, 23, 1500)] };
    expect(slide.live!(live({ sweep }))).toEqual([
      'In the row, the sample moved by 3.0 (guidance 0 to guidance 1), 10.0 (guidance 1 to guidance 4) levels per pixel; 13.0 from the first value to the last.',
      'Time here: 40 ms at guidance 0, 1.5 s at guidance 4.',
    ]);
    // a row of another knob is not this slide's
    expect(slide.live!(live({ sweep: { ...sweep, knob: 'steps' } }))).toEqual([]);
  });

  it('noise to an X-ray: x_t\'s mix at the steps this run took, and how far the predicted sample moved', () => {
    const alphaBar = Float64Array.from({ length: 1000 }, (_, t) => 1 - t / 1000);
    // as the pipeline makes them: the finished frame's x0 is the last step's prediction
    const frames = [0, 1, 2, 3].map((k) => ({ timestep: k < 3 ? 999 - 300 * k : null, xt: flat(0), xtNetwork: flat(0), x0: flat([0, 2, 5, 5]![k]!) }));
    const run = result([flat(1)], 2, { schedule: { alphaBar, timesteps: [999, 699, 399] }, frames });
    const sentences = lessonById('noise-to-xray')!.slides[1]!.live!(live({ run }));
    expect(sentences[0]).toBe(`In this run at step 1 (t = 999) x_t is ${Math.sqrt(0.001).toFixed(3)} × the clean sample plus ${Math.sqrt(0.999).toFixed(3)} × noise; `
      + `at step 2 (t = 699) x_t is ${Math.sqrt(0.301).toFixed(3)} × the clean sample plus ${Math.sqrt(0.699).toFixed(3)} × noise; `
      + `at step 3 (t = 399) x_t is ${Math.sqrt(0.601).toFixed(3)} × the clean sample plus ${Math.sqrt(0.399).toFixed(3)} × noise.`);
    expect(sentences[1]).toBe('The predicted clean sample moved by 2.0 levels on average from step 1 to step 2, and by 3.0 from step 2 to step 3.');
    expect(lessonById('noise-to-xray')!.slides[0]!.live!(live({ run }))).toEqual(['This run made 1 sample in 2.3 s on WebGPU.']);
  });
});
