import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverage } from '../../src/validate/coverage.js';
import { createValidator, type Validator } from '../../src/validate/validator.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { sharedValidator } from '../helpers/validator.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

function population(seed: number, usCore: '6.1.0' | '3.1.1'): Resource[] {
  const t = tempDir();
  temps.push(t.cleanup);
  generateTo(t.dir, { ...shippedProfile('default'), seed, usCore });
  return bundleResources(t.dir).flatMap((b) => b.resources);
}

function errorsOf(validator: Validator, resources: Resource[]): string[] {
  return validator
    .validate(resources)
    .filter((i) => i.severity === 'error')
    .map((i) => `${i.resourceType}/${i.id}: ${i.path}: ${i.message}`);
}

// The whole default population at a seed the per-domain tests do not use: the coverage plan must not depend on luck.
describe('US Core 6.1.0 must-support coverage of the default population, seed 424242', () => {
  let validator: Validator;
  let resources: Resource[];
  beforeAll(async () => {
    validator = await sharedValidator();
    resources = population(424242, '6.1.0');
  });

  it('should validate every resource against R4, CARIN BB 2.0.0 and US Core 6.1.0 with 0 errors', () => {
    expect(errorsOf(validator, resources).slice(0, 20)).toEqual([]);
  });

  it('should claim every US Core 6.1.0 profile and fill every must-support element it leaves a place for', () => {
    const pkg = validator.packages.find((p) => p.name === 'hl7.fhir.us.core' && p.version === '6.1.0')!;
    const report = coverage(resources, pkg, validator);
    expect(report.unclaimed).toEqual([]);
    expect(report.profiles).toHaveLength(49);
    const gaps = Object.fromEntries(report.profiles.filter((p) => p.missing.length).map((p) => [p.name, p.missing]));
    expect(gaps).toEqual({});
    // What is not applicable is only what the vital-sign profiles leave no place for.
    const notApplicable = report.profiles.flatMap((p) => p.notApplicable.map((n) => `${p.name}: ${n.id}`));
    expect(notApplicable.every((n) => /: Observation\.(component|value\[x\])/.test(n))).toBe(true);
  });
});

describe('US Core 3.1.1 selected by the profile', () => {
  let validator: Validator;
  let resources: Resource[];
  beforeAll(async () => {
    validator = await createValidator({ packagesDir: SHARED_PACKAGES, igs: ['carin-bb@2.0.0', 'us-core@3.1.1'] });
    resources = population(20260101, '3.1.1');
  });

  it('should validate every resource with 0 errors', () => {
    expect(errorsOf(validator, resources).slice(0, 20)).toEqual([]);
  });

  it('should claim every US Core 3.1.1 profile and fill its must-support elements, but for pulse oximetry flow rate', () => {
    const pkg = validator.packages.find((p) => p.name === 'hl7.fhir.us.core' && p.version === '3.1.1')!;
    const report = coverage(resources, pkg, validator);
    expect(report.unclaimed).toEqual([]);
    const gaps = Object.fromEntries(report.profiles.filter((p) => p.missing.length).map((p) => [p.name, p.missing]));
    // 3.1.1 contradicts itself here: the FlowRate component fixes unit L/min, but the vital-signs base binds
    // component values to ucum-vitals-common (required), which has no L/min; no instance can be valid.
    expect(Object.keys(gaps)).toEqual(['USCorePulseOximetryProfile']);
    expect(gaps.USCorePulseOximetryProfile!.every((m) => m.startsWith('Observation.component:FlowRate'))).toBe(true);
  });
});
