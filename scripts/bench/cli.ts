/**
 * Command-line flags of `npm run bench` and `npm run bench:node`, read through the same parser as
 * the page's URL (src/bench/config.ts), so the three share one set of defaults and checks.
 */
import { parseArgs } from 'node:util';
import { type BenchSettings, CLI_BUDGET_S, QUICK, benchParams, parseBenchParams } from '../../src/bench/config.js';

export interface CliOptions {
  settings: BenchSettings;
  /** A folder of model folders to benchmark instead of (or besides) the shipped ones. */
  modelsDir: string | null;
  /** Where the JSON goes. */
  out: string;
  /** Free text stored with the results, e.g. what else the machine was doing. */
  note: string | null;
  quick: boolean;
  /** Anything the caller defines beyond the shared flags. */
  extra: Record<string, string | boolean | undefined>;
}

export const SHARED_USAGE = `
  --models ID,ID        models to measure (default: every generator in the models folder)
  --models-dir DIR      read the models from DIR (e.g. test/fixtures/tiny-models)
  --backends A,B        default webgpu,webgl,wasm (browser) or webgpu,wasm (Node)
  --batches N,N         default 1,16,64
  --steps N             DDIM steps of a full run, default 50
  --repeats N           warm full runs per configuration, default 3
  --step-samples N      steps timed one at a time, default 10
  --budget-s S          time limit per configuration, default ${CLI_BUDGET_S} (0: none); what does not
                        fit is reported as not measured, never extrapolated. Checked between steps:
                        a full run already queued on a GPU finishes first (can overrun by one run)
  --guidance W          guidance weight (default: the card's)
  --seed N
  --quick               batches ${QUICK.batches?.join(',')}, ${QUICK.steps} steps, ${QUICK.repeats} repeats, ${QUICK.stepSamples} timed steps
  --out DIR             where the JSON goes, default bench-results/
  --note TEXT           stored with the results (what else the machine was doing)
  --help`;

type ExtraOptions = Record<string, { type: 'string' | 'boolean' }>;

export function parseCli(argv: string[], defaults: Partial<BenchSettings>, extraOptions: ExtraOptions = {}): CliOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      models: { type: 'string' },
      'models-dir': { type: 'string' },
      backends: { type: 'string' },
      batches: { type: 'string' },
      steps: { type: 'string' },
      repeats: { type: 'string' },
      'step-samples': { type: 'string' },
      'budget-s': { type: 'string' },
      guidance: { type: 'string' },
      seed: { type: 'string' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      note: { type: 'string' },
      help: { type: 'boolean' },
      ...extraOptions,
    },
  });
  if (values.help) return 'help';
  const budget = values['budget-s'] === undefined ? CLI_BUDGET_S : Number(values['budget-s']);
  // Defaults, then --quick, then each flag given: the URL parser checks them all.
  const query = new URLSearchParams(benchParams({ ...defaults, ...(values.quick ? QUICK : {}), budgetS: budget > 0 ? budget : null }));
  const flags: Record<string, string | undefined> = {
    models: values.models, backends: values.backends, batches: values.batches, steps: values.steps,
    repeats: values.repeats, stepSamples: values['step-samples'], guidance: values.guidance, seed: values.seed,
  };
  for (const [name, value] of Object.entries(flags)) if (typeof value === 'string') query.set(name, value);
  if (values['budget-s'] !== undefined && !(budget >= 0)) throw new Error(`--budget-s ${values['budget-s']} is not a number of seconds`);
  const { settings, notices } = parseBenchParams(query.toString());
  if (notices.length) throw new Error(notices.map((n) => n.replace(/^\?(\w+)=/, '--$1 ').replace('; using the default.', '.')).join('\n'));
  const extra = Object.fromEntries(Object.keys(extraOptions).map((k) => [k, values[k as keyof typeof values] as string | boolean | undefined]));
  return {
    settings,
    modelsDir: typeof values['models-dir'] === 'string' ? values['models-dir'] : null,
    out: typeof values.out === 'string' ? values.out : 'bench-results',
    note: typeof values.note === 'string' ? values.note : null,
    quick: values.quick === true,
    extra,
  };
}

/** How the run is bounded, for the first line of the log. */
export function limitText(budgetS: number | null): string {
  return budgetS === null
    ? 'no time limit per configuration (--budget-s 0)'
    : `each configuration stops at ${budgetS} s (--budget-s), what it did not reach reported as not measured`;
}
