/**
 * `npm run bench:node -- --bundle DIR`: the Node benchmark as a folder that a bare `node` (20 or
 * later) runs without this checkout's node_modules, e.g. on a GPU machine:
 *
 *   DIR/bench-node.mjs               node-main.ts and everything it imports (tfjs, src/), one ESM file
 *   DIR/tfjs-backend-wasm*.wasm      the WASM backend's binaries, found next to the bundle
 *   DIR/node_modules/webgpu/         Dawn for this platform only (the one native part)
 *
 *   node DIR/bench-node.mjs --models-dir models --quick
 *
 * esbuild comes with tsx, which this project already uses.
 */
import { copyFileSync, cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MODULES = join(REPO, 'node_modules');

async function bundle(out: string): Promise<void> {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(REPO, 'scripts/bench/node-main.ts')],
    outfile: join(out, 'bench-node.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['webgpu'],
    define: { __MSL_BUNDLED__: 'true' },
    // tfjs's Node builds are CommonJS: give them require, __dirname (the WASM glue looks for its
    // binaries there) and __filename inside the ES module.
    banner: {
      js: [
        "import { createRequire as __mslRequire } from 'node:module';",
        "import { fileURLToPath as __mslPath } from 'node:url';",
        "import { dirname as __mslDir } from 'node:path';",
        'const require = __mslRequire(import.meta.url);',
        'const __filename = __mslPath(import.meta.url);',
        'const __dirname = __mslDir(__filename);',
      ].join('\n'),
    },
    logLevel: 'warning',
  });
  const wasmDir = join(MODULES, '@tensorflow/tfjs-backend-wasm/dist');
  for (const name of readdirSync(wasmDir).filter((n) => n.endsWith('.wasm'))) copyFileSync(join(wasmDir, name), join(out, name));
  const webgpu = join(MODULES, 'webgpu');
  const target = join(out, 'node_modules/webgpu');
  const platform = `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`;
  mkdirSync(join(target, 'dist'), { recursive: true });
  for (const name of ['package.json', 'index.js', 'LICENSE.md']) copyFileSync(join(webgpu, name), join(target, name));
  cpSync(join(webgpu, 'dist', platform), join(target, 'dist', platform), { recursive: true });
  console.log(`Bundled the Node benchmark into ${out} (${(size(out) / 1e6).toFixed(1)} MB, Dawn for ${platform}).`);
  console.log(`Run it with: node ${join(out, 'bench-node.mjs')} --models-dir <models folder> [--quick]`);
}

function size(path: string): number {
  const info = statSync(path);
  return info.isDirectory() ? readdirSync(path).reduce((n, name) => n + size(join(path, name)), 0) : info.size;
}

const { values } = parseArgs({ args: process.argv.slice(2), options: { bundle: { type: 'string' } }, strict: false });
bundle(resolve(typeof values.bundle === 'string' ? values.bundle : 'bench-results/bench-node-bundle')).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
