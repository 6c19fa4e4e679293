import { closeKeys } from '../util/close-keys.js';
import { UserError } from '../util/errors.js';
import { checkWholeNumber, shownValue } from '../util/whole-number.js';
import { IG_NAMES, US_CORE_VERSIONS, type IgName } from '../profile/igs.js';
import type { OutputFormat } from './writer.js';

/**
 * How the errors of generate and generateAsync name what the caller gave: by default a library caller's properties
 * (`options.out /proc/x: cannot write in /proc (ENOENT)`); the CLI passes CLI_OPTION_NAMES (`--out /proc/x: …`). Only
 * the names differ: the checks are the same.
 */
export interface OptionNames {
  out: string;
  runId: string;
  now: string;
  shard: string;
  maxBundleEntries: string;
  jobs: string;
  formats: string;
  igs: string;
  usCoreVersion: string;
}

export const LIBRARY_OPTION_NAMES: OptionNames = {
  out: 'options.out', runId: 'options.runId', now: 'options.now', shard: 'options.shard', maxBundleEntries: 'options.maxBundleEntries',
  jobs: 'options.jobs', formats: 'options.formats', igs: 'options.igs', usCoreVersion: 'options.usCoreVersion',
};
export const CLI_OPTION_NAMES: OptionNames = {
  out: '--out', runId: '--run-id', now: '--now', shard: '--shard', maxBundleEntries: '--max-bundle-entries',
  jobs: '--jobs', formats: '--format', igs: '--ig', usCoreVersion: '--us-core',
};

/** The output formats generate writes (`formats`, `--format`). */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['bundles', 'ndjson'];

/**
 * generate's and generateAsync's own checks of what a library caller passes, before any work: the CLI gets the same
 * from its option parsing and loadProfile, a caller of the library may hand over anything. Throws one UserError
 * naming the field: `options` not an object, `options.profile` missing or not an object (loadProfile's result),
 * `options.profile.members` not a whole number ≥ 1 (the profile schema's `members`, `--members`), `options.out` not a
 * non-empty string; and, named as `names` says (the CLI's options for the CLI), `maxBundleEntries` or `jobs` not a whole
 * number ≥ 1 (the check of `--max-bundle-entries` and `--jobs`: util/whole-number.ts checkWholeNumber), `formats` not
 * a non-empty list of OUTPUT_FORMATS (checkFormats, as `--format`), `igs` not a non-empty list of IG_NAMES,
 * `usCoreVersion` not one of US_CORE_VERSIONS, `shard` not an object; `codeMaps` not an object and `onProgress`,
 * `beforePlace`, `onNote` not functions (a library caller's only, named by their properties).
 */
export function checkGenerateOptions(options: unknown, names: OptionNames = LIBRARY_OPTION_NAMES): void {
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
  const { maxBundleEntries, jobs, formats, igs, usCoreVersion } = options as Record<string, unknown>;
  if (maxBundleEntries !== undefined) checkWholeNumber(names.maxBundleEntries, maxBundleEntries, { min: 1 });
  if (jobs !== undefined) checkWholeNumber(names.jobs, jobs, { min: 1 });
  if (formats !== undefined) checkFormats(names.formats, formats);
  if (igs !== undefined) checkIgNames(names.igs, igs);
  if (usCoreVersion !== undefined && !(US_CORE_VERSIONS as readonly unknown[]).includes(usCoreVersion)) {
    throw new UserError(`${names.usCoreVersion} ${shownValue(usCoreVersion)}: fhirseed builds US Core ${US_CORE_VERSIONS.join(' or ')}`);
  }
  const { shard, codeMaps } = options as Record<string, unknown>;
  // Only a library caller hands these over (the CLI parses --shard i/N itself): shardRange checks the numbers.
  if (shard !== undefined && (typeof shard !== 'object' || shard === null)) throw new UserError(`${names.shard} ${shownValue(shard)}: expected { index, count } with 1 ≤ index ≤ count`);
  if (codeMaps !== undefined && (typeof codeMaps !== 'object' || codeMaps === null)) throw new UserError(`generate: options.codeMaps ${shownValue(codeMaps)}: expected loadCodeMaps()'s result`);
  for (const hook of ['onProgress', 'beforePlace', 'onNote'] as const) {
    const f = (options as Record<string, unknown>)[hook];
    if (f !== undefined && typeof f !== 'function') throw new UserError(`generate: options.${hook} ${shownValue(f)}: expected a function`);
  }
}

/**
 * `formats` when it is a non-empty array of OUTPUT_FORMATS; else throws UserError `WHAT SHOWN: unknown format 'xml'
 * (known: bundles, ndjson)` or `WHAT: name at least one of bundles, ndjson`. `shown`: the CLI's `--format` text as
 * typed; a library value by default (`["xml"]`).
 */
export function checkFormats(what: string, formats: unknown, shown = JSON.stringify(formats) ?? String(formats)): OutputFormat[] {
  if (!Array.isArray(formats)) throw new UserError(`${what} ${shownValue(formats)}: expected a list of ${OUTPUT_FORMATS.join(', ')}`);
  for (const f of formats) {
    if (!(OUTPUT_FORMATS as readonly unknown[]).includes(f)) throw new UserError(`${what} ${shown}: unknown format ${typeof f === 'string' ? `'${f}'` : shownValue(f)} (known: ${OUTPUT_FORMATS.join(', ')})`);
  }
  if (!formats.length) throw new UserError(`${what}: name at least one of ${OUTPUT_FORMATS.join(', ')}`);
  return formats as OutputFormat[];
}

/** `igs` when it is a non-empty array of IG_NAMES; else throws UserError `WHAT ["nope"]: unknown IG 'nope' (known: …)`. */
function checkIgNames(what: string, igs: unknown): IgName[] {
  if (!Array.isArray(igs)) throw new UserError(`${what} ${shownValue(igs)}: expected a list of ${IG_NAMES.join(', ')}`);
  for (const ig of igs) {
    if (!(IG_NAMES as readonly unknown[]).includes(ig)) {
      const [close] = typeof ig === 'string' ? closeKeys(ig, IG_NAMES, 1) : [];
      throw new UserError(`${what} ${JSON.stringify(igs)}: unknown IG ${typeof ig === 'string' ? `'${ig}'` : shownValue(ig)} (${close ? `did you mean ${close}? ` : ''}known: ${IG_NAMES.join(', ')})`);
    }
  }
  if (!igs.length) throw new UserError(`${what}: name at least one of ${IG_NAMES.join(', ')}`);
  return igs as IgName[];
}

function shown(value: unknown): string {
  return value === undefined ? 'missing' : shownValue(value);
}
