import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { Profile } from '../../src/profile/types.js';
import { buildDirectory } from '../../src/story/directory.js';
import { simulateMember } from '../../src/story/simulate.js';
import type { MemberStory } from '../../src/story/types.js';
import { codeMaps, shippedProfile } from './output.js';

const names = ['default', 'commercial', 'medicare-advantage', 'medicaid', 'dental'] as const;
const shipped = names.map((n) => shippedProfile(n));

const variation = {
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  scale: fc.double({ min: 0, max: 3, noNaN: true }),
  denialRate: fc.double({ min: 0, max: 0.6, noNaN: true }),
  outOfNetworkRate: fc.double({ min: 0, max: 0.6, noNaN: true }),
};

function vary(p: Profile, v: { seed: number; members: number; scale: number; denialRate: number; outOfNetworkRate: number; coveragePlan: boolean }): Profile {
  // Rates scale, shares (nonUsers) stay; a plan's own rates (plans[].utilization) scale with the profile's.
  const scaled = <T extends object>(u: T): T => Object.fromEntries(Object.entries(u).map(([k, n]) => [k, k === 'nonUsers' ? n : (n as number) * v.scale])) as T;
  const utilization = scaled(p.utilization);
  const plans = p.plans.map((plan) => (plan.utilization ? { ...plan, utilization: scaled(plan.utilization) } : plan));
  return { ...p, seed: v.seed, members: v.members, utilization, plans, claims: { denialRate: v.denialRate, outOfNetworkRate: v.outOfNetworkRate }, coveragePlan: v.coveragePlan };
}

/**
 * Any shipped profile (the dental-only one included) with another seed, 1-10 members, utilization
 * scaled by 0-3, claim rates 0-0.6 and the coverage plan on or off. Small random populations rarely
 * hold the rarer shapes; properties about those use `randomProfiles`.
 */
export const anyProfiles: fc.Arbitrary<Profile> = fc
  .record({ which: fc.integer({ min: 0, max: shipped.length - 1 }), members: fc.integer({ min: 1, max: 10 }), coveragePlan: fc.boolean(), ...variation })
  .map(({ which, ...v }) => vary(shipped[which]!, v));

/** What a population must hold for `randomProfiles` to give it (see storyShapes). */
export interface StoryShapes {
  /** An inpatient claim whose stay spans more than one day (admission before discharge). */
  multiDayStay: boolean;
  death: boolean;
  /** A claim denied in whole or with a denied line. */
  denial: boolean;
  /**
   * A member under more than one plan (medical and dental coverages). The simulator has no
   * mid-period plan switch; this is the change of plan a member's claims can show.
   */
  planChange: boolean;
}

/** Which of the rarer shapes the stories hold. */
export function storyShapes(stories: readonly MemberStory[]): StoryShapes {
  const claims = stories.flatMap((s) => s.claims);
  return {
    multiDayStay: claims.some((c) => c.type === 'inpatient' && c.serviceEnd > c.serviceStart),
    death: stories.some((s) => Boolean(s.member.deceasedDate)),
    denial: claims.some((c) => c.outcome === 'denied' || c.lines.some((l) => l.denial !== undefined)),
    planChange: stories.some((s) => new Set(s.coverages.map((c) => c.planId)).size > 1),
  };
}

/** Members simulated to check a candidate profile: the coverage plan's first eight scenarios. */
const CHECKED_MEMBERS = 8;

/**
 * Whether a candidate (by its profile's SHA-256) holds every shape: a pure function of the profile (the simulation is),
 * kept because properties that share a seed draw the same candidates (population-properties: five properties over the
 * same twelve), and simulating them again was most of drawing one.
 */
const checkedCandidates = new Map<string, boolean>();

/**
 * Random valid profiles that always hold a multi-day institutional stay, a death, a denial and a
 * member under two plans, so that every property over them exercises those shapes on every run:
 * a shipped profile with medical plans, the coverage plan on (its members 0 and 5 are admitted,
 * member 5 dies, members 4 and 7 are denied, dental takers hold two coverages), 8-10 members,
 * utilization scaled by 0.3-3 and claim rates 0-0.6. A candidate whose stays all end the day they
 * begin is passed over (fast-check filter), so the guarantee holds for every value drawn.
 */
export const randomProfiles: fc.Arbitrary<Profile> = fc
  .record({
    which: fc.integer({ min: 0, max: shipped.length - 1 }).filter((i) => shipped[i]!.plans.some((p) => p.type !== 'dental') && shipped[i]!.utilization.inpatient > 0),
    members: fc.integer({ min: CHECKED_MEMBERS, max: 10 }),
    coveragePlan: fc.constant(true),
    ...variation,
    scale: fc.double({ min: 0.3, max: 3, noNaN: true }),
  })
  .map(({ which, ...v }) => vary(shipped[which]!, v))
  .filter((profile) => {
    const key = createHash('sha256').update(JSON.stringify(profile)).digest('base64');
    let holds = checkedCandidates.get(key);
    if (holds === undefined) {
      const directory = buildDirectory(profile, codeMaps);
      const stories = Array.from({ length: CHECKED_MEMBERS }, (_, i) => simulateMember({ profile, codeMaps, directory }, i));
      checkedCandidates.set(key, (holds = Object.values(storyShapes(stories)).every(Boolean)));
    }
    return holds;
  });
