import type { Patient } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../../src/validate/validator.js';
import { usCoreExamples } from '../helpers/validator.js';

/**
 * A repeating primitive's `_name` holder stands beside its value only when the value is an array holding one at that
 * index (30f8b5a; issue 19, the survivor of src/validate/base.ts' valueBeside): a `given` that is a string, not an
 * array, or one shorter than `_given`, leaves the holder's lone id without a value (ele-1).
 */

let validator: Validator;
let example: Awaited<ReturnType<typeof usCoreExamples>>['example'];

beforeAll(async () => {
  ({ validator, example } = await usCoreExamples());
}, 240_000);

describe('a repeating primitive that is not an array', () => {
  it("should report ele-1 on a _given holder with only an id when given is a string", () => {
    const patient = example<Patient>('Patient', 'example');
    patient.name = [{ family: 'Shaw', given: 'Amy' as never, _given: [{ id: 'g' }] } as never];
    const errors = validator
      .validate([patient])
      .filter((i) => i.severity === 'error')
      .map((i) => `${i.path}: ${i.message}`);
    expect(errors).toContain('Patient.name[0]._given[0]: element with only an id: it must have a value or children (ele-1)');
  }, 240_000); // the first validation compiles US Core's Patient profile: minutes under load

  it('should report ele-1 on a _given holder past the end of given', () => {
    const patient = example<Patient>('Patient', 'example');
    patient.name = [{ family: 'Shaw', given: ['Amy'], _given: [null, { id: 'q' }] } as never];
    const errors = validator
      .validate([patient])
      .filter((i) => i.severity === 'error')
      .map((i) => `${i.path}: ${i.message}`);
    expect(errors).toContain('Patient.name[0]._given[1]: element with only an id: it must have a value or children (ele-1)');
  }, 240_000);
});
