declare module 'virtual:model-registry' {
  import type { ModelSummary } from './models/registry.js';
  export const MODELS: ModelSummary[];
}
