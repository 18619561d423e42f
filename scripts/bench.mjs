#!/usr/bin/env node
// `npm run bench` (after `vite build`): drives the built site's bench page in headless Chromium over
// every shipped generator x backend x batch size. The work is in scripts/bench/browser-main.ts,
// which shares the page's TypeScript (settings, table); tsx's ESM loader compiles it on the fly.
const { register } = await import('tsx/esm/api');
register();
await import('./bench/browser-main.ts');
