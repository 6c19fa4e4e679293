import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemberStory } from '../../../src/story/types.js';
import { randomProfiles } from '../../helpers/arbitraries.js';
import { simulatePopulation } from '../../helpers/population.js';

/** The clinical visits and conditions agree with the claims they come from. */
function checkAgainstClaims(s: MemberStory): void {
  const claims = new Map(s.claims.map((c) => [c.ordinal, c]));
  for (const e of s.clinical.encounters) {
    const claim = claims.get(e.claimOrdinals[0]!)!;
    expect([e.start, e.end]).toEqual([claim.serviceStart, claim.serviceEnd]);
    expect(e.organizationId).toBe(claim.facilityId ?? claim.billingProviderId);
    expect(e.practitionerId).toBe(claim.renderingPractitionerId ?? claim.attendingPractitionerId);
  }
  const byOrdinal = new Map(s.clinical.encounters.map((e) => [e.ordinal, e]));
  for (const dx of s.clinical.care.encounterDiagnoses) {
    const claim = claims.get(byOrdinal.get(dx.encounterOrdinal)!.claimOrdinals[0]!)!;
    expect(claim.diagnoses.map((d) => d.icd10cm)).toContain(dx.icd10cm.code);
  }
  for (const p of s.clinical.care.problems) {
    const billed = s.claims.flatMap((c) => c.diagnoses).filter((d) => d.conditionKey === p.key);
    for (const d of billed) expect(d.icd10cm).toBe(p.icd10cm.code);
  }
  // Every condition the claims bill is on the problem list.
  const problemKeys = new Set(s.clinical.care.problems.map((p) => p.key));
  for (const d of s.claims.flatMap((c) => c.diagnoses)) if (d.conditionKey) expect(problemKeys).toContain(d.conditionKey);
}

describe('care facts of random populations', () => {
  it('visits share dates and providers with their claims, and conditions the claims\' diagnoses, for any profile and seed', () => {
    fc.assert(fc.property(randomProfiles, (profile) => simulatePopulation(profile).forEach(checkAgainstClaims)), { numRuns: 20 });
  });
});
