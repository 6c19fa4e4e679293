import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { indexKeys, tokenKey } from '../../src/serve/store/keys.js';

/**
 * keys.ts remembers each element's spelt path by its parent's path and its name (childPath), up to 20,000, then starts
 * again: a resource whose element names run past that bound (data with arbitrary keys, not fhirseed's) is keyed at
 * the same paths as before the bound was reached, and so is every resource after it.
 */
describe('indexKeys past the remembered paths', () => {
  const observation = {
    resourceType: 'Observation',
    id: 'o1',
    status: 'final',
    category: [{ coding: [{ system: 'urn:c', code: 'laboratory' }] }],
  } as unknown as Resource;

  it('should key every element of a resource with 21,000 element names at its own path, and the resources after it as before', () => {
    const before = indexKeys(observation);
    const names = Array.from({ length: 21_000 }, (_, n) => `element${n}`);
    const wide = { resourceType: 'Basic', id: 'b1', ...Object.fromEntries(names.map((name, n) => [name, { nested: `value${n}` }])) } as unknown as Resource;
    const keys = new Set(indexKeys(wide));
    const missing = names.filter((name, n) => !keys.has(tokenKey('Basic', `value${n}`, `${name}.nested`)!));
    expect(missing).toEqual([]);
    expect(keys.size).toBe(21_000);
    expect(indexKeys(observation)).toEqual(before);
    expect(indexKeys(observation)).toContain(tokenKey('Observation', 'laboratory', 'category.coding.code'));
  });
});
