import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPrimitiveType, primitiveProblem, realCalendarDate } from '../../src/validate/primitives.js';
import {
  childrenOf, compileFixedOrPattern, fixedOrPattern, followPath, matchesFixedOrPattern, matchesPattern, pathFollower,
} from '../../src/validate/slicing.js';
import type { ElementDefinition } from '../../src/validate/types.js';

/**
 * The validator's smallest rules, one case per way each can go wrong (issue 19): the R4 primitive formats and
 * calendar checks, fixed/pattern matching, and the paths slicing discriminators follow. Pure functions, no
 * packages loaded: milliseconds, so Stryker can run them against every mutant of primitives.ts and slicing.ts.
 */

describe('primitiveProblem', () => {
  it('should take a boolean and refuse anything else, saying what it got', () => {
    expect(primitiveProblem('boolean', false)).toBeUndefined();
    expect(primitiveProblem('boolean', 'true')).toBe('expected a boolean, got "true"');
  });

  it('should check numbers by type: finite, whole, ≥ 0, ≥ 1', () => {
    expect(primitiveProblem('decimal', 1.5)).toBeUndefined();
    expect(primitiveProblem('integer', -3)).toBeUndefined();
    expect(primitiveProblem('unsignedInt', 0)).toBeUndefined();
    expect(primitiveProblem('positiveInt', 1)).toBeUndefined();
    expect(primitiveProblem('decimal', '1.5')).toBe('expected a number (decimal), got "1.5"');
    expect(primitiveProblem('decimal', Infinity)).toBe('expected a number (decimal), got null');
    expect(primitiveProblem('integer', Number.NaN)).toBe('expected a number (integer), got null');
    expect(primitiveProblem('integer', 1.5)).toBe('expected a whole number (integer), got 1.5');
    expect(primitiveProblem('positiveInt', 2.5)).toBe('expected a whole number (positiveInt), got 2.5');
    expect(primitiveProblem('unsignedInt', -1)).toBe('expected unsignedInt ≥ 0, got -1');
    expect(primitiveProblem('positiveInt', 0)).toBe('expected positiveInt ≥ 1, got 0');
    expect(primitiveProblem('integer', 0)).toBeUndefined();
    expect(primitiveProblem('unsignedInt', 1)).toBeUndefined();
  });

  it('should refuse a non-string and an empty or blank string, but keep blank markdown and xhtml', () => {
    expect(primitiveProblem('string', 5)).toBe('expected a string (string), got 5');
    expect(primitiveProblem('string', '')).toBe('empty string value');
    expect(primitiveProblem('xhtml', '')).toBe('empty xhtml value');
    expect(primitiveProblem('string', '  ')).toBe('empty string value');
    expect(primitiveProblem('markdown', '  ')).toBeUndefined();
    expect(primitiveProblem('xhtml', ' ')).toBeUndefined();
    expect(primitiveProblem('string', 'a b')).toBeUndefined();
  });

  it('should check formats and real calendar dates', () => {
    expect(primitiveProblem('code', 'a  b')).toBe("'a  b' is not a valid code");
    expect(primitiveProblem('code', 'a b')).toBeUndefined();
    expect(primitiveProblem('dateTime', '2024-13-01')).toBe("'2024-13-01' is not a valid dateTime");
    for (const type of ['date', 'dateTime']) {
      expect(primitiveProblem(type, '2024')).toBeUndefined();
      expect(primitiveProblem(type, '2024-02')).toBeUndefined();
      expect(primitiveProblem(type, '2024-02-29')).toBeUndefined();
      expect(primitiveProblem(type, '2023-02-29')).toBe(`'2023-02-29' is not a real calendar date`);
    }
    expect(primitiveProblem('date', '2024-04-31')).toBe(`'2024-04-31' is not a real calendar date`);
    expect(primitiveProblem('date', '2024-12-31')).toBeUndefined();
    expect(primitiveProblem('date', '2024-01-01')).toBeUndefined();
    expect(primitiveProblem('dateTime', '2024-02-30T10:00:00Z')).toBe(`'2024-02-30T10:00:00Z' is not a real calendar date`);
    expect(primitiveProblem('instant', '2024-06-31T10:00:00+01:00')).toBe(`'2024-06-31T10:00:00+01:00' is not a real calendar date`);
    expect(primitiveProblem('instant', '2024-06-30T10:00:00+01:00')).toBeUndefined();
    // A type with no calendar: the day-of-month-like digits of a string are not checked.
    expect(primitiveProblem('string', '2023-02-29')).toBeUndefined();
    expect(primitiveProblem('time', '23:59:60')).toBeUndefined();
  });

  it('should let through, as not a full YYYY-MM-DD date, values with a character out of place (realCalendarDate alone)', () => {
    // Each would name a day that does not exist (29 February 2023, or day 92) if read as a date.
    for (const value of ['2023-02T29', '2023T02-29', '2023-02-3', '20x4-02-29', '2023-0x-29', '2023-02-x9', '2023-02-2x', '2023-02-2:', '2023-02-3/']) {
      expect(realCalendarDate(value), value).toBe(true);
    }
    expect(realCalendarDate('2023-02-29')).toBe(false);
  });

  it('should agree with a calendar for every day of a span of years', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        const text = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const real = new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
        expect(primitiveProblem('date', text) === undefined).toBe(real);
      }),
    );
  });
});

