/**
 * Spot the fake, for the page: deals a round from the loaded generator (at the settings the page
 * shows) and the real held-out samples of its data, keeps the answers, and adds every finished
 * round to a tally per model, so a room playing several rounds narrows its interval. Everything
 * stays in this tab: nothing is sent or stored.
 *
 * The dealing is a generation like any other (GenerationController: cancellable, one at a time,
 * a stale deal dropped); the scoring is pure (src/game/spot-the-fake.ts).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type ReferencePack, samplesOfClass } from '../data/reference-packs.js';
import { type GameItem, type GameScore, type Source, type Tally, DEFAULT_ROUND_SIZE, addTallies, classPlan, countAnswers, dealRound, scoreTally } from '../game/spot-the-fake.js';
import { type GenerateOptions, generateSamples, generationWork } from '../judge/generate.js';
import type { GeneratorMethod } from '../models/card.js';
import { type GeneratorModel, tokenSamplingFor } from '../pipeline/pipeline.js';
import { type Settings, describeKnobs } from '../pipeline/settings.js';
import { GenerationController } from './generation.js';

export interface GameRound {
  model: { id: string; name: string; method: GeneratorMethod };
  classes: string[];
  items: GameItem[];
  /** One sample's shape, as the card gives it. */
  shape: number[];
  sampleRateHz: number;
  /** ECG: the time of the first sample, relative to the beat's R peak. */
  startMs: number;
  /** The generator's settings the synthetic samples were made with, in words. */
  made: string;
}

/** The generator's options for the page's settings: the same knobs the page's own run uses. */
export function gameGenerateOptions(model: GeneratorModel, settings: Settings): Pick<GenerateOptions, 'sampler' | 'temperature' | 'truncation' | 'tokenSampling'> {
  switch (model.kind) {
    case 'ddpm':
      return { sampler: { sampler: settings.sampler, steps: settings.steps, eta: settings.eta, guidance: settings.guidance } };
    case 'vae':
      return { temperature: settings.temperature };
    case 'gan':
      return { truncation: settings.truncation };
    case 'ar':
      return { tokenSampling: tokenSamplingFor(settings) };
  }
}

export class GameController implements ReactiveController {
  readonly dealing: GenerationController<GameRound>;
  /** One answer per item of the round, null until given. */
  answers: (Source | null)[] = [];
  /** The item on show. */
  position = 0;
  size = DEFAULT_ROUND_SIZE;
  /** Finished rounds, added up per model id. */
  private readonly tallies = new Map<string, { tally: Tally; rounds: number }>();
  /** Whether the round on show has been added to its model's tally. */
  private counted = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
    this.dealing = new GenerationController(host);
  }

  hostConnected(): void {}
  hostDisconnected(): void {}

  get round(): GameRound | null {
    return this.dealing.result;
  }

  get running(): boolean {
    return this.dealing.status === 'running';
  }

  get finished(): boolean {
    return this.round !== null && this.answers.every((a) => a !== null);
  }

  /** Deals a round of `size` items (half real, half synthetic) from `model` and the held-out `pack`. */
  async deal(model: GeneratorModel, pack: ReferencePack, settings: Settings, seed: number, size = this.size): Promise<void> {
    this.size = size;
    const card = model.card;
    const plan = classPlan(size / 2, card.classes.length);
    const options = { ...gameGenerateOptions(model, settings), classes: plan, seed };
    const round = await this.dealing.start(async (signal, onStep) => {
      const length = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
      if (length(pack.index.sampleShape) !== length(card.architecture.inputShape)) {
        throw new Error(`${card.name} makes samples of shape ${card.architecture.inputShape.join('x')}, the real data's are ${pack.index.sampleShape.join('x')}`);
      }
      const made = await generateSamples(model, { ...options, signal, onProgress: ({ done, total }) => onStep({ done, total }) });
      const wanted = card.classes.map((_, c) => plan.filter((p) => p === c).length);
      const synthetic = wanted.map((_, c) => made.filter((_, i) => plan[i] === c));
      // the real samples' draw has its own seed: a new round is new samples of both
      const real = wanted.map((n, c) => {
        // the pack's classes are named; its order need not be the card's
        const index = pack.index.classes.indexOf(card.classes[c]!);
        if (index < 0) throw new Error(`the real ${pack.index.dataset} data has no class "${card.classes[c]}"`);
        return samplesOfClass(pack, index, n, seed ^ 0x5eed);
      });
      const rate = card.signal?.sampleRateHz ?? 360;
      return {
        model: { id: card.id, name: card.name, method: model.kind },
        classes: [...card.classes],
        items: dealRound({ real, synthetic }, seed),
        shape: [...card.architecture.inputShape],
        sampleRateHz: rate,
        startMs: (-(card.signal?.window?.before ?? 0) * 1000) / rate,
        made: describeKnobs(model.kind, settings),
      };
    }, generationWork(model, plan, options));
    if (round) {
      this.answers = round.items.map(() => null);
      this.position = 0;
      this.counted = false;
      this.host.requestUpdate();
    }
  }

  /** Answers the item on show and moves to the next unanswered one. */
  answer(source: Source): void {
    const round = this.round;
    if (!round || this.position >= round.items.length) return;
    this.answers = this.answers.map((a, i) => (i === this.position ? source : a));
    const next = this.answers.findIndex((a, i) => a === null && i > this.position);
    const first = this.answers.indexOf(null);
    this.position = next >= 0 ? next : first >= 0 ? first : round.items.length;
    if (this.finished && !this.counted) {
      this.counted = true;
      const id = round.model.id;
      const tally = countAnswers(round.items, this.answers, round.classes.length);
      const before = this.tallies.get(id);
      this.tallies.set(id, before ? { tally: addTallies(before.tally, tally), rounds: before.rounds + 1 } : { tally, rounds: 1 });
    }
    this.host.requestUpdate();
  }

  /** Shows item `index` again (to change an answer before the round ends). */
  goTo(index: number): void {
    const round = this.round;
    if (!round || this.finished) return;
    this.position = Math.max(0, Math.min(round.items.length - 1, index));
    this.host.requestUpdate();
  }

  /** This round's score, once every item is answered. */
  get roundScore(): GameScore | null {
    const round = this.round;
    return round && this.finished ? scoreTally(countAnswers(round.items, this.answers, round.classes.length)) : null;
  }

  /** Every finished round with this round's model, and how many rounds that is. */
  get modelScore(): { score: GameScore; rounds: number } | null {
    const round = this.round;
    const kept = round ? this.tallies.get(round.model.id) : undefined;
    return kept ? { score: scoreTally(kept.tally), rounds: kept.rounds } : null;
  }

  cancel(): Promise<void> {
    return this.dealing.cancel();
  }

  /** The page's model changed: the round on show goes (its model may be freed); the tallies stay. */
  clear(): void {
    this.dealing.reset();
    this.answers = [];
    this.position = 0;
    this.host.requestUpdate();
  }
}
