// meta.profile holding something other than strings: told as an R4 error, never a crash of the validator or the coverage index.
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { coverage } from '../../src/validate/coverage.js';
import { sharedValidator } from '../helpers/validator.js';

const PATIENT = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient';

function patient(id: string, profile: unknown): Resource {
  return { resourceType: 'Patient', id, meta: { profile }, gender: 'male' } as unknown as Resource;
}

describe('meta.profile that is not an array of strings', () => {
  it('should report the bad entries and still check the profiles the strings claim', async () => {
    const validator = await sharedValidator();
    const resources = [patient('a', [null, PATIENT]), patient('b', [5]), patient('c', 7)];
    const issues = validator.validate(resources);
    const of = (id: string) => issues.filter((i) => i.id === id).map((i) => `${i.profile ?? ''} ${i.path}: ${i.message}`);
    // The string beside the null is checked: US Core Patient wants identifier and name.
    expect(of('a').some((m) => m.startsWith(`${PATIENT} Patient.identifier:`))).toBe(true);
    expect(of('b')).toContain(" Patient.meta.profile[0]: expected a string (canonical), got 5");
    expect(of('c')).toContain(" Patient.meta.profile: element 'profile' must be an array (max *)");
    expect(of('c').filter((m) => m.includes('not in the loaded packages'))).toEqual([]);
    const usCore = validator.packages.find((p) => p.name === 'hl7.fhir.us.core')!;
    const claims = coverage(resources, usCore, validator).profiles.find((p) => p.profile === PATIENT)!.resources;
    expect(claims).toBe(1);
  });
});
