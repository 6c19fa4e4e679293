// A read worker's search answer as bytes (src/serve/store/raw-json.ts answerBytes, issue 17): the same UTF-8 bytes as
// TextEncoder of answerText, written into a buffer of its own (the worker transfers it to the server thread, so a
// pooled buffer would be taken from every other Buffer sharing it).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerBytes, answerText, lazyResource, rememberJson } from '../../src/serve/store/raw-json.js';

const encoder = new TextEncoder();
const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('é, "x": 1', '\u0000' + '0', 'a\uD800b', '𝄞 ☃', ''));

/** A stored resource (lazy or parsed, as the store hands them out) or a plain one (a copy, an OperationOutcome). */
const resource = fc.record({ id: fc.stringMatching(/^[a-z0-9-]{1,12}$/), note: text, kind: fc.constantFrom('lazy', 'parsed', 'plain') }).map(({ id, note, kind }) => {
  const value = { resourceType: 'Basic', id, code: { text: note } };
  const stored = JSON.stringify(value);
  return kind === 'lazy' ? lazyResource('Basic', id, stored) : kind === 'parsed' ? rememberJson(JSON.parse(stored) as object, stored) : value;
});

const bundle = fc.record({ url: text, entries: fc.array(fc.record({ resource, mode: fc.constantFrom('match', 'include') }), { maxLength: 8 }) }).map(({ url, entries }) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  total: entries.length,
  link: [{ relation: 'self', url }],
  entry: entries.map(({ resource: r, mode }) => ({ fullUrl: `http://x/fhir/Basic/${(r as { id: string }).id}`, resource: r, search: { mode } })),
}));

describe('answerBytes', () => {
  it('should give the bytes of answerText for any bundle (stored, parsed and plain entries, multibyte text, a "\\u0000N" string)', () => {
    fc.assert(
      fc.property(bundle, (body) => {
        expect(Buffer.from(answerBytes(body)).equals(Buffer.from(encoder.encode(answerText(body))))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('should write a body whose string reads like a placeholder plainly, as answerText does', () => {
    const stored = lazyResource('Basic', 'b1', '{"resourceType":"Basic","id":"b1"}');
    const body = { resourceType: 'Bundle', link: [{ url: '\u00000' }], entry: [{ resource: stored }] };
    expect(new TextDecoder().decode(answerBytes(body))).toBe(answerText(body));
    expect(answerText(body)).toBe('{"resourceType":"Bundle","link":[{"url":"\\u00000"}],"entry":[{"resource":{"resourceType":"Basic","id":"b1"}}]}');
  });

  it('should answer in a buffer of its own, small answers too (transferable without taking a pooled buffer)', () => {
    for (const body of [
      { resourceType: 'Bundle', entry: [{ resource: lazyResource('Basic', 'b', '{"resourceType":"Basic","id":"b"}') }] },
      { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Basic', id: 'plain' } }] },
      { resourceType: 'OperationOutcome' },
    ]) {
      const bytes = answerBytes(body);
      expect(bytes.byteLength).toBeLessThan(100);
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    }
  });
});
