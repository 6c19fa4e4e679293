import { getSearchParameter } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { indexR4Definitions, indexSearchParameters } from '../../src/serve/router.js';
import { parameterPaths } from '../../src/serve/store/decide.js';

/**
 * What decide.ts says the SQLite store's keys decide exactly (issue 19), rule by rule: the survivors of Stryker on
 * src/serve/store/decide.ts with the store tests. A parameter decided where it should not be answers wrongly (its
 * keys are not where the expression reads); one left undecided where it could be costs the matcher on every row.
 * Hand-made IG parameters stand for what no R4 or shipped IG parameter has (a reference parameter over a code, a
 * token over a Quantity or with a target, an expression naming another type). In process, about a second.
 */

/** An IG search parameter of `type` on `base`, registered as the sandbox registers an IG's (router.ts). */
function igParameter(code: string, type: SearchParameter['type'], base: string, expression: string): SearchParameter {
  return { resourceType: 'SearchParameter', url: `http://example.org/SearchParameter/${code}`, name: code, status: 'active', description: code, code, base: [base as never], type, expression };
}

describe('parameterPaths: which parameters the store keys decide', () => {
  it('should give the leaves and branches of parameters it reads, every branch of a multi-branch expression', () => {
    indexR4Definitions();
    expect(parameterPaths('Observation', 'category')).toEqual({ kind: 'token', leaves: ['category.coding.code'] });
    expect(parameterPaths('Observation', 'status')).toEqual({ kind: 'token', leaves: ['status'] });
    // `A | B` with spaces around the bar: both leaves, not undecided.
    expect(parameterPaths('DocumentReference', 'identifier')).toEqual({ kind: 'token', leaves: ['masterIdentifier.value', 'identifier.value'] });
    expect(parameterPaths('Observation', 'combo-code')).toEqual({ kind: 'token', leaves: ['code.coding.code', 'component.code.coding.code'] });
    expect(parameterPaths('AuditEvent', 'patient')).toEqual({
      kind: 'reference',
      branches: [
        { path: 'agent.who', target: 'Patient' },
        { path: 'entity.what', target: 'Patient' },
      ],
    });
    expect(parameterPaths('ImagingStudy', 'endpoint')).toEqual({ kind: 'reference', branches: [{ path: 'endpoint' }, { path: 'series.endpoint' }] });
    // The same answer asked again (cached per type and code).
    expect(parameterPaths('Observation', 'category')).toEqual({ kind: 'token', leaves: ['category.coding.code'] });
  });

  it('should leave undecided what the keys cannot decide: other parameter types, unknown types and codes, _id, choices', () => {
    indexR4Definitions();
    // A string parameter over the resource's own string elements: keys.ts keys them, but a string search is a prefix
    // match, not a token's. (`Patient.name.family` is a data type's element: left for that reason alone.)
    expect(parameterPaths('Organization', 'name')).toBeUndefined();
    expect(parameterPaths('Patient', 'family')).toBeUndefined();
    expect(parameterPaths('Patient', 'birthdate')).toBeUndefined();
    expect(parameterPaths('NoSuchType', 'patient')).toBeUndefined();
    expect(parameterPaths('Observation', 'no-such-code')).toBeUndefined();
    // The resource's own id has no key (keys.ts): decided by its paths it would match nothing.
    expect(parameterPaths('Patient', '_id')).toBeUndefined();
    // `Observation.value.ofType(Quantity)` and the like: a choice element.
    expect(parameterPaths('Observation', 'value-concept')).toBeUndefined();
  });

  it('should leave undecided an IG parameter whose expression it cannot key exactly', () => {
    indexSearchParameters([
      // A reference parameter over a code element: its values are not references, no `r` key holds them.
      igParameter('m-ref-over-code', 'reference', 'Patient', 'Patient.gender'),
      // A reference parameter with one good branch and one over a code: one bad branch is enough.
      igParameter('m-ref-mixed', 'reference', 'Patient', 'Patient.generalPractitioner | Patient.gender'),
      // A token over a Quantity, over a Reference, over a Period: no leaf holds the code.
      igParameter('m-token-quantity', 'token', 'Observation', 'Observation.referenceRange.low'),
      igParameter('m-token-reference', 'token', 'Patient', 'Patient.managingOrganization'),
      igParameter('m-token-mixed', 'token', 'Patient', 'Patient.gender | Patient.managingOrganization'),
      // A token with a resolve() target: no token is a reference's target.
      igParameter('m-token-target', 'token', 'Patient', 'Patient.gender.where(resolve() is Patient)'),
      // An expression reading another type's element of the same name: it matches nothing on this type.
      igParameter('m-other-type', 'reference', 'Observation', 'Condition.subject'),
    ]);
    for (const [type, code] of [
      ['Patient', 'm-ref-over-code'],
      ['Patient', 'm-ref-mixed'],
      ['Observation', 'm-token-quantity'],
      ['Patient', 'm-token-reference'],
      ['Patient', 'm-token-mixed'],
      ['Patient', 'm-token-target'],
      ['Observation', 'm-other-type'],
    ] as const) {
      expect(getSearchParameter(type, code)?.expression, `${type}.${code} registered`).toBeTruthy();
      expect(parameterPaths(type, code), `${type}.${code}`).toBeUndefined();
    }
  });
});
