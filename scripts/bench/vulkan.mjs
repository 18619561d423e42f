// Which Vulkan driver Dawn uses in Node. On a machine without a GPU driver, Dawn runs on
// SwiftShader, the CPU Vulkan driver that Chromium ships. The dynamic loader reads
// LD_LIBRARY_PATH once, at process start, so the process is started again with it set.
// A driver already named (VK_ICD_FILENAMES, VK_DRIVER_FILES) or installed system-wide is left alone.
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

function systemVulkanDriver() {
  return SYSTEM_ICD_DIRS.some((dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json')));
}

/**
 * Starts this process again on SwiftShader when no Vulkan driver is named or installed and
 * Chromium's SwiftShader is present, and returns the child's exit code; otherwise returns null
 * and the caller carries on.
 */
export function relaunchOnSwiftShaderIfNeeded() {
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return null;
  if (!existsSync(SWIFTSHADER_ICD) || systemVulkanDriver()) return null;
  const env = {
    ...process.env,
    LD_LIBRARY_PATH: [CHROMIUM_LIB, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    VK_ICD_FILENAMES: SWIFTSHADER_ICD,
  };
  console.error(`bench:node: no GPU driver found; WebGPU runs on SwiftShader (${SWIFTSHADER_ICD}), emulated on the CPU.`);
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  return child.status ?? 1;
}
