// Validates only the directory bundle (what Plan-Net is about) at two seeds, with 1 member each: the
// directory depends on the profile seed alone, not on the member count, so it is the 25-member default's.
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverage } from '../../../src/validate/coverage.js';
import { createValidator, type Validator } from '../../../src/validate/validator.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../../helpers/output.js';
import { SHARED_PACKAGES } from '../../helpers/packages.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

function population(seed: number, members: number): { directory: Resource[]; members: Resource[] } {
  const t = tempDir('fhirseed-plan-net-');
  temps.push(t.cleanup);
  generateTo(t.dir, { ...shippedProfile('default'), seed, members }, { formats: ['bundles'] });
  const files = bundleResources(t.dir);
  return {
    directory: files.filter((f) => f.file === 'directory.json').flatMap((f) => f.resources),
    members: files.filter((f) => f.file !== 'directory.json').flatMap((f) => f.resources),
  };
}

let validator: Validator;
beforeAll(async () => {
  validator = await createValidator({ packagesDir: SHARED_PACKAGES, igs: ['carin-bb@2.0.0', 'us-core@6.1.0', 'plan-net@1.1.0'] });
});

describe.each([20260101, 777])('Plan-Net directory of the default profile, seed %i', (seed) => {
  let directory: Resource[];
  beforeAll(() => {
    directory = population(seed, 1).directory;
  });

  it('should validate against R4, CARIN BB, US Core 6.1.0 and Plan-Net 1.1.0 with 0 errors', () => {
    const errors = validator
      .validate(directory)
      .filter((i) => i.severity === 'error')
      .map((i) => `${i.resourceType}/${i.id}: ${i.path}: ${i.message}`);
    expect(errors.slice(0, 30)).toEqual([]);
  });

  it('should claim every Plan-Net profile and fill every must-support element', () => {
    const pkg = validator.packages.find((p) => p.name === 'hl7.fhir.us.davinci-pdex-plan-net')!;
    const report = coverage(directory, pkg, validator);
    expect(report.unclaimed).toEqual([]);
    expect(report.profiles).toHaveLength(9);
    expect(report.profiles.reduce((n, p) => n + p.total, 0)).toBe(217);
    const gaps = Object.fromEntries(report.profiles.filter((p) => p.missing.length).map((p) => [p.name, p.missing]));
    // The one gap: a network is not a health care provider, and NPIs are issued only to providers (45 CFR 162.410);
    // the IG's own Network examples carry no identifier. Network telecom is must-support but prohibited (0..0): not applicable.
    expect(gaps).toEqual({ PlannetNetwork: ['Organization.identifier:NPI'] });
    const notApplicable = report.profiles.flatMap((p) => p.notApplicable.map((n) => `${p.name}: ${n.id}`));
    expect(notApplicable).toEqual(['PlannetNetwork: Organization.telecom']);
  });
});
