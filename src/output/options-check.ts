import { UserError } from '../util/errors.js';

/**
 * generate's and generateAsync's own checks of what a library caller passes, before any work: the CLI gets the same
 * from its option parsing and loadProfile, a caller of the library may hand over anything. Throws one UserError
 * naming the field: `options` not an object, `options.profile` missing or not an object (loadProfile's result),
 * `options.profile.members` not a whole number ≥ 1 (the profile schema's `members`, `--members`), `options.out` not a
 * non-empty string.
 */
export function checkGenerateOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) throw new UserError(`generate: expected an options object ({ profile, out, … }), got ${shown(options)}`);
  const { profile, out } = options as { profile?: unknown; out?: unknown };
  if (typeof profile !== 'object' || profile === null) {
    throw new UserError(`generate: options.profile is ${shown(profile)}; expected a profile (loadProfile(file, profileLoadOptions(codeMaps)))`);
  }
  const { members, period } = profile as { members?: unknown; period?: unknown };
  if (typeof members !== 'number' || !Number.isSafeInteger(members) || members < 1) {
    throw new UserError(`generate: options.profile.members ${shown(members)}: expected a whole number ≥ 1`);
  }
  if (typeof period !== 'object' || period === null) throw new UserError(`generate: options.profile.period is ${shown(period)}; expected { start, end } (loadProfile completes it)`);
  if (typeof out !== 'string' || out === '') throw new UserError(`generate: options.out ${shown(out)}: expected the output directory's path`);
}

function shown(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' && value !== null ? 'an object' : String(value);
}
