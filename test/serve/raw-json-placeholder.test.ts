import { describe, expect, it } from 'vitest';
import { answerText, rememberJson } from '../../src/serve/store/raw-json.js';

/**
 * answerText marks each stored resource with a "\u0000N" string while JSON.stringify writes the answer, then splices
 * the stored texts in. A string of the answer that reads the same (FHIR forbids U+0000, but an unvalidated client
 * write can hold it) must stay that string, wherever it stands. In process, milliseconds.
 */

function stored(id: string): { resourceType: string; id: string } {
  return rememberJson({ resourceType: 'Patient', id }, `{"id":"${id}","resourceType":"Patient"}`);
}

describe('answerText with placeholder-like strings in the answer', () => {
  const lookalikes = ['\u00000', '\u00001', '\u000099'];
  for (const text of lookalikes) {
    for (const where of ['before', 'between', 'after'] as const) {
      it(`should keep ${JSON.stringify(text)} ${where} the stored resources as written`, () => {
        const odd = { resource: { resourceType: 'Basic', id: 'odd', code: { text } } };
        const a = { resource: stored('a') };
        const b = { resource: stored('b') };
        const entry = where === 'before' ? [odd, a, b] : where === 'between' ? [a, odd, b] : [a, b, odd];
        const body = { resourceType: 'Bundle', type: 'searchset', entry };
        const answer = JSON.parse(answerText(body)) as { entry: { resource: unknown }[] };
        expect(answer).toEqual(JSON.parse(JSON.stringify(body)));
      });
    }
  }

  it('should still splice the stored texts when no string of the answer looks like a placeholder', () => {
    const body = { resourceType: 'Bundle', entry: [{ resource: stored('a') }, { resource: { resourceType: 'Basic', id: 'x', code: { text: '\u0000x' } } }] };
    expect(answerText(body)).toBe('{"resourceType":"Bundle","entry":[{"resource":{"id":"a","resourceType":"Patient"}},{"resource":{"resourceType":"Basic","id":"x","code":{"text":"\\u0000x"}}}]}');
  });
});
