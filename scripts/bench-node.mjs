#!/usr/bin/env node
// `npm run bench:node`: the benchmark in Node (scripts/bench/node-main.ts), on WebGPU through Dawn
// and on tfjs's WebAssembly backend. This file only prepares the process:
//
// 1. Vulkan: on a machine without a GPU driver, Dawn runs on Chromium's SwiftShader, which needs
//    the process started with LD_LIBRARY_PATH set (scripts/bench/vulkan.mjs).
// 2. TypeScript: the benchmark imports the site's own sources (src/models, src/diffusion), which
//    tsx's ESM loader compiles on the fly.
//
// `--bundle DIR` writes a self-contained copy instead (one ESM file, the WASM binaries and Dawn
// for this platform) that a bare `node` runs on a machine without this checkout's node_modules.
import { relaunchOnSwiftShaderIfNeeded } from './bench/vulkan.mjs';

const wantsBundle = process.argv.includes('--bundle');
const code = wantsBundle || process.argv.includes('--help') ? null : relaunchOnSwiftShaderIfNeeded();
if (code !== null) process.exit(code);

const { register } = await import('tsx/esm/api');
register();
await import(wantsBundle ? './bench/bundle.ts' : './bench/node-main.ts');
