// Invariant results are cached per element path and expression, shared by every profile and resource that reaches it:
// a result cached for one resource must be the right answer for the next of the same shape, under another profile, and
// two shapes two answers. con-4 is R4 Condition's own: the base checker evaluates it (no profile in the issue), and the
// profiles' copies of it are not evaluated again.
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { sharedValidator } from '../helpers/validator.js';

const DIAGNOSIS = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition-encounter-diagnosis';
const PROBLEM = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition-problems-health-concerns';

function condition(id: string, profile: string, clinical: string, abated: boolean): Resource {
  const category = profile === DIAGNOSIS ? 'encounter-diagnosis' : 'problem-list-item';
  return {
    resourceType: 'Condition',
    id,
    meta: { profile: [profile] },
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: clinical }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: category }] }],
    code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003' }] },
    subject: { reference: 'Patient/p' },
    ...(abated ? { abatementDateTime: '2024-05-01' } : {}),
  } as Resource;
}

describe('invariant cache shared across profiles', () => {
  it('should report con-4 once on each resource of the failing shape, whichever profile it claims, and not for the holding shape', async () => {
    const validator = await sharedValidator();
    const resources = [
      condition('a', DIAGNOSIS, 'active', true), // fails con-4: abated yet active
      condition('b', PROBLEM, 'active', true), // the same shape under the other profile: a cache hit, still a failure
      condition('c', PROBLEM, 'resolved', true), // another shape: holds
      condition('d', DIAGNOSIS, 'resolved', true),
      condition('e', DIAGNOSIS, 'active', false),
      { resourceType: 'Patient', id: 'p' } as Resource,
    ];
    const con4 = validator
      .validate(resources)
      .filter((i) => i.message.startsWith('invariant con-4 failed'))
      .map((i) => `${i.id} ${i.profile}`);
    expect(con4).toEqual(['a undefined', 'b undefined']);
  });
});
