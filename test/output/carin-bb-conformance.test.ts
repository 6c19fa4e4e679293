import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../../src/validate/validator.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { sharedValidator } from '../helpers/validator.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

let validator: Validator;
beforeAll(async () => {
  validator = await sharedValidator();
});

function population(name: string, members?: number): Resource[] {
  const t = tempDir();
  temps.push(t.cleanup);
  const profile = shippedProfile(name);
  generateTo(t.dir, members ? { ...profile, members } : profile);
  return bundleResources(t.dir).flatMap((b) => b.resources);
}

describe('CARIN BB conformance of generated resources (src/validate)', () => {
  it.each(['default', 'commercial', 'medicare-advantage', 'medicaid', 'dental'])(
    'should validate every resource of the %s profile against R4 and its profiles with 0 errors',
    (name) => {
      const resources = population(name, name === 'default' ? undefined : 30);
      const errors = validator
        .validate(resources)
        .filter((i) => i.severity === 'error')
        .map((i) => `${i.resourceType}/${i.id}: ${i.path}: ${i.message}`);
      expect(errors.slice(0, 20)).toEqual([]);
    },
  );
});
