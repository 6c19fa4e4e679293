import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildC4bbCoverage } from '../../src/fhir/carin-bb/coverage.js';
import { accountCsvRow, accountsCsvHeader, testAccount } from '../../src/output/accounts.js';
import type { BuildContext } from '../../src/fhir/context.js';
import { IG_NAMES } from '../../src/profile/igs.js';
import type { Profile } from '../../src/profile/types.js';
import { buildDirectory } from '../../src/story/directory.js';
import type { MemberStory } from '../../src/story/types.js';
import { ageOn } from '../../src/util/dates.js';
import { randomProfiles } from '../helpers/arbitraries.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';
import { defaultStories, simulatePopulation } from '../helpers/population.js';

const UNDER_65_REASONS = ['disability', 'esrd', 'disability-esrd'];

function contextFor(profile: Profile): BuildContext {
  return {
    profile, codeMaps, directory: buildDirectory(profile, codeMaps), runId: 'test', lastUpdated: `${profile.period.end}T00:00:00Z`,
    usCoreVersion: '6.1.0', plansById: new Map(profile.plans.map((p) => [p.id, p])), igs: new Set(IG_NAMES),
  };
}

/** Every Medicare Advantage member of the stories meets Medicare eligibility; returns how many were under 65. */
function checkMedicare(stories: MemberStory[], profile: Profile): number {
  const ctx = contextFor(profile);
  let under65 = 0;
  for (const s of stories) {
    const m = s.member;
    const age = ageOn(m.birthDate, profile.period.start);
    const ma = s.coverages.filter((c) => c.planType === 'medicare-advantage');
    if (!ma.length) {
      expect(m.medicareEntitlement, `member ${s.index}`).toBeUndefined();
      continue;
    }
    expect(age, `member ${s.index} on Medicare`).toBeGreaterThanOrEqual(18);
    expect(m.mbi, `member ${s.index} MBI`).toMatch(/^[1-9][A-Z][A-Z0-9][0-9][A-Z][A-Z0-9][0-9][A-Z]{2}[0-9]{2}$/);
    if (age < 65) {
      under65++;
      expect(UNDER_65_REASONS, `member ${s.index} aged ${age}`).toContain(m.medicareEntitlement);
    } else expect(m.medicareEntitlement, `member ${s.index} aged ${age}`).toBe('age');
    // Medicare has no dependents: the beneficiary is the subscriber of their own coverage.
    expect(m.relationship, `member ${s.index}`).toBe('self');
    expect(m.subscriber).toBeUndefined();
    for (const c of ma) {
      const coverage = buildC4bbCoverage(s, c, ctx);
      expect(coverage.relationship?.coding?.map((x) => x.code), `member ${s.index}`).toEqual(['self']);
      expect(coverage.subscriber?.reference).toBe(coverage.beneficiary.reference);
    }
  }
  return under65;
}

describe('Medicare eligibility', () => {
  it('should put on Medicare Advantage only adults 65+ or under 65 with a disability or ESRD entitlement, each as their own subscriber', () => {
    fc.assert(
      fc.property(randomProfiles, (profile) => {
        checkMedicare(simulatePopulation(profile), profile);
      }),
      { numRuns: 40 },
    );
  });

  it('should enrol some under-65 adults on Medicare Advantage when the age bands include them, each with a reason', () => {
    const base = shippedProfile('default');
    const profile: Profile = { ...base, members: 300, coveragePlan: false, plans: base.plans.filter((p) => p.type === 'medicare-advantage') };
    const stories = simulatePopulation(profile);
    const under65 = checkMedicare(stories, profile);
    // CMS: about 12-15% of Medicare enrollees are under 65.
    expect(under65 / stories.length).toBeGreaterThan(0.06);
    expect(under65 / stories.length).toBeLessThan(0.22);
    expect(new Set(stories.map((s) => s.member.medicareEntitlement))).toContain('disability');
  });

  it('should give members entitled by ESRD end-stage renal disease (N18.6) and dialysis claims', () => {
    const esrd = defaultStories().filter((s) => s.member.medicareEntitlement === 'esrd' || s.member.medicareEntitlement === 'disability-esrd');
    // The coverage plan has one in every population with Medicare Advantage and adults under 65.
    expect(esrd.length).toBeGreaterThan(0);
    for (const s of esrd) {
      expect(s.conditions.map((c) => c.key)).toContain('esrd');
      const lines = s.claims.flatMap((c) => c.lines.map((l) => ({ claim: c, code: l.code.code })));
      const dialysis = lines.filter((l) => l.code === '90935');
      expect(dialysis.length, `member ${s.index} dialysis lines`).toBeGreaterThan(0);
      for (const d of dialysis) expect(d.claim.diagnoses.map((x) => x.icd10cm)).toContain('N18.6');
    }
    // randomProfiles always hold a surgical admission, which must not invent ESRD for a member not entitled by it.
    fc.assert(
      fc.property(randomProfiles, (profile) => {
        for (const s of simulatePopulation(profile)) {
          const hasEsrd = s.conditions.some((c) => c.key === 'esrd');
          expect(hasEsrd, `member ${s.index} ${s.member.medicareEntitlement}`).toBe(s.member.medicareEntitlement === 'esrd' || s.member.medicareEntitlement === 'disability-esrd');
        }
      }),
      { numRuns: 20 },
    );
  });

  it('should record the reason for entitlement in the test accounts (JSON and CSV)', () => {
    const stories = defaultStories();
    const header = accountsCsvHeader().trim().split(',');
    const column = header.indexOf('medicareEntitlement');
    expect(column).toBeGreaterThan(-1);
    for (const s of stories) {
      const account = testAccount(s, `fs-${s.key}`);
      expect(account.medicareEntitlement).toBe(s.member.medicareEntitlement);
      // No field of the default population holds a comma, so the row splits on them.
      expect(accountCsvRow(account).trim().split(',')[column]).toBe(s.member.medicareEntitlement ?? '');
    }
    expect(stories.some((s) => s.member.medicareEntitlement === 'esrd')).toBe(true);
  });

  it('should keep dependents on commercial and Medicaid plans, with children never on Medicare', () => {
    const stories = defaultStories();
    checkMedicare(stories, shippedProfile('default'));
    const dependents = stories.filter((s) => s.member.relationship !== 'self');
    expect(dependents.some((s) => s.member.relationship === 'spouse')).toBe(true);
    expect(dependents.some((s) => s.member.relationship === 'child')).toBe(true);
    for (const s of dependents) expect(s.coverages.map((c) => c.planType)).not.toContain('medicare-advantage');
    expect(stories.some((s) => s.member.relationship === 'child' && s.coverages.some((c) => c.planType === 'medicaid'))).toBe(true);
  });

  it('should make every member the age drawn from the bands at the period start, to the day', () => {
    const base = shippedProfile('default');
    const ages = [0, 17, 65];
    for (const start of ['2025-01-01', '2024-02-29', '2025-07-15']) {
      const profile: Profile = {
        ...base, members: 150, coveragePlan: false, period: { start, end: `${start.slice(0, 4)}-12-31` },
        demographics: { ...base.demographics, ageBands: ages.map((a) => ({ min: a, max: a, share: 1 })) },
        // The plans' own age mixes (plans[].ageBands) would replace these bands: the profile's apply to all.
        plans: base.plans.map(({ ageBands: _ageBands, ...plan }) => plan),
      };
      for (const s of simulatePopulation(profile)) expect(ages, `member ${s.index} born ${s.member.birthDate}`).toContain(ageOn(s.member.birthDate, start));
    }
  });
});
