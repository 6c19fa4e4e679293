import type { BuildContext, UsCoreVersion } from '../../src/fhir/context.js';
import { IG_NAMES } from '../../src/profile/igs.js';
import { buildDirectory } from '../../src/story/directory.js';
import { simulateMember } from '../../src/story/simulate.js';
import type { Profile } from '../../src/profile/types.js';
import type { MemberStory } from '../../src/story/types.js';
import { codeMaps, shippedProfile } from './output.js';

/** The shipped default profile (25 members) and its directory, for builder tests that skip the writer. */
export const profile = shippedProfile();
export const directory = buildDirectory(profile, codeMaps);

let stories: MemberStory[] | undefined;

/** Every member story of the default profile, simulated once per test file. */
export function defaultStories(): MemberStory[] {
  stories ??= Array.from({ length: profile.members }, (_, i) => simulateMember({ profile, codeMaps, directory }, i));
  return stories;
}

/** The BuildContext generate() would use for the default profile, at a US Core version. */
export function buildContext(usCoreVersion: UsCoreVersion): BuildContext {
  return {
    profile, codeMaps, directory, runId: 'test', lastUpdated: `${profile.period.end}T00:00:00Z`, usCoreVersion,
    plansById: new Map(profile.plans.map((p) => [p.id, p])), igs: new Set(IG_NAMES),
  };
}

/** Every member story of any profile (for property tests over random profiles). */
export function simulatePopulation(anyProfile: Profile): MemberStory[] {
  const dir = buildDirectory(anyProfile, codeMaps);
  return Array.from({ length: anyProfile.members }, (_, i) => simulateMember({ profile: anyProfile, codeMaps, directory: dir }, i));
}
