export declare function relaunchOnSwiftShaderIfNeeded(): number | null;
