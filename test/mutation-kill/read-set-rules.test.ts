// read-set.ts case by case (issue 19): what readTree says each FHIRPath construct reads, and the keys
// projectionKeyOf writes; then soundness on random expressions: two nodes that get one key must get one result
// from the `fhirpath` package itself. A wrong read set makes the validator answer an invariant from another node's
// cached result, silently, so these cases are the guard. Fixtures are built inside each test (Stryker switches a
// mutant on per test, after the file has loaded).
import fc from 'fast-check';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { describe, expect, it } from 'vitest';
import { projectionKeyOf, readTree, type ReadNode } from '../../src/validate/read-set.js';

/** The tree as `name` / `name*` (read whole) lines, indented by depth; a whole root is `*`. */
function shape(expression: string, atRoot = false): string[] | undefined {
  const t = readTree(expression, atRoot);
  if (!t) return undefined;
  const lines = (n: ReadNode, depth: number): string[] =>
    [...n.children].flatMap(([name, c]) => [`${' '.repeat(depth)}${name}${c.full ? '*' : ''}`, ...lines(c, depth + 1)]);
  return t.full ? ['*', ...lines(t, 0)] : lines(t, 0);
}

describe('readTree: each construct', () => {
  it('should read what functions that see only structure are called on as structure, and go on from those that pass it through', () => {
    for (const fn of ['exists', 'empty', 'count']) expect(shape(`a.b.${fn}()`), fn).toEqual(['a', ' b']);
    for (const fn of ['first', 'last', 'tail', 'single']) expect(shape(`a.${fn}().b = 1`), fn).toEqual(['a', ' b*']);
    // Not passed through: what comes after a count is not read below its input.
    expect(shape('a.count().b.exists()')).toEqual(['a']);
    // Functions it does not know read their input whole.
    for (const fn of ['hasValue', 'distinct', 'not', 'children', 'toString']) expect(shape(`a.${fn}()`), fn).toEqual(['a*']);
    // exists() and empty() with an argument are not the structural ones.
    expect(shape('a.empty(b)')).toEqual(['a*', ' b*', 'b*']);
    expect(shape('a.count(b)')).toEqual(['a*', ' b*', 'b*']);
  });

  it('should read the criteria of where, exists and all whole, against the input, and go on from where only', () => {
    expect(shape("a.where(b = 'x').c.exists()")).toEqual(['a', ' b*', ' c']);
    expect(shape("a.exists(b = 'x')")).toEqual(['a', ' b*']);
    expect(shape("a.all(b = 'x')")).toEqual(['a', ' b*']);
    expect(shape('a.exists(b).c.exists()')).toEqual(['a', ' b*']);
    expect(shape('a.all(b).c.exists()')).toEqual(['a', ' b*']);
    expect(shape('a.where($this.b).c.exists()')).toEqual(['a', ' b*', ' c']);
    expect(shape('a.where($this = 1)')).toEqual(['a*']);
  });

  it('should go on from what select yields, with $this the input', () => {
    expect(shape('a.select(b.c).d = 1')).toEqual(['a', ' b', '  c', '   d*']);
    expect(shape('a.select($this).b.exists()')).toEqual(['a', ' b']);
  });

  it('should read a type test or cast whole, as a function or an operator', () => {
    for (const fn of ['ofType', 'is', 'as']) expect(shape(`a.${fn}(Quantity).b.exists()`), fn).toEqual(['a*']);
    expect(shape('a is Quantity')).toEqual(['a*']);
    expect(shape('(a as Quantity).value > 1')).toEqual(['a*']);
  });

  it("should read an unknown function's arguments whole, against the input or $this", () => {
    expect(shape('a.b.subsetOf(c)')).toEqual(['a', ' b*', '  c*', 'c*']);
    expect(shape("iif(a.exists(), b, 'x').exists()")).toEqual(['*', 'a', 'b*']);
    expect(shape('a.b.f(1, c)')).toEqual(['a', ' b*', '  c*', 'c*']);
  });

  it('should read an index whole and go on from the indexed collection', () => {
    expect(shape('a[b.c].d.exists()')).toEqual(['b', ' c*', 'a', ' d']);
    expect(shape('a[0].d = 1')).toEqual(['a', ' d*']);
  });

  it('should read the operands of every operator whole', () => {
    const operators = ['=', '!=', '~', '!~', 'and', 'or', 'xor', 'implies', '+', '-', '*', '/', '&', 'div', 'mod', 'in', 'contains', '|', '<', '>', '<=', '>='];
    for (const op of operators) expect(shape(`a.b ${op} c`), op).toEqual(['a', ' b*', 'c*']);
    expect(shape('-a.b > 0')).toEqual(['a', ' b*']);
    expect(shape('(a.b)')).toEqual(['a', ' b*']);
    expect(shape('(a).b = 1')).toEqual(['a', ' b*']);
    // Literals read nothing.
    expect(shape("'x' = 1 and true and @2024-01-01 < @2025 and 5 'mg' > 1 'mg'")).toEqual([]);
  });

  it('should take terminology constants as reading nothing, and %resource/%rootResource/%context as the node only at the root', () => {
    for (const c of ['%ucum', '%sct', '%loinc']) expect(shape(`a = ${c}`), c).toEqual(['a*']);
    // Quoted constants come from fhirpath's parser without a text: not bounded (safe, only not cached by this key).
    for (const c of ["%'vs-x'", '%`vs-x`', '%`ext-y`']) expect(shape(`a = ${c}`), c).toBeUndefined();
    for (const c of ['%resource', '%rootResource', '%context']) {
      expect(shape(`${c}.a = 1`, true), c).toEqual(['a*']);
      expect(shape(`${c}.a = 1`, false), c).toBeUndefined();
    }
    for (const c of ['%us', '%vsx', '%xucum', '%ucumx', '%`xvs-a`', '%resourceX']) expect(shape(`${c}.exists()`, true), c).toBeUndefined();
  });

  it('should give up on type names, quoted names, $index and $total, and what does not parse', () => {
    for (const e of ['Patient.name.exists()', '`div`.exists()', 'a.`b`.exists()', '_a.exists()', 'a.where($index = 0).exists()', 'a.aggregate($total + 1, 0) > 1', 'a.b(', 'a..b'])
      expect(shape(e), e).toBeUndefined();
    expect(shape('a_b.c9.exists()')).toEqual(['a_b', ' c9']);
  });
});

