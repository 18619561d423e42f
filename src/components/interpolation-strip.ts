import { css, html } from 'lit';
import type { PathState } from '../app/url-state.js';
import type { PathMode } from '../diffusion/latent.js';
import { SampleHost } from './sample-host.js';

/** Another pair of samples, or another kind of path, was chosen. */
export class PathChangeEvent extends CustomEvent<PathState> {
  constructor(path: PathState) {
    super('msl-path-change', { detail: path, bubbles: true, composed: true });
  }
}

/**
 * A VAE's latent space made visible: the samples decoded at evenly spaced points on a path from
 * one sample's latent to another's.
 *
 * @property samples - the decoded path, first to last, display units
 * @property shape, sampleRateHz, startMs, range - of the samples (see SampleHost)
 * @property path - the two ends (sample indices) and the kind of path
 * @property count - how many samples the ends can be chosen from
 * @fires msl-path-change - the ends or the kind of path changed
 * @csspart strip - the row of decoded samples
 */
export class InterpolationStrip extends SampleHost {
  static override properties = {
    samples: { attribute: false },
    path: { attribute: false },
    count: { type: Number },
    size: { type: Number },
  };

  declare samples: Float32Array[];
  declare path: PathState;
  declare count: number;
  declare size: number;

  constructor() {
    super();
    this.samples = [];
    this.path = { from: 0, to: 1, mode: 'spherical' };
    this.count = 2;
    this.size = 84;
  }

  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; margin-bottom: 0.6rem; }
    select { font: inherit; padding: 0.25rem 0.5rem; border-radius: 0.35rem; border: 1px solid #57606a; background: #fff; color: #1b1f24; }
    select:focus-visible { outline: 3px solid #1d4f91; outline-offset: 2px; }
    ol { display: flex; flex-wrap: wrap; gap: 6px; list-style: none; margin: 0; padding: 0; }
    li { display: flex; flex-direction: column; align-items: center; font-size: 0.85em; color: #24292f; }
  `;

  override render() {
    const ends = Math.max(this.count, 2);
    const options = (value: number) =>
      Array.from({ length: ends }, (_, i) => html`<option value=${i} ?selected=${i === value}>sample ${i + 1}</option>`);
    const last = this.samples.length - 1;
    return html`
      <div class="controls">
        <label>From <select @change=${(e: Event) => this.change({ from: Number(value(e)) })}>${options(this.path.from)}</select></label>
        <label>to <select @change=${(e: Event) => this.change({ to: Number(value(e)) })}>${options(this.path.to)}</select></label>
        <label>along
          <select @change=${(e: Event) => this.change({ mode: value(e) as PathMode })}>
            <option value="spherical" ?selected=${this.path.mode === 'spherical'}>a great circle (slerp)</option>
            <option value="linear" ?selected=${this.path.mode === 'linear'}>a straight line</option>
          </select>
        </label>
      </div>
      <ol part="strip" aria-label="Samples decoded along the path">
        ${this.samples.map(
          (values, i) => html`<li>
            ${this.sampleView(values, this.size, `Step ${i + 1} of ${last + 1} on the path`)}
            <span>${i === 0 ? `sample ${this.path.from + 1}` : i === last ? `sample ${this.path.to + 1}` : `${Math.round((i / last) * 100)}%`}</span>
          </li>`,
        )}
      </ol>
    `;
  }

  private change(part: Partial<PathState>): void {
    this.dispatchEvent(new PathChangeEvent({ ...this.path, ...part }));
  }
}

function value(event: Event): string {
  return (event.target as HTMLSelectElement).value;
}

customElements.define('msl-interpolation-strip', InterpolationStrip);

declare global {
  interface HTMLElementTagNameMap {
    'msl-interpolation-strip': InterpolationStrip;
  }
  interface GlobalEventHandlersEventMap {
    'msl-path-change': PathChangeEvent;
  }
}
