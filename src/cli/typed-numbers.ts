import { UserError } from '../util/errors.js';

/**
 * yargs turns a `type: 'number'` option typed as text (`--jobs x`) into NaN, and the commands'
 * own range checks would then report `--jobs NaN`. Called as a global middleware on the parsed
 * arguments with the command line as given: the first option whose value is NaN is refused as the
 * user typed it (and so is an empty value, which yargs reads as 0). Throws UserError `--<name> <as typed>: expected a number`.
 */
export function refuseNaNOptions(parsed: Record<string, unknown>, raw: readonly string[]): void {
  for (const [key, value] of Object.entries(parsed)) {
    if (key === '_' || key === '$0' || /[A-Z]/.test(key)) continue; // camelCase copies of kebab-case keys
    const values = Array.isArray(value) ? value : [value];
    if (!values.some((v) => typeof v === 'number')) continue;
    const flag = key.length === 1 ? `-${key}` : `--${key}`;
    const typed = typedValue(flag, raw);
    // An empty value ('') arrives as 0, text as NaN.
    if (values.some((v) => Number.isNaN(v)) || typed?.trim() === '') throw new UserError(`${flag} ${shown(typed)}: expected a number`);
  }
}

/** The last value given to `flag` on the command line (`--flag v` or `--flag=v`), or undefined. */
export function typedValue(flag: string, raw: readonly string[]): string | undefined {
  let found: string | undefined;
  raw.forEach((arg, i) => {
    if (arg === flag && i + 1 < raw.length) found = raw[i + 1];
    else if (arg.startsWith(`${flag}=`)) found = arg.slice(flag.length + 1);
  });
  return found;
}

function shown(text: string | undefined): string {
  if (text === undefined) return '(no value)';
  return text === '' ? "''" : text;
}
