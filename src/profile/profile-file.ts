import type { Profile } from './types.js';

/** The file each profile loadProfile returned was read from; by identity, so that the Profile stays the YAML's shape. */
const loadedFrom = new WeakMap<Profile, string>();

/** Called by loadProfile: `profile` was read from `file` (as given to it). */
export function rememberProfileFile(profile: Profile, file: string): void {
  loadedFrom.set(profile, file);
}

/**
 * The file `profile` was read from, as given to loadProfile; undefined for any other profile object: parseProfile's,
 * one built in code, or a copy (`{ ...profile, members: 10 }` is a new object). Its own module, so that generate reads
 * it without loading the profile parser.
 */
export function profileFileOf(profile: Profile): string | undefined {
  return loadedFrom.get(profile);
}
