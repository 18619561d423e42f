#!/usr/bin/env node
// `npm run audit`: the judge's full audit and train-on-synthetic-test-on-real in the built site, in
// headless Chromium, for every shipped generator. The work is in scripts/judge-audit/main.ts, which
// reads the page's own TypeScript (settings, card figures); tsx's ESM loader compiles it on the fly.
const { register } = await import('tsx/esm/api');
register();
await import('./judge-audit/main.ts');
