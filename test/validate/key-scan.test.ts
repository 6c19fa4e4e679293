// The key scan's fast path (scanKeys) against JSON.parse: when it answers, JSON.parse of the line gives an object with
// the same resourceType and id; it answers for the lines fhirseed writes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanKeys, type LineKeys } from '../../src/validate/key-scan.js';

/** scanKeys on `text` placed inside a larger buffer (as a line within a chunk, the next line's bytes after it). */
function scan(text: string, after = '\n{"resourceType":"Patient","id":"next"}'): LineKeys | undefined {
  const buf = Buffer.from(`xx\n${text}${after}`);
  const from = 3;
  const to = from + Buffer.byteLength(text);
  const out: LineKeys = { resourceType: '', id: undefined };
  return scanKeys(buf, from, to, out) ? { ...out } : undefined;
}

/** What the slow path makes of a line: the resource's keys, or undefined when it is no resource (or a Bundle). */
function parsed(text: string): LineKeys | 'problem' {
  let r: any;
  try {
    r = JSON.parse(text);
  } catch {
    return 'problem';
  }
  if (typeof r?.resourceType !== 'string') return 'problem';
  return { resourceType: r.resourceType, id: r.id };
}

/** Whether the fast path answered (and then, that JSON.parse agrees). */
function agrees(text: string): boolean {
  const fast = scan(text);
  if (fast === undefined) return false;
  expect(parsed(text)).toEqual(fast);
  return true;
}

describe('scanKeys', () => {
  it('should read resourceType and id of ordinary lines, in any key order, with nesting, numbers and escapes elsewhere', () => {
    expect(scan('{"resourceType":"Observation","id":"o-1","valueQuantity":{"value":-1.5e+3,"unit":"\\u00b5g"},"note":[{"text":"a \\"b\\"\\n"}],"x":[true,false,null,[]]}')).toEqual({
      resourceType: 'Observation',
      id: 'o-1',
    });
    expect(scan(' { "meta" : {"id":"inner", "resourceType":"Meta"} , "id" : "p" ,\t"resourceType" : "Patient" }\r')).toEqual({ resourceType: 'Patient', id: 'p' });
    expect(scan('{"resourceType":"Patient"}')).toEqual({ resourceType: 'Patient', id: undefined });
    // The last of repeated keys, as JSON.parse keeps it.
    expect(scan('{"resourceType":"Patient","id":"a","id":"b"}')).toEqual({ resourceType: 'Patient', id: 'b' });
  });

  it('should leave to JSON.parse what it does not read exactly', () => {
    for (const text of [
      '{"resourceType":"Bundle","id":"b","entry":[]}', // entry keys
      '{"resourceType":"Patient","id":5}',
      '{"resourceType":"Patient","id":null}',
      '{"resourceType":"Pati\\u0065nt","id":"a"}',
      '{"resourc\\u0065Type":"Patient","id":"a"}',
      '{"resourceType":"Patient","id":"é"}',
      '{"resourceType":7,"id":"a"}',
      '{"id":"a"}',
      '[{"resourceType":"Patient"}]',
      '',
      '   ',
      '\uFEFF{"resourceType":"Patient","id":"a"}',
      // Not JSON at all.
      '{"resourceType":"Patient","id":"a",}',
      '{"resourceType":"Patient","id":"a"',
      '{"resourceType":"Patient","id":"a"} x',
      '{"resourceType":"Patient","n":01}',
      '{"resourceType":"Patient","n":1.}',
      '{"resourceType":"Patient","n":-}',
      '{"resourceType":"Patient","s":"\\x"}',
      '{"resourceType":"Patient","s":"\\u12"}',
      '{"resourceType":"Patient","s":"a\tb"}',
      '{"resourceType":"Patient","b":tru}',
      '{"resourceType":"Patient" "id":"a"}',
      '{"resourceType":"Patient","a":[1,]}',
      `${'['.repeat(300)}${']'.repeat(300)}`,
      `{"resourceType":"Patient","deep":${'['.repeat(300)}${']'.repeat(300)}}`,
    ]) {
      expect(scan(text), text).toBeUndefined();
    }
  });

  it('should not read past the line into the next one', () => {
    // The line stops in the middle of a value that the next line's bytes would complete.
    expect(scan('{"resourceType":"Patient","id":"a","x":', '{}}\n')).toBeUndefined();
    expect(scan('{"resourceType":"Patient","id":"a","x":tr', 'ue}\n')).toBeUndefined();
    expect(scan('{"resourceType":"Patient","id":"a","x":"\\', 'n"}\n')).toBeUndefined();
    expect(scan('{"resourceType":"Patient","id":"a","x":12', '3}\n')).toBeUndefined();
  });

  it('should agree with JSON.parse on any JSON object, resources or not', () => {
    const key = fc.constantFrom('resourceType', 'id', 'meta', 'status');
    const resource = fc
      .record({ resourceType: fc.constantFrom('Patient', 'Observation', 'Bundle', 7 as unknown as string), id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }, { requiredKeys: [] })
      .chain((head) => fc.dictionary(fc.oneof(key, fc.string()), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }).map((rest) => ({ ...rest, ...head })));
    let answered = 0;
    fc.assert(
      fc.property(resource, fc.boolean(), fc.boolean(), (r, spaced, escaped) => {
        let text = JSON.stringify(r, null, spaced ? 1 : undefined).replace(/\n/g, ' ');
        // A key spelt with an escape is the same key to JSON.parse.
        if (escaped) text = text.replace(/"(resourceType|id)"/, (_, k: string) => `"\\u00${k.charCodeAt(0).toString(16)}${k.slice(1)}"`);
        if (agrees(text)) answered++;
      }),
      { numRuns: 600 },
    );
    // The fast path was exercised, not only the fallback. It answers about 6.8% of these (812 of 12,000 measured): about
    // 41 of 600, so '> 30' failed about one run in 20; 10 or fewer is about 1e-8.
    expect(answered).toBeGreaterThan(10);
  });

  it('should agree with JSON.parse on broken lines (characters cut, doubled or changed)', () => {
    let answered = 0;
    const line = JSON.stringify({ resourceType: 'Patient', id: 'p-1', name: [{ family: 'Ló', given: ['A "B"'] }], n: -12.5e-3, b: [true, false, null], o: {} });
    const edit = fc.record({ at: fc.nat(line.length), cut: fc.nat(3), insert: fc.string({ maxLength: 3, unit: fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', ' ', '0', '-', 'e', '.', 'u', 'a', '\t', 'é') }) });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        let text = line;
        for (const e of edits) text = text.slice(0, e.at) + e.insert + text.slice(e.at + e.cut);
        if (agrees(text)) answered++;
      }),
      { numRuns: 3000 },
    );
    expect(answered).toBeGreaterThan(100);
  });
});
