import { describe, expect, it } from 'vitest';
import { buildCatalogue, formatBytes, partnerOf, thumbnailOf } from '../../../src/models/catalogue.js';
import type { ModelCard } from '../../../src/models/card.js';
import type { ModelSummary } from '../../../src/models/registry.js';
import { FIXTURES, repoFetch } from '../app/fixture-fetch.js';

const model = (id: string, method: string, dataset: string): ModelSummary => ({
  id, name: id, modality: '', method, dataset, classes: ['a'], path: `models/${id}/`, bytes: 1, licence: 'x',
});

const SHIPPED = [
  model('xray-ddpm', 'ddpm', 'pneumoniamnist'),
  model('xray-vae', 'vae', 'pneumoniamnist'),
  model('xray-classifier', 'classifier', 'pneumoniamnist'),
  model('ecg-ddpm', 'ddpm', 'mitbih'),
];

describe('the catalogue of models', () => {
  it('offers generators only', async () => {
    const { models } = await buildCatalogue(SHIPPED, []);
    expect(models.map((m) => m.id)).toEqual(['xray-ddpm', 'xray-vae', 'ecg-ddpm']);
  });

  it("pairs a model with the other method's model of the same data, if there is one", () => {
    expect(partnerOf(SHIPPED[0]!, SHIPPED)?.id).toBe('xray-vae');
    expect(partnerOf(SHIPPED[1]!, SHIPPED)?.id).toBe('xray-ddpm');
    expect(partnerOf(SHIPPED[3]!, SHIPPED)).toBeNull();
  });

  it('summarises an extra folder from its card, as the build does for shipped ones', async () => {
    const { models, problems } = await buildCatalogue([], [`${FIXTURES}tiny-xray-vae/`], repoFetch);
    expect(problems).toEqual([]);
    expect(models).toEqual([{
      id: 'tiny-xray-vae',
      name: expect.stringContaining('VAE'),
      modality: 'fake chest X-ray (random pixels)',
      method: 'vae',
      dataset: 'pneumoniamnist',
      classes: ['normal', 'pneumonia'],
      path: `${FIXTURES}tiny-xray-vae/`,
      bytes: 31666,
      licence: 'none (synthetic noise)',
    }]);
  });

  it('shows image thumbnails enlarged by a whole factor, ECG charts at half their pixels', () => {
    const image = { architecture: { dims: 2 } } as Pick<ModelCard, 'architecture'>;
    const signal = { architecture: { dims: 1 } } as Pick<ModelCard, 'architecture'>;
    expect(thumbnailOf(image, 'a.png', { width: 57, height: 57 })).toEqual({ src: 'a.png', width: 114, height: 114, pixelated: true });
    expect(thumbnailOf(image, 'b.png', { width: 129, height: 129 })).toEqual({ src: 'b.png', width: 129, height: 129, pixelated: true });
    expect(thumbnailOf(signal, 'c.png', { width: 258, height: 258 })).toEqual({ src: 'c.png', width: 129, height: 129, pixelated: false });
  });

  it('writes download sizes for people', () => {
    expect([formatBytes(900), formatBytes(76962), formatBytes(2_700_000)]).toEqual(['900 B', '75 kB', '2.6 MB']);
  });
});
