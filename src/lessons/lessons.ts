/**
 * The lessons: short guided chapters, each slide a page state (a permalink's query: model,
 * settings, seed) plus what to read, what to try, and the figures of the live run in sentences.
 * Every number a slide states is computed from the run on screen (or, where it says so, read
 * from the model's card); the text written here is qualitative only.
 *
 * Pure: the page (src/components/app-root.ts) applies a slide's state, runs it, and passes what
 * came of it to `live`.
 */
import type { LabResult } from '../app/lab-controller.js';
import type { Inspected, LatentMap } from '../app/latent-map.js';
import type { SweepKnob, SweepResult } from '../app/sweep.js';
import type { GameScore } from '../game/spot-the-fake.js';
import type { MembershipReport } from '../judge/membership.js';
import type { TstrReport } from '../judge/tstr.js';
import { cardFigures } from '../judge/view.js';
import { formatElapsed } from '../pipeline/estimate.js';
import type { ArchitecturePicture } from '../models/architecture.js';
import type { ModelCard } from '../models/card.js';
import { meanAbsDifference, meanOver, roughness, spread } from './measures.js';

/** The page's sections a slide can put on screen (in presenter mode, only these show). */
export type SectionKey = 'run' | 'samples' | 'watch' | 'tokens' | 'path' | 'compare' | 'network' | 'sweep' | 'latent' | 'families' | 'game' | 'judge' | 'train' | 'feedback';

/** What the page has for a slide's live sentences. */
export interface LessonLive {
  /** The run on screen made with this slide's state; null before it finishes. */
  run: LabResult | null;
  /** How long that run took here. */
  seconds: number;
  /** Runs of the lesson's earlier slides (by slide index), where they were made in this visit. */
  earlier: readonly (LabResult | null)[];
  /** The compute backend, in words ("WebGPU"). */
  backend: string;
  /** Real held-out samples of the run's class, as many as it made; null when none are on this site. */
  real: readonly Float32Array[] | null;
  /** The card of the model on screen. */
  card: ModelCard | null;
  /** The network of the model on screen, traced, where the slide shows it. */
  network: ArchitecturePicture | null;
  /** The spot-the-fake score of the round on screen, once it is answered. */
  game: GameScore | null;
  /** The row of values on screen, of the model on screen. */
  sweep: SweepResult | null;
  /** The latent map on screen and the real sample looked at closely, of the model on screen. */
  latent: { map: LatentMap; inspected: Inspected | null } | null;
  /** The judge's finished results for the model on screen, where it has run them. */
  judge: { membership: MembershipReport | null; tstr: TstrReport | null };
}

export interface Slide {
  title: string;
  /** The page state, as a permalink writes it. */
  state: string;
  /** The sections this slide is about: in presenter mode, the only ones on screen. */
  show: SectionKey[];
  /** What to read, paragraph by paragraph. */
  text: string[];
  /** One thing to try. */
  try: string;
  /** The knob the row of values offers first, where the slide shows it. */
  sweep?: SweepKnob;
  /** The figures of the live run, sentence by sentence; none until it has run. */
  live?: (live: LessonLive) => string[];
}

export interface Lesson {
  id: string;
  title: string;
  /** What it is about, in a line (the lesson list). */
  summary: string;
  slides: Slide[];
}

const fixed = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const pct = (x: number) => `${Math.round(100 * x)}%`;

const shapeText = (shape: readonly number[]) => shape.join(' × ');

/**
 * The traced network in sentences: per part, where it starts and ends, in how many stages, with how
 * many parameters; for a UNet, how small it gets and how wide the embedding of t and the class is.
 */
