/**
 * `npm run data [dataset ...]`: prepares the real datasets the models train on
 * and the site compares against, and writes data/summary.json.
 *
 * A dataset that cannot be had stops alone, with a message saying why; the
 * others carry on. `--if-missing` (used by `npm start`) only prepares what is
 * absent and never fails, so the site starts without real data too.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareBccd } from './bccd.js';
import { log } from './log.js';
import { MEDMNIST, type MedMnistName, prepareMedMnist } from './medmnist.js';
import { prepareMitBih } from './mitbih.js';
import { type DatasetIndex, readIndex } from './output.js';
import { OUTPUT_ROOT } from './sources.js';

const DATASETS: Record<string, () => Promise<'written' | 'up to date'>> = {
  ...Object.fromEntries(Object.keys(MEDMNIST).map((name) => [name, () => prepareMedMnist(name as MedMnistName)])),
  mitbih: prepareMitBih,
  bccd: prepareBccd,
};

async function main(args: string[]): Promise<number> {
  const ifMissing = args.includes('--if-missing');
  const names = args.filter((arg) => !arg.startsWith('--'));
  const unknown = names.filter((name) => !(name in DATASETS));
  if (unknown.length) {
    console.error(`Unknown dataset ${unknown.join(', ')}; choose from ${Object.keys(DATASETS).join(', ')}.`);
    return 2;
  }
  const chosen = names.length ? names : Object.keys(DATASETS);
  const failures: Record<string, string> = {};
  for (const name of chosen) {
    if (ifMissing && (await readIndex(join(OUTPUT_ROOT, name)))) continue;
    const started = Date.now();
    try {
      const outcome = await DATASETS[name]!();
      log(`${name}: ${outcome} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failures[name] = error instanceof Error ? error.message : String(error);
      log(`${name}: FAILED: ${failures[name]}`);
    }
  }
  await writeSummary(failures);
  if (Object.keys(failures).length === 0) return 0;
  if (ifMissing) {
    log('The site starts anyway; views that compare with real data will say what is missing. Run `npm run data` to retry.');
    return 0;
  }
  return 1;
}

/** data/summary.json: per dataset, split and class, the counts, and the checksums verified. */
async function writeSummary(failures: Record<string, string>): Promise<void> {
  const summary: Record<string, unknown> = {};
  for (const name of Object.keys(DATASETS)) {
    const index: DatasetIndex | null = await readIndex(join(OUTPUT_ROOT, name));
    summary[name] = {
      status: failures[name] ? 'failed' : index ? 'ready' : 'not prepared',
      ...(failures[name] ? { error: failures[name] } : {}),
      ...(index
        ? {
            splits: Object.fromEntries(
              Object.entries(index.splits).map(([split, s]) => [
                split,
                { count: s.count, classes: Object.fromEntries(index.classes.map((c, i) => [c, s.classCounts[i]])) },
              ]),
            ),
            ...(index.publishedCounts ? { publishedCounts: index.publishedCounts } : {}),
            verified: index.verified,
          }
        : {}),
    };
  }
  await mkdir(OUTPUT_ROOT, { recursive: true });
  await writeFile(join(OUTPUT_ROOT, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
}

process.exitCode = await main(process.argv.slice(2));
