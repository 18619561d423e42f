import type { ChoiceStorage } from '../../src/runtime/choice.js';

/** A stand-in for localStorage, for the backend choice's per-device cache. */
export class MemoryStorage implements ChoiceStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}