function networkFigures(live: LessonLive): string[] {
  const p = live.network;
  if (!p) return [];
  const out = [`${p.parameters.toLocaleString('en')} learned parameters in all.`];
  for (const part of p.parts) {
    const first = part.stages[0]!;
    const last = part.stages[part.stages.length - 1]!;
    const params = part.stages.reduce((n, s) => n + s.parameters, 0);
    out.push(`${part.title}: from ${shapeText(first.shape)} to ${shapeText(last.shape)} in ${part.stages.length - 1} stages, ${params.toLocaleString('en')} parameters.`);
    const spatial = part.stages.filter((s) => s.shape.length === first.shape.length && s.shape.length > 1);
    const embedding = part.stages.find((s) => s.paths.includes('time_mlp'));
    if (embedding && spatial.length > 0) {
      // the smallest size, and there the most channels
      const narrowest = spatial.reduce((a, b) => (b.shape[0]! < a.shape[0]! || (b.shape[0] === a.shape[0] && b.shape.at(-1)! > a.shape.at(-1)!) ? b : a));
      out.push(`At its deepest the image is ${shapeText(narrowest.shape)}; t and the class enter every ResBlock as ${embedding.shape[0]} numbers.`);
    }
  }
  return out;
}

/** "This run made 4 samples in 2.1 s on WebGPU." */
function made(live: LessonLive): string[] {
  const run = live.run;
  if (!run) return [];
  const n = run.main.samples.length;
  return [`This run made ${n} sample${n === 1 ? '' : 's'} in ${formatElapsed(1000 * live.seconds)} on ${live.backend}.`];
}

/** Width and channels of an image sample's shape, or null for a signal. */
function imageOf(shape: readonly number[]): { width: number; channels: number } | null {
  return shape.length === 3 ? { width: shape[1]!, channels: shape[2]! } : null;
}

/** The x_t and predicted-clean-sample figures of a diffusion run's watched sample. */
function denoisingFigures(run: LabResult): string[] {
  const out = run.main;
  const schedule = out.schedule;
  const frames = out.frames;
  if (!schedule || frames.length < 3) return [];
  const steps = schedule.timesteps.length;
  const at = (k: number) => {
    const t = schedule.timesteps[k]!;
    const ab = schedule.alphaBar[t]!;
    return `at step ${k + 1} (t = ${t}) x_t is ${fixed(Math.sqrt(ab), 3)} × the clean sample plus ${fixed(Math.sqrt(1 - ab), 3)} × noise`;
  };
  // the predictions of the steps; the last frame's x0 is the finished sample, which is the last prediction itself
  const x0 = frames.filter((f) => f.timestep !== null).map((f) => f.x0).filter((x): x is Float32Array => x !== null);
  const sentences = [`In this run ${at(0)}; ${at(Math.floor(steps / 2))}; ${at(steps - 1)}.`];
  if (x0.length >= 3) {
    const first = meanAbsDifference(x0[0]!, x0[1]!);
    const last = meanAbsDifference(x0[x0.length - 2]!, x0[x0.length - 1]!);
    sentences.push(`The predicted clean sample moved by ${fixed(first)} levels on average from step 1 to step 2, and by ${fixed(last)} from step ${x0.length - 1} to step ${x0.length}.`);
  }
  return sentences;
}

/** How far apart the run's samples are, beside the earlier slides' runs. */
function spreadFigures(live: LessonLive, label: (run: LabResult) => string): string[] {
  const run = live.run;
  if (!run || run.main.samples.length < 2) return [];
  const now = spread(run.main.samples);
  const before = live.earlier.flatMap((r) => (r && r.main.samples.length > 1 ? [`${fixed(spread(r.main.samples))} at ${label(r)}`] : []));
  const real = live.real && live.real.length > 1 ? ` Real held-out samples of the class, as many: ${fixed(spread(live.real))}.` : '';
  return [`The ${run.main.samples.length} samples differ by ${fixed(now)} levels per pixel (standard deviation across samples) at ${label(run)}${before.length ? `; earlier slides: ${before.join(', ')}` : ''}.${real}`];
}

/** Sharpness of the run's samples against real ones of the class. */
function sharpnessFigures(live: LessonLive): string[] {
  const run = live.run;
  const image = run ? imageOf(run.main.shape) : null;
  if (!run || !image) return [];
  const rough = (s: Float32Array) => roughness(s, image.width, image.channels);
  const synthetic = meanOver(run.main.samples, rough);
  const real = live.real?.length ? meanOver([...live.real], rough) : NaN;
  return [`Neighbouring pixels of these samples differ by ${fixed(synthetic)} levels on average${Number.isFinite(real) ? `; in real held-out images of the class, by ${fixed(real)}` : ''}. Lower means smoother, blurrier.`];
}

