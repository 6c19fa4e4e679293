import { UserError } from '../util/errors.js';
import { typedValue } from './typed-numbers.js';

/**
 * Refuses an option value outside the option's declared choices in fhirseed's words, instead of yargs'
 * "Invalid values: Argument: …, Given: …, Choices: …". Called as a global middleware before yargs'
 * validation, with the parsed arguments, the running command's `choices` (yargs' `getOptions().choices`,
 * option name → allowed values) and the command line as given, so every choice option of every command is
 * covered as it is declared. Throws UserError `--<name>: "<as typed>" is not one of a, b, c`, checking options in
 * their declared order, each value of a repeated one (a bare `--<name>` is refuseBareValues' to tell).
 */
export function refuseBadChoices(parsed: Record<string, unknown>, choices: Record<string, readonly unknown[]>, raw: readonly string[]): void {
  for (const [name, allowed] of Object.entries(choices)) {
    const value = parsed[name];
    if (value === undefined || !allowed.length) continue;
    const flag = name.length === 1 ? `-${name}` : `--${name}`;
    const list = allowed.map(String).join(', ');
    const values = Array.isArray(value) ? value : [value];
    const bad = values.find((v) => !allowed.includes(v));
    if (bad === undefined) continue;
    // A bare option that yargs read as true (refuseBareValues runs first, so only as a safeguard).
    if (bad === true) throw new UserError(`${flag}: no value given; expected one of ${list}`);
    // yargs reads `--us-core 6.10` as the number 6.1: show what was typed when the option was given once.
    const typed = Array.isArray(value) ? undefined : typedValue(flag, raw);
    throw new UserError(`${flag}: ${JSON.stringify(typed ?? String(bad))} is not one of ${list}`);
  }
}

/** What refuseBareValues reads of yargs' `getOptions()` for the running command. */
export interface ValueOptions {
  string: string[];
  number: string[];
  choices: Record<string, readonly unknown[]>;
  /** Options that take a list (`--ig`, repeatable). */
  array?: string[];
  /** True/false flags (`--pretty`); yargs reads `--pretty=maybe` as true. */
  boolean?: string[];
  /** Hidden options (the secret flags `seed` refuses with where the secret goes instead): left to their own check. */
  hiddenOptions?: string[];
}

/**
 * Refuses an option that takes a value given without one (`generate --out`, `--format` or `-n` last on the line or
 * followed by another option): yargs would silently take the option's default (`generate --out` writing into
 * ./output) or an empty value. Called as a global middleware before validation with the running command's options
 * (yargs' `getOptions()`: string and number options, choices) and the command line as given. Throws UserError
 * `--<name>: no value given` (with the choices, for an option that has them), for the first such option on the line.
 */
export function refuseBareValues(options: ValueOptions, raw: readonly string[]): void {
  const hidden = new Set(options.hiddenOptions ?? []);
  const taking = new Set([...options.string, ...options.number, ...Object.keys(options.choices)].filter((name) => !hidden.has(name)));
  for (let i = 0; i < raw.length; i++) {
    const arg = raw[i]!;
    if (arg === '--') return;
    const m = /^--?([^=]+)$/.exec(arg);
    if (!m || !taking.has(m[1]!) || (arg.startsWith('--') ? m[1]!.length === 1 : m[1]!.length !== 1)) continue;
    // A value follows (a negative number too: `--port -1` is refused by the option's own range check).
    if (i + 1 < raw.length && (!raw[i + 1]!.startsWith('-') || /^-\.?\d/.test(raw[i + 1]!))) continue;
    const allowed = options.choices[m[1]!];
    throw new UserError(`${arg}: no value given${allowed?.length ? `; expected one of ${allowed.map(String).join(', ')}` : ''}`);
  }
}

/**
 * Refuses an option that takes one value given twice (`generate -p default -p commercial`): yargs makes a list of
 * them, which the command then took as a path (a TypeError, exit 70). Options declared as lists (`--ig`, `--token`)
 * are left alone. Throws UserError `--<name>: given 2 times; it takes one value`, without the values (`--token`,
 * `--client-secret` take secrets).
 */
export function refuseRepeatedValues(parsed: Record<string, unknown>, options: ValueOptions, raw: readonly string[]): void {
  const lists = new Set(options.array ?? []);
  for (const name of new Set([...options.string, ...options.number, ...Object.keys(options.choices)])) {
    const value = parsed[name];
    const flag = `${name.length === 1 ? '-' : '--'}${name}`;
    // Aliases share the list: name the one typed.
    if (lists.has(name) || !Array.isArray(value) || !raw.some((a) => a === flag || a.startsWith(`${flag}=`))) continue;
    throw new UserError(`${flag}: given ${value.length} times; it takes one value`);
  }
}

/**
 * Refuses a true/false flag given a value that is neither (`--pretty=maybe`, `--no-verify=no`): yargs reads any
 * such value as true. Throws UserError `--<name>: "<value>" is not true or false`.
 */
export function refuseBadBooleans(options: ValueOptions, raw: readonly string[]): void {
  const flags = new Set(options.boolean ?? []);
  for (const arg of raw) {
    if (arg === '--') return;
    const m = /^--(?:no-)?([^=]+)=(.*)$/s.exec(arg);
    if (m && flags.has(m[1]!) && !/^(true|false)$/.test(m[2]!)) throw new UserError(`${arg.slice(0, arg.indexOf('='))}: "${m[2]}" is not true or false`);
  }
}
