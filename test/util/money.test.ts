// centsToDecimal (src/util/money.ts) works out whole cents without toFixed's text (issue 13): the same number as the
// `Number((cents / 100).toFixed(2))` it replaced, for every amount, whole or not, small or huge, and −0.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { centsToDecimal, money } from '../../src/util/money.js';

const viaText = (cents: number) => Number((cents / 100).toFixed(2));

describe('centsToDecimal', () => {
  it('should give the number of the two-place decimal text for every amount', () => {
    const wrong: number[] = [];
    for (let cents = -200_000; cents <= 200_000; cents++) if (!Object.is(centsToDecimal(cents), viaText(cents))) wrong.push(cents);
    expect(wrong).toEqual([]);
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -1e15 + 1, max: 1e15 - 1 }), fc.maxSafeInteger(), fc.double({ min: -1e16, max: 1e16, noNaN: true })),
        (cents) => {
          expect(Object.is(centsToDecimal(cents), viaText(cents))).toBe(true);
        },
      ),
      { numRuns: 10_000 },
    );
    for (const cents of [-0, 1e15 - 1, -(1e15 - 1), 1e15, 2 ** 53, 12.5, -0.4]) expect(Object.is(centsToDecimal(cents), viaText(cents)), String(cents)).toBe(true);
    expect(money(123_45)).toEqual({ value: 123.45, currency: 'USD' });
  });
});
