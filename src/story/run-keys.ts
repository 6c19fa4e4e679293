import type { Profile } from '../profile/types.js';
import { stableHash } from '../util/rng.js';

/**
 * What every resource id of a run is scoped to: the profile's name and seed, the two parts of the run's default id
 * (`<name>-<seed>`, src/output/generate.ts; DESIGN.md §2: ids a hash of the run's seed, member index, kind, ordinal).
 * A profile copied to make a second payer and given its own name keeps the seed, and its ids still differ from the
 * first's, so both outputs can live in one server and `purge --run` of one leaves the other whole; the same profile
 * run again, or any shard of it, gives the same ids (PUT stays an idempotent upsert). `--run-id` does not enter:
 * runs of one profile and seed share their ids whatever they are tagged (README: a later seed re-tags them).
 */
function runScope(profile: Pick<Profile, 'name' | 'seed'>): string {
  return `fhirseed:${profile.name}:${profile.seed}`;
}

/** Key of every id of the run's directory (payer, providers, networks): 10 hex digits, `fs-<key>-org1`. */
export function directoryKey(profile: Pick<Profile, 'name' | 'seed'>): string {
  return stableHash(`${runScope(profile)}:directory`, 10);
}

/** Key of every id of member `index` (0-based) of the run: 12 hex digits, `fs-<key>` its Patient, `fs-<key>-eob3`. */
export function memberKey(profile: Pick<Profile, 'name' | 'seed'>, index: number): string {
  return stableHash(`${runScope(profile)}:member:${index}`, 12);
}
