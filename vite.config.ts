import { readFileSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { launchOptions } from './scripts/chromium.mjs';
import { CROSS_ORIGIN_ISOLATION } from './scripts/cross-origin-isolation.mjs';
import { modelsPlugin } from './scripts/models-plugin.js';
import { offlinePlugin } from './scripts/offline-plugin.js';
import { wasmThreadsPlugin } from './scripts/wasm-threads-plugin.js';

export default defineConfig({
  // Relative asset URLs: the build works from any static host, under any sub-path.
  base: './',
  // The site's name and version, as exports record it (src/export/exports.ts)
  define: { __MSL_SITE__: JSON.stringify(`MedSynth Lab ${(JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version}`) },
  plugins: [modelsPlugin(), wasmThreadsPlugin(), offlinePlugin()],
  // Cross-origin isolation lets the WASM backend run on threads (see scripts/cross-origin-isolation.mjs).
  server: { headers: CROSS_ORIGIN_ISOLATION },
  preview: { headers: CROSS_ORIGIN_ISOLATION },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      // The site, the benchmark page that `npm run bench` drives, the offline service worker (at
      // the root, so its scope is the whole site) and the script that embeds the site's views in
      // other pages (at the root, so the models and data are beside it: src/embed/embed.ts)
      input: { main: 'index.html', bench: 'bench.html', sw: 'src/offline/sw.ts', embed: 'src/embed/embed.ts' },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' || chunk.name === 'embed' ? `${chunk.name}.js` : 'assets/[name]-[hash].js') },
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // The CI machine has 2 cores; model tests on the tfjs CPU backend take seconds there.
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: launchOptions() }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/build-site.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