/** How far each of the run's samples moved from the previous slide's, same seed. */
function changeFigures(live: LessonLive, index: number): string[] {
  const run = live.run;
  const before = live.earlier[index];
  if (!run || !before || before.main.samples.length !== run.main.samples.length || before.main.model.id !== run.main.model.id) return [];
  const a = before.settings;
  const b = run.settings;
  // what differs between the two runs, read off their settings, not assumed
  const knobs = (['sampler', 'steps', 'eta', 'guidance', 'classIndex'] as const).filter((k) => a[k] !== b[k]);
  if (!knobs.length && a.seed === b.seed) return [];
  const what = knobs.map((k) => `${k === 'classIndex' ? 'class' : k} ${String(a[k])}`).join(', ');
  const diffs = run.main.samples.map((s, i) => meanAbsDifference(s, before.main.samples[i]!));
  return [`Against slide ${index + 1}'s run (${what || 'the same settings'}${a.seed === b.seed ? ', the same seed' : `, seed ${a.seed}`}), the samples moved by ${fixed(meanOver(diffs, (d) => d))} levels per pixel on average.`];
}

/** How the row of values changes the sample from one value to the next, and what each costs. */
function sweepFigures(live: LessonLive, knob: SweepKnob): string[] {
  const row = live.sweep;
  if (!row || row.knob !== knob || row.cells.length < 2) return [];
  const cells = row.cells;
  const steps = cells.slice(1).map((c, i) => `${fixed(meanAbsDifference(cells[i]!.sample, c.sample))} (${cells[i]!.label} to ${c.label})`);
  const ends = meanAbsDifference(cells[0]!.sample, cells[cells.length - 1]!.sample);
  const ms = (c: (typeof cells)[number]) => formatElapsed(c.ms);
  return [
    `In the row, the sample moved by ${steps.join(', ')} levels per pixel; ${fixed(ends)} from the first value to the last.`,
    `Time here: ${ms(cells[0]!)} at ${cells[0]!.label}, ${ms(cells[cells.length - 1]!)} at ${cells[cells.length - 1]!.label}.`,
  ];
}

/** The membership test's AUC measured in the page, once run, and the card's. */
function membershipFigures(live: LessonLive): string[] {
  const m = cardFigures(live.card?.quality)?.membership;
  const here = live.judge.membership?.all;
  return [
    ...(here ? [`Measured here: AUC ${fixed(here.auc, 3)} [${fixed(here.low, 3)}, ${fixed(here.high, 3)}] over ${here.n.train} training and ${here.n.heldout} held-out images.`] : []),
    ...(m ? [`The card's measurement: AUC ${fixed(m.all.auc, 3)} [${fixed(m.all.low, 3)}, ${fixed(m.all.high, 3)}] by ${m.attack}.`] : []),
  ];
}

