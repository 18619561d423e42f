export declare function serveStatic(
  root: string,
  options?: { prefix?: string; port?: number },
): Promise<{ url: string; origin: string; close: () => Promise<void> }>;
