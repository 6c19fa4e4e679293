import type { Patient } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../../src/validate/validator.js';
import { usCoreExamples } from '../helpers/validator.js';

/**
 * A `_name` sibling holds a primitive's id and extensions (R4 json.html#primitive, "JSON representation of primitive
 * elements"); a complex element (ContactPoint, Period…) carries its own. `_telecom` beside Patient.telecom was
 * walked as an extension holder and its nulls passed as padding, so `"_telecom": [null, {…}]` gave no finding.
 * Copies of the US Core 6.1.0 Patient example, broken one way each: one finding, at the key.
 *
 * Two more things FHIR JSON forbids that the walk let through (new-user trial, session 10):
 * - an empty array (R4 json.html: arrays are never empty): `"extension": []`, `"name": []`;
 * - a primitive's `_name` holder with only an `id` and no value beside it (ele-1, "All FHIR elements must have a
 *   @value or children"): `"_active": {"id": "x"}` without `active`, `"_given": [{"id": "q"}]` without `given`. The
 *   holder was always taken as standing beside its value, so its lone id passed.
 */

let validator: Validator;
let example: Awaited<ReturnType<typeof usCoreExamples>>['example'];

beforeAll(async () => {
  ({ validator, example } = await usCoreExamples());
});

const EMPTY_ARRAY = 'empty array is not allowed: leave the element out (FHIR JSON arrays are never empty)';
const ONLY_ID = 'element with only an id: it must have a value or children (ele-1)';
const EXTENSION = { extension: [{ url: 'http://example.org/note', valueString: 'x' }] };
const notAllowed = (key: string, type: string) =>
  `element '_${key}' is not allowed: only a primitive element has a '_' sibling (for its id and extensions), and '${key}' is of type ${type}`;

/** The errors on the resources, as `[path, message]`. */
function errors(...resources: Patient[]): [string, string][] {
  return validator
    .validate(resources)
    .filter((i) => i.severity === 'error')
    .map((i) => [i.path, i.message]);
}

describe("'_' siblings of complex elements", () => {
  it('should find nothing on the example as published, nor on padded `_given` (a primitive) beside its values', () => {
    const patient = example<Patient>('Patient', 'example');
    expect(errors(patient)).toEqual([]);
    (patient.name![0] as unknown as Record<string, unknown>)._given = [null, EXTENSION];
    expect(errors(patient)).toEqual([]);
  });

  it("should report `\"_telecom\": [null, {…}]` once at Patient._telecom (its null was taken as padding beside telecom[0])", () => {
    const patient = example<Patient>('Patient', 'example');
    (patient as unknown as Record<string, unknown>)._telecom = [null, EXTENSION];
    expect(errors(patient)).toEqual([['Patient._telecom', notAllowed('telecom', 'ContactPoint')]]);
  });

  it('should report a `_name` of a complex element whatever it holds, nested too (`name[0]._period` holding an id)', () => {
    const patient = example<Patient>('Patient', 'example');
    (patient.name![0] as unknown as Record<string, unknown>)._period = { id: 'p1' };
    (patient as unknown as Record<string, unknown>)._address = [EXTENSION];
    expect(errors(patient)).toEqual([
      ['Patient.name[0]._period', notAllowed('period', 'Period')],
      ['Patient._address', notAllowed('address', 'Address')],
    ]);
  });
});

describe('empty arrays', () => {
  it('should report `"extension": []` once at Patient.extension', () => {
    const patient = example<Patient>('Patient', 'example');
    patient.extension = [];
    expect(errors(patient)).toEqual([['Patient.extension', EMPTY_ARRAY]]);
  });

  it('should report `"name": []` at Patient.name, nested arrays too (`name[0].given`)', () => {
    const patient = example<Patient>('Patient', 'example');
    const given = example<Patient>('Patient', 'example');
    given.name![0]!.given = [];
    patient.name = [];
    const found = errors(patient);
    expect(found).toContainEqual(['Patient.name', EMPTY_ARRAY]);
    expect(found.filter(([, message]) => message === EMPTY_ARRAY)).toHaveLength(1);
    expect(errors(given)).toEqual([['Patient.name[0].given', EMPTY_ARRAY]]);
  });
});

describe("a primitive's `_name` holding only an id", () => {
  it('should report `"_active": {"id": "x"}` without `active` at Patient._active, and take it beside `active`', () => {
    const patient = example<Patient>('Patient', 'example');
    delete patient.active;
    (patient as unknown as Record<string, unknown>)._active = { id: 'x' };
    expect(errors(patient)).toEqual([['Patient._active', ONLY_ID]]);
    patient.active = true;
    expect(errors(patient)).toEqual([]);
  });

  it('should report `"_given": [{"id": "q"}]` without `given`, and an id-only entry beside a null, but not one with an extension', () => {
    const patient = example<Patient>('Patient', 'example');
    const name = patient.name![0] as Record<string, unknown>;
    delete name.given;
    name._given = [{ id: 'q' }];
    expect(errors(patient)).toEqual([['Patient.name[0]._given[0]', ONLY_ID]]);
    name._given = [EXTENSION];
    expect(errors(patient)).toEqual([]);
    name.given = [null, 'b'];
    name._given = [{ id: 'q' }, { id: 'r' }];
    expect(errors(patient)).toEqual([['Patient.name[0]._given[0]', ONLY_ID]]);
  });
});
