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
