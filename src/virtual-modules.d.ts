declare module 'virtual:model-registry' {
  import type { ModelSummary } from './models/registry.js';
  export const MODELS: ModelSummary[];
}

/** "MedSynth Lab <version>", from package.json (vite.config.ts `define`). */
declare const __MSL_SITE__: string;
