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
    expect(cardFigures({})).toBeNull();
  });
});
