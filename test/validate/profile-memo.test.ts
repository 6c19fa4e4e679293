// A compiled profile keeps the last resource's nodes for the coverage index that reads it next (issue 13): a resource
// changed and checked again is read afresh, and the coverage index sees what check saw; once another resource is read,
// by any profile, none is kept (a rarely claimed profile held its last resource for thousands of others).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { sharedValidator } from '../helpers/validator.js';

const PATIENT = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient';
const ORGANIZATION = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-organization';

describe('the node memo of a compiled profile', () => {
  it('should read a resource changed since its last check afresh', async () => {
    const profile = (await sharedValidator()).profile(PATIENT)!;
    const patient: any = {
      resourceType: 'Patient',
      id: 'p',
      meta: { profile: [PATIENT] },
      identifier: [{ system: 'http://example.org/mrn', value: '1' }],
      name: [{ family: 'Doe', given: ['J'] }],
      gender: 'female',
    };
    const problems = () => {
      const found: string[] = [];
      profile.check(patient, (path, message) => found.push(`${path}: ${message}`));
      return found;
    };
    expect(problems()).toEqual([]);
    expect(profile.finder(patient)('Patient.name')).toHaveLength(1);
    delete patient.name;
    delete patient.identifier;
    expect(problems()).toEqual(expect.arrayContaining([expect.stringMatching(/^Patient\.identifier: 0 present/), expect.stringMatching(/^Patient\.name: 0 present/)]));
    expect(profile.finder(patient)('Patient.name')).toEqual([]);
    patient.name = [{ family: 'Roe' }, { family: 'Poe' }];
    expect(profile.finder({ ...patient } as Resource)('Patient.name')).toHaveLength(2);
  });

  it('should keep no resource once another is read, whatever profile claims it', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const validator = await sharedValidator();
    const patients = validator.profile(PATIENT)!;
    const organizations = validator.profile(ORGANIZATION)!;
    let patient: any = { resourceType: 'Patient', id: 'p', meta: { profile: [PATIENT] }, name: [{ family: 'Doe' }] };
    patients.check(patient, () => undefined);
    expect(patients.finder(patient)('Patient.name')).toHaveLength(1);
    const organization: any = { resourceType: 'Organization', id: 'o', meta: { profile: [ORGANIZATION] }, name: 'Acme' };
    organizations.check(organization, () => undefined);
    expect(organizations.finder(organization)('Organization.name')).toEqual(['Acme']);
    const held = new WeakRef(patient);
    patient = undefined;
    // A WeakRef's target is kept until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(held.deref()).toBeUndefined();
  });
});
