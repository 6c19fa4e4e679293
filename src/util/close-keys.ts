import { distance } from 'fastest-levenshtein';
import { editLimit } from './nearest-name.js';

/**
 * Up to `max` keys of `known` close to the mistyped `typed`, closest first, for a "did you mean" on a list too long to
 * print (214 condition keys). Keys are kebab-case (`diabetes-type-2`): a key is as close as its nearest run of
 * whole words (`diabetes`, `diabetes-type`, …), so that `diabetis` finds `diabetes-type-2`; ties go to the key
 * nearer as a whole, then to the earlier in `known`. Close means within a third of `typed`'s length in Levenshtein
 * edits, ignoring case, at least 2 (1 for 3 letters or fewer), as for profile fields (nearest-name.ts). Empty when
 * none is close.
 */
export function closeKeys(typed: string, known: Iterable<string>, max = 4): string[] {
  const word = typed.toLowerCase();
  const limit = editLimit(typed);
  const scored: { key: string; near: number; whole: number; i: number }[] = [];
  let i = 0;
  for (const key of known) {
    const parts = key.toLowerCase().split('-');
    let near = Infinity;
    for (let from = 0; from < parts.length; from++) {
      for (let to = from + 1; to <= parts.length; to++) near = Math.min(near, distance(word, parts.slice(from, to).join('-')));
    }
    if (near <= limit) scored.push({ key, near, whole: distance(word, key.toLowerCase()), i });
    i++;
  }
  return scored
    .sort((a, b) => a.near - b.near || a.whole - b.whole || a.i - b.i)
    .slice(0, max)
    .map((s) => s.key);
}
