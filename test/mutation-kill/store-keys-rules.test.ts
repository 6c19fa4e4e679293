import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { indexKeys, referenceKey, referencePrefix, tokenKey, tokenPrefix } from '../../src/serve/store/keys.js';

/**
 * The SQLite store's index keys (src/serve/store/keys.ts) rule by rule (issue 19), checked through the lookups the
 * store makes (referenceKey, referencePrefix, tokenKey, tokenPrefix), not through the keys' spelling: a resource holds
 * the key a search asks for exactly when keys.ts says it does. In process, milliseconds.
 */

const has = (resource: Resource, key: string | undefined): boolean => key !== undefined && indexKeys(resource).includes(key);
/** Whether some key of `resource` starts with `prefix` (the store's prefix range). */
const inRange = (resource: Resource, prefix: string | undefined): boolean => prefix !== undefined && indexKeys(resource).some((k) => k.startsWith(prefix));

describe('indexKeys through the store\'s lookups', () => {
  const observation = {
    resourceType: 'Observation',
    id: 'own-id',
    status: 'final',
    code: { coding: [{ id: 'coding-1', system: 'urn:c', code: 'Glucose' }] },
    subject: { reference: 'Patient/a' },
    performer: [{ reference: 'https://other.example/fhir/Practitioner/d' }, { reference: 'Organization/o/_history/3' }],
    focus: [{ reference: 'Patient/a' }],
    basedOn: [{ reference: 'urn:uuid:7f1f7a55-0000-4000-8000-000000000001' }],
    text: { status: 'generated', div: 'narrative' },
    valueBoolean: false,
    note: [{ text: 'ServiceRequest/s1' }],
  } as unknown as Resource;

  it('should key a reference at the path of its Reference, arrays not counted, and not at any other path', () => {
    expect(has(observation, referenceKey('Observation', 'Patient/a', 'subject'))).toBe(true);
    expect(has(observation, referenceKey('Observation', 'Patient/a', 'focus'))).toBe(true);
    expect(has(observation, referenceKey('Observation', 'Patient/a', 'performer'))).toBe(false);
    expect(has(observation, referenceKey('Observation', 'Patient/a', 'subject.reference'))).toBe(false);
    expect(inRange(observation, referencePrefix('Observation', 'Patient/a'))).toBe(true);
    expect(inRange(observation, referencePrefix('Observation', 'Patient/b'))).toBe(false);
  });

  it('should key the Type/id tail of an absolute or versioned reference for the prefix range only, and a bare one at its path only', () => {
    // The tail's key has no path: in the range of its prefix, never an exact key at the Reference's path.
    expect(inRange(observation, referencePrefix('Observation', 'Practitioner/d'))).toBe(true);
    expect(has(observation, referenceKey('Observation', 'Practitioner/d', 'performer'))).toBe(false);
    expect(inRange(observation, referencePrefix('Observation', 'Organization/o'))).toBe(true);
    expect(has(observation, referenceKey('Observation', 'Organization/o', 'performer'))).toBe(false);
    // A bare Type/id is keyed once, at its path: no path-less key beside it (the tail is the value itself).
    const keys = indexKeys(observation);
    expect(keys.filter((k) => k.startsWith(referencePrefix('Observation', 'Patient/a')!))).toHaveLength(2);
    // A urn:uuid has no tail: only its own key.
    expect(keys.filter((k) => k.includes('urn:uuid:7f1f7a55'))).toHaveLength(1);
  });

  it('should key a bare Type/id string that is not a Reference\'s at its own path, as a reference and (when a term) as a term', () => {
    expect(has(observation, referenceKey('Observation', 'ServiceRequest/s1', 'note.text'))).toBe(true);
    // A Type/id value held as `reference` is a reference only, never a term.
    expect(inRange(observation, tokenPrefix('Observation', 'Patient/a'))).toBe(false);
  });

  it('should key terms and booleans at their paths, with their case, and never the resource\'s own id', () => {
    expect(has(observation, tokenKey('Observation', 'Glucose', 'code.coding.code'))).toBe(true);
    expect(has(observation, tokenKey('Observation', 'glucose', 'code.coding.code'))).toBe(false);
    expect(inRange(observation, tokenPrefix('Observation', 'GLUCOSE'))).toBe(true);
    expect(has(observation, tokenKey('Observation', 'final', 'status'))).toBe(true);
    expect(has(observation, tokenKey('Observation', 'false', 'valueBoolean'))).toBe(true);
    expect(has(observation, tokenKey('Observation', 'true', 'valueBoolean'))).toBe(false);
    // An element's own id is a term like any other string; the resource's id is not (`_id` is looked up directly).
    expect(has(observation, tokenKey('Observation', 'coding-1', 'code.coding.id'))).toBe(true);
    expect(inRange(observation, tokenPrefix('Observation', 'own-id'))).toBe(false);
    // Narrative XHTML is never a term, whatever it holds.
    expect(inRange(observation, tokenPrefix('Observation', 'narrative'))).toBe(false);
    expect(has(observation, tokenKey('Observation', 'generated', 'text.status'))).toBe(true);
  });

  it('should key nothing else: no reference key for a term, no term for a date, URI, number or null', () => {
    const small = { resourceType: 'Observation', id: 'x', status: 'final', effectiveDateTime: '2024-01-02', code: { coding: [{ system: 'urn:c' }] }, valueInteger: 5, note: null } as unknown as Resource;
    const keys = indexKeys(small);
    expect(keys).toContain(tokenKey('Observation', 'final', 'status'));
    // The resourceType's term key, where keys.ts keeps one (no parameter reads it), and nothing else.
    expect(keys.filter((k) => k !== tokenKey('Observation', 'final', 'status') && k !== tokenKey('Observation', 'Observation', 'resourceType'))).toEqual([]);
  });

  it('should hold each key once', () => {
    const twice = { resourceType: 'Observation', id: 'x', status: 'final', category: [{ coding: [{ code: 'a' }] }, { coding: [{ code: 'a' }] }], subject: { reference: 'Patient/a' }, focus: [{ reference: 'Patient/a' }, { reference: 'Patient/a' }] } as unknown as Resource;
    const keys = indexKeys(twice);
    expect(new Set(keys).size).toBe(keys.length);
    expect(has(twice, tokenKey('Observation', 'a', 'category.coding.code'))).toBe(true);
  });

  it('should skip attachment data', () => {
    const document = { resourceType: 'DocumentReference', id: 'd', status: 'current', content: [{ attachment: { contentType: 'text/plain', data: 'aGVsbG8', title: 'hello' } }] } as unknown as Resource;
    expect(inRange(document, tokenPrefix('DocumentReference', 'aGVsbG8'))).toBe(false);
    expect(has(document, tokenKey('DocumentReference', 'hello', 'content.attachment.title'))).toBe(true);
  });
});