export const LESSONS: readonly Lesson[] = [
  {
    id: 'noise-to-xray',
    title: 'From noise to an X-ray',
    summary: 'A diffusion model removes noise step by step: x_t, the predicted clean sample, and the schedule.',
    slides: [
      {
        title: 'Noise in, an X-ray out',
        state: 'model=xray-ddpm&class=pneumonia&count=4&seed=7&sampler=ddim&steps=20&eta=0&guidance=2&watch=0',
        show: ['run', 'samples'],
        text: [
          'A diffusion model starts from pure noise and removes a little of it at every step. After the last step what is left is a chest X-ray made by the model, not taken from a patient (whether it is close to one it was trained on is what the lesson on memory asks).',
          'The network was trained on real X-rays with noise added at random strengths; all it learned is to guess that noise. Sampling runs that guess backwards, from loud noise to none.',
        ],
        try: 'Press Generate again with a new seed: a new starting noise, a new X-ray.',
        live: (live) => made(live),
      },
      {
        title: 'x_t and the predicted clean sample',
        state: 'model=xray-ddpm&class=pneumonia&count=4&seed=7&sampler=ddim&steps=20&eta=0&guidance=2&watch=0&frame=1',
        show: ['watch'],
        text: [
          'x_t is the noisy sample at step t: some clean signal, scaled down, plus noise. At the start it is almost all noise. The predicted clean sample is the network\'s guess of the finished X-ray from x_t alone. x_t\'s values spread past the image\'s range while noise remains; shown scaled to its own range, nothing of it is clipped away.',
          'Watch the guess: it is a blurry average of X-rays early on and sharpens as the noise goes.',
          'The third picture is a real held-out X-ray noised to the same t with this run\'s own starting noise: what x_t would look like had the run been heading for that patient. Early on the two are indistinguishable; the signal is in x_t, buried under the noise.',
        ],
        try: 'Drag the step slider from the start to the end, and compare x_t with the predicted clean sample and the noised real X-ray at each step. Then ask the model what it predicts at a step: the noise it removes, and the part of it that guidance scales up.',
        live: (live) => (live.run ? denoisingFigures(live.run) : []),
      },
      {
        title: 'Inside the network',
        state: 'model=xray-ddpm&class=pneumonia&count=4&seed=7&sampler=ddim&steps=20&eta=0&guidance=2&watch=0',
        show: ['network'],
        text: [
          'Every step runs the same network, a UNet: x_t goes in, and out comes its guess of the noise, the same shape. On the way down, convolutions and pooling trade size for channels, so each position sees more of the image; on the way up, each level is joined with its mirror from the way down (the skips), so the fine detail is not lost.',
          'The step t and the class are not pictures: they become a short vector that every ResBlock adds to its channels. That is how one network serves every noise level and every class.',
        ],
        try: 'Follow the shapes from the top to the bottom, and find where the image is smallest and where the skips come back in.',
        live: networkFigures,
      },
      {
        title: 'The schedule',
        state: 'model=xray-ddpm&class=pneumonia&count=4&seed=7&sampler=ddim&steps=20&eta=0&guidance=2&watch=0&frame=10',
        show: ['run', 'watch'],
        text: [
          'How much noise each t holds is fixed in training: the schedule, alpha-bar(t), the share of the clean signal\'s power left at t. The chart beside the viewer draws it, with the timesteps this run visited.',
          'A run with fewer steps jumps along the same curve in larger strides.',
        ],
        try: 'Set 5 steps and generate: the same curve, visited five times.',
        live: (live) => {
          const s = live.run?.main.schedule;
          if (!s) return [];
          return [`This run visited ${s.timesteps.length} of the ${s.alphaBar.length} trained timesteps: ${s.timesteps.slice(0, 4).join(', ')}${s.timesteps.length > 4 ? ', …' : ''}.`];
        },
      },
    ],
  },
  {
    id: 'guidance',
    title: 'What guidance does',
    summary: 'One seed, three guidance scales: samples pushed towards their class, and narrowing.',
    slides: [0, 1, 4].map((g, i) => ({
      title: i === 0 ? 'Guidance 0: no class at all' : i === 1 ? 'Guidance 1: the class as trained' : 'Guidance 4: pushed past the class',
      state: `model=xray-ddpm&class=pneumonia&count=8&seed=11&sampler=ddim&steps=20&eta=0&guidance=${g}&watch=0`,
      show: ['run', 'samples'] as SectionKey[],
      text: i === 0
        ? [
            'Classifier-free guidance mixes two predictions at every step: one told the class, one told "no class". Guidance 0 uses only the second: the model draws from every X-ray it saw, normal or not.',
          ]
        : i === 1
          ? ['Guidance 1 uses only the prediction told the class: the model as trained for pneumonia.']
          : [
              'Above 1, the step goes past the class prediction, away from "no class": samples look more like the class than typical ones do, and more like one another. That is the trade the lessons on fidelity and diversity measure.',
            ],
      try: i === 2 ? 'Try guidance 8: caricatures of the class.' : 'Compare the grid with the next slide\'s: same seed, same noise.',
      live: (live: LessonLive) => spreadFigures(live, (r) => `guidance ${r.settings.guidance}`),
    } as Slide)).concat([{
      title: 'One sample, a row of guidance scales',
      state: 'model=xray-ddpm&class=pneumonia&count=1&seed=11&sampler=ddim&steps=20&eta=0&guidance=1&watch=0',
      show: ['sweep'],
      sweep: 'guidance',
      text: ['The same noise, made at guidance 0, 1, 2, 4 and 8: the sample moves from an X-ray of either class towards an exaggerated one of the class asked for. A guided step costs two network passes, one told the class and one not; guidance 0 and 1 need only one.'],
      try: 'Run the row, then change the seed and run it again.',
      live: (live) => sweepFigures(live, 'guidance'),
    }]),
  },
  {
    id: 'steps',
    title: 'Steps and samplers',
    summary: 'Few steps or many, DDIM deterministic or noisy: what each costs and what is lost.',
    slides: [
      {
        title: 'Many steps',
        state: 'model=xray-ddpm&class=normal&count=4&seed=5&sampler=ddim&steps=50&eta=0&guidance=2&watch=0',
        show: ['run', 'samples'],
        text: ['DDIM with eta 0 is deterministic: the same seed and steps always give the same samples. 50 steps follow the trained schedule closely.'],
        try: 'Note the time it took; the next slide uses a tenth of the steps.',
        live: (live) => made(live),
      },
      {
        title: 'Few steps',
        state: 'model=xray-ddpm&class=normal&count=4&seed=5&sampler=ddim&steps=5&eta=0&guidance=2&watch=0',
        show: ['run', 'samples'],
        text: ['Five steps take far less time. Each step must now jump a long way, and fine detail is what suffers first.'],
        try: 'Try 2 steps, then 1: the last is the network\'s first guess of the clean sample.',
        live: (live) => [...made(live), ...changeFigures(live, 0), ...sharpnessFigures(live)],
      },
      {
        title: 'Noise on every step (eta 1)',
        state: 'model=xray-ddpm&class=normal&count=4&seed=5&sampler=ddim&steps=50&eta=1&guidance=2&watch=0',
        show: ['run', 'samples'],
        text: ['With eta 1, fresh noise (drawn from the same seed) is added back at every step, as the original DDPM sampler does: the samples differ from eta 0\'s, and the last steps can still change details.'],
        try: 'Switch between eta 0 and 1 with the same seed and watch which details change.',
        live: (live) => [...made(live), ...changeFigures(live, 0)],
      },
      {
        title: 'A row of step counts',
        state: 'model=xray-ddpm&class=normal&count=1&seed=5&sampler=ddim&steps=50&eta=0&guidance=2&watch=0',
        show: ['sweep'],
        sweep: 'steps',
        text: ['The same noise, denoised in 1, 2, 5, 10, 25 and 50 steps. The time grows with the steps; the sample stops changing much well before the last.'],
        try: 'Run the row and find the fewest steps you would accept.',
        live: (live) => sweepFigures(live, 'steps'),
      },
    ],
  },
  {
    id: 'latent-space',
    title: 'Inside a latent space',
    summary: 'A VAE decodes points of a small latent space: its prior, temperature, interpolation, and why it blurs.',
    slides: [
      {
        title: 'Samples from the prior',
        state: 'model=xray-vae&class=pneumonia&count=8&seed=3&temperature=1&from=0&to=1&path=spherical',
        show: ['run', 'samples'],
        text: [
          'A VAE\'s decoder turns a short vector of numbers, the latent, into an X-ray in one pass. Sampling draws the latent from a standard normal distribution, the prior, and decodes it.',
          'Trained to reconstruct its inputs under a penalty that keeps latents near the prior, a VAE averages what it is unsure of: its samples are smoother than real X-rays.',
        ],
        try: 'Compare the samples with the real ones beside them.',
        live: (live) => [...made(live), ...sharpnessFigures(live)],
      },
      {
        title: 'Temperature',
        state: 'model=xray-vae&class=pneumonia&count=8&seed=3&temperature=0.3&from=0&to=1&path=spherical',
        show: ['run', 'samples', 'sweep'],
        sweep: 'temperature',
        text: ['Temperature scales the prior: below 1, latents stay near its centre and the samples become typical and alike; at 0 every sample is the decoded centre.'],
        try: 'Set temperature 0: eight identical samples. Then run the row of temperatures.',
        live: (live) => [...spreadFigures(live, (r) => `temperature ${r.settings.temperature}`), ...sweepFigures(live, 'temperature')],
      },
      {
        title: 'An encoder and a decoder',
        state: 'model=xray-vae&class=pneumonia&count=8&seed=3&temperature=1&from=0&to=1&path=spherical',
        show: ['network'],
        text: [
          'A VAE is two networks meeting at a narrow point. The encoder takes an X-ray and its class down to a mean and a spread for each latent value; the decoder takes a latent and the class back up to an X-ray. Sampling uses only the decoder.',
          'Everything the decoder draws must pass through those few numbers. What they cannot hold, such as fine texture, it can only average.',
        ],
        try: 'Compare the numbers an X-ray holds at the top with those at the narrowest stage.',
        live: networkFigures,
      },
      {
        title: 'A map of the latent space',
        state: 'model=xray-vae&class=pneumonia&count=8&seed=3&temperature=1&from=0&to=1&path=spherical',
        show: ['latent'],
        text: [
          'The encoder turns a real X-ray into a mean and a spread for every latent value; the map lays the means out on the two directions along which they vary most. This VAE is told the class, so its latent need not hold it: the classes overlap on the map, and the latent holds what varies within a class, such as position, contrast and the size of the lungs. Between and beyond the points the decoder still makes X-rays.',
          'The reconstruction is the mean decoded: blurrier than the X-ray it came from, because every latent near the mean must decode to something plausible, and the decoder settles for their average.',
        ],
        try: 'Map the real samples, move over the map, then click a point to see that X-ray encoded and decoded.',
        live: (live) => {
          const l = live.latent;
          if (!l) return [];
          const [a, b] = l.map.projection.share;
          const out = [`The map's two axes hold ${pct(a)} and ${pct(b)} of the variance of ${l.map.samples.length} real X-rays' latent means.`];
          const ins = l.inspected;
          const image = live.card ? imageOf(live.card.architecture.inputShape) : null;
          if (ins && image) {
            const rough = (s: Float32Array) => roughness(s, image.width, image.channels);
            const spreadMean = meanOver(Array.from(ins.sigma), (v) => v);
            out.push(`The chosen X-ray's neighbouring pixels differ by ${fixed(rough(l.map.samples[ins.index]!))} levels on average, its reconstruction's by ${fixed(rough(ins.reconstruction))}; the encoder's spread averages ${fixed(spreadMean, 2)} against the prior's 1.`);
          }
          return out;
        },
      },
      {
        title: 'A walk between two samples',
        state: 'model=xray-vae&class=pneumonia&count=8&seed=3&temperature=1&from=0&to=5&path=spherical',
        show: ['path'],
        text: ['Points between two latents decode to X-rays in between: the latent space is smooth. A spherical path keeps every point as far from the centre as typical prior draws are.'],
        try: 'Change the path\'s ends and its kind (linear or spherical).',
      },
    ],
  },
  {
    id: 'four-families',
    title: 'The four families',
    summary: 'Diffusion, VAE, GAN and transformer on the same data: one pass, many steps, or token by token.',
    slides: [
      {
        title: 'One pass against many steps',
        state: 'model=xray-gan&class=normal&count=4&seed=2024&steps=20&eta=0&guidance=2&compare=1&from=0&to=1&path=spherical',
        show: ['run', 'compare'],
        text: [
          'A GAN\'s generator makes a sample in one pass, trained against a discriminator that tries to tell its samples from real ones. The diffusion model beside it takes a pass per step, two with guidance.',
          'A GAN\'s usual failing is collapse: many latents mapped onto few kinds of sample.',
        ],
        try: 'Change the seed a few times and look for samples that repeat.',
        live: (live) => {
          const run = live.run;
          if (!run?.partner) return made(live);
          return [`Same class and seed: ${run.main.samples.length} GAN samples and ${run.partner.samples.length} diffusion samples in ${formatElapsed(1000 * live.seconds)} on ${live.backend} together.`];
        },
      },
      {
        title: 'Token by token',
        state: 'model=xray-ar&class=normal&count=1&seed=2024&watch=0',
        show: ['run', 'tokens'],
        text: [
          'The transformer never sees pixels: a small autoencoder turns each X-ray into a grid of codes from a codebook, and the transformer learns to predict the next code from those before it, like a language model predicts words.',
          'Its usual failings are blocky patches and layouts that lose their way far from the first codes.',
        ],
        try: 'Step through the token viewer and watch the probabilities of the next code.',
        live: (live) => made(live),
      },
      {
        title: 'Three networks for one sample',
        state: 'model=xray-ar&class=normal&count=1&seed=2024&watch=0',
        show: ['network'],
        text: [
          'The autoregressive model is three networks. The VQ encoder turns an X-ray into a grid of codes (only training and the token map use it); the transformer, run once per code, scores every possible next code; the VQ decoder turns the finished grid back into an X-ray.',
          'A GAN\'s generator and a VAE\'s decoder are one pass from a latent to a sample; a diffusion model runs its UNet once per step. Open "Inside the network" in the full lab for any model.',
        ],
        try: 'Find the grid of codes: the only thing the transformer ever sees.',
        live: networkFigures,
      },
      {
        title: 'All four, side by side',
        state: 'model=xray-ddpm&class=normal&count=4&seed=2024&steps=20&eta=0&guidance=2',
        show: ['families'],
        text: ['The family comparison runs every family on the same class and seed, with the cost measured on this device and the judge\'s quick figures for each.'],
        try: 'Press "Run every family" and compare the time each takes with what each gets right.',
      },
    ],
  },
  {
    id: 'is-it-real',
    title: 'Is it real?',
    summary: 'Spot the fake, then the yardsticks: fidelity and diversity against real-vs-real.',
    slides: [
      {
        title: 'Spot the fake',
        state: 'model=xray-gan&class=normal&count=4&seed=8',
        show: ['game'],
        text: [
          'Medical GAN papers report a "visual Turing test": experts shown real and synthetic images, asked which is which. Accuracy near chance, one right in two, means they could not tell.',
          'Play a round: half the samples are real held-out X-rays, half are the GAN\'s.',
        ],
        try: 'Deal a round, answer every sample, then play a second round: the interval narrows.',
        live: (live) => (live.game
          ? [`Your round: ${live.game.overall.correct} of ${live.game.overall.total} right (${pct(live.game.overall.rate)}; 95% interval ${pct(live.game.overall.low)} to ${pct(live.game.overall.high)}).`]
          : []),
      },
      {
        title: 'Yardsticks',
        state: 'model=xray-gan&class=normal&count=4&seed=8',
        show: ['judge'],
        text: [
          'A distance between the features of synthetic and real samples (the Frechet distance) is only meaningful beside the same distance between two sets of real samples: real-vs-real is the yardstick. The judge reports both, with intervals.',
          'Fidelity (do samples look like the class?) and diversity (do they cover it?) are separate: a model that makes one perfect X-ray over and over has the first and not the second.',
        ],
        try: 'Run the judge with a few samples per class and read the distance beside real-vs-real.',
        live: (live) => {
          const independent = cardFigures(live.card?.quality)?.independent;
          if (!independent || independent.frechetGenerated === null || independent.frechetReal === null) return [];
          return [`The card's measurement: Frechet ${fixed(independent.frechetGenerated, 2)} against real-vs-real ${fixed(independent.frechetReal, 2)} in ${independent.extractor}.`];
        },
      },
    ],
  },
  {
    id: 'remember',
    title: 'Does it remember its patients?',
    summary: 'Copies, nearest training samples and the membership test, on breast ultrasound: one network trained two ways.',
    slides: [
      {
        title: 'Close to a training image',
        state: 'model=breast-ddpm-memorised&class=malignant&count=8&seed=4&sampler=ddim&steps=20&eta=0&guidance=2&watch=0',
        show: ['run', 'samples', 'judge'],
        text: [
          'A generative model trained on few images can reproduce some of them. For medical data that is a leak: a synthetic image that is a patient\'s scan.',
          'This one is the site\'s exhibit: a diffusion model trained on a few hundred breast ultrasound images, over and over, without mirrors or dropout. It is kept for what it shows.',
          'The judge\'s memorisation audit finds each sample\'s nearest training image and sets the distance beside real held-out images\' own nearest distances: a sample much closer than any held-out image is a likely copy.',
        ],
        try: 'Run the judge and open its nearest training samples.',
        live: (live) => {
          const f = cardFigures(live.card?.quality);
          if (!f || f.memorisationMedianGenerated === null || f.memorisationMedianHeldOut === null) return [];
          return [`The card's measurement: median distance to the nearest training image ${fixed(f.memorisationMedianGenerated, 2)} for samples, ${fixed(f.memorisationMedianHeldOut, 2)} for real held-out images.`];
        },
      },
      {
        title: 'The membership test',
        state: 'model=breast-ddpm-memorised&class=malignant&count=8&seed=4&sampler=ddim&steps=20&eta=0&guidance=2&watch=0',
        show: ['judge'],
        text: [
          'A membership test asks whether the model treats its training images differently from images it never saw (for a diffusion model: does it denoise them better?). An AUC of 0.5 means it cannot tell them apart; above it, the model leaks who was in its training set.',
        ],
        try: 'Run the membership test in the judge and read the AUC with its interval.',
        live: membershipFigures,
      },
      {
        title: 'The same network, trained again',
        state: 'model=breast-ddpm&class=malignant&count=8&seed=4&sampler=ddim&steps=20&eta=0&guidance=2&watch=0',
        show: ['run', 'samples', 'judge'],
        text: [
          'This model has the same network and the same training images. It was trained for far fewer passes over them, each image also shown mirrored left to right, and with dropout: parts of the network switched off at random, so no one path can store an image.',
          'Memorisation is a property of how a model was trained, not of its family. The card says how far each was trained; the membership test says what came of it.',
        ],
        try: 'Run the membership test here and set its AUC beside the exhibit\'s.',
        live: membershipFigures,
      },
    ],
  },
  {
    id: 'is-it-useful',
    title: 'Is it useful?',
    summary: 'Train a classifier on synthetic data only and test it on real data.',
    slides: [
      {
        title: 'Train on synthetic, test on real',
        state: 'model=xray-gan&class=normal&count=4&seed=8',
        show: ['judge'],
        text: [
          'Synthetic data is useful if what is learned from it holds on real data. The judge trains a small classifier on synthetic samples only, tests it on real held-out ones, and sets it beside the same classifier trained on real data.',
        ],
        try: 'Run "Train on synthetic" in the judge and compare the two accuracies.',
        live: (live) => {
          const r = live.judge.tstr;
          if (!r) return [];
          return [`Trained on ${r.synthetic.trainSize} synthetic samples: ${pct(r.synthetic.accuracy)} right on the real held-out test (balanced ${pct(r.synthetic.balancedAccuracy)})${r.real
            ? `; trained on ${r.real.trainSize} real samples: ${pct(r.real.accuracy)} (balanced ${pct(r.real.balancedAccuracy)})` : ''}.`];
        },
      },
    ],
  },
];

