import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../../src/validate/validator.js';
import { randomProfiles } from '../helpers/arbitraries.js';
import { bundleResources, generateTo, tempDir } from '../helpers/output.js';
import { sharedValidator } from '../helpers/validator.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

let validator: Validator;
beforeAll(async () => {
  validator = await sharedValidator();
});

describe('the validator on random generated populations', () => {
  it('should find 0 errors in whatever the generator makes for random valid profiles', () => {
    fc.assert(
      fc.property(randomProfiles, (profile) => {
        const t = tempDir();
        temps.push(t.cleanup);
        generateTo(t.dir, profile);
        const resources = bundleResources(t.dir).flatMap((b) => b.resources);
        const errors = validator
          .validate(resources)
          .filter((i) => i.severity === 'error')
          .map((i) => `${i.resourceType}/${i.id}: ${i.path}: ${i.message}`);
        expect(errors.slice(0, 10)).toEqual([]);
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});
