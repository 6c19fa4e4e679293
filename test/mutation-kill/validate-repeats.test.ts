import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { KeySet } from '../../src/validate/key-set.js';
import { bytesPrint, contentPrint, differingRepeats, type Repeat } from '../../src/validate/repeats.js';
import { scanFiles } from '../../src/validate/stream.js';
import { tempDir } from '../helpers/output.js';

/**
 * A repeated `Type/id` whose content differs from its first place (139c875), case by case on hand-made files
 * (issue 19, mutation testing of src/validate/repeats.ts, the repeat lines of stream.ts' scanFiles and
 * KeySet.addWith): which place is the first, what counts as the same content, where the message points.
 */

const temp = tempDir('fhirseed-mk-repeats-');
afterAll(() => temp.cleanup());
let n = 0;
/** Writes a file under a fresh name with that extension; returns its path. */
const file = (ext: string, text: string) => {
  const path = join(temp.dir, `f${n++}.${ext}`);
  writeFileSync(path, text);
  return path;
};
const patient = (id: string | undefined, gender: string) => ({ resourceType: 'Patient', ...(id === undefined ? {} : { id }), gender });
const ndjson = (...resources: object[]) => file('ndjson', resources.map((r) => JSON.stringify(r)).join('\n'));
const repeat = (key: string, path: string, line: number | undefined, r: object): Repeat => ({ key, file: path, line, content: contentPrint(r as never) });
const message = (key: string, place: string) => `${key} differs from the same resource in ${place}; only that one is validated`;

describe('bytesPrint, contentPrint', () => {
  it('should be 32-bit FNV-1a (its published test values), and contentPrint that of the JSON.stringify text', () => {
    const print = (s: string) => bytesPrint(Buffer.from(s));
    expect(print('')).toBe(0x811c9dc5);
    expect(print('a')).toBe(0xe40c292c);
    expect(print('foobar')).toBe(0xbf9cf968);
    const r = { resourceType: 'Patient', id: 'p', name: [{ given: ['Ann'] }] };
    expect(contentPrint(r as never)).toBe(print('{"resourceType":"Patient","id":"p","name":[{"given":["Ann"]}]}'));
  });
});

describe('differingRepeats', () => {
  it('should name the first place (file:line in NDJSON, the file of a JSON one) of each repeat that differs, in the repeats order', () => {
    const a = ndjson(patient('other', 'male'), patient('x', 'male'), patient('y', 'female'));
    const b = file('json', JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient('z', 'male') }] }));
    const c = ndjson(patient('z', 'female'), patient('y', 'male'), patient('x', 'other'));
    const repeats = [repeat('Patient/z', c, 1, patient('z', 'female')), repeat('Patient/y', c, 2, patient('y', 'male')), repeat('Patient/x', c, undefined, patient('x', 'other'))];
    expect(differingRepeats([a, b, c], repeats)).toEqual([
      { file: c, line: 1, message: message('Patient/z', b), kind: 'repeated' },
      { file: c, line: 2, message: message('Patient/y', `${a}:3`), kind: 'repeated' },
      { file: c, message: message('Patient/x', `${a}:2`), kind: 'repeated' },
    ]);
  });

  it('should report nothing when the first place holds the same content, however it is written', () => {
    const a = file('ndjson', `${JSON.stringify(patient('x', 'male'), null, 1).replace(/\n/g, ' ')}\r\n`);
    const b = ndjson(patient('x', 'male'));
    expect(differingRepeats([a, b], [repeat('Patient/x', b, 1, patient('x', 'male'))])).toEqual([]);
  });

  it('should take the first place, not a later one in the same file, nor an earlier resource without id', () => {
    // A resource without id has key Patient/undefined but is never a first place; one whose id is "undefined" is.
    const a = ndjson(patient(undefined, 'female'), patient('undefined', 'male'), patient('x', 'male'), patient('x', 'female'));
    const repeats = [repeat('Patient/undefined', a, 5, patient('undefined', 'other')), repeat('Patient/x', a, 4, patient('x', 'female'))];
    expect(differingRepeats([a], repeats)).toEqual([
      { file: a, line: 5, message: message('Patient/undefined', `${a}:2`), kind: 'repeated' },
      { file: a, line: 4, message: message('Patient/x', `${a}:3`), kind: 'repeated' },
    ]);
  });

  it('should stop reading once every first place is found, read nothing without repeats, and skip a key found nowhere', () => {
    const a = ndjson(patient('x', 'male'));
    const missing = join(temp.dir, 'missing.ndjson');
    expect(differingRepeats([a, missing], [repeat('Patient/x', a, 9, patient('x', 'female'))])).toEqual([{ file: a, line: 9, message: message('Patient/x', `${a}:1`), kind: 'repeated' }]);
    expect(differingRepeats([missing], [])).toEqual([]);
    expect(differingRepeats([a], [repeat('Patient/nowhere', a, 2, patient('nowhere', 'male'))])).toEqual([]);
    expect(() => differingRepeats([missing], [repeat('Patient/x', a, 2, patient('x', 'male'))])).toThrow();
  });
});

