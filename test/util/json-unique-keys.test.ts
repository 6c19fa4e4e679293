// code-maps/ are read with JSON.parse and a key count; only a text with a key twice is read again with places (issue 13).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonWithPlaces } from '../../src/util/json-places.js';
import { parseJsonUniqueKeys } from '../../src/util/json-unique-keys.js';
import { UserError } from '../../src/util/errors.js';
import { thrown } from '../helpers/thrown.js';

/** JSON values whose keys and strings hold quotes, backslashes, colons and braces: what could put the key count off. */
const tricky = fc.string({ unit: fc.constantFrom('a', '"', '\\', ':', '{', '}', ' ', '\n', 'é', '\u2028', '_') });
const json = fc.letrec((tie) => ({
  value: fc.oneof({ maxDepth: 3, depthIdentifier: 'json' }, tricky, tie('object'), tie('array'), fc.integer(), fc.boolean(), fc.constant(null)),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(tricky, fc.constant('__proto__')), tie('value'), { maxKeys: 4 }),
})).value;

describe('parseJsonUniqueKeys', () => {
  it('reads what JSON.parse reads, compact or indented, and throws nothing when no key is twice', () => {
    fc.assert(
      fc.property(json, fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(parseJsonUniqueKeys(text, 'x.json')).toEqual(JSON.parse(text));
      }),
    );
  });

  it('refuses a key given twice anywhere, with parseJsonWithPlaces\' line:column', () => {
    fc.assert(
      fc.property(json, tricky, fc.nat(), (value, key, at) => {
        // The same key twice in a new object, nested at one of the text's objects or at the top.
        const twin = `{${JSON.stringify(key)}: 1, ${JSON.stringify(key)}: 2}`;
        const text = JSON.stringify(value);
        const opens = [...text.matchAll(/[[{]/g)].filter((m) => !insideString(text, m.index!));
        const where = opens.length ? opens[at % opens.length]!.index! : -1;
        const withTwin = where < 0 ? twin : text[where] === '[' ? `${text.slice(0, where + 1)}${twin}${text[where + 1] === ']' ? '' : ','}${text.slice(where + 1)}` : `${text.slice(0, where + 1)}"\\u0000": ${twin}${text[where + 1] === '}' ? '' : ','}${text.slice(where + 1)}`;
        const error = thrown(() => parseJsonUniqueKeys(withTwin, 'code-maps/x.json'));
        expect(error).toBeInstanceOf(UserError);
        expect(error.message).toBe(thrown(() => parseJsonWithPlaces(withTwin, 'code-maps/x.json')).message);
        expect(error.message).toMatch(/^code-maps\/x\.json:1:\d+: .* is given twice in one object \(first at 1:\d+\); keep one$/s);
      }),
    );
  });

  it('says where a text is not JSON, as parseJsonText does', () => {
    expect(thrown(() => parseJsonUniqueKeys('\uFEFF{\n  "a": 1,\n}', 'code-maps/x.json')).message).toBe(
      "code-maps/x.json:3:1: not JSON (Expected double-quoted property name)",
    );
  });
});

/** Whether offset `i` of the JSON `text` is inside a string. */
function insideString(text: string, i: number): boolean {
  let inside = false;
  for (let k = 0; k < i; k++) {
    if (text[k] === '\\' && inside) k++;
    else if (text[k] === '"') inside = !inside;
  }
  return inside;
}
