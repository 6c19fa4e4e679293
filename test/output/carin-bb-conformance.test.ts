import type { Resource } from '@medplum/fhirtypes';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAgainstProfile } from '../helpers/profile-check.js';
import { packageFiles, readPackageJson } from '../helpers/packages.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../helpers/output.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

function population(name: string, members?: number): Resource[] {
  const t = tempDir();
  temps.push(t.cleanup);
  const profile = shippedProfile(name);
  generateTo(t.dir, members ? { ...profile, members } : profile);
  return bundleResources(t.dir).flatMap((b) => b.resources);
}

describe('CARIN BB conformance of generated resources', () => {
  it('should find problems in a broken copy of an IG example (the checker itself works)', () => {
    const eob = readPackageJson('hl7.fhir.us.carin-bb-2.0.0', 'example/ExplanationOfBenefit-EOBPharmacy1.json') as any;
    const canonical = eob.meta.profile[0];
    const broken = structuredClone(eob);
    broken.supportingInfo = broken.supportingInfo.filter((s: any) => s.category.coding[0].code !== 'dayssupply');
    broken.use = 'preauthorization';
    const problems = checkAgainstProfile(broken, canonical);
    expect(problems.some((p) => p.startsWith('ExplanationOfBenefit.supportingInfo:dayssupply: 0 present'))).toBe(true);
    expect(problems.some((p) => p.startsWith('ExplanationOfBenefit.use:'))).toBe(true);
  });

  it.each(['default', 'commercial', 'medicare-advantage', 'medicaid', 'dental'])(
    'should give every resource of the %s profile its required elements, slices, fixed values and required codes',
    (name) => {
      const resources = population(name, name === 'default' ? undefined : 30);
      const problems: string[] = [];
      for (const r of resources) {
        for (const canonical of r.meta?.profile ?? []) {
          for (const p of checkAgainstProfile(r, canonical)) problems.push(`${r.resourceType}/${r.id}: ${p}`);
        }
      }
      expect(problems.slice(0, 20)).toEqual([]);
    },
  );
});

describe('the conformance checker on the IG examples', () => {
  it('should find nothing wrong with the CARIN BB examples beyond their known defects', () => {
    const problems: string[] = [];
    const files = [...packageFiles('hl7.fhir.us.carin-bb-2.0.0').keys()].filter((f) => f.startsWith('example/'));
    for (const f of files) {
      const r = JSON.parse(packageFiles('hl7.fhir.us.carin-bb-2.0.0').get(f)!.toString('utf8'));
      for (const canonical of r.meta?.profile ?? []) problems.push(...checkAgainstProfile(r, canonical).map((p) => `${f}: ${p}`));
    }
    expect(problems).toEqual([]);
  });
});
