/**
 * The build's patch of tfjs's threaded WASM factory (scripts/wasm-threads-plugin.ts), on the real
 * file from node_modules: what it removes, what it changes, and that it stops the build when tfjs
 * changes under it. The e2e bench test checks the result: a built page running WASM on threads.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { wasmThreadsPlugin } from '../../../scripts/wasm-threads-plugin.js';

const require = createRequire(import.meta.url);
const FACTORY = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');

type Transform = (this: { error(message: string): never }, code: string, id: string) => { code: string } | null;
const transform = wasmThreadsPlugin().transform as Transform;
const context = { error: (message: string): never => { throw new Error(message); } };
const run = (code: string, id = FACTORY) => transform.call(context, code, id);

describe('the WASM threads build plugin', () => {
  const original = readFileSync(FACTORY, 'utf8');

  it('leaves every other module alone', () => {
    expect(run(original, '/x/node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js')).toBeNull();
  });

  it('removes every reference to the variable outside the factory and doubles the core count', () => {
    expect(original).toMatch(/_scriptDir/);
    const { code } = run(original)!;
    expect(code).not.toMatch(/_scriptDir/);
    expect(code).toContain('return navigator["hardwareConcurrency"] * 2');
    // The factory still parses, and is still the module's one export
    expect(() => new Function('module', 'exports', code)).not.toThrow();
    expect(code.length).toBeGreaterThan(original.length - 300);
  });

  it('stops the build with a message when the factory no longer looks as expected', () => {
    expect(() => run(original.replace("var _scriptDir = typeof document", 'var scriptDirectory = typeof document')))
      .toThrow(/_scriptDir declaration .* not found/);
    expect(() => run(original.replace('return navigator["hardwareConcurrency"]', 'return 4')))
      .toThrow(/core count/);
  });
});
