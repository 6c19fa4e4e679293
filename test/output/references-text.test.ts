import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { references, referencesInText } from '../../src/output/split.js';

// Keys that make `"reference":"` appear where it is not a reference key: inside other keys and values, after escaped quotes.
const key = fc.constantFrom('reference', 'a', 'valueReference', 'x"reference', 'reference"', '\\', 'ref\\"erence', 'b');
const text = fc.oneof(fc.string(), fc.constantFrom('Patient/1', '', '"reference":"', 'a\\"reference":"b', '\\', 'é\u2028', '\ud800', '"', 'x\\'));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
})).value;

describe('referencesInText (a split member reads its references from its compact JSON)', () => {
  it('should find the same references, in the same order, as the walk over the object', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(referencesInText(JSON.stringify(value))).toEqual(references(value));
      }),
      { numRuns: 600 },
    );
  });

  it('should read escaped values and leave out a reference key spelt inside another key or a value', () => {
    const value = { 'a"reference': 'not', note: '"reference":"not', reference: 'Patient/a\\"b\u00e9', x: [{ reference: 'Organization/o' }] };
    expect(referencesInText(JSON.stringify(value))).toEqual(['Patient/a\\"b\u00e9', 'Organization/o']);
  });
});
