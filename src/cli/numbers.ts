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
