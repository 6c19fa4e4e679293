import { afterEach, describe, expect, it, vi } from 'vitest';
import { answerCopy, answerText, lazyResource, rememberJson } from '../../src/serve/store/raw-json.js';

/**
 * The SQLite store's answer text (src/serve/store/raw-json.ts) rule by rule (issue 19): a resource read from the store
 * is written as the text it was parsed from, and only such a resource; anything else is JSON.stringify's. The stored
 * texts here differ from what JSON.stringify writes (key order, a marker), so a case sees which one was written.
 * In process, milliseconds.
 */

afterEach(() => vi.restoreAllMocks());

/** A stored resource whose text is recognisable: its keys in another order than the object's. */
function stored(id: string): { resource: { resourceType: string; id: string }; text: string } {
  const text = `{"id":"${id}","resourceType":"Patient"}`;
  return { resource: rememberJson({ resourceType: 'Patient', id }, text), text };
}

describe('answerText', () => {
  it('should splice each stored entry resource\'s text into JSON.stringify\'s answer, in entry order, and leave others as written', () => {
    const a = stored('a');
    const b = stored('b');
    const plain = { resourceType: 'Patient', id: 'c' };
    const bundle = { resourceType: 'Bundle', type: 'searchset', total: 3, entry: [{ resource: a.resource }, { resource: plain, search: { mode: 'match' } }, { resource: b.resource }] };
    expect(answerText(bundle)).toBe(`{"resourceType":"Bundle","type":"searchset","total":3,"entry":[{"resource":${a.text}},{"resource":{"resourceType":"Patient","id":"c"},"search":{"mode":"match"}},{"resource":${b.text}}]}`);
    // The answer parses as the bundle.
    expect(JSON.parse(answerText(bundle))).toEqual(JSON.parse(JSON.stringify(bundle)));
  });

  it('should be JSON.stringify for anything without a stored entry resource', () => {
    const a = stored('a');
    const cases: unknown[] = [
      undefined,
      null,
      'text',
      { resourceType: 'Patient', id: 'a' },
      // A stored resource that is not a Bundle entry's resource: not spliced.
      { resourceType: 'Bundle', entry: 'not an array' },
      { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Patient', id: 'x' } }, null, {}] },
      // An entry that is no object, first: looked at as one without a resource.
      { resourceType: 'Bundle', entry: [null, { resource: { resourceType: 'Patient', id: 'x' } }] },
      { resourceType: 'Parameters', parameter: [{ name: 'x', resource: { resourceType: 'Patient', id: 'y' } }], contained: a.resource },
    ];
    for (const body of cases) expect(answerText(body), JSON.stringify(body)).toBe(JSON.stringify(body));
  });

  it('should write a stored resource under any `resource` key of an answer that has a stored entry, and only there', () => {
    const a = stored('a');
    const b = stored('b');
    // An entry's response outcome, a resource nested as a value of another key: only `resource` keys are spliced.
    const bundle = { resourceType: 'Bundle', entry: [{ resource: a.resource, response: { outcome: b.resource } }, { resource: b.resource }] };
    expect(answerText(bundle)).toBe(`{"resourceType":"Bundle","entry":[{"resource":${a.text},"response":{"outcome":{"resourceType":"Patient","id":"b"}}},{"resource":${b.text}}]}`);
  });
});

describe('answerCopy', () => {
  it('should hand out a stored resource itself, and a deep copy of anything else', () => {
    const a = stored('a');
    expect(answerCopy(a.resource)).toBe(a.resource);
    const plain = { resourceType: 'Patient', id: 'p', name: [{ family: 'X' }] };
    const copy = answerCopy(plain);
    expect(copy).not.toBe(plain);
    expect(copy).toEqual(plain);
    expect(copy.name).not.toBe(plain.name);
    expect(answerCopy(undefined)).toBeUndefined();
    expect(answerCopy('text')).toBe('text');
  });
});

describe('lazyResource', () => {
  const text = '{"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p"}}';

  it('should answer resourceType, id and toJSON without parsing, and be written as its text', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const lazy = lazyResource<Record<string, unknown>>('Observation', 'o1', text);
    expect(lazy.resourceType).toBe('Observation');
    expect(lazy.id).toBe('o1');
    expect(lazy.toJSON).toBeUndefined();
    expect(answerText({ resourceType: 'Bundle', entry: [{ resource: lazy }] })).toBe(`{"resourceType":"Bundle","entry":[{"resource":${text}}]}`);
    expect(parse).not.toHaveBeenCalled();
    expect(answerCopy(lazy)).toBe(lazy);
  });

  it('should read as the parsed resource (properties, in, keys, descriptors, stringify), parsing it once', () => {
    const expected = JSON.parse(text) as unknown;
    const parse = vi.spyOn(JSON, 'parse');
    const lazy = lazyResource<Record<string, unknown>>('Observation', 'o1', text);
    expect(lazy.status).toBe('final');
    expect(lazy.subject).toEqual({ reference: 'Patient/p' });
    expect('subject' in lazy).toBe(true);
    expect('code' in lazy).toBe(false);
    expect(Object.keys(lazy)).toEqual(['resourceType', 'id', 'status', 'subject']);
    expect(Object.getOwnPropertyDescriptor(lazy, 'status')).toEqual({ value: 'final', writable: true, enumerable: true, configurable: true });
    expect(Object.getOwnPropertyDescriptor(lazy, 'code')).toBeUndefined();
    expect(JSON.stringify(lazy)).toBe(text);
    expect({ ...lazy }).toEqual(expected);
    expect(parse.mock.calls.filter(([t]) => t === text)).toHaveLength(1);
  });

  it('should refuse every change and stay as stored', () => {
    const lazy = lazyResource<Record<string, unknown>>('Observation', 'o1', text);
    expect(() => (lazy.status = 'amended')).toThrow(TypeError);
    expect(() => (lazy.id = 'o2')).toThrow(TypeError);
    expect(() => delete lazy.status).toThrow(TypeError);
    expect(() => Object.defineProperty(lazy, 'extra', { value: 1 })).toThrow(TypeError);
    expect(lazy.status).toBe('final');
    expect(lazy.id).toBe('o1');
    expect('extra' in lazy).toBe(false);
  });
});