describe('projectionKeyOf: the keys', () => {
  it('should write the cut-down node: structure kept, primitives read for presence as 1, arrays item by item, resourceType always', () => {
    const key = projectionKeyOf('a.b.exists() and c.d = 1', false, 10_000)!;
    expect(key({ resourceType: 'X', a: [{ b: 'x', z: 1 }, null, { z: 2 }, 'p'], c: { d: { e: 1 }, f: 2 }, g: 3 })).toBe(
      '{"resourceType":"X","a":[{"b":1},null,{},"p"],"c":{"d":{"e":1}}}',
    );
    expect(key({ a: [], c: null })).toBe('{"a":[],"c":null}');
    expect(key({})).toBe('{}');
    expect(key(null)).toBe('null');
    expect(key(7)).toBe('7'); // names are read below it
    expect(projectionKeyOf('exists()', false, 10)!('x')).toBe('1');
    expect(key([{ a: 1 }, { g: 1 }])).toBe('[{"a":1},{}]');
    expect(key({ a: [undefined] })).toBe('{"a":[null]}');
    expect(key({ resourceType: undefined, a: undefined })).toBe('{}');
    expect(key(undefined)).toBeUndefined();
  });

  it("should read a primitive's _name holder and a choice's typed names under the name read", () => {
    const key = projectionKeyOf('value.exists() and status.extension.exists()', false, 10_000)!;
    expect(key({ valueQuantity: { value: 1 }, _status: { extension: [{ url: 'u' }], id: 'i' }, status: 'final', valuex: 1, values: 2, _other: 1, otherX: 1 })).toBe(
      '{"valueQuantity":{},"_status":{"extension":[{}]},"status":1}',
    );
    // A name read two ways (value and valueSet both take valueSetX): what either reads.
    const both = projectionKeyOf('value.a.exists() and valueSet.b = 1', false, 10_000)!;
    expect(both({ valueSetX: { a: 1, b: 2, c: 3 }, valueQuantity: { a: 1, b: 2 } })).toBe('{"valueSetX":{"a":1,"b":2},"valueQuantity":{"a":1}}');
    // Read whole under either name: whole.
    expect(projectionKeyOf('value = 1 and valueSet.b.exists()', false, 10_000)!({ valueSetX: { a: 1, b: 2 } })).toBe('{"valueSetX":{"a":1,"b":2}}');
    // The same name read again: the same answer (decided once per key and read node).
    expect(both({ valueSetX: { a: 9, b: 8 } })).toBe('{"valueSetX":{"a":1,"b":8}}');
  });

  it('should write a primitive whole where a name other than extension or id is read below it', () => {
    // fhirpath.js reads such a name as the JS property: (5).value is 5, 'ab'.length is 2, 'x'.toString exists, 5's does not.
    const result = (expression: string, node: object) => JSON.stringify(fhirpath.evaluate(node, expression, { resource: node }, r4 as never));
    for (const [expression, nodes] of [
      ['c.value.exists()', [{ c: 1 }, { c: 'x' }]],
      ['c.value = 1', [{ c: 1 }, { c: 2 }]],
      ['c.length = 1', [{ c: 'a' }, { c: 'ab' }]],
      ['c.toUpperCase.exists()', [{ c: 'a' }, { c: 1 }]],
    ] as const) {
      const key = projectionKeyOf(expression, true, 1000)!;
      expect(result(expression, nodes[0]), expression).not.toBe(result(expression, nodes[1]));
      expect(key(nodes[0]), expression).not.toBe(key(nodes[1]));
      expect(key(nodes[0]), expression).toBe(JSON.stringify(nodes[0]));
    }
    // Items apart: [12, 3] and [1, 23] are two keys.
    expect(projectionKeyOf('c.value = 1', true, 1000)!({ c: [12, 3] })).toBe('{"c":[12,3]}');
    // Its `_name` holder's extension and id are read from the holder: the value itself is not read.
    const holder = projectionKeyOf('c.extension.exists() and c.id.exists()', true, 1000)!;
    expect(holder({ c: 'a', _c: { id: 'i' } })).toBe('{"c":1,"_c":{"id":1}}');
    expect(holder({ c: 2, _c: { id: 'i' } })).toBe(holder({ c: 'a', _c: { id: 'i' } }));
  });

  it('should write a node read whole as its JSON, and give up past the character limit or when the root is read whole', () => {
    const key = projectionKeyOf("a = 'x'", false, 20)!;
    expect(key({ a: { b: [1, null] } })).toBe('{"a":{"b":[1,null]}}');
    expect(key({ a: 'x'.repeat(12) })).toBe(`{"a":"${'x'.repeat(12)}"}`);
    expect(key({ a: 'x'.repeat(13) })).toBeUndefined();
    expect(projectionKeyOf('hasValue()', false, 20)).toBeUndefined();
    expect(projectionKeyOf('Patient.a.exists()', false, 20)).toBeUndefined();
  });
});

