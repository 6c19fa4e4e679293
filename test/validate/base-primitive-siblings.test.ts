import type { Patient } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../../src/validate/validator.js';
import { usCoreExamples } from '../helpers/validator.js';

/**
 * A `_name` sibling holds a primitive's id and extensions (R4 json.html#primitive, "JSON representation of primitive
 * elements"); a complex element (ContactPoint, Period…) carries its own. `_telecom` beside Patient.telecom was
 * walked as an extension holder and its nulls passed as padding, so `"_telecom": [null, {…}]` gave no finding.
 * Copies of the US Core 6.1.0 Patient example, broken one way each: one finding, at the key.
 */

let validator: Validator;
let example: Awaited<ReturnType<typeof usCoreExamples>>['example'];

beforeAll(async () => {
  ({ validator, example } = await usCoreExamples());
});

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
    (patient.name![0] as Record<string, unknown>)._given = [null, EXTENSION];
    expect(errors(patient)).toEqual([]);
  });

  it("should report `\"_telecom\": [null, {…}]` once at Patient._telecom (its null was taken as padding beside telecom[0])", () => {
    const patient = example<Patient>('Patient', 'example');
    (patient as Record<string, unknown>)._telecom = [null, EXTENSION];
    expect(errors(patient)).toEqual([['Patient._telecom', notAllowed('telecom', 'ContactPoint')]]);
  });

  it('should report a `_name` of a complex element whatever it holds, nested too (`name[0]._period` holding an id)', () => {
    const patient = example<Patient>('Patient', 'example');
    (patient.name![0] as Record<string, unknown>)._period = { id: 'p1' };
    (patient as Record<string, unknown>)._address = [EXTENSION];
    expect(errors(patient)).toEqual([
      ['Patient.name[0]._period', notAllowed('period', 'Period')],
      ['Patient._address', notAllowed('address', 'Address')],
    ]);
  });
});
