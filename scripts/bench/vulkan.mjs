// Which Vulkan driver Dawn uses in Node. On a machine without a GPU driver, Dawn runs on
// SwiftShader, the CPU Vulkan driver that Chromium ships, and Chromium's own Vulkan loader
// (libvulkan.so.1) serves where the system has none (Debian's libvulkan1 not installed). The dynamic
// loader reads LD_LIBRARY_PATH once, at process start, so the process is started again with it set.
// A driver already named (VK_ICD_FILENAMES, VK_DRIVER_FILES) is kept; the loader is still found for it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const CHROMIUM_LIB = '/usr/lib/chromium';
const SWIFTSHADER_ICD = `${CHROMIUM_LIB}/vk_swiftshader_icd.json`;
const SYSTEM_ICD_DIRS = [
  '/usr/share/vulkan/icd.d',
  '/etc/vulkan/icd.d',
  '/usr/local/share/vulkan/icd.d',
  '/usr/local/nvidia/share/vulkan/icd.d',
];
const SYSTEM_LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu'];

/** What to install when Dawn finds no adapter, in words (for the benchmark's error message and the README). */
export const VULKAN_HELP = 'Dawn needs a Vulkan loader (libvulkan.so.1) and a Vulkan driver. On Debian or Ubuntu: '
  + '`apt-get install -y libvulkan1` for the loader; on a machine without a GPU, `apt-get install -y chromium` too, whose '
  + 'SwiftShader (a CPU Vulkan driver) the benchmark then uses by itself; on a GPU machine, the GPU\'s Vulkan driver '
  + '(for NVIDIA, the driver\'s Vulkan ICD; name it with VK_DRIVER_FILES if it is not found).';

function systemVulkanDriver() {
  return SYSTEM_ICD_DIRS.some((dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json')));
}

function systemVulkanLoader() {
  return SYSTEM_LIB_DIRS.some((dir) => existsSync(`${dir}/libvulkan.so.1`));
}

/**
 * Starts this process again with Chromium's Vulkan loader on the library path and, when no driver
 * is named or installed, SwiftShader as the driver; returns the child's exit code. Returns null,
 * and the caller carries on, when nothing is missing or Chromium is not there to fill the gap.
 */
export function relaunchOnSwiftShaderIfNeeded() {
  if (!existsSync(SWIFTSHADER_ICD) || (process.env.LD_LIBRARY_PATH ?? '').split(':').includes(CHROMIUM_LIB)) return null;
  const named = Boolean(process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES);
  const needsDriver = !named && !systemVulkanDriver();
  const needsLoader = !systemVulkanLoader();
  if (!needsDriver && !needsLoader) return null;
  const env = {
    ...process.env,
    LD_LIBRARY_PATH: [CHROMIUM_LIB, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    ...(needsDriver ? { VK_ICD_FILENAMES: SWIFTSHADER_ICD } : {}),
  };
  if (needsDriver) console.error(`bench:node: no GPU driver found; WebGPU runs on SwiftShader (${SWIFTSHADER_ICD}), emulated on the CPU.`);
  if (needsLoader) console.error(`bench:node: no system Vulkan loader (the Debian package libvulkan1); using Chromium's (${CHROMIUM_LIB}/libvulkan.so.1).`);
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  return child.status ?? 1;
}
