// Rng.weighted (src/util/rng.ts): a draw by weights returns an item of positive weight, and a list whose weights do
// not sum above 0 is a fhirseed bug (the code-maps loaders refuse such lists), not a silent pick of the last item.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';

describe('Rng.weighted', () => {
  it('should only return items of the list whose weight is above 0', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.constantFrom(0, 0.5, 1, 3), { minLength: 1, maxLength: 8 }), (seed, weights) => {
        fc.pre(weights.some((w) => w > 0));
        const rng = new Rng(seed);
        const indices = weights.map((_, i) => i);
        for (let k = 0; k < 20; k++) expect(weights[rng.weighted(indices, (i) => weights[i]!)]).toBeGreaterThan(0);
      }),
    );
  });

  it('should throw a plain Error when the weights sum to 0, are empty or are not finite', () => {
    const rng = new Rng('weights');
    expect(() => rng.weighted(['a', 'b'], () => 0)).toThrow('Rng.weighted over 2 items whose weights sum to 0');
    expect(() => rng.weighted([], () => 1)).toThrow('Rng.weighted over 0 items whose weights sum to 0');
    expect(() => rng.weighted(['a'], () => Number.NaN)).toThrow('sum to NaN');
    expect(() => rng.weighted(['a', 'b'], () => Infinity)).toThrow('sum to Infinity');
  });
});
