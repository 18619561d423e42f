/**
 * MedSynth Lab's views for other pages (a course page, a slide deck): one script and one tag.
 *
 *   <script type="module" src="https://your-host/medsynth/embed.js"></script>
 *   <medsynth-view view="denoiser" model="xray-ddpm" settings="class=pneumonia&count=2&steps=10"></medsynth-view>
 *
 * Attributes:
 *   view      generator (the settings, Generate, the samples beside real ones), denoiser (the same
 *             with the step-by-step viewer), families (every family trained on the model's data,
 *             side by side), judge (the audit of fidelity, diversity and memorisation), game (spot
 *             the fake); default generator
 *   model     the id of a model on the site (its card's id), required
 *   settings  any other part of the site's own address, as a query string: class, count, seed,
 *             steps, guidance, eta, sampler, temperature, compare=1... (the permalink of a run on
 *             the site is a ready-made one)
 *   backend   webgpu, webgl, wasm or cpu, to force one; by default the fastest here
 *
 * The models and real samples come from the site the script was loaded from (which must allow it:
 * static hosts such as GitHub Pages send `Access-Control-Allow-Origin: *`). Every view on a page
 * shares one compute runtime, and so one GPU device. Nothing is sent anywhere else.
 */
import { type AppRoot, createEmbeddedApp } from '../components/app-root.js';
import type { SectionKey } from '../lessons/lessons.js';
import { runtimesStarted } from '../runtime/runtime-controller.js';
import { setSiteBase } from '../util/site-base.js';

// this script sits at the root of the built site (vite.config.ts)
setSiteBase(new URL(/* @vite-ignore */ './', import.meta.url).href);

/** What each view shows of the site, as a lesson's slide names it. */
export const VIEWS: Readonly<Record<string, readonly SectionKey[]>> = {
  generator: ['run', 'samples'],
  denoiser: ['run', 'samples', 'watch', 'tokens'],
  families: ['families'],
  judge: ['judge'],
  game: ['game'],
};

/** `<medsynth-view>`: one of the site's views, configured by its attributes (see above). */
export class MedSynthView extends HTMLElement {
  static readonly observedAttributes = ['view', 'model', 'settings', 'backend'];

  /** How many compute runtimes the page has started (one, however many views it holds). */
  static get runtimesStarted(): number {
    return runtimesStarted;
  }

  private app: AppRoot | null = null;

  connectedCallback(): void {
    this.mount();
  }

  disconnectedCallback(): void {
    this.app?.remove();
    this.app = null;
  }

  attributeChangedCallback(): void {
    if (this.app) this.mount();
  }

  private mount(): void {
    this.app?.remove();
    this.app = null;
    const view = this.getAttribute('view') ?? 'generator';
    const show = VIEWS[view];
    const model = this.getAttribute('model');
    const problem = !show
      ? `there is no view "${view}"; use one of ${Object.keys(VIEWS).join(', ')}.`
      : !model ? 'name a model with the model attribute (for example model="xray-ddpm").' : null;
    if (problem) {
      const note = document.createElement('p');
      note.setAttribute('role', 'alert');
      note.textContent = `MedSynth Lab: ${problem}`;
      this.replaceChildren(note);
      return;
    }
    const query = new URLSearchParams(this.getAttribute('settings') ?? '');
    query.set('model', model!);
    const backend = this.getAttribute('backend');
    if (backend) query.set('backend', backend);
    this.app = createEmbeddedApp({ query: `?${query.toString()}`, show: show! });
    this.replaceChildren(this.app);
  }
}

customElements.define('medsynth-view', MedSynthView);

declare global {
  interface HTMLElementTagNameMap {
    'medsynth-view': MedSynthView;
  }
}
