import type { PractitionerRole } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluatedExpression } from '../../src/validate/invariants.js';
import { createValidator, type Validator } from '../../src/validate/validator.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

/**
 * US Core 6.1.0 PractitionerRole pd-1 (`telecom or endpoint`) throws in FHIRPath on a role with two phones,
 * so it went unevaluated; the validator evaluates its repair (src/validate/invariants.ts, REPAIRED). The
 * Plan-Net example role, also claiming US Core's profile as fhirseed's roles do, is checked with and without
 * contact information.
 */
const US_CORE_ROLE = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-practitionerrole';

let validator: Validator;
let example: PractitionerRole;

beforeAll(async () => {
  validator = await createValidator({ packagesDir: SHARED_PACKAGES, igs: ['us-core@6.1.0', 'plan-net@1.1.0'] });
  const pkg = validator.packages.find((p) => p.name === 'hl7.fhir.us.davinci-pdex-plan-net')!;
  example = pkg.examples.map((e) => e.resource).find((r) => r.resourceType === 'PractitionerRole' && r.id === 'HansSoloRole1') as PractitionerRole;
});

/** The example claiming US Core's profile too, with two phone numbers (a collection FHIRPath will not read as a boolean). */
function withPhones(): PractitionerRole {
  const role = structuredClone(example);
  role.meta = { ...role.meta, profile: [...(role.meta?.profile ?? []), US_CORE_ROLE] };
  role.telecom = [{ system: 'phone', value: '555-555-0101', use: 'work' }, { system: 'phone', value: '555-555-0102', use: 'work' }];
  return role;
}

const pd1 = (issues: { message: string; path: string; severity: string }[]) => issues.filter((i) => i.message.includes('pd-1'));

describe('pd-1 (US Core PractitionerRole: contact information or an Endpoint)', () => {
  it('should evaluate pd-1 on a role with two phones and find it holds', () => {
    expect(example).toBeDefined();
    expect(pd1(validator.validate([withPhones()]))).toEqual([]);
    expect(validator.skippedInvariants.has('pd-1')).toBe(false);
  });

  it('should report pd-1 on a broken copy of the Plan-Net example with neither telecom nor endpoint', () => {
    const broken = withPhones();
    delete broken.telecom;
    delete broken.endpoint;
    expect(pd1(validator.validate([broken]))).toEqual([
      expect.objectContaining({ severity: 'error', path: 'PractitionerRole', message: 'invariant pd-1 failed: SHALL have contact information or a reference to an Endpoint' }),
    ]);
    expect(validator.skippedInvariants.has('pd-1')).toBe(false);
  });

  it('should repair only the expression as published', () => {
    expect(evaluatedExpression('pd-1', 'telecom or endpoint')).toBe('telecom.exists() or endpoint.exists()');
    expect(evaluatedExpression('pd-1', 'telecom.exists()')).toBe('telecom.exists()');
    expect(evaluatedExpression('pd-2', 'telecom or endpoint')).toBe('telecom or endpoint');
  });
});
