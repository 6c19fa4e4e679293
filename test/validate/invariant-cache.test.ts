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
    const mdd1 = cacheKeyOf('whenHandedOver.empty() or whenPrepared.empty() or whenHandedOver >= whenPrepared')!;
    expect(mdd1({ whenHandedOver: '2024-01-02', status: 'completed' })).toBe('{"whenHandedOver":"2024-01-02"}');
    expect(mdd1({ whenHandedOver: '2024-01-02' })).not.toBe(mdd1({ whenHandedOver: '2024-01-03' }));
    expect(cacheKeyOf("where(code = 'x').exists()")!({ code: 'x', a: 1 })).toBe('{"code":"x","a":1}');
    expect(cacheKeyOf('%resource.code.exists()')).toBeUndefined();
    expect(cacheKeyOf("'value' in x")!({ value: 1, x: 2 })).toBe('{"x":2}');
  });

  it('should key a name tested only for presence by presence alone, when its value is plainly there', () => {
    const obs6 = cacheKeyOf('dataAbsentReason.empty() or value.empty()')!;
    expect(obs6({ valueQuantity: { value: 1 }, status: 'final' })).toBe(obs6({ valueQuantity: { value: 2 } }));
    expect(obs6({ valueQuantity: { value: 1 } })).not.toBe(obs6({ valueQuantity: { value: 1 }, dataAbsentReason: { text: 'x' } }));
    // Not plainly there: an empty array, an object of nulls, a primitive are keyed by value.
    expect(obs6({ valueQuantity: {} })).not.toBe(obs6({ valueQuantity: { value: 1 } }));
    expect(obs6({ dataAbsentReason: [] })).not.toBe(obs6({ dataAbsentReason: [{ text: 'x' }] }));
    expect(obs6({ valueString: 'a' })).not.toBe(obs6({ valueString: 'b' }));
    // A keyword before a parenthesis is not a function called on the node.
    const vs2 = cacheKeyOf('(component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists())')!;
    expect(vs2({ resourceType: 'Observation', valueQuantity: { value: 70 } })).toBe(vs2({ resourceType: 'Observation', valueQuantity: { value: 71 } }));
  });

  it('should key %resource reads on the resource itself, and keep no key for them below the root', () => {
    const obs7 = 'value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()';
    expect(cacheKeyOf(obs7, false)).toBeUndefined();
    const atRoot = cacheKeyOf(obs7, true)!;
    const obs = (code: string, component?: unknown) => ({ resourceType: 'Observation', code: { coding: [{ code }] }, valueQuantity: { value: 1 }, ...(component ? { component } : {}) });
    expect(atRoot(obs('a'))).toBe(atRoot({ ...obs('a'), valueQuantity: { value: 2 } }));
    expect(atRoot(obs('a'))).not.toBe(atRoot(obs('b')));
    expect(atRoot(obs('a'))).not.toBe(atRoot(obs('a', [{ code: { coding: [{ code: 'a' }] } }])));
    expect(cacheKeyOf('%resource.contained.empty() or %resource != %context', true)).toBeUndefined();
    expect(cacheKeyOf('%resource.where(id.exists()).exists()', true)!(obs('a'))).toBeUndefined();
  });

  it('should report each failing presence invariant (vs-2, con-4) on every resource that fails it between ones that pass', async () => {
    const validator = await sharedValidator();
    const { valueQuantity: _, ...noValue } = weight('x', {}) as unknown as Record<string, unknown>;
    const issues = validator
      .validate([weight('ok', {}), { ...noValue, id: 'bad-1' } as Resource, weight('ok-2', { valueQuantity: { value: 71, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' } }), { ...noValue, id: 'bad-2' } as Resource])
      .filter((i) => /invariant vs-2/.test(i.message));
    expect(issues.map((i) => i.id)).toEqual(['bad-1', 'bad-2']);
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