describe('scanFiles: repeats', () => {
  it('should report a repeat whose content differs, not one written differently, nor resources without id', () => {
    const a = ndjson(patient('x', 'male'), patient('y', 'male'), patient(undefined, 'male'));
    const same = ndjson(patient('x', 'male'));
    const respaced = file('ndjson', `${JSON.stringify(patient('y', 'male'), null, 2).replace(/\n/g, '')}\n${JSON.stringify(patient(undefined, 'female'))}`);
    const edited = ndjson(patient('y', 'female'));
    const bundle = file('json', JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient('x', 'other') }, { resource: patient('y', 'male') }] }));
    const scan = scanFiles([a, same, respaced, edited, bundle]);
    expect(scan.duplicates).toBe(5);
    expect(scan.resources).toBe(4);
    expect(scan.problems).toEqual([
      { file: edited, line: 1, message: message('Patient/y', `${a}:2`), kind: 'repeated' },
      { file: bundle, message: message('Patient/x', `${a}:1`), kind: 'repeated' },
    ]);
  });

  it('should compare a parsed first place with an NDJSON repeat by its parsed content', () => {
    const bundle = file('json', JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient('x', 'male') }, { resource: patient('y', 'male') }] }, null, 2));
    const lines = file('ndjson', `${JSON.stringify(patient('x', 'male'), null, 1).replace(/\n/g, '')}\n${JSON.stringify(patient('y', 'female'))}`);
    expect(scanFiles([bundle, lines]).problems).toEqual([{ file: lines, line: 2, message: message('Patient/y', bundle), kind: 'repeated' }]);
  });
});

describe('KeySet.addWith', () => {
  it('should keep each key first content print from the smallest table on, growing at three quarters full', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.nat()), { maxLength: 60 }), (adds) => {
        // Two slots: keys land in slot 0 and 1, and each growth moves the prints.
        const keys = new KeySet(new SharedArrayBuffer(16));
        const first = new Map<string, number>();
        for (const [k, c] of adds) {
          expect(keys.addWith(k, c)).toBe(first.get(k));
          if (!first.has(k)) first.set(k, c);
          let slots = 2;
          while (first.size * 4 > slots * 3) slots *= 2;
          expect(keys.buffer.byteLength).toBe(8 * slots);
        }
        expect(keys.size).toBe(first.size);
        for (const k of first.keys()) expect(keys.has(k)).toBe(true);
      }),
    );
  });

  it('should answer 0 for a key added without a print, then keep it', () => {
    const keys = new KeySet(new SharedArrayBuffer(16));
    expect(keys.add('a')).toBe(true);
    expect(keys.addWith('a', 7)).toBe(0);
    expect(keys.addWith('b', 7)).toBeUndefined();
    for (const k of ['c', 'd', 'e', 'f']) keys.addWith(k, k.charCodeAt(0));
    expect(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => keys.addWith(k, 1))).toEqual([0, 7, 99, 100, 101, 102]);
  });
});
