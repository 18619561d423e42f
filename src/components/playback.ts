/**
 * Plays a sequence of frames (the steps of a diffusion run) on animation frames. Each play takes a
 * new run number; a loop that finds its number stale stops by itself, so a second play, a stop or
 * the host leaving the page always leaves exactly one loop, or none.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class PlaybackController implements ReactiveController {
  playing = false;
  private runs = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    /** Steps shown per second at most: slow enough to follow, quick enough for 50 steps in a few seconds. */
    private readonly framesPerSecond = 12,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.stop();
  }

  /**
   * Calls `onFrame` with from, from + 1, ... last, in order, each once, then stops: at most
   * `framesPerSecond` steps a second, and never more than one step per animation frame, so a slow
   * machine shows every step of the run, later, rather than jumping over them.
   *
   * The clock starts at the first animation frame's own timestamp, not at performance.now():
   * a frame's timestamp is when that frame began, which on a busy machine is earlier than the
   * moment play() was called, and measuring from play() would then give a negative position.
   */
  play(from: number, last: number, onFrame: (position: number) => void): void {
    const run = ++this.runs;
    this.playing = true;
    this.host.requestUpdate();
    let started: number | null = null;
    let shown = from - 1; // nothing shown yet
    const tick = (now: number) => {
      if (run !== this.runs) return;
      started ??= now;
      // the step the clock has reached; the next one is shown once it is due (forwards only, one
      // step per frame at most, never past the end, whatever the stamps say)
      const due = from + Math.floor(((now - started) / 1000) * this.framesPerSecond);
      const position = due > shown ? Math.min(shown + 1, last) : shown;
      if (position !== shown) {
        shown = position;
        onFrame(position);
      }
      if (position >= last) {
        this.playing = false;
        this.runs += 1;
        this.host.requestUpdate();
        return;
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  stop(): void {
    this.runs += 1;
    if (this.playing) {
      this.playing = false;
      this.host.requestUpdate();
    }
  }
}
