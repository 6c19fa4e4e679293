import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildDirectory } from '../../../src/story/directory.js';
import { simulateMember } from '../../../src/story/simulate.js';
import type { MemberStory } from '../../../src/story/types.js';
import { udiCarrierHrf } from '../../../src/story/clinical/care-devices.js';
import { careProcedureKey } from '../../../src/codemaps/clinical-care.js';
import { codeMaps, shippedProfile } from '../../helpers/output.js';

const profile = shippedProfile();
const directory = buildDirectory(profile, codeMaps);
const stories: MemberStory[] = Array.from({ length: profile.members }, (_, i) => simulateMember({ profile, codeMaps, directory }, i));
const lastDayOf = (s: MemberStory) => (s.member.deceasedDate && s.member.deceasedDate < profile.period.end ? s.member.deceasedDate : profile.period.end);

describe('problems', () => {
  it('one per story condition, coded with its SNOMED CT concept and the ICD-10-CM code the claims use', () => {
    for (const s of stories) {
      expect(s.clinical.care.problems.map((p) => p.key)).toEqual(s.conditions.map((c) => c.key));
      for (const p of s.clinical.care.problems) {
        const row = codeMaps.conditions.get(p.key)!;
        expect(p.snomed).toEqual(row.snomed);
        expect(p.icd10cm).toEqual(row.icd10cm[s.conditions[p.index]!.icd10Index]);
        expect(p.recorded >= p.onset).toBe(true);
      }
    }
  });

  it('only acute conditions resolve, after their last visit and by the member\'s last day', () => {
    let resolved = 0;
    for (const s of stories) {
      for (const p of s.clinical.care.problems) {
        if (!p.abatement) { expect(p.clinicalStatus).toBe('active'); continue; }
        resolved++;
        expect(codeMaps.conditions.get(p.key)!.chronic).toBe(false);
        expect(p.clinicalStatus).toBe('resolved');
        expect(p.abatement > p.onset && p.abatement <= lastDayOf(s)).toBe(true);
        const visits = s.clinical.care.encounterDiagnoses.filter((d) => d.problemIndex === p.index);
        for (const v of visits) expect(s.clinical.encounters[v.encounterOrdinal - 1]!.end < p.abatement).toBe(true);
      }
    }
    expect(resolved).toBeGreaterThan(0);
  });

  it('both health concerns and screening-assessment categories appear in the population (member 0 by its surgical stay)', () => {
    const all = stories.flatMap((s) => s.clinical.care.problems);
    expect(all.some((p) => p.healthConcern)).toBe(true);
    expect(all.some((p) => !p.healthConcern)).toBe(true);
    expect(stories[0]!.clinical.care.problems.some((p) => p.healthConcern && p.assessmentCategory)).toBe(true);
  });
});

describe('encounter diagnoses', () => {
  it('every visit diagnosis is a diagnosis of the claim the visit comes from, in order', () => {
    for (const s of stories) {
      for (const e of s.clinical.encounters) {
        const dx = s.clinical.care.encounterDiagnoses.filter((d) => d.encounterOrdinal === e.ordinal);
        expect(dx.map((d) => d.k)).toEqual(dx.map((_, i) => i + 1));
        const claimCodes = new Set(e.claimOrdinals.flatMap((o) => s.claims.find((c) => c.ordinal === o)!.diagnoses.map((d) => d.icd10cm)));
        for (const d of dx) expect(claimCodes.has(d.icd10cm.code)).toBe(true);
        expect(dx.length).toBe(e.diagnoses.length);
      }
    }
  });

  it('a diagnosis of a known condition links to the member\'s problem with that key, onset on or before the visit', () => {
    for (const s of stories) {
      for (const d of s.clinical.care.encounterDiagnoses) {
        const e = s.clinical.encounters[d.encounterOrdinal - 1]!;
        const key = e.diagnoses[d.k - 1]!.conditionKey;
        if (!key) { expect(d.problemIndex).toBeUndefined(); continue; }
        expect(s.conditions[d.problemIndex!]!.key).toBe(key);
        expect(s.conditions[d.problemIndex!]!.onset <= e.end).toBe(true);
      }
    }
  });
});

describe('procedures and implants', () => {
  it('each procedure is billed on its visit\'s claim, with a code of the care-procedures table', () => {
    let periods = 0, dates = 0;
    for (const s of stories) {
      for (const p of s.clinical.care.procedures) {
        const e = s.clinical.encounters[p.encounterOrdinal - 1]!;
        const claims = e.claimOrdinals.map((o) => s.claims.find((c) => c.ordinal === o)!);
        const first = p.codes[0]!;
        const billed = claims.some((c) => (first.system === 'icd10pcs' ? c.procedures.some((x) => x.pcs === first.code) : c.lines.some((l) => l.code.code === first.code)));
        expect(billed).toBe(true);
        expect(codeMaps.clinical.care.procedures.has(careProcedureKey(first.system, first.code))).toBe(true);
        expect(p.date >= e.start && p.date <= e.end).toBe(true);
        if (p.period) { periods++; expect(p.period.start < p.period.end).toBe(true); } else dates++;
      }
    }
    expect(periods).toBeGreaterThan(0);
    expect(dates).toBeGreaterThan(0);
  });

  it('the surgeon\'s CPT line and the hospital\'s ICD-10-PCS code are one knee replacement, with one implant', () => {
    const s = stories[0]!;
    const knee = s.clinical.care.procedures.filter((p) => p.snomed?.code === '609588000');
    expect(knee).toHaveLength(1);
    expect(knee[0]!.codes.map((c) => c.system).sort()).toEqual(['cpt', 'icd10pcs']);
    const [implant] = s.clinical.care.implants;
    expect(implant!.procedureOrdinal).toBe(knee[0]!.ordinal);
    expect(knee[0]!.deviceOrdinal).toBe(implant!.ordinal);
  });

  it('implants are made before the operation and do not expire before it; the HRF carries the DI and production identifiers', () => {
    const implants = stories.flatMap((s) => s.clinical.care.implants);
    expect(implants.length).toBeGreaterThan(0);
    for (const i of implants) {
      expect(i.manufactureDate < i.implanted && i.expirationDate > i.implanted).toBe(true);
      const hrf = udiCarrierHrf(i);
      expect(hrf.startsWith(`(01)${i.deviceIdentifier}`)).toBe(true);
      expect(hrf).toContain(`(10)${i.lotNumber}`);
      expect(hrf).toContain(`(21)${i.serialNumber}`);
    }
  });
});

describe('determinism', () => {
  it('the same member index gives the same care facts (any index of the population)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: profile.members - 1 }), (i) => {
        const again = simulateMember({ profile, codeMaps, directory }, i);
        expect(JSON.stringify(again.clinical.care)).toBe(JSON.stringify(stories[i]!.clinical.care));
      }),
      { numRuns: 5 },
    );
  });
});
