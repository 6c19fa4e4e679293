import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageInMonths } from '../../../src/story/clinical/medications-immunizations.js';
import type { MemberStory } from '../../../src/story/types.js';
import { randomProfiles } from '../../helpers/arbitraries.js';
import { codeMaps } from '../../helpers/output.js';
import { simulatePopulation } from '../../helpers/population.js';

const meds = codeMaps.clinical.medications;

function checkMember(story: MemberStory): void {
  const facts = story.clinical.medications;
  const pharmacy = story.claims.filter((c) => c.type === 'pharmacy');
  const fills = facts.prescriptions.flatMap((p) => p.fills.map((f) => ({ p, f })));
  // One dispense per pharmacy claim, with the claim's date, quantity, days supply and drug.
  expect(fills.map(({ f }) => f.claimOrdinal).sort((a, b) => a - b)).toEqual(pharmacy.map((c) => c.ordinal).sort((a, b) => a - b));
  for (const { p, f } of fills) {
    const claim = story.claims.find((c) => c.ordinal === f.claimOrdinal)!;
    expect(f.date).toBe(claim.serviceStart);
    expect(f.quantity).toBe(claim.pharmacy!.quantity);
    expect(f.daysSupply).toBe(claim.pharmacy!.daysSupply);
    expect(p.prescriptionNumber).toBe(claim.pharmacy!.prescriptionNumber);
    expect(codeMaps.drugs.get(p.drugKey)!.rxnorm.code).toBe(p.rxnorm);
    expect(codeMaps.drugs.get(p.drugKey)!.ndc.code).toBe(claim.pharmacy!.ndc);
    expect(p.authoredOn <= f.date).toBe(true);
    expect(f.declined).toBe(claim.outcome === 'denied');
  }
  expect(new Set(facts.prescriptions.map((p) => p.prescriptionNumber)).size).toBe(facts.prescriptions.length);
  for (const p of facts.prescriptions) {
    if (p.encounterOrdinal !== undefined) {
      const visit = story.clinical.encounters.find((e) => e.ordinal === p.encounterOrdinal)!;
      expect(visit.practitionerId).toBe(p.prescriberId);
      expect(visit.start <= p.fills[0]!.date).toBe(true);
    }
    if (p.conditionIndex !== undefined) expect(codeMaps.conditions.get(story.conditions[p.conditionIndex]!.key)!.drugs).toContain(p.drugKey);
  }
  // Immunizations inside the age schedule.
  for (const imm of facts.immunizations) {
    const months = ageInMonths(story.member.birthDate, imm.date);
    if (imm.vaccineKey === meds.seasonal.vaccine || imm.vaccineKey === meds.seasonal.highDoseVaccine) {
      expect(months).toBeGreaterThanOrEqual(meds.seasonal.ageMinMonths);
    } else {
      expect(meds.schedule.some((d) => d.vaccine === imm.vaccineKey && d.dose === imm.doseNumber && months >= d.ageMinMonths && months <= d.ageMaxMonths)).toBe(true);
    }
  }
  // No allergy a prescription contradicts.
  const drugs = new Set(facts.prescriptions.map((p) => p.drugKey));
  for (const a of facts.allergies) {
    const row = meds.allergies.find((r) => r.key === a.key)!;
    expect(row.conflictsWithDrugs.filter((d) => drugs.has(d))).toEqual([]);
    if (row.noKnownAllergy) expect(facts.allergies).toHaveLength(1);
  }
}

describe('medication facts (src/story/clinical/medications.ts)', () => {
  it('agree with the pharmacy claims, the age schedule and the allergies for any profile and seed', () => {
    fc.assert(
      fc.property(randomProfiles, (profile) => {
        simulatePopulation(profile).forEach(checkMember);
      }),
      { numRuns: 15 },
    );
  });

  it('are the same for the same profile and seed', () => {
    fc.assert(
      fc.property(randomProfiles, (profile) => {
        const a = simulatePopulation(profile).map((m) => m.clinical.medications);
        const b = simulatePopulation(profile).map((m) => m.clinical.medications);
        expect(b).toEqual(a);
      }),
      { numRuns: 10 },
    );
  });
});
