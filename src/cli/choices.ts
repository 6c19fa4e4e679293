import { UserError } from '../util/errors.js';
import { typedValue } from './typed-numbers.js';

/**
 * Refuses an option value outside the option's declared choices in fhirseed's words, instead of yargs'
 * "Invalid values: Argument: …, Given: …, Choices: …". Called as a global middleware before yargs'
 * validation, with the parsed arguments, the running command's `choices` (yargs' `getOptions().choices`,
 * option name → allowed values) and the command line as given, so every choice option of every command is
 * covered as it is declared. Throws UserError `--<name>: "<as typed>" is not one of a, b, c` (or `no value
 * given` for a bare `--<name>`), checking options in their declared order, each value of a repeated one.
 */
export function refuseBadChoices(parsed: Record<string, unknown>, choices: Record<string, readonly unknown[]>, raw: readonly string[]): void {
  for (const [name, allowed] of Object.entries(choices)) {
    const value = parsed[name];
    if (value === undefined || !allowed.length) continue;
    const flag = name.length === 1 ? `-${name}` : `--${name}`;
    const list = allowed.map(String).join(', ');
    // A bare `--mode` arrives as true, or as the option's default when it has one (so `seed --mode` would be a transaction seed).
    if (givenBare(flag, raw)) throw new UserError(`${flag}: no value given; expected one of ${list}`);
    const values = Array.isArray(value) ? value : [value];
    const bad = values.find((v) => !allowed.includes(v));
    if (bad === undefined) continue;
    if (bad === true) throw new UserError(`${flag}: no value given; expected one of ${list}`);
    // yargs reads `--us-core 6.10` as the number 6.1: show what was typed when the option was given once.
    const typed = Array.isArray(value) ? undefined : typedValue(flag, raw);
    throw new UserError(`${flag}: ${JSON.stringify(typed ?? String(bad))} is not one of ${list}`);
  }
}

/** Whether `flag` is on the command line without a value: last, or followed by another option. */
function givenBare(flag: string, raw: readonly string[]): boolean {
  return raw.some((arg, i) => arg === flag && (i + 1 === raw.length || raw[i + 1]!.startsWith('-')));
}
