/** WebGPU in Node through Dawn (the `webgpu` package). */
import { VULKAN_HELP } from './vulkan.mjs';

/**
 * Dawn's WebGPU entry point, installed where tfjs-backend-webgpu looks for it (navigator.gpu).
 * Null when the package cannot load here, or finds no adapter (it says what to install): the WebGPU
 * configurations are then reported as skipped.
 */
export async function dawn(): Promise<GPU | null> {
  try {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals); // GPUBufferUsage and friends, which tfjs reads as globals
    const gpu = create([]);
    // Dawn only warns when it cannot load Vulkan; without an adapter every WebGPU run would fail later, less clearly
    if ((await gpu.requestAdapter()) === null) {
      console.error(`Dawn found no WebGPU adapter here. ${VULKAN_HELP}`);
      return null;
    }
    if (typeof navigator === 'undefined') Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
    else Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true });
    return gpu;
  } catch (error) {
    console.error(`Dawn (the webgpu package) did not load: ${(error as Error).message}`);
    return null;
  }
}
