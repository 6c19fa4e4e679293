import { beforeAll, describe, expect, it } from 'vitest';
import { otherPatientSearch } from '../../src/serve/patient-access.js';
import type { PatientGrant } from '../../src/serve/patient-auth.js';
import { indexR4Definitions } from '../../src/serve/router.js';

/**
 * The forms of a reference search value a patient token's search is judged on (issue 19: the one survivor of
 * src/serve/patient-access.ts that was not equivalent, the reference pattern without `$`). A versioned reference
 * names the same patient as the plain one, with a base URL or without; a value going on past the id, or naming
 * another type, names no patient (the compartment filter still restricts what it finds).
 */
const all: PatientGrant = { patient: 'me', scope: 'patient/*.read', types: '*' };
const refused = (other: string) => `a patient token may only search the data of Patient/me, not Patient/${other}`;
const search = (value: string) => otherPatientSearch(all, 'ExplanationOfBenefit', { patient: value });

beforeAll(() => indexR4Definitions());

describe('otherPatientSearch: reference forms', () => {
  it('should read a versioned reference as the patient it names, relative or absolute', () => {
    expect(search('Patient/me/_history/1')).toBeUndefined();
    expect(search('http://example.org/fhir/Patient/me/_history/3')).toBeUndefined();
    expect(search('Patient/other/_history/12')).toBe(refused('other'));
    expect(search('http://example.org/fhir/Patient/other/_history/1')).toBe(refused('other'));
    expect(search('me,https://example.org/Patient/other/_history/2')).toBe(refused('other'));
    expect(otherPatientSearch(all, 'Coverage', { beneficiary: 'http://example.org/fhir/Patient/other/_history/1' })).toBe(refused('other'));
  });

  it('should name no patient in a value that goes on past the id or names another type', () => {
    for (const value of ['Patient/other/foo', 'http://example.org/fhir/Patient/other/_history/1/x', 'http://example.org/fhir/Patient/other/_history', 'Group/other', 'http://example.org/fhir/Group/other/_history/1', 'http://example.org/fhir/XPatient/other', 'Patient/', 'http://example.org/fhir/Patient/']) {
      expect(search(value), value).toBeUndefined();
    }
  });
});
