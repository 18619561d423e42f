// How every tool in this project launches Chromium: the system binary (no
// browser download), WebGPU switched on (SwiftShader on a machine without a
// GPU), and no traffic of Chromium's own to the outside world.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** WebGPU is behind a flag in Chromium on Linux. */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu'];

export function launchOptions({ webgpu = true } = {}) {
  return {
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...(webgpu ? WEBGPU_ARGS : [])],
  };
}