describe('projectionKeyOf: one result per key, on random expressions', () => {
  const names = ['a', 'b', 'item', 'code', 'status', 'value', 'coding', 'system'] as const;
  // `_status` too: fhirpath.js reads it as that JSON key.
  const name = fc.constantFrom(...names, '_status');
  const literal = fc.constantFrom("'x'", "'y'", "''", '0', '1', 'true', 'false');
  const path = fc.array(name, { minLength: 1, maxLength: 3 }).map((ns) => ns.join('.'));
  const { bool } = fc.letrec<{ coll: string; bool: string }>((tie) => ({
    coll: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      path,
      path.map((p) => `$this.${p}`),
      path.map((p) => `%resource.${p}`),
      fc.tuple(path, fc.constantFrom('first', 'last', 'tail', 'single'), path).map(([p, f, q]) => `${p}.${f}().${q}`),
      fc.tuple(path, tie('bool')).map(([p, b]) => `${p}.where(${b})`),
      fc.tuple(path, tie('coll')).map(([p, c]) => `${p}.select(${c})`),
      fc.tuple(path, fc.constantFrom('0', '1')).map(([p, i]) => `${p}[${i}]`),
      fc.tuple(tie('coll'), tie('coll')).map(([x, y]) => `(${x} | ${y})`),
      fc.tuple(path, fc.constantFrom('string', 'Coding', 'boolean')).map(([p, t]) => `${p}.ofType(${t})`),
      path.map((p) => `${p}.distinct()`),
      fc.tuple(tie('bool'), tie('coll'), tie('coll')).map(([b, x, y]) => `iif(${b}, ${x}, ${y})`),
    ),
    bool: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.tuple(tie('coll'), fc.constantFrom('exists', 'empty', 'hasValue')).map(([c, f]) => `${c}.${f}()`),
      fc.tuple(tie('coll'), fc.constantFrom('>', '=', '<')).map(([c, op]) => `${c}.count() ${op} 1`),
      fc.tuple(tie('coll'), tie('coll')).map(([x, y]) => `${x}.count() = ${y}.count()`),
      fc.tuple(tie('coll'), literal).map(([c, l]) => `${c} = ${l}`),
      fc.tuple(tie('coll'), tie('coll')).map(([x, y]) => `${x} != ${y}`),
      fc.tuple(tie('coll'), tie('bool'), fc.constantFrom('exists', 'all')).map(([c, b, f]) => `${c}.${f}(${b})`),
      fc.tuple(tie('bool'), tie('bool'), fc.constantFrom('and', 'or', 'implies', 'xor')).map(([x, y, op]) => `(${x}) ${op} (${y})`),
      fc.tuple(tie('coll'), fc.constantFrom('string', 'boolean', 'Coding')).map(([c, t]) => `${c} is ${t}`),
      fc.tuple(tie('coll'), tie('coll')).map(([x, y]) => `${x}.subsetOf(${y})`),
    ),
  }));

  // Small nodes of the same few names, and edits of them, so that nodes often share a key (and a mutant's too-coarse key shows).
  const primitive = fc.constantFrom<unknown>('x', 'y', '', 0, 1, true, false, null);
  const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      primitive,
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom(...names, 'valueString', 'valueCoding', '_status', '_code', 'other'), tie('value'), { maxKeys: 4 }),
    ),
  })).value;
  const root = fc.tuple(fc.dictionary(fc.constantFrom(...names, 'valueString', 'valueCoding', '_status', 'other'), json, { maxKeys: 5 }), fc.boolean());
  /** Every place in a JSON value, as a path of keys and indexes. */
  const places = (v: unknown, at: (string | number)[] = []): (string | number)[][] => {
    if (v === null || typeof v !== 'object') return [at];
    const here = Array.isArray(v) ? v.map((x, i) => places(x, [...at, i])) : Object.entries(v).map(([k, x]) => places(x, [...at, k]));
    return [at, ...here.flat()];
  };
  /** `v` with the value at `at` replaced (undefined: removed). */
  const edit = (v: unknown, at: (string | number)[], to: unknown): unknown => {
    if (!at.length) return to;
    const [k, ...rest] = at;
    const copy: any = Array.isArray(v) ? [...v] : { ...(v as object) };
    const next = edit(copy[k!], rest, to);
    if (next === undefined && !Array.isArray(copy)) delete copy[k!];
    else copy[k!] = next ?? null;
    return copy;
  };
  const edits = fc.array(fc.tuple(fc.nat(), fc.option(json, { nil: undefined })), { minLength: 1, maxLength: 6 });

  it('should give one result to every node of a key', () => {
    fc.assert(
      fc.property(bool, root, edits, (expression, [fields, typed], changes) => {
        const key = projectionKeyOf(expression, true, 100_000);
        fc.pre(key !== undefined);
        const base = typed ? { resourceType: 'Observation', ...fields } : fields;
        const nodes = [base, ...changes.map(([i, to]) => {
          const all = places(base).filter((p) => p.length > 0 && p[0] !== 'resourceType');
          return all.length ? edit(base, all[i % all.length]!, to) : base;
        })];
        const compiled = fhirpath.compile(expression, r4 as never) as (n: unknown, env: object) => unknown;
        // The node is the resource (atRoot), as the invariant checker passes it.
        const evaluate = (n: unknown) => {
          try {
            return JSON.stringify(compiled(n, { resource: n, rootResource: n }));
          } catch (error) {
            return `throws ${(error as Error).message}`;
          }
        };
        const seen = new Map<string, string>();
        for (const n of nodes) {
          const k = key!(n);
          if (k === undefined) continue;
          const result = evaluate(n);
          const first = seen.get(k) ?? (seen.set(k, result), result);
          expect(result, `${expression} on ${JSON.stringify(n)} keyed ${k}`).toBe(first);
        }
      }),
      { numRuns: 300 },
    );
  });
});
