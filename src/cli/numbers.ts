import { UserError } from '../util/errors.js';

/**
 * A whole-number option, parsed from the text the user typed (options are declared as strings so
 * that `--members abc` is reported as `abc`, not `NaN`). Accepts decimal digits and the exponent form
 * (`1e6`); undefined stays undefined. Throws UserError `<option> <as typed>: expected …`.
 */
export function wholeNumberOption(option: string, value: unknown, range: { min?: number; max?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  // A repeated option arrives as an array: the last one counts, as for every other option.
  const text = String(Array.isArray(value) ? value[value.length - 1] : value);
  const shown = text === '' ? "''" : text;
  const n = /^\s*[+-]?\d+(\.\d+)?(e\+?\d+)?\s*$/i.test(text) ? Number(text) : Number.NaN;
  const { min, max } = range;
  const expected = `expected a whole number${min !== undefined && max !== undefined ? ` ${min}–${max}` : min !== undefined ? ` ≥ ${min}` : ''}`;
  if (!Number.isSafeInteger(n) || (min !== undefined && n < min) || (max !== undefined && n > max)) throw new UserError(`${option} ${shown}: ${expected}`);
  return n;
}

/**
 * A `--jobs` (threads) at most `cores`, the threads the machine runs at once (os.availableParallelism()): more
 * only add each worker's memory (each loads the code maps or the packages) and start-up, never speed, and the
 * output is the same bytes for any `--jobs`. `cores` below 1 counts as 1.
 */
export function cappedJobs(asked: number, cores: number): number {
  return Math.min(asked, Math.max(1, cores));
}

/** The stderr line when cappedJobs lowered `--jobs asked` to `jobs`: `fhirseed: --jobs 500 is more than the 2 threads …`. */
export function jobsNote(asked: number, jobs: number): string {
  return `fhirseed: --jobs ${asked} is more than the ${jobs} threads this machine runs at once (os.availableParallelism()); using --jobs ${jobs} (the output is the same for any --jobs)\n`;
}
