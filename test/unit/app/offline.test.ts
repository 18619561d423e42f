import { describe, expect, it } from 'vitest';
import { type OfflineManifest, plan } from '../../../src/app/offline.js';

const manifest: OfflineManifest = {
  site: [{ path: 'index.html', bytes: 1000 }, { path: 'assets/main.js', bytes: 5000 }],
  models: {
    'xray-ddpm': [{ path: 'models/xray-ddpm/card.json', bytes: 10 }, { path: 'models/xray-ddpm/weights.bin', bytes: 700 }],
    'xray-vae': [{ path: 'models/xray-vae/weights.bin', bytes: 300 }],
  },
  reference: { pneumoniamnist: [{ path: 'reference/pneumoniamnist/index.json', bytes: 2 }, { path: 'reference/pneumoniamnist/heldout-x.u8', bytes: 4000 }] },
};

describe('what saving for offline use takes', () => {
  it('the site, each chosen model, and each dataset\'s samples once; the page\'s own address beside index.html', () => {
    const p = plan(manifest, [{ id: 'xray-ddpm', dataset: 'pneumoniamnist' }, { id: 'xray-vae', dataset: 'pneumoniamnist' }]);
    // each model, then its dataset's samples (once)
    expect(p.files.map((f) => f.path)).toEqual(['', 'index.html', 'assets/main.js', 'models/xray-ddpm/card.json', 'models/xray-ddpm/weights.bin',
      'reference/pneumoniamnist/index.json', 'reference/pneumoniamnist/heldout-x.u8', 'models/xray-vae/weights.bin']);
    expect(p.bytes).toBe(1000 + 5000 + 10 + 700 + 300 + 2 + 4000);
  });

  it('the site alone when no model is chosen, and a model the build does not have adds nothing', () => {
    expect(plan(manifest, []).bytes).toBe(6000);
    expect(plan(manifest, [{ id: 'nope', dataset: 'none' }]).bytes).toBe(6000);
  });
});
