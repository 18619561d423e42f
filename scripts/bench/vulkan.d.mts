export declare function relaunchOnSwiftShaderIfNeeded(): number | null;
export declare const VULKAN_HELP: string;
