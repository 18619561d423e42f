// The response headers that make a page cross-origin isolated (`crossOriginIsolated`), which
// browsers require before they share memory between threads: without them tfjs's WASM backend
// runs on one thread. The site loads nothing from other origins, so isolating it costs nothing.
// Sent by `npm start` and `npm run preview` (vite.config.ts), by the test and benchmark server
// (static-server.mjs), and by static hosts that read public/_headers.
export const CROSS_ORIGIN_ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};
