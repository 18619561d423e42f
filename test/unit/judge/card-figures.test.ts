/**
 * The card's figures as the judge sets them beside its own (src/judge/view.ts cardFigures): the
 * distances in the evaluator's features and, where the card was measured in a feature extractor
 * (training/evaluate.py quality.independentFeatures), those too.
 */
import { describe, expect, it } from 'vitest';
import { cardFigures } from '../../../src/judge/view.js';

describe('the card figures', () => {
  it('reads the evaluator-space and the independent distances, and nothing from an empty quality', () => {
    const figures = cardFigures({
      samplesPerClass: 200,
      frechet: { generatedVsHeldOut: 0.72, realTrainVsHeldOut: 6.23 },
      independentFeatures: { extractor: 'features-grey28', perClass: 200, generatedVsHeldOut: { frechet: 9.77, frechetInfinity: 9.43, n: [400, 400] }, realTrainVsHeldOut: { frechet: 7.59, frechetInfinity: 6.96 } },
    });
    expect(figures).toMatchObject({ frechetGenerated: 0.72, frechetReal: 6.23, independent: { extractor: 'features-grey28', frechetGenerated: 9.77, frechetReal: 7.59, infinityGenerated: 9.43, infinityReal: 6.96, n: 400 } });
    expect(cardFigures({ frechet: { generatedVsHeldOut: 1 } })!.independent).toBeNull();
    expect(cardFigures({ frechet: { generatedVsHeldOut: 1 } })).toMatchObject({ membership: null, surround: null });
    expect(cardFigures({})).toBeNull();
  });

  it('reads the intervals, the membership test and the surround check, summed over the classes', () => {
    const figures = cardFigures({
      independentFeatures: {
        extractor: 'features-grey28', generatedVsHeldOut: { frechet: 13.7, frechetInterval95: [8.67, 18.7], n: [156, 156] },
        realTrainVsHeldOut: { frechet: 1.91, frechetInterval95: [0.0487, 3.77] },
      },
      membership: { all: { auc: 0.952, interval95: [0.926, 0.975] }, dedup: { auc: 0.995 }, heldOutNearCopies: 25, splitByPatient: false }, // dedup without its interval: left out
      surround: { generated: { a: [3, 200], b: [27, 200] }, realTrain: { a: [0, 500], b: [16, 580] } },
    })!;
    expect(figures.independent).toMatchObject({ frechetIntervalGenerated: [8.67, 18.7], frechetIntervalReal: [0.0487, 3.77], n: 156 });
    // a card measured before VAEs and GANs had the test names no attack: the denoising error
    expect(figures.membership).toEqual({ all: { auc: 0.952, low: 0.926, high: 0.975 }, dedup: null, nearCopies: 25, splitByPatient: false, attack: 'denoising error' });
    const gan = cardFigures({ membership: { all: { auc: 0.5, interval95: [0.4, 0.6] }, attack: 'distance to the nearest generated sample of the class' } });
    expect(gan!.membership!.attack).toBe('distance to the nearest generated sample of the class');
    expect(figures.surround).toEqual({ generated: [30, 400], realTrain: [16, 1080] });
    // a malformed count is not summed into a figure
    expect(cardFigures({ surround: { generated: { a: [1] }, realTrain: { a: [0, 5] } } })).toBeNull();
  });
});
