import fc from 'fast-check';
import type { Coverage, ExplanationOfBenefit, Patient, Resource } from '@medplum/fhirtypes';
import { afterAll, describe, expect, it } from 'vitest';
import { randomProfiles } from '../helpers/arbitraries.js';
import { bundleResources, generateTo, tempDir } from '../helpers/output.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

function population(profile: Parameters<typeof generateTo>[1]): Resource[] {
  const t = tempDir('fhirseed-k-arb-');
  temps.push(t.cleanup);
  generateTo(t.dir, profile);
  return bundleResources(t.dir).flatMap((b) => b.resources);
}

const isInpatient = (eob: ExplanationOfBenefit) => (eob.meta?.profile ?? []).some((p) => p.includes('Inpatient-Institutional'));

describe('randomProfiles', () => {
  it('should always give populations with a multi-day stay, a death, a denial and a member under two plans', () => {
    fc.assert(
      fc.property(randomProfiles, (profile) => {
        const resources = population(profile);
        const eobs = resources.filter((r): r is ExplanationOfBenefit => r.resourceType === 'ExplanationOfBenefit');
        const stays = eobs.filter(isInpatient).map((e) => e.billablePeriod!);
        expect(stays.some((p) => p.start!.slice(0, 10) < p.end!.slice(0, 10)), 'multi-day inpatient stay').toBe(true);
        expect(resources.some((r) => r.resourceType === 'Patient' && Boolean((r as Patient).deceasedDateTime)), 'death').toBe(true);
        const denied = (e: ExplanationOfBenefit) =>
          e.outcome === 'error' || JSON.stringify(e.item ?? []).includes('"denialreason"') || JSON.stringify(e).includes('"code":"denied"');
        expect(eobs.some((e) => e.outcome === 'partial' || denied(e)), 'denial').toBe(true);
        const plansByBeneficiary = new Map<string, Set<string>>();
        for (const c of resources.filter((r): r is Coverage => r.resourceType === 'Coverage')) {
          const set = plansByBeneficiary.get(c.beneficiary.reference!) ?? new Set<string>();
          set.add(JSON.stringify(c.class ?? c.type));
          plansByBeneficiary.set(c.beneficiary.reference!, set);
        }
        expect([...plansByBeneficiary.values()].some((s) => s.size > 1), 'member under two plans').toBe(true);
      }),
      { numRuns: 4 },
    );
  });
});
