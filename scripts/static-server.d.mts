export declare function serveStatic(
  root: string,
  options?: { prefix?: string; port?: number; cors?: boolean },
): Promise<{ url: string; origin: string; close: () => Promise<void> }>;
