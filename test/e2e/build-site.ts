import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    siteDir: string;
  }
}

/** Builds the site once, as `npm run build` does, into a folder the e2e tests serve. */
export default async function setup(project: TestProject) {
  const outDir = await mkdtemp(join(tmpdir(), 'medsynth-site-'));
  await build({ root: process.cwd(), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  project.provide('siteDir', outDir);
  return () => rm(outDir, { recursive: true, force: true });
}
