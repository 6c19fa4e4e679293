import { UserError } from '../util/errors.js';
import { checkWholeNumber, exactWholeNumber, MAX_EXACT_WHOLE } from '../util/whole-number.js';

/**
 * A whole-number option, parsed from the text the user typed (options are declared as strings so
 * that `--members abc` is reported as `abc`, not `NaN`). Accepts decimal digits and the exponent form
 * (`1e6`), read exactly (exactWholeNumber); undefined stays undefined. The range is at most ±(2^53 − 1), the whole
 * numbers a JavaScript number holds (a larger one would be rounded: `--seed 9007199254740993` would run seed
 * 9007199254740992). Throws UserError `<option> <as typed>: expected …`, naming that range for a whole number
 * beyond it.
 */
export function wholeNumberOption(option: string, value: unknown, range: { min?: number; max?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  // A repeated option arrives as an array: the last one counts, as for every other option.
  const text = String(Array.isArray(value) ? value[value.length - 1] : value);
  const shown = text === '' ? "''" : text;
  const exact = exactWholeNumber(text);
  const { min, max } = range;
  // Beyond the exact range on a side the option leaves open: name the range rather than deny a whole number.
  if ((exact !== undefined && exact > MAX_EXACT_WHOLE && max === undefined) || (exact !== undefined && exact < -MAX_EXACT_WHOLE && min === undefined)) {
    const [lo, hi] = [min ?? -Number.MAX_SAFE_INTEGER, max ?? Number.MAX_SAFE_INTEGER];
    throw new UserError(`${option} ${shown}: expected a whole number from ${lo} to ${hi} (2^53 − 1, the largest fhirseed holds exactly)`);
  }
  // The range and its line are the library's check of a number property (util/whole-number.ts), shown as typed.
  return checkWholeNumber(option, exact === undefined ? Number.NaN : Number(exact), range, shown);
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
