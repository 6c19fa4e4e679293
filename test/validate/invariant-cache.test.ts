import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { cacheKeyOf } from '../../src/validate/invariants.js';
import { sharedValidator } from '../helpers/validator.js';

const VITAL = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-body-weight';

function weight(id: string, extra: Record<string, unknown>): Resource {
  return {
    resourceType: 'Observation',
    id,
    meta: { profile: [VITAL] },
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
    subject: { reference: 'Patient/p' },
    effectiveDateTime: '2024-01-02',
    valueQuantity: { value: 70, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
    ...extra,
  } as Resource;
}

describe('invariant results remembered per node shape', () => {
  it('should key on the elements the expression names at its root, the whole node when it calls functions on it, nothing when it reads the resource', () => {
    const obs6 = cacheKeyOf('dataAbsentReason.empty() or value.empty()')!;
    expect(obs6({ valueQuantity: { value: 1 }, status: 'final' })).toBe('{"valueQuantity":{"value":1}}');
    expect(obs6({ valueQuantity: { value: 1 }, status: 'final' })).not.toBe(obs6({ valueQuantity: { value: 2 } }));
    expect(cacheKeyOf("where(code = 'x').exists()")!({ code: 'x', a: 1 })).toBe('{"code":"x","a":1}');
    expect(cacheKeyOf('%resource.code.exists()')).toBeUndefined();
    expect(cacheKeyOf("'value' in x")!({ value: 1, x: 2 })).toBe('{"x":2}');
  });

  it('should report a failing invariant on every node that fails it, also when an equal node was checked before', async () => {
    const validator = await sharedValidator();
    const absent = { dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'unknown' }] } };
    const issues = validator
      .validate([weight('ok', {}), weight('bad-1', absent), weight('bad-2', absent), weight('ok-2', {})])
      .filter((i) => /invariant obs-6/.test(i.message));
    expect(issues.map((i) => i.id)).toEqual(['bad-1', 'bad-2']);
  });

  it('should still check the contained-resource invariants where there are contained resources', async () => {
    const validator = await sharedValidator();
    const nested = { resourceType: 'Patient', id: 'c1', contained: [{ resourceType: 'Patient', id: 'c2' }] };
    const issues = validator.validate([weight('with-contained', { contained: [nested] }), weight('without', {})]).filter((i) => /invariant dom-2/.test(i.message));
    expect(issues.map((i) => i.id)).toEqual(['with-contained']);
  });
});
