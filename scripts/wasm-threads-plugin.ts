/**
 * Lets tfjs's threaded WASM backend start its worker threads from a minified build.
 *
 * tfjs starts each worker from the *source text* of its Emscripten factory function
 * (`wasmFactoryThreadedSimd.toString()`), so that function must not refer to anything outside
 * itself. It refers to one thing, `_scriptDir`, declared just outside it and guarded inside by
 * `typeof _scriptDir !== "undefined"`. A minifier sees the declaration, drops the guard, and the
 * workers die with "ReferenceError: e is not defined" (the mangled name); the page then waits for
 * them forever. In a bundled ES module `_scriptDir` is always undefined (no `document.currentScript`,
 * no `__filename`), so this plugin writes `undefined` in its place before the bundler sees it.
 *
 * It also lets the backend use every core. The backend caps its thread pool at half the logical
 * cores (`emscripten_num_logical_cores() / 2`, compiled in), assuming two hardware threads per
 * core; on a 2-core laptop without them that is one thread, and half the machine sits idle. The
 * core count comes from this JavaScript (navigator.hardwareConcurrency), so it is doubled here,
 * and the runtime chooses the count itself (setThreadsCount, src/runtime/runtime.ts).
 */
import type { Plugin } from 'vite';

const FACTORY = /tfjs-backend-wasm-threaded-simd\.js$/;
const CORES = 'return navigator["hardwareConcurrency"]';
const DECLARATION = /^\s*var _scriptDir = [^\n]*\n\s*if \(typeof __filename !== 'undefined'\) _scriptDir = _scriptDir \|\| __filename;\n/m;

export function wasmThreadsPlugin(): Plugin {
  return {
    name: 'medsynth-wasm-threads',
    enforce: 'pre',
    transform(code, id) {
      if (!FACTORY.test(id.split('?')[0] ?? '')) return null;
      if (!DECLARATION.test(code)) {
        this.error(`${id}: the _scriptDir declaration this plugin removes was not found; tfjs-backend-wasm changed, so check that its worker threads still start`);
      }
      if (code.split(CORES).length !== 2) this.error(`${id}: expected one '${CORES}' (the core count the thread pool is capped by)`);
      const patched = code.replace(DECLARATION, '').replace(/\b_scriptDir\b/g, 'undefined').replace(CORES, `${CORES} * 2`);
      return { code: patched, map: null };
    },
  };
}
