import { UserError } from './errors.js';

/**
 * The whole number a decimal text stands for, exactly (a BigInt), or undefined when the text is not one: digits with
 * an optional sign, fraction and exponent (`42`, `-5`, `1e6`, `2.50e2`, `3.0`); `1.5`, `1e-3`, `0x10`, `abc` and
 * `''` are not. Read from the text, not through a float: `99999999999999999999` and `9007199254740993` stay
 * themselves instead of rounding to a neighbour (JSON/YAML parsers and `Number()` round beyond 2^53 − 1).
 */
export function exactWholeNumber(text: string): bigint | undefined {
  const m = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const [, sign, whole, fraction = '', exponentText = '0'] = m;
  const exponent = Number(exponentText) - fraction.length;
  // An exponent this far out is no seed or count anyone types; BigInt powers of it would take long.
  if (Math.abs(exponent) > 1000) return undefined;
  const digits = BigInt(`${whole}${fraction}`);
  let value: bigint;
  if (exponent >= 0) value = digits * 10n ** BigInt(exponent);
  else {
    const divisor = 10n ** BigInt(-exponent);
    if (digits % divisor !== 0n) return undefined;
    value = digits / divisor;
  }
  return sign === '-' ? -value : value;
}

/** The largest whole number a JavaScript number holds exactly (Number.MAX_SAFE_INTEGER, 2^53 − 1). */
export const MAX_EXACT_WHOLE = BigInt(Number.MAX_SAFE_INTEGER);

/** What a whole-number option or property takes: `expected a whole number ≥ 1`, `… 0–65535`, or `expected a whole number`. */
export function wholeNumberExpected(range: { min?: number; max?: number }): string {
  const { min, max } = range;
  return `expected a whole number${min !== undefined && max !== undefined ? ` ${min}–${max}` : min !== undefined ? ` ≥ ${min}` : ''}`;
}

/**
 * `value` when it is a whole number within `range` that a JavaScript number holds exactly; else throws UserError
 * `WHAT SHOWN: expected a whole number ≥ 1` (wholeNumberExpected), one line. The one check behind the CLI's number
 * options (cli/numbers.ts wholeNumberOption, `what` `--port`, `shown` as typed) and the library's number properties
 * (`what` `options.port`, `shown` the value: `"x"` for a string).
 */
export function checkWholeNumber(what: string, value: unknown, range: { min?: number; max?: number } = {}, shown = shownValue(value)): number {
  const { min, max } = range;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || (min !== undefined && value < min) || (max !== undefined && value > max)) {
    throw new UserError(`${what} ${shown}: ${wholeNumberExpected(range)}`);
  }
  return value;
}

/** A value a library caller passed, as an error line shows it: a string quoted (`"x"`), an array or object by its kind. */
export function shownValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' && value !== null ? 'an object' : String(value);
}
