import type { Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_TYPES, inPatientCompartment, isCompartmentType, visibleToPatient } from '../../src/serve/compartment.js';
import { otherPatientSearch, patientDenial, patientFilter } from '../../src/serve/patient-access.js';
import type { PatientGrant } from '../../src/serve/patient-auth.js';
import { indexR4Definitions, type AtomicMemoryRepository } from '../../src/serve/router.js';

/**
 * The patient-token rules one by one, without a server (issue 19: the mutants of src/serve/compartment.ts and
 * src/serve/patient-access.ts that the HTTP tests let live). Each case names one request or resource a patient
 * token must be refused or allowed, with the exact reason.
 */
const ME = 'me';
const all: PatientGrant = { patient: ME, scope: 'patient/*.read', types: '*' };
const eobOnly: PatientGrant = { patient: ME, scope: 'patient/ExplanationOfBenefit.read', types: new Set(['ExplanationOfBenefit']) };

const eob = (id: string, patient: string): Resource => ({ resourceType: 'ExplanationOfBenefit', id, patient: { reference: `Patient/${patient}` } }) as Resource;
const stored: Resource[] = [
  { resourceType: 'Patient', id: ME },
  { resourceType: 'Patient', id: 'other' },
  eob('mine', ME),
  eob('theirs', 'other'),
  { resourceType: 'Organization', id: 'payer' },
];
const repo = { get: (type: string, id: string) => stored.find((r) => r.resourceType === type && r.id === id), versions: () => [] } as unknown as AtomicMemoryRepository;
const deny = (grant: PatientGrant, method: string, path: string) => patientDenial(grant, method, path === '' ? [] : path.split('/'), repo);

beforeAll(() => indexR4Definitions());

describe('compartment membership', () => {
  it('should put a Patient in its own compartment only', () => {
    expect(inPatientCompartment({ resourceType: 'Patient', id: ME }, ME)).toBe(true);
    expect(inPatientCompartment({ resourceType: 'Patient', id: 'other' }, ME)).toBe(false);
  });

  it('should put a resource in the compartment through any one of its compartment parameters', () => {
    const coverage = (beneficiary: string, subscriber: string) =>
      ({ resourceType: 'Coverage', id: 'c', status: 'active', beneficiary: { reference: `Patient/${beneficiary}` }, subscriber: { reference: `Patient/${subscriber}` }, payor: [{ reference: 'Organization/payer' }] }) as Resource;
    expect(inPatientCompartment(coverage(ME, ME), ME)).toBe(true);
    expect(inPatientCompartment(coverage('other', ME), ME)).toBe(true);
    expect(inPatientCompartment(coverage(ME, 'other'), ME)).toBe(true);
    expect(inPatientCompartment(coverage('other', 'other'), ME)).toBe(false);
    expect(inPatientCompartment(eob('x', ME), ME)).toBe(true);
    expect(inPatientCompartment(eob('x', 'other'), ME)).toBe(false);
    expect(inPatientCompartment({ resourceType: 'ExplanationOfBenefit', id: 'x' } as Resource, ME)).toBe(false);
  });

  it('should leave types outside the compartment definition out, directory types included', () => {
    expect(inPatientCompartment({ resourceType: 'Questionnaire', id: 'q', status: 'active' } as Resource, ME)).toBe(false);
    expect(inPatientCompartment({ resourceType: 'Organization', id: 'payer' }, ME)).toBe(false);
    expect(isCompartmentType('Patient')).toBe(true);
    expect(isCompartmentType('ExplanationOfBenefit')).toBe(true);
    expect(isCompartmentType('Coverage')).toBe(true);
    expect(isCompartmentType('Questionnaire')).toBe(false);
    expect(isCompartmentType('Organization')).toBe(false);
  });

  it('should show every directory type to a patient token, and nothing else outside its compartment', () => {
    expect([...DIRECTORY_TYPES].sort()).toEqual(['InsurancePlan', 'Location', 'Medication', 'Organization', 'Practitioner', 'PractitionerRole']);
    for (const type of DIRECTORY_TYPES) {
      expect(visibleToPatient({ resourceType: type, id: 'd' } as Resource, ME), type).toBe(true);
      expect(patientFilter(eobOnly)({ resourceType: type, id: 'd' } as Resource), type).toBe(true);
      expect(deny(eobOnly, 'GET', type), type).toBeUndefined();
    }
    expect(visibleToPatient({ resourceType: 'Questionnaire', id: 'q' } as Resource, ME)).toBe(false);
    expect(visibleToPatient(eob('x', 'other'), ME)).toBe(false);
    expect(visibleToPatient(eob('x', ME), ME)).toBe(true);
  });
});

