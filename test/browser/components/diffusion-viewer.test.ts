import { afterEach, describe, expect, it } from 'vitest';
import '../../../src/components/diffusion-viewer.js';
import type { DiffusionViewer, FrameChangeEvent, PredictEvent, RerunEvent, ViewerFrame } from '../../../src/components/diffusion-viewer.js';
import type { ScheduleChart } from '../../../src/components/schedule-chart.js';
import { alphasCumprod, makeBetas } from '../../../src/diffusion/schedule.js';
import { deepAll, mount, nextEvent, redChannel, rgbChannels, settle } from './helpers.js';

afterEach(() => document.body.replaceChildren());

const ALPHA_BAR = alphasCumprod(makeBetas('cosine', 1000));
const TIMESTEPS = [999, 666, 332];
/** x_T, the inputs of steps 2 and 3, and the finished sample: 2x2 images of one grey level each. */
const FRAMES: ViewerFrame[] = [10, 80, 160, 250].map((level, i) => ({
  timestep: TIMESTEPS[i] ?? null,
  xt: new Float32Array(4).fill(level),
  x0: new Float32Array(4).fill(level + 5),
}));

async function viewer(props: Partial<DiffusionViewer> = {}): Promise<DiffusionViewer> {
  const el = await mount<DiffusionViewer>('msl-diffusion-viewer', {
    frames: FRAMES, shape: [2, 2, 1], alphaBar: ALPHA_BAR, timesteps: TIMESTEPS, count: 2, ...props,
  });
  await settle(el);
  return el;
}

/** The grey level of the x_t and x0 pictures on show. */
function shown(el: DiffusionViewer): number[] {
  return deepAll<HTMLCanvasElement>(el.shadowRoot!, 'canvas').map((c) => redChannel(c)[0]!);
}

