import { distance } from 'fastest-levenshtein';

/**
 * The name in `known` nearest to the mistyped `name` (Levenshtein distance, ignoring case), when it is close
 * enough to be the one meant: within a third of the name's length in edits, at least 2 (1 for names of 3
 * letters or fewer); undefined otherwise or when `known` is empty. Ties go to the earlier name in `known`.
 * For "did you mean" hints on profile fields and command-line options.
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const typed = name.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(typed, k.toLowerCase());
    if (!best || d < best.d) best = { name: k, d };
  }
  return best && best.d <= editLimit(name) ? best.name : undefined;
}

/**
 * How many Levenshtein edits a mistyped `name` may be from the one meant: a third of its length, at least 2 (1 for
 * names of 3 letters or fewer). Shared by nearestName and closeKeys.
 */
export function editLimit(name: string): number {
  return name.length <= 3 ? 1 : Math.max(2, Math.floor(name.length / 3));
}
