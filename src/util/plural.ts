/**
 * The form of `noun` that goes with the count `n` in English: the singular for exactly 1, else the plural
 * (`plural(1, 'death')` is `death`; 0, 2 and 1.5 give `deaths`). `many` for a noun that does not add -s.
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}
