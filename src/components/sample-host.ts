import { LitElement, type PropertyDeclarations, html } from 'lit';
import type { VoltRange } from '../display/ecg-axes.js';
import './sample-view.js';

/**
 * What every element that draws samples needs to know of them, shared: the shape of one sample
 * and, for signals, the ECG chart's time base and voltage range. Elements extend it and draw each
 * sample with `sampleView`.
 *
 * @property shape - one sample's shape: [H, W, C] for an image (C = 1 grey, 3 RGB), [L] or [L, C] for a signal
 * @property sampleRateHz - a signal's sample rate (attribute `sample-rate`)
 * @property startMs - time of a signal's first sample, negative before the R peak (attribute `start-ms`)
 * @property range - the ECG voltage range the views share so traces compare; null fits each trace
 */
export class SampleHost extends LitElement {
  // typed wide so that subclasses declare only their own (Lit adds the inherited ones)
  static override properties: PropertyDeclarations = {
    shape: { attribute: false },
    sampleRateHz: { type: Number, attribute: 'sample-rate' },
    startMs: { type: Number, attribute: 'start-ms' },
    range: { attribute: false },
  };

  declare shape: number[];
  declare sampleRateHz: number;
  declare startMs: number;
  declare range: VoltRange | null;

  constructor() {
    super();
    this.shape = [28, 28, 1];
    this.sampleRateHz = 360;
    this.startMs = 0;
    this.range = null;
  }

  /** One sample, `size` CSS pixels wide; `axes` labels an ECG chart's axes. */
  protected sampleView(values: Float32Array, size: number, label: string, axes = false) {
    return html`<msl-sample-view .values=${values} .shape=${this.shape} .size=${size} .range=${this.range}
      .sampleRateHz=${this.sampleRateHz} .startMs=${this.startMs} ?axes=${axes} label=${label}></msl-sample-view>`;
  }
}
