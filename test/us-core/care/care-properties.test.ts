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
  // A visit's diagnosis of one of the member's conditions carries that problem's code.
  const problems = s.clinical.care.problems;
  for (const dx of s.clinical.care.encounterDiagnoses) {
    if (dx.problemIndex !== undefined) expect(dx.icd10cm.code).toBe(problems.find((p) => p.index === dx.problemIndex)!.icd10cm.code);
  }
  // Every condition the claims bill is on the problem list, with the code billed: one of its problems' codes (an
  // acute condition the member had twice, an NSTEMI in February and a STEMI in November, is two problems, one code each).
  const codesByKey = new Map<string, string[]>();
  for (const p of problems) codesByKey.set(p.key, [...(codesByKey.get(p.key) ?? []), p.icd10cm.code]);
  for (const d of s.claims.flatMap((c) => c.diagnoses)) if (d.conditionKey) expect(codesByKey.get(d.conditionKey) ?? []).toContain(d.icd10cm);
}

describe('care facts of random populations', () => {
  it('visits share dates and providers with their claims, and conditions the claims\' diagnoses, for any profile and seed', () => {
    fc.assert(fc.property(randomProfiles, (profile) => simulatePopulation(profile).forEach(checkAgainstClaims)), { numRuns: 20 });
  });
});