describe('the step viewer', () => {
  it('opens on the finished sample, and on the step the address names', async () => {
    expect(shown(await viewer())).toEqual([250, 255]);
    document.body.replaceChildren();
    const el = await viewer({ position: 1 });
    expect(shown(el)).toEqual([80, 85]);
    expect(el.shadowRoot!.querySelector('.status')!.textContent).toBe('Step 2 of 3, t = 666');
  });

  it('sets a real sample noised to the step\'s t beside x_t, and the clean one beside the finished sample', async () => {
    // the "real sample" at level 100 and "noise" at level 200: what is shown is the mix, by alpha-bar
    const forward = (alphaBar: number) => ({ display: new Float32Array(4).fill(Math.sqrt(alphaBar) * 100 + Math.sqrt(1 - alphaBar) * 200), network: new Float32Array(4) });
    const el = await viewer({ forward, forwardLabel: 'a real held-out normal sample', position: 1 } as Partial<DiffusionViewer>);
    const mix = Math.sqrt(ALPHA_BAR[666]!) * 100 + Math.sqrt(1 - ALPHA_BAR[666]!) * 200;
    expect(shown(el)).toEqual([80, 85, Math.round(mix)]);
    expect(el.shadowRoot!.querySelector('[data-testid="forward"] figcaption')!.textContent!.trim())
      .toBe("a real held-out normal sample noised to t = 666, with this run's noise");
    el.position = 3;
    await settle(el);
    expect(shown(el)).toEqual([250, 255, 100]);
    expect(el.shadowRoot!.querySelector('[data-testid="forward"] figcaption')!.textContent!.trim()).toBe('a real held-out normal sample, clean');
  });

  it('shows x_t scaled to its own range unless asked not to, so the image range does not clip it', async () => {
    // x_t in network units: values past the image's -1..1, which the clipped view shows as black and white
    const raw = Float32Array.of(-2, -1, 1, 2);
    const frames = FRAMES.map((f, i) => (i < 3 ? { ...f, xtNetwork: raw } : f));
    // the real sample noised to the step's t is scaled the same way, so the two still compare
    const forward = () => ({ display: new Float32Array(4).fill(77), network: Float32Array.of(2, 1, -1, -2) });
    const el = await viewer({ frames, position: 1, forward } as Partial<DiffusionViewer>);
    const box = el.shadowRoot!.querySelector<HTMLInputElement>('[data-testid="xt-scaled"]')!;
    expect(box.checked).toBe(true);
    const canvases = () => deepAll<HTMLCanvasElement>(el.shadowRoot!, 'canvas');
    // -2 .. 2 onto 0 .. 255: -1 is a quarter up, 1 three quarters
    expect(redChannel(canvases()[0]!)).toEqual([0, 64, 191, 255]);
    expect(redChannel(canvases()[2]!)).toEqual([255, 191, 64, 0]);
    expect(el.shadowRoot!.querySelector('figcaption')!.textContent).toBe('xt: what the model is given, grey from −2.0 to 2.0');
    // unticked: the display values, clipped to the image's range
    box.click();
    await settle(el);
    expect(shown(el)).toEqual([80, 85, 77]);
    expect(el.shadowRoot!.querySelector('figcaption')!.textContent).toBe('xt: what the model is given');
    // the finished sample is the sample itself, never rescaled
    box.click();
    el.position = 3;
    await settle(el);
    expect(shown(el)).toEqual([250, 255, 77]);
  });

  it('explains every picture one tap away', async () => {
    const forward = () => ({ display: new Float32Array(4).fill(77), network: new Float32Array(4) });
    const el = await viewer({ position: 1, forward, prediction: { frame: 1, guided: new Float32Array(4), difference: new Float32Array(4), guidance: 2, guidedScale: '', differenceScale: '' } } as Partial<DiffusionViewer>);
    const terms = [...el.shadowRoot!.querySelectorAll('figcaption')].map((c) => c.querySelector('msl-explain')?.getAttribute('term'));
    expect(terms).toEqual(['x-t', 'x0', 'forward-noising', 'predicted-noise', 'guidance']);
    const chart = el.shadowRoot!.querySelector('msl-schedule-chart')!;
    expect(chart.shadowRoot!.querySelector('msl-explain')!.getAttribute('term')).toBe('schedule');
  });

  it('asks the model about a step, then shows the noise it predicts and what guidance amplifies', async () => {
    const el = await viewer({ position: 1, canPredict: true } as Partial<DiffusionViewer>);
    const ask = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="predict"]')!;
    const asked = nextEvent<PredictEvent>(el, 'msl-predict');
    ask.click();
    expect((await asked).frame).toBe(1);
    el.prediction = { frame: 1, guided: new Float32Array(4).fill(30), difference: new Float32Array(4).fill(220), guidance: 2,
      guidedScale: 'grey from −3 (black) to 3 (white)', differenceScale: 'grey from −0.5 to 0.5, its largest value' };
    await settle(el);
    expect(shown(el)).toEqual([80, 85, 30, 220]);
    expect(el.shadowRoot!.querySelector('[data-testid="guidance-difference"] figcaption')!.textContent!.replace(/\s+/g, ' ').trim())
      .toBe('ε̂(class) − ε̂(no class): what guidance scales up, grey from −0.5 to 0.5, its largest value');
    // another step: the prediction was of step 2, so the question comes back
    el.position = 2;
    await settle(el);
    expect(shown(el)).toEqual([160, 165]);
    expect(el.shadowRoot!.querySelector('[data-testid="predict"]')).not.toBeNull();
    // the finished sample has no step to ask about
    el.position = 3;
    await settle(el);
    expect(el.shadowRoot!.querySelector('[data-testid="predict"]')).toBeNull();
  });

  it('asks to make the sample again from the step on show, says what a re-run changed, and goes back', async () => {
    const el = await viewer({ position: 1 });
    const button = () => el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="rerun"]');
    expect(button()!.disabled).toBe(true);          // not while something else runs
    el.canRerun = true;
    await settle(el);
    const asked = nextEvent<RerunEvent>(el, 'msl-rerun');
    button()!.click();
    expect((await asked).frame).toBe(1);
    el.rerun = { from: 1, what: 'seed 9 (the run\'s: 5)' };
    await settle(el);
    expect(el.shadowRoot!.querySelector('[data-testid="rerun-note"]')!.textContent!.replace(/\s+/g, ' ').trim())
      .toBe('After step 2, made again with seed 9 (the run\'s: 5). Back to the run');
    const back = nextEvent<RerunEvent>(el, 'msl-rerun');
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="rerun-back"]')!.click();
    expect((await back).frame).toBeNull();
    // the finished sample has no later steps to make again
    el.position = 3;
    await settle(el);
    expect(button()).toBeNull();
  });

  it('moves with the scrubber, marking the step on the schedule, and reports where it stopped', async () => {
    const el = await viewer();
    const scrubber = el.shadowRoot!.querySelector<HTMLInputElement>('[data-testid="scrubber"]')!;
    expect(scrubber.max).toBe('3');
    scrubber.value = '0';
    scrubber.dispatchEvent(new Event('input'));
    await settle(el);
    expect(shown(el)).toEqual([10, 15]);
    const chart = el.shadowRoot!.querySelector<ScheduleChart>('msl-schedule-chart')!;
    expect(chart.current).toBe(999);
    expect(chart.shadowRoot!.querySelector('p')!.textContent).toBe('t = 999 of 999: 0.0% signal, 100.0% noise (alpha-bar 0.000).');
    const moved = nextEvent<FrameChangeEvent>(el, 'msl-frame-change');
    scrubber.dispatchEvent(new Event('change'));
    expect((await moved).detail.frame).toBe(0);
  });

  it('plays from the start to the end, and a stopped or removed player stops its loop', async () => {
    const el = await viewer();
    const play = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="play"]')!;
    const ended = nextEvent<FrameChangeEvent>(el, 'msl-frame-change');
    play.click();
    await el.updateComplete;
    expect(play.textContent).toBe('Pause');
    expect(play.getAttribute('aria-pressed')).toBe('true');
    expect((await ended).detail.frame).toBe(3);
    await settle(el);
    expect(play.textContent).toBe('Play');
    expect(shown(el)).toEqual([250, 255]);
    // that every step is shown on the way, one a frame, is checked frame by frame below and in
    // test/unit/components/playback.test.ts: with real frames it would depend on the machine's load

    play.click();
    await el.updateComplete;
    el.remove(); // the loop sees its run is stale and ends; nothing throws, nothing is reported
    let reported = false;
    el.addEventListener('msl-frame-change', () => (reported = true));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(reported).toBe(false);
  });

  it('plays from the start when the first animation frame is stamped before Play was pressed (a busy machine)', async () => {
    // Frames are driven by hand: each callback gets a timestamp from before the click, as a
    // browser under load delivers them (a frame's timestamp is when the frame began). Measured
    // from the click, the first position came out negative and render read frames[-1].
    const queued: FrameRequestCallback[] = [];
    const real = window.requestAnimationFrame;
    window.requestAnimationFrame = (callback) => queued.push(callback);
    try {
      const el = await viewer();
      const errors: unknown[] = [];
      const onError = (e: ErrorEvent) => errors.push(e.error);
      window.addEventListener('error', onError);
      const stamp = performance.now() - 500;
      el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="play"]')!.click();
      const positions: number[] = [];
      for (const dt of [0, 0, 90, 180, 260]) {
        const next = queued.splice(0);
        expect(next).toHaveLength(1); // exactly one loop runs
        next[0]!(stamp + dt);
        await settle(el);
        positions.push(shown(el)[0]!);
      }
      window.removeEventListener('error', onError);
      expect(errors).toEqual([]);
      // 12 frames a second from the first frame's stamp: 0, 0, 90 ms -> 1, 180 -> 2, 260 -> 3 (the end)
      expect(positions).toEqual([10, 10, 80, 160, 250]);
      expect(queued).toHaveLength(0); // stopped at the last frame
      expect(el.shadowRoot!.querySelector('[data-testid="play"]')!.textContent).toBe('Play');
    } finally {
      window.requestAnimationFrame = real;
    }
  });

  it('shows RGB frames in colour, x_t and the predicted clean sample alike, evenly enlarged', async () => {
    // 64x64 RGB: x_t a red-green gradient, x0 a blue one, at the one step and the finished sample
    const rgb = (base: [number, number, number]) =>
      Float32Array.from({ length: 64 * 64 * 3 }, (_, i) => Math.min(255, base[i % 3]! + (Math.floor(i / 3) % 64)));
    const frames: ViewerFrame[] = [
      { timestep: 999, xt: rgb([200, 20, 0]), x0: rgb([0, 20, 180]) },
      { timestep: null, xt: rgb([0, 180, 60]), x0: rgb([0, 180, 60]) },
    ];
    const el = await viewer({ frames, shape: [64, 64, 3], timesteps: [999], count: 1, size: 196, position: 0 });
    const [xt, x0] = deepAll<HTMLCanvasElement>(el.shadowRoot!, 'canvas');
    expect([xt!.width, xt!.height, x0!.width]).toEqual([64, 64, 64]);
    expect(rgbChannels(xt!)).toEqual([...frames[0]!.xt]);
    expect(rgbChannels(x0!)).toEqual([...frames[0]!.x0!]);
    expect(xt!.getBoundingClientRect().width).toBe(192);
    expect(getComputedStyle(x0!).imageRendering).toBe('pixelated');
  });

  it('asks for another sample to watch on the next run', async () => {
    const el = await viewer();
    const select = el.shadowRoot!.querySelector('select')!;
    const asked = nextEvent<CustomEvent<{ watch: number }>>(el, 'msl-watch-change');
    select.value = '1';
    select.dispatchEvent(new Event('change'));
    expect((await asked).detail.watch).toBe(1);
  });
});
