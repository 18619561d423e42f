export declare const CHROMIUM_PATH: string;
export declare const CHROMIUM_ARGS: string[];
export declare const WEBGPU_ARGS: string[];
export declare function launchOptions(options?: { webgpu?: boolean }): {
  executablePath: string;
  args: string[];
};