describe('patientFilter', () => {
  it('should pass the granted types of the compartment and the directory, nothing else', () => {
    const coverage = { resourceType: 'Coverage', id: 'c', beneficiary: { reference: `Patient/${ME}` } } as Resource;
    expect(patientFilter(all)(eob('x', ME))).toBe(true);
    expect(patientFilter(all)(eob('x', 'other'))).toBe(false);
    expect(patientFilter(all)(coverage)).toBe(true);
    expect(patientFilter(eobOnly)(coverage)).toBe(false);
    expect(patientFilter(eobOnly)(eob('x', ME))).toBe(true);
    expect(patientFilter(all)({ resourceType: 'Questionnaire', id: 'q' } as Resource)).toBe(false);
  });
});

describe('patientDenial', () => {
  it('should refuse writes', () => {
    expect(deny(all, 'POST', 'ExplanationOfBenefit')).toBe('a patient token may only read');
    expect(deny(all, 'PUT', 'Patient/me')).toBe('a patient token may only read');
    expect(deny(all, 'DELETE', 'ExplanationOfBenefit/mine')).toBe('a patient token may only read');
    expect(deny(all, 'POST', 'Patient/me/$everything')).toBe('a patient token may only read');
  });

  it('should refuse system-level requests and types outside the scopes', () => {
    expect(deny(all, 'GET', '')).toBe('a patient token may not make system-level requests');
    expect(deny(all, 'GET', '$export')).toBe('a patient token may not make system-level requests');
    expect(deny(all, 'GET', 'Questionnaire')).toBe("the token's scopes do not cover Questionnaire");
    expect(deny(eobOnly, 'GET', 'Coverage')).toBe("the token's scopes do not cover Coverage");
    expect(deny(eobOnly, 'GET', 'ExplanationOfBenefit')).toBeUndefined();
  });

  it('should allow a type search by GET or POST _search only', () => {
    expect(deny(all, 'GET', 'ExplanationOfBenefit')).toBeUndefined();
    expect(deny(all, 'POST', 'ExplanationOfBenefit/_search')).toBeUndefined();
    expect(deny(all, 'GET', 'ExplanationOfBenefit/_search')).toBe('ExplanationOfBenefit/_search is not available to a patient token');
    expect(deny(all, 'HEAD', 'ExplanationOfBenefit')).toBe('ExplanationOfBenefit is not available to a patient token');
    expect(deny(all, 'GET', 'ExplanationOfBenefit/_history')).toBe('ExplanationOfBenefit/_history is not available to a patient token');
    expect(deny(all, 'GET', 'ExplanationOfBenefit/$validate')).toBe('ExplanationOfBenefit/$validate is not available to a patient token');
    // Not a write (it ends in /_search), and still no type search.
    expect(deny(all, 'POST', 'ExplanationOfBenefit/_search/_search')).toBe('ExplanationOfBenefit/_search/_search is not available to a patient token');
  });

  it('should take compartment URLs and $everything on Patient only', () => {
    expect(deny(all, 'GET', 'ExplanationOfBenefit/me/Coverage')).toBe('ExplanationOfBenefit/me/Coverage is not available to a patient token');
    expect(deny(all, 'GET', 'ExplanationOfBenefit/mine/Coverage')).toBe('ExplanationOfBenefit/mine/Coverage is not available to a patient token');
    expect(deny(all, 'GET', 'ExplanationOfBenefit/me/$everything')).toBe('ExplanationOfBenefit/me/$everything is not available to a patient token');
  });

  it('should allow the compartment URL of its own patient only, for granted types', () => {
    expect(deny(all, 'GET', 'Patient/me/ExplanationOfBenefit')).toBeUndefined();
    expect(deny(all, 'GET', 'Patient/other/ExplanationOfBenefit')).toBe('a patient token may only search the compartment of Patient/me');
    const patientAndEob: PatientGrant = { ...eobOnly, types: new Set(['Patient', 'ExplanationOfBenefit']) };
    expect(deny(patientAndEob, 'GET', 'Patient/me/ExplanationOfBenefit')).toBeUndefined();
    expect(deny(patientAndEob, 'GET', 'Patient/me/Coverage')).toBe("the token's scopes do not cover Coverage");
    expect(deny(all, 'HEAD', 'Patient/me/ExplanationOfBenefit')).toBe('Patient/me/ExplanationOfBenefit is not available to a patient token');
    expect(deny(all, 'GET', 'Patient/me/ExplanationOfBenefit/mine')).toBe('Patient/me/ExplanationOfBenefit/mine is not available to a patient token');
    expect(deny(all, 'GET', 'Patient/me/nothing')).toBe('Patient/me/nothing is not available to a patient token');
  });

  it('should allow $everything of its own patient only, with every type granted', () => {
    expect(deny(all, 'GET', 'Patient/me/$everything')).toBeUndefined();
    expect(deny(all, 'GET', 'Patient/other/$everything')).toBe('a patient token may only ask for Patient/me/$everything');
    expect(deny({ ...eobOnly, types: new Set(['Patient', 'ExplanationOfBenefit']) }, 'GET', 'Patient/me/$everything')).toBe('Patient/$everything needs patient/*.read or patient/*.rs');
    expect(deny(all, 'GET', 'Patient/me/$everything/x')).toBe('Patient/me/$everything/x is not available to a patient token');
  });

  it('should allow reads and history reads inside the compartment, and refuse the rest', () => {
    expect(deny(all, 'GET', 'Patient/me')).toBeUndefined();
    expect(deny(all, 'GET', 'ExplanationOfBenefit/mine')).toBeUndefined();
    expect(deny(all, 'GET', 'ExplanationOfBenefit/mine/_history')).toBeUndefined();
    expect(deny(all, 'GET', 'ExplanationOfBenefit/mine/_history/1')).toBeUndefined();
    expect(deny(all, 'GET', 'Organization/payer')).toBeUndefined();
    expect(deny(all, 'GET', 'Patient/other')).toBe('Patient/other is outside the compartment of Patient/me');
    expect(deny(all, 'GET', 'ExplanationOfBenefit/theirs')).toBe('ExplanationOfBenefit/theirs is outside the compartment of Patient/me');
    expect(deny(all, 'GET', 'ExplanationOfBenefit/theirs/_history/1')).toBe('ExplanationOfBenefit/theirs is outside the compartment of Patient/me');
    // Not there: left to the router's 404.
    expect(deny(all, 'GET', 'ExplanationOfBenefit/gone')).toBeUndefined();
    expect(deny(all, 'HEAD', 'ExplanationOfBenefit/mine')).toBe('ExplanationOfBenefit/mine is not available to a patient token');
    expect(deny(all, 'GET', 'ExplanationOfBenefit/mine/$validate')).toBe('ExplanationOfBenefit/mine/$validate is not available to a patient token');
  });
});