describe('isPrimitiveType', () => {
  it('should tell FHIR primitives and System types from complex types', () => {
    expect(isPrimitiveType('dateTime')).toBe(true);
    expect(isPrimitiveType('http://hl7.org/fhirpath/System.String')).toBe(true);
    expect(isPrimitiveType('CodeableConcept')).toBe(false);
    expect(isPrimitiveType('Xhttp://hl7.org/fhirpath/System.String')).toBe(false);
  });
});

describe('fixed and pattern values', () => {
  const el = (extra: Record<string, unknown>) => ({ id: 'X.y', path: 'X.y', ...extra }) as unknown as ElementDefinition;

  it('should find the fixed[x] or pattern[x] of an element, or none', () => {
    expect(fixedOrPattern(el({ fixedCode: 'a' }))).toEqual({ kind: 'fixed', value: 'a' });
    expect(fixedOrPattern(el({ patternCoding: { code: 'b' } }))).toEqual({ kind: 'pattern', value: { code: 'b' } });
    expect(fixedOrPattern(el({ min: 1, max: '1', short: 'fixed' }))).toBeUndefined();
  });

  it('should match a pattern: every pattern key, every pattern array item somewhere in the value', () => {
    const cc = { coding: [{ system: 's', code: 'c' }] };
    expect(matchesPattern({ coding: [{ system: 'o', code: 'x' }, { system: 's', code: 'c', display: 'C' }], text: 't' }, cc)).toBe(true);
    expect(matchesPattern({ coding: [{ system: 's', code: 'x' }] }, cc)).toBe(false);
    expect(matchesPattern({ coding: [{ system: 'x', code: 'c' }] }, cc)).toBe(false);
    expect(matchesPattern({ coding: { system: 's', code: 'c' } }, cc)).toBe(false);
    expect(matchesPattern({ coding: [{ system: 's', code: 'c' }] }, { coding: [{ code: 'c' }, { code: 'd' }] })).toBe(false);
    expect(matchesPattern('c', { code: 'c' })).toBe(false);
    expect(matchesPattern(null, { code: 'c' })).toBe(false);
    expect(matchesPattern(null, null)).toBe(true);
    expect(matchesPattern(1, 1)).toBe(true);
    expect(matchesPattern('1', 1)).toBe(false);
  });

  it('should hold a fixed value to equality and a pattern to inclusion', () => {
    const value = { system: 's', code: 'c', display: 'C' };
    expect(matchesFixedOrPattern(value, { kind: 'fixed', value: { system: 's', code: 'c' } })).toBe(false);
    expect(matchesFixedOrPattern(value, { kind: 'pattern', value: { system: 's', code: 'c' } })).toBe(true);
    expect(matchesFixedOrPattern({ ...value }, { kind: 'fixed', value })).toBe(true);
  });

  it('should compile a fixed or pattern value to the same test as matchesFixedOrPattern', () => {
    const small = fc.constantFrom<unknown>('a', 'b', 0, 1, -0, true, null);
    const json = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, small, tie('array'), tie('object')),
      array: fc.array(tie('node'), { maxLength: 3 }),
      object: fc.dictionary(fc.constantFrom('system', 'code', 'coding'), tie('node'), { maxKeys: 3, noNullPrototype: true }),
    })).node;
    fc.assert(
      fc.property(json, json, fc.constantFrom('fixed' as const, 'pattern' as const), (value, pattern, kind) => {
        const fp = { kind, value: pattern };
        expect(compileFixedOrPattern(fp)(value)).toBe(matchesFixedOrPattern(value, fp));
        // A value always matches itself, and a pattern matches any value that only adds to it.
        expect(compileFixedOrPattern(fp)(structuredClone(pattern))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('should compile pattern arrays and nested objects as matchesPattern reads them', () => {
    const p = compileFixedOrPattern({ kind: 'pattern', value: { coding: [{ system: 's', code: 'c' }] } });
    expect(p({ coding: [{ system: 'o' }, { system: 's', code: 'c', display: 'C' }] })).toBe(true);
    expect(p({ coding: [{ system: 's', code: 'x' }] })).toBe(false);
    expect(p({ coding: { system: 's', code: 'c' } })).toBe(false);
    expect(p({})).toBe(false);
    expect(p('c')).toBe(false);
    expect(p(null)).toBe(false);
    const fixed = compileFixedOrPattern({ kind: 'fixed', value: { code: 'c' } });
    expect(fixed({ code: 'c' })).toBe(true);
    expect(fixed({ code: 'c', display: 'C' })).toBe(false);
    const prim = compileFixedOrPattern({ kind: 'pattern', value: 0 });
    expect(prim(0)).toBe(true);
    expect(prim(-0)).toBe(false);
    expect(compileFixedOrPattern({ kind: 'pattern', value: null })(null)).toBe(true);
    const nestedNull = compileFixedOrPattern({ kind: 'pattern', value: { a: null } });
    expect(nestedNull({ a: null })).toBe(true);
    expect(nestedNull({ a: 0 })).toBe(false);
  });
});

describe('childrenOf', () => {
  const node = { code: 'c', coding: [{ code: 'a' }, { code: 'b' }], valueString: 's', valueQuantity: { value: 1 }, valueset: 'no', value: 'bare' };

  it('should give an element as a list whether it is one value, an array or absent', () => {
    expect(childrenOf(node, 'code')).toEqual(['c']);
    expect(childrenOf(node, 'coding')).toEqual([{ code: 'a' }, { code: 'b' }]);
    expect(childrenOf(node, 'display')).toEqual([]);
    expect(childrenOf({ flag: false }, 'flag')).toEqual([false]);
    expect(childrenOf(null, 'code')).toEqual([]);
    expect(childrenOf('text', 'length')).toEqual([]);
  });

  it('should read value[x] as every valueXxx key (not valueset, not value), or the one type slice', () => {
    expect(childrenOf(node, 'value[x]')).toEqual(['s', { value: 1 }]);
    expect(childrenOf(node, 'value[x]', 'valueQuantity')).toEqual([{ value: 1 }]);
    expect(childrenOf({ valueCoding: [{ code: 'a' }, { code: 'b' }] }, 'value[x]')).toEqual([{ code: 'a' }, { code: 'b' }]);
    expect(childrenOf(node, 'value[x]', 'valueBoolean')).toEqual([]);
    expect(childrenOf({ valueCode: undefined, valueString: 'x' }, 'value[x]')).toEqual(['x']);
    expect(childrenOf({ xvalueString: 'x' }, 'value[x]')).toEqual([]);
    expect(childrenOf({ valuesetCode: 'x' }, 'value[x]')).toEqual([]);
    // The letter after the prefix: A to Z only ('@' is just below A, '[' just above Z; digits below both).
    expect(childrenOf({ 'value@': 1, valueAttachment: 'A', value1: 2, valueZz: 'Z', 'value[': 3 }, 'value[x]')).toEqual(['A', 'Z']);
  });
});

describe('followPath', () => {
  const ext = {
    extension: [
      { url: 'http://example.org/a.b', valueCode: 'one' },
      { url: 'http://example.org/other', valueCode: 'two' },
    ],
    code: { coding: [{ system: 's', code: 'c' }, { system: 't', code: 'd' }] },
  };

  it('should follow $this, one step and several steps', () => {
    expect(followPath(ext, '$this')).toEqual([ext]);
    expect(followPath(ext, 'code')).toEqual([ext.code]);
    expect(followPath(ext, 'code.coding.code')).toEqual(['c', 'd']);
    expect(followPath(ext, 'code.missing.code')).toEqual([]);
  });

  it("should keep only the extension with the url of extension('…'), dots in the url included", () => {
    expect(followPath(ext, "extension('http://example.org/a.b').value[x]")).toEqual(['one']);
    expect(followPath(ext, "extension('http://example.org/a.b')")).toEqual([ext.extension[0]]);
    expect(followPath({ extension: [{ url: 'x' }] }, "extension('http://example.org/none')")).toEqual([]);
    // Only a whole extension('…') step filters by url; a step that merely contains one is a plain name.
    expect(followPath({ extension: [{ url: 'x' }] }, "myextension('x')")).toEqual([]);
    expect(followPath({ extension: [{ url: 'x' }] }, "extension('x')y")).toEqual([]);
    expect(followPath({ extension: [null, { url: 'u' }] }, "extension('u')")).toEqual([{ url: 'u' }]);
    // A plain step keeps children that have a url of their own.
    expect(followPath(ext, 'extension.url')).toEqual(['http://example.org/a.b', 'http://example.org/other']);
  });

  it('should skip resolve(), ofType(…) and a leading $this', () => {
    expect(followPath(ext, '$this.code.coding.system')).toEqual(['s', 't']);
    expect(followPath(ext, 'code.resolve().coding.code')).toEqual(['c', 'd']);
    expect(followPath({ value: [{ code: 'q' }] }, 'value.ofType(Coding).code')).toEqual(['q']);
  });

  it('should give the same follower for the same path and the same result each time', () => {
    const f = pathFollower('code.coding.system');
    expect(f(ext)).toEqual(['s', 't']);
    expect(f(ext)).toEqual(followPath(ext, 'code.coding.system'));
  });
});
