import type { ExplanationOfBenefit, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverage } from '../../src/validate/coverage.js';
import type { Validator } from '../../src/validate/validator.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { sharedValidator } from '../helpers/validator.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

let validator: Validator;
beforeAll(async () => {
  validator = await sharedValidator();
});

const CARIN_BB = 'http://hl7.org/fhir/us/carin-bb/';

/**
 * The CARIN BB resources of the 25-member default population at a seed (the directory bundle included),
 * generated with CARIN BB alone: other IGs' directory resources (Plan-Net endpoints, services) are not referred to.
 */
function carinBbPopulation(seed: number): Resource[] {
  const t = tempDir();
  temps.push(t.cleanup);
  generateTo(t.dir, { ...shippedProfile('default'), seed, igs: ['carin-bb'] });
  return bundleResources(t.dir)
    .flatMap((b) => b.resources)
    .filter((r) => (r.meta?.profile ?? []).some((p) => p.startsWith(CARIN_BB)));
}

// The coverage plan (src/story/showcase.ts) depends on the member index only, so any seed must do.
describe.each([20260101, 123456])('CARIN BB 2.0.0 must-support coverage of the default population, seed %i', (seed) => {
  let resources: Resource[];
  beforeAll(() => {
    resources = carinBbPopulation(seed);
  });

  it('should validate every CARIN BB resource with 0 errors', () => {
    const errors = validator
      .validate(resources)
      .filter((i) => i.severity === 'error')
      .map((i) => `${i.resourceType}/${i.id}: ${i.path}: ${i.message}`);
    expect(errors.slice(0, 20)).toEqual([]);
  });

  it('should fill every must-support element of every CARIN BB resource profile', () => {
    const pkg = validator.packages.find((p) => p.name === 'hl7.fhir.us.carin-bb');
    if (!pkg) throw new Error('hl7.fhir.us.carin-bb is not loaded');
    const report = coverage(resources, pkg, validator);
    const claimed = report.profiles.filter((p) => p.resources > 0);
    // Patient, Coverage, Organization, Practitioner, RelatedPerson and the five EOB profiles.
    expect(claimed.map((p) => p.name).sort()).toHaveLength(10);
    const gaps = Object.fromEntries(claimed.filter((p) => p.missing.length).map((p) => [p.name, p.missing]));
    expect(gaps).toEqual({});
  });

  it('should put institutional amounts at the line or at the header, and header amounts equal to the totals', () => {
    const institutional = resources.filter(
      (r): r is ExplanationOfBenefit => r.resourceType === 'ExplanationOfBenefit' && r.type.coding?.[0]?.code === 'institutional',
    );
    const amounts = (entries: { category: { coding?: { code?: string }[] }; amount?: { value?: number } }[] | undefined) =>
      Object.fromEntries((entries ?? []).filter((e) => e.amount).map((e) => [e.category.coding?.[0]?.code, e.amount?.value]));
    let headerLevel = 0;
    for (const eob of institutional) {
      const header = amounts(eob.adjudication);
      const atLines = (eob.item ?? []).some((i) => Object.keys(amounts(i.adjudication)).length > 0);
      expect(atLines !== Object.keys(header).length > 0, `${eob.id}`).toBe(true);
      if (!atLines) {
        headerLevel++;
        expect(header, `${eob.id}`).toEqual(amounts(eob.total));
        expect(eob.item?.every((i) => !i.adjudication), `${eob.id}`).toBe(true);
      }
    }
    expect(headerLevel).toBeGreaterThan(0);
  });

  it('should make the corrected claims name the claim they replace, with a note on their lines', () => {
    const corrected = resources.filter((r): r is ExplanationOfBenefit => r.resourceType === 'ExplanationOfBenefit' && Boolean(r.related));
    expect(new Set(corrected.map((e) => e.meta?.profile?.[0]?.split('|')[0])).size).toBe(5);
    for (const eob of corrected) {
      expect(eob.related?.[0]?.reference?.value).toMatch(/^\d{4}[0-9A-F]{10}$/);
      expect(eob.processNote?.[0]?.text).toContain(eob.related?.[0]?.reference?.value);
      expect(eob.item?.every((i) => i.noteNumber?.includes(1))).toBe(true);
    }
  });
});