describe('the lookups of search values', () => {
  it('should narrow a reference value only when it is a bare Type/id', () => {
    expect(referencePrefix('Observation', 'Patient/a')).toBeDefined();
    expect(referenceKey('Observation', 'Patient/a', 'subject')).toBeDefined();
    for (const value of ['https://x.example/Patient/a', 'Patient/a/_history/1', 'a', 'urn:uuid:1', '']) {
      expect(referencePrefix('Observation', value), value).toBeUndefined();
      expect(referenceKey('Observation', value, 'subject'), value).toBeUndefined();
    }
  });

  it('should narrow a token by its code, with or without a system, not a system alone or a code kept as no term', () => {
    const bare = tokenPrefix('Observation', 'Glucose');
    expect(bare).toBeDefined();
    expect(tokenPrefix('Observation', 'urn:c|Glucose')).toBe(bare);
    expect(tokenPrefix('Observation', '|Glucose')).toBe(bare);
    expect(tokenPrefix('Observation', 'glucose')).toBe(bare);
    expect(tokenKey('Observation', 'urn:c|Glucose', 'code.coding.code')).toBe(tokenKey('Observation', 'Glucose', 'code.coding.code'));
    expect(tokenKey('Observation', 'glucose', 'code.coding.code')).not.toBe(tokenKey('Observation', 'Glucose', 'code.coding.code'));
    for (const value of ['urn:c|', '', 'urn:c|a|b', '2024-01-01', 'x'.repeat(129)]) {
      expect(tokenPrefix('Observation', value), value).toBeUndefined();
      expect(tokenKey('Observation', value, 'code.coding.code'), value).toBeUndefined();
    }
  });
});
