/**
 * The training views' settings in the page's address, so a link reproduces a run's settings, seed
 * included: `?train=` for the hospitals, `?loop=` for the feedback loop, each a list of
 * `name:value` pairs separated by commas, the dataset first:
 *
 *   ?train=dataset:mitbih,split:patient,hospitals:4,...,dp:1/1.1/0.00001,seed:7
 *   ?loop=dataset:mitbih,trainSize:1000,generations:4,...,seed:1
 *
 * Reading takes only names the settings have, as numbers where the setting is a number; what is
 * out of range stays as written, for the run to refuse with its reason. Pure functions; the
 * page's other parameters are kept as they are.
 */
import type { ExperimentSettings } from '../federated/experiment.js';
import type { FeedbackSettings } from '../federated/feedback.js';

export type TrainingParam = 'train' | 'loop';

type Flat = Record<string, number | string>;

function flatten(settings: ExperimentSettings | FeedbackSettings): Flat {
  const out: Flat = {};
  for (const [name, value] of Object.entries(settings)) {
    if (name === 'dp') out.dp = value === null ? 'off' : `${value.clip}/${value.sigma}/${value.delta}`;
    else out[name] = value as number | string;
  }
  return out;
}

/** The query string `current` with `param` set to `dataset` and `settings`. */
export function writeTraining(current: string, param: TrainingParam, dataset: string, settings: ExperimentSettings | FeedbackSettings): string {
  const query = new URLSearchParams(current);
  const pairs = Object.entries({ dataset, ...flatten(settings) }).map(([name, value]) => `${name}:${value}`);
  query.set(param, pairs.join(','));
  const text = query.toString().replaceAll('%3A', ':').replaceAll('%2C', ',').replaceAll('%2F', '/');
  return text ? `?${text}` : '';
}

/**
 * The dataset and settings `param` of `search` names, over `defaults`; null when it is absent or
 * names no dataset. Names the settings do not have are ignored.
 */
export function readTraining<S extends ExperimentSettings | FeedbackSettings>(search: string, param: TrainingParam, defaults: S): { dataset: string; settings: S } | null {
  const raw = new URLSearchParams(search).get(param);
  if (!raw) return null;
  const values = new Map<string, string>();
  for (const pair of raw.split(',')) {
    const at = pair.indexOf(':');
    if (at > 0) values.set(pair.slice(0, at), pair.slice(at + 1));
  }
  const dataset = values.get('dataset');
  if (!dataset) return null;
  const settings: Record<string, unknown> = { ...defaults };
  for (const [name, text] of values) {
    if (name === 'dataset' || !(name in defaults)) continue;
    if (name === 'dp') {
      const [clip, sigma, delta] = text.split('/').map(Number);
      settings.dp = text === 'off' ? null : { clip, sigma, delta };
    } else if (typeof settings[name] === 'number') settings[name] = Number(text);
    else settings[name] = text;
  }
  return { dataset, settings: settings as S };
}
