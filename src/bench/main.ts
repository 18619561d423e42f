/**
 * bench.html: the benchmark panel, set up from the address, e.g.
 * `bench.html?models=xray-ddpm&backends=webgpu,wasm&batches=1,16&repeats=3&autorun=1`.
 */
import './bench-panel.js';
import { parseBenchParams } from './config.js';

const panel = document.querySelector('msl-bench');
if (panel) {
  const { settings, notices } = parseBenchParams(location.search);
  panel.settings = settings;
  panel.notices = notices;
  if (settings.autorun) void panel.updateComplete.then(() => panel.run());
}
