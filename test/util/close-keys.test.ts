// closeKeys (src/util/close-keys.ts): the keys close to a mistyped one, by their nearest run of whole words.
import fc from 'fast-check';
import { distance } from 'fastest-levenshtein';
import { describe, expect, it } from 'vitest';
import { closeKeys } from '../../src/util/close-keys.js';

const word = fc.stringMatching(/^[a-z]{1,8}$/);
const key = fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join('-'));
const keys = fc.uniqueArray(key, { minLength: 1, maxLength: 20 });
const limitOf = (typed: string) => (typed.length <= 3 ? 1 : Math.max(2, Math.floor(typed.length / 3)));
const runs = (k: string) => {
  const parts = k.split('-');
  return parts.flatMap((_, from) => parts.slice(from).map((__, n) => parts.slice(from, from + n + 1).join('-')));
};

describe('closeKeys', () => {
  it('should put a key typed exactly first', () => {
    fc.assert(
      fc.property(keys, fc.nat(), (known, n) => {
        const typed = known[n % known.length]!;
        expect(closeKeys(typed, known)[0]).toBe(typed);
      }),
    );
  });

  it('should return at most max keys of known, each with a run of words within the limit, none twice', () => {
    fc.assert(
      fc.property(keys, key, fc.integer({ min: 1, max: 5 }), (known, typed, max) => {
        const close = closeKeys(typed, known, max);
        expect(close.length).toBeLessThanOrEqual(max);
        expect(new Set(close).size).toBe(close.length);
        for (const k of close) {
          expect(known).toContain(k);
          expect(Math.min(...runs(k).map((r) => distance(typed, r)))).toBeLessThanOrEqual(limitOf(typed));
        }
        // Nothing left out is closer than the last one given.
        const near = (k: string) => Math.min(...runs(k).map((r) => distance(typed, r)));
        if (close.length === max) for (const k of known.filter((x) => !close.includes(x))) expect(near(k)).toBeGreaterThanOrEqual(near(close.at(-1)!));
        else for (const k of known.filter((x) => !close.includes(x))) expect(near(k)).toBeGreaterThan(limitOf(typed));
      }),
    );
  });

  it('should find a key by one of its words misspelt, ignoring case', () => {
    expect(closeKeys('diabetis', ['asthma', 'prediabetes', 'diabetes-type-2', 'diabetes-type-1', 'gestational-diabetes'])).toEqual(['diabetes-type-2', 'diabetes-type-1', 'gestational-diabetes']);
    expect(closeKeys('ASTHMA', ['asthma-mild', 'acne'])).toEqual(['asthma-mild']);
    expect(closeKeys('zzz', ['asthma', 'acne'])).toEqual([]);
    expect(closeKeys('acne', [])).toEqual([]);
  });
});