export function lessonById(id: string | null | undefined): Lesson | null {
  return LESSONS.find((l) => l.id === id) ?? null;
}

/** The lesson and slide (from 0) an address asks for; null when it names no lesson this site has. */
export function readLesson(search: string): { lesson: Lesson; slide: number } | null {
  const params = new URLSearchParams(search);
  const lesson = lessonById(params.get('lesson'));
  if (!lesson) return null;
  const asked = Number.parseInt(params.get('slide') ?? '1', 10);
  const slide = Number.isFinite(asked) ? Math.min(Math.max(asked, 1), lesson.slides.length) - 1 : 0;
  return { lesson, slide };
}

/** Parameters of the page's address a slide keeps: how the page runs and shows, not what it runs. */
const KEPT = ['backend', 'extra', 'presenter'];

/**
 * The address of slide `slide` (from 0) of `lesson`: its state, the lesson and the slide (from 1,
 * as people count), and the parameters of `current` that say how the page runs (`backend`,
 * `extra`, `presenter`).
 */
export function slideAddress(lesson: Lesson, slide: number, current: string): string {
  const params = new URLSearchParams(lesson.slides[slide]!.state);
  params.set('lesson', lesson.id);
  params.set('slide', String(slide + 1));
  const now = new URLSearchParams(current);
  for (const name of KEPT) {
    const value = now.get(name);
    if (value !== null) params.set(name, value);
  }
  return `?${params.toString().replace(/%2F/g, '/').replace(/%2C/g, ',')}`;
}
