// CARIN BB 2.0.0 puts an Inpatient Institutional EOB's amounts at the item or at the header, not both
// (EOB-institutional-item-or-header-adjudication), and must-supports both `adjudication:adjudicationamounttype` and
// `item.adjudication:adjudicationamounttype`: a population covers its Inpatient profile only with admissions of both
// shapes. The coverage plan gave the medicaid and commercial profiles none priced at claim level (s19 trial V8: the
// CARIN kit's inpatient must-support test failed on a 50-member medicaid population, validate 98/99) and the
// medicare-advantage profile none priced per line (88/99). Every shipped profile whose plans pay admissions now has one
// of each in its first members (src/story/showcase.ts: perLine, claimLevel).
import { readdirSync } from 'node:fs';
import type { ExplanationOfBenefit, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planUtilization } from '../../src/profile/plan-settings.js';
import { coverage } from '../../src/validate/coverage.js';
import type { Validator } from '../../src/validate/validator.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { sharedValidator } from '../helpers/validator.js';

const INPATIENT = 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Inpatient-Institutional';

/** The shipped profiles some medical plan of which pays admissions. */
const withAdmissions = readdirSync('profiles')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .filter((name) => {
    const profile = shippedProfile(name);
    return profile.plans.some((plan) => plan.type !== 'dental' && planUtilization(profile, plan).inpatient > 0);
  })
  .sort();

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

let validator: Validator;
beforeAll(async () => {
  validator = await sharedValidator();
}, 600_000);

describe('inpatient EOB amounts at the header and at the lines', () => {
  it('should find the shipped profiles with admissions', () => {
    expect(withAdmissions).toEqual(expect.arrayContaining(['commercial', 'default', 'medicaid', 'medicare-advantage']));
    expect(withAdmissions).not.toContain('dental');
  });

  describe.each(withAdmissions)('profile %s, 10 members', (name) => {
    let eobs: ExplanationOfBenefit[];
    let resources: Resource[];
    beforeAll(() => {
      const t = tempDir('fhirseed-inpatient-shapes-');
      temps.push(t.cleanup);
      generateTo(t.dir, { ...shippedProfile(name), members: 10, igs: ['carin-bb'] });
      resources = bundleResources(t.dir).flatMap((b) => b.resources);
      eobs = resources.filter((r): r is ExplanationOfBenefit => r.resourceType === 'ExplanationOfBenefit' && Boolean(r.meta?.profile?.some((p) => p.startsWith(INPATIENT))));
    }, 600_000);

    it('should have admissions priced at claim level and admissions priced per line', () => {
      const atHeader = eobs.filter((e) => e.adjudication?.some((a) => a.amount));
      const atLines = eobs.filter((e) => e.item?.some((i) => i.adjudication?.some((a) => a.amount)));
      expect({ header: atHeader.length > 0, lines: atLines.length > 0 }).toEqual({ header: true, lines: true });
    });

    it('should fill every must-support element of C4BB Inpatient Institutional, with 0 errors', () => {
      const pkg = validator.packages.find((p) => p.name === 'hl7.fhir.us.carin-bb')!;
      const report = coverage(resources, pkg, validator);
      const inpatient = report.profiles.find((p) => p.profile === INPATIENT);
      expect(inpatient?.resources).toBeGreaterThan(0);
      expect(inpatient?.missing).toEqual([]);
      const errors = validator.validate(resources).filter((i) => i.severity === 'error').map((i) => `${i.id} ${i.path} ${i.message}`);
      expect(errors).toEqual([]);
    });
  });
});
