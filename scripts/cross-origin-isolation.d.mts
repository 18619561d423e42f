export declare const CROSS_ORIGIN_ISOLATION: Record<string, string>;
