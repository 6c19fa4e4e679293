import { describe, expect, it } from 'vitest';
import { scanKeys, type LineKeys } from '../../src/validate/key-scan.js';

/**
 * The key scan's fast path at its edges (issue 19, the survivors of a Stryker run of src/validate/key-scan.ts with
 * test/validate/key-scan.test.ts): a line that does not start with `{`, each hex digit of a `\u` escape, every
 * two-character escape answered (not left to JSON.parse), an unterminated string at the very end of the buffer.
 * test/validate/key-scan.test.ts holds the properties against JSON.parse.
 */

/** scanKeys on `text` alone in its buffer, or inside a larger one with `after` following it. */
function scan(text: string, after = ''): LineKeys | false {
  const buf = Buffer.from(`${text}${after}`);
  const out: LineKeys = { resourceType: '', id: undefined };
  const answered = scanKeys(buf, 0, Buffer.byteLength(text), out);
  expect(typeof answered).toBe('boolean');
  return answered ? { ...out } : false;
}

describe('scanKeys at its edges', () => {
  it('should refuse a line that does not start with an object', () => {
    for (const text of ['x"resourceType":"Patient","id":"a"}', ' x"resourceType":"Patient"}', '"resourceType":"Patient"}', '}', '']) {
      expect(scan(text), text).toBe(false);
    }
    expect(scan('   ', '{"resourceType":"Patient"}')).toBe(false);
  });

  it('should check each of the four hex digits of a \\u escape', () => {
    for (const bad of ['g000', '0g00', '00g0', '000g', 'G000', '0:00', '00/0', '000@', '00`0']) {
      expect(scan(`{"resourceType":"Patient","id":"a","s":"\\u${bad}"}`), bad).toBe(false);
    }
    expect(scan('{"resourceType":"Patient","id":"a","s":"\\u00aF\\uABcd"}')).toEqual({ resourceType: 'Patient', id: 'a' });
  });

  it('should answer for lines whose other strings hold any of the JSON escapes', () => {
    for (const escape of ['\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t']) {
      expect(scan(`{"resourceType":"Patient","id":"a","s":"x${escape}y"}`), escape).toEqual({ resourceType: 'Patient', id: 'a' });
    }
    for (const escape of ['\\a', '\\x', '\\0', '\\U']) expect(scan(`{"resourceType":"Patient","id":"a","s":"x${escape}y"}`), escape).toBe(false);
  });

  it('should answer for lines with numbers of every JSON form, and refuse malformed ones', () => {
    for (const n of ['0', '-0', '7', '-12', '0.5', '-0.25', '1e5', '1E5', '1e+5', '1E-5', '-12.5E3', '10.01e-2']) {
      expect(scan(`{"resourceType":"Patient","n":${n},"id":"a"}`), n).toEqual({ resourceType: 'Patient', id: 'a' });
    }
    for (const n of ['01', '-', '1.', '.5', '1e', '1e+', '1E-', '+1', '1.e5', '--1', '0x1']) expect(scan(`{"resourceType":"Patient","n":${n},"id":"a"}`), n).toBe(false);
  });

  it('should answer up to 256 levels of nesting, objects or arrays, and leave deeper lines to JSON.parse', () => {
    // The resource itself is level 1.
    const objects = (n: number) => `{"resourceType":"Patient","id":"a","x":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`;
    const arrays = (n: number) => `{"resourceType":"Patient","id":"a","x":${'['.repeat(n)}${']'.repeat(n)}}`;
    expect(scan(objects(255))).toEqual({ resourceType: 'Patient', id: 'a' });
    expect(scan(arrays(255))).toEqual({ resourceType: 'Patient', id: 'a' });
    expect(scan(objects(256))).toBe(false);
    expect(scan(arrays(256))).toBe(false);
    expect(scan(objects(400))).toBe(false);
  });

  it('should stop at the end of the buffer inside a string, a number or an escape', () => {
    for (const text of ['{"resourceType":"Patient","id":"a', '{"resourceType":"Patient","id":"a","n":1', '{"resourceType":"Patient","id":"a","s":"\\', '{"resourceType":"Patient","id":"a","s":"\\u00']) {
      expect(scan(text), text).toBe(false);
    }
  });
});
