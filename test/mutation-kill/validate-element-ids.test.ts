import { describe, expect, it } from 'vitest';
import { codings, jsonType, lastSegment, lastUrlSegment, parentId, splitSlice } from '../../src/validate/element-ids.js';

/**
 * The element-id and JSON-shape helpers the profile checker uses (src/validate/element-ids.ts, split out of
 * profile.ts in 38fcd86; issue 19, mutation testing), case by case at their edges.
 */

describe('element ids', () => {
  it('should split a last segment at its first colon only', () => {
    expect(splitSlice('supportingInfo:dayssupply')).toEqual(['supportingInfo', 'dayssupply']);
    expect(splitSlice('supportingInfo')).toEqual(['supportingInfo', undefined]);
    expect(splitSlice(':x')).toEqual(['', 'x']);
    expect(splitSlice('a:b:c')).toEqual(['a', 'b:c']);
    expect(splitSlice('value[x]:valueQuantity')).toEqual(['value[x]', 'valueQuantity']);
  });

  it('should take the parent and the last segment at the last dot, slice names kept', () => {
    expect(parentId('ExplanationOfBenefit.supportingInfo:dayssupply.code')).toBe('ExplanationOfBenefit.supportingInfo:dayssupply');
    expect(parentId('ExplanationOfBenefit.item')).toBe('ExplanationOfBenefit');
    expect(lastSegment('ExplanationOfBenefit.supportingInfo:dayssupply')).toBe('supportingInfo:dayssupply');
    expect(lastSegment('ExplanationOfBenefit.item.adjudication:allowed.amount')).toBe('amount');
    expect(lastSegment('Patient')).toBe('Patient');
    expect(lastUrlSegment('http://hl7.org/fhir/StructureDefinition/Patient')).toBe('Patient');
    expect(lastUrlSegment('http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient')).toBe('C4BB-Patient');
    expect(lastUrlSegment('Patient')).toBe('Patient');
  });
});

describe('codings', () => {
  it('should give a CodeableConcept its coding, a Coding itself, anything else none', () => {
    const coding = [{ system: 's', code: 'c' }];
    expect(codings({ coding, text: 't' })).toBe(coding);
    const onlyCode = { code: 'c' };
    const onlySystem = { system: 's' };
    expect(codings(onlyCode)).toEqual([onlyCode]);
    expect(codings(onlySystem)).toEqual([onlySystem]);
    expect(codings(onlyCode)[0]).toBe(onlyCode);
    // A coding that is not an array: the value is read as a Coding when it has code or system, else nothing.
    expect(codings({ coding: 'x', code: 'c' })).toEqual([{ coding: 'x', code: 'c' }]);
    expect(codings({ coding: { code: 'c' } })).toEqual([]);
    for (const v of [null, undefined, 'code', 5, true, {}, [], { display: 'd' }]) expect(codings(v as never), JSON.stringify(v)).toEqual([]);
  });
});

describe('jsonType', () => {
  it('should read resourceType first, then Reference, CodeableConcept, Quantity, Period by their keys, then JSON primitives', () => {
    const cases: [unknown, string][] = [
      [{ resourceType: 'Patient', reference: 'x', coding: [] }, 'Patient'],
      [{ resourceType: 5, reference: 'x' }, 'Reference'],
      [{ reference: 'Patient/p' }, 'Reference'],
      [{ identifier: { value: 'v' } }, 'Reference'],
      [{ coding: [], value: 1, unit: 'mg' }, 'CodeableConcept'],
      [{ value: 1, unit: 'mg' }, 'Quantity'],
      [{ value: 1, code: 'mg' }, 'Quantity'],
      [{ value: 1, start: 'x' }, 'Period'],
      [{ unit: 'mg', code: 'mg' }, 'unknown'],
      [{ value: 1 }, 'unknown'],
      [{ start: '2020' }, 'Period'],
      [{ end: '2021' }, 'Period'],
      [{}, 'unknown'],
      ['text', 'string'],
      ['', 'string'],
      [true, 'boolean'],
      [false, 'boolean'],
      [0, 'unknown'],
      [3, 'unknown'],
      [null, 'unknown'],
      [[], 'unknown'],
    ];
    for (const [v, type] of cases) expect(jsonType(v as never), JSON.stringify(v)).toBe(type);
  });
});
