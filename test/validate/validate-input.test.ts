import type { Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { createValidator, type Validator } from '../../src/validate/validator.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

// A library caller's mistakes (F7 of session 17's trial): named, not "Cannot read properties of null" / "not iterable".
describe('Validator.validate given what is not an array of resources', () => {
  let validator: Validator;
  beforeAll(async () => {
    validator = await createValidator({ igs: ['carin-bb@2.0.0'], packagesDir: SHARED_PACKAGES });
  });

  it('should name a null or undefined entry by its index', () => {
    const patient = { resourceType: 'Patient', id: 'p1' } as Resource;
    expect(() => validator.validate([patient, null as unknown as Resource])).toThrow(new TypeError('validate: resources[1] is null, not a resource'));
    expect(() => validator.validate([undefined as unknown as Resource])).toThrow(new TypeError('validate: resources[0] is undefined, not a resource'));
  });

  it('should say an array is expected when given one resource, or null', () => {
    const one = { resourceType: 'Patient', id: 'p1' } as unknown as Resource[];
    expect(() => validator.validate(one)).toThrow(new TypeError('validate: expected an array of resources, got an object (one resource? give [resource])'));
    expect(() => validator.validate(null as unknown as Resource[])).toThrow(new TypeError('validate: expected an array of resources, got null'));
  });
});
