// A profile may give a plan share 0 (a book it has no members in); the built-in showcase members still ask for that
// plan's type, a child or dental (src/story/showcase.ts), and enrollment draws among the plans that fit them. Where
// only plans of share 0 fit, the member is put in one of them (Rng.weightedOrAny), not stopped as a fhirseed bug
// (Rng.weighted throws on weights summing to 0: `generate` with such a profile was exit 70).
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/profile/types.js';
import { Rng } from '../../src/util/rng.js';
import { shippedProfile } from '../helpers/output.js';
import { simulatePopulation } from '../helpers/population.js';

/** The shipped default profile with every Medicare Advantage and Medicaid plan at share 0, and dental take-up 0. */
function zeroShareProfile(): Profile {
  const profile = structuredClone(shippedProfile());
  const commercial = profile.plans.filter((p) => p.type === 'commercial');
  for (const plan of profile.plans) {
    if (plan.type === 'medicare-advantage' || plan.type === 'medicaid' || plan.type === 'dental') plan.share = 0;
  }
  for (const plan of commercial) plan.share = 1 / commercial.length;
  return profile;
}

describe('plans of share 0 left alone by a showcase member', () => {
  it('should still simulate every member, the showcases in plans of share 0 and everyone else in plans above 0', () => {
    const profile = zeroShareProfile();
    const shares = new Map(profile.plans.map((p) => [p.id, p.share]));
    const stories = simulatePopulation(profile);
    expect(stories).toHaveLength(profile.members);
    const planIds = stories.flatMap((s) => s.coverages.map((c) => c.planId));
    // The Medicare Advantage showcase (and the dental one) can only be in a plan of share 0: some member must be.
    expect(planIds.some((id) => shares.get(id) === 0)).toBe(true);
    expect(planIds.some((id) => (shares.get(id) ?? 0) > 0)).toBe(true);
  });
});

describe('Rng.weightedOrAny', () => {
  it('should draw as Rng.weighted when some weight is above 0', () => {
    const weights = [0, 2, 0, 1];
    const items = weights.map((_, i) => i);
    const a = new Rng('same');
    const b = new Rng('same');
    for (let k = 0; k < 50; k++) expect(a.weightedOrAny(items, (i) => weights[i]!)).toBe(b.weighted(items, (i) => weights[i]!));
  });

  it('should draw every item uniformly when all weights are 0, and throw for an empty list', () => {
    const rng = new Rng('zeros');
    const seen = new Set<string>();
    for (let k = 0; k < 200; k++) seen.add(rng.weightedOrAny(['a', 'b', 'c'], () => 0));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
    expect(() => rng.weightedOrAny([], () => 0)).toThrow('Rng.pick from an empty list');
  });
});