describe('otherPatientSearch', () => {
  const refused = (other: string) => `a patient token may only search the data of Patient/me, not Patient/${other}`;

  it('should refuse a search naming another patient by _id, in any form', () => {
    expect(otherPatientSearch(all, 'Patient', { _id: 'other' })).toBe(refused('other'));
    expect(otherPatientSearch(all, 'Patient', { _id: 'me,other' })).toBe(refused('other'));
    expect(otherPatientSearch(all, 'Patient', { _id: ['me', 'other'] })).toBe(refused('other'));
    expect(otherPatientSearch(all, 'Patient', { _id: 'me' })).toBeUndefined();
    // _id on another type names that type's resources, not a patient.
    expect(otherPatientSearch(all, 'ExplanationOfBenefit', { _id: 'other' })).toBeUndefined();
  });

  it('should refuse a reference parameter that points at another patient, in any form', () => {
    expect(otherPatientSearch(all, 'ExplanationOfBenefit', { patient: 'other' })).toBe(refused('other'));
    expect(otherPatientSearch(all, 'ExplanationOfBenefit', { patient: 'Patient/other' })).toBe(refused('other'));
    expect(otherPatientSearch(all, 'ExplanationOfBenefit', { patient: 'http://example.org/fhir/Patient/other' })).toBe(refused('other'));
    expect(otherPatientSearch(all, 'ExplanationOfBenefit', { 'patient:Patient': 'other' })).toBe(refused('other'));
    expect(otherPatientSearch(all, 'Coverage', { beneficiary: 'me,other' })).toBe(refused('other'));
    expect(otherPatientSearch(all, 'ExplanationOfBenefit', { patient: 'me', status: 'active' })).toBeUndefined();
    expect(otherPatientSearch(all, 'ExplanationOfBenefit', { patient: 'Patient/me' })).toBeUndefined();
  });

  it('should leave alone what names no patient', () => {
    // A modifier other than :Patient, a non-reference parameter, a reference that cannot be a Patient, another type.
    expect(otherPatientSearch(all, 'ExplanationOfBenefit', { 'patient:missing': 'true' })).toBeUndefined();
    expect(otherPatientSearch(all, 'ExplanationOfBenefit', { status: 'other' })).toBeUndefined();
    expect(otherPatientSearch(all, 'Patient', { name: 'other' })).toBeUndefined();
    expect(otherPatientSearch(all, 'ExplanationOfBenefit', { provider: 'other' })).toBeUndefined();
    expect(otherPatientSearch(all, 'Coverage', { beneficiary: 'Group/other' })).toBeUndefined();
    expect(otherPatientSearch(all, 'Unknown', { patient: 'other' })).toBeUndefined();
  });
});
