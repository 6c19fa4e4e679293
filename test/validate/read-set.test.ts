// What a FHIRPath invariant reads of its node (readTree) and the cache keys cut from it (projectionKeyOf): two nodes
// with the same key must give the same result, checked against the `fhirpath` package itself on random nodes.
import fc from 'fast-check';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { describe, expect, it } from 'vitest';
import { projectionKeyOf, readTree, type ReadNode } from '../../src/validate/read-set.js';

/** The tree as `name` / `name*` (read whole) lines, indented by depth. */
function shape(t: ReadNode, depth = 0): string[] {
  return [...t.children].flatMap(([name, c]) => [`${' '.repeat(depth)}${name}${c.full ? '*' : ''}`, ...shape(c, depth + 1)]);
}

describe('readTree: what an expression reads', () => {
  it('should read compared and function-fed values whole, and what is only navigated or counted as structure', () => {
    const eob = "supportingInfo.where(category.memberOf('http://x')).sequence.subsetOf(%context.item.informationSequence)";
    expect(shape(readTree(eob, true)!)).toEqual(['supportingInfo', ' category*', ' sequence*', 'item', ' informationSequence*']);
    const con4 = "abatement.empty() or clinicalStatus.coding.where(system='x' and code='resolved').exists()";
    expect(shape(readTree(con4, false)!)).toEqual(['abatement', 'clinicalStatus', ' coding', '  system*', '  code*']);
    expect(shape(readTree("meta.profile.exists($this.startsWith('u'))", true)!)).toEqual(['meta', ' profile*']);
    // A bare count() inside where() counts $this: structure only.
    expect(shape(readTree('item.where(bodySite.count() != count()).empty()', false)!)).toEqual(['item', ' bodySite']);
    expect(shape(readTree('value.ofType(Quantity).value > 0', false)!)).toEqual(['value*']);
    expect(readTree('hasValue()', false)!.full).toBe(true);
  });

  it('should give up on what it cannot bound', () => {
    expect(readTree('(QuestionnaireResponse|repeat(answer|item)).select(item.linkId).isDistinct()', true)).toBeUndefined();
    expect(readTree('%resource.code.exists()', false)).toBeUndefined();
    expect(readTree('%somethingElse.exists()', true)).toBeUndefined();
    expect(readTree('item.where($index > 0).exists()', false)).toBeUndefined();
    expect(readTree('this is not ( fhirpath', false)).toBeUndefined();
    expect(readTree('%resource.code.exists()', true)).toBeDefined();
  });
});

describe('projectionKeyOf: cache keys', () => {
  it('should keep what is read, structure and resourceType, and drop the rest', () => {
    const key = projectionKeyOf("abatement.empty() or clinicalStatus.coding.where(system='x').exists()", false, 2000)!;
    const a = { resourceType: 'Condition', id: 'a', abatementDateTime: '2024-01-01', clinicalStatus: { coding: [{ system: 'x', code: 'active', display: 'A' }], text: 't' } };
    const b = { resourceType: 'Condition', id: 'b', abatementDateTime: '2025-02-03', clinicalStatus: { coding: [{ system: 'x', code: 'other' }] } };
    expect(key(a)).toBe('{"resourceType":"Condition","abatementDateTime":1,"clinicalStatus":{"coding":[{"system":"x"}]}}');
    expect(key(b)).toBe(key(a));
    expect(key({ ...b, abatementDateTime: undefined })).not.toBe(key(a));
    expect(projectionKeyOf('a.b = 1', false, 10)!({ a: { b: 123456789 } })).toBeUndefined(); // longer than allowed
    expect(projectionKeyOf('hasValue()', false, 2000)).toBeUndefined(); // read whole: cacheKeyOf's affair
  });

  // Small nodes from a few names and values, so that many share a key; the `fhirpath` package decides.
  const primitive = fc.constantFrom<unknown>('x', 'y', '', 0, 1, true, false, null);
  const leaf = fc.oneof(primitive, fc.array(primitive, { maxLength: 3 }));
  const coding = fc.record({ system: fc.constantFrom('x', 'y'), code: fc.constantFrom('a', 'b', 'resolved') }, { requiredKeys: [] });
  const inner = fc.dictionary(fc.constantFrom('a', 'b', 'code', 'system', 'valueString', 'valueBoolean', '_a'), fc.oneof(leaf, coding), { maxKeys: 4 });
  const node = fc.dictionary(
    fc.constantFrom('a', 'b', 'item', 'coding', 'valueString', 'valueQuantity', 'status', '_status'),
    fc.oneof(leaf, inner, fc.array(fc.oneof(inner, coding, fc.constant(null)), { maxLength: 3 })),
    { maxKeys: 5 },
  );
  const expressions = [
    'a.exists() and b.empty()',
    "item.where(code = 'a').exists()",
    "item.where(coding.where(system = 'x').exists()).count() = 1",
    "coding.where(system = 'x' and code = 'resolved').exists() or a.empty()",
    'item.a.count() > item.b.count()',
    'value.exists() implies status.exists()',
    "item.first().code = 'a'",
    "item.where(a.exists()).select(code).exists($this = 'b')",
    "status.empty() or status = 'x'",
    'item.code.subsetOf(coding.code)',
    'item.where(b.count() != count()).empty()',
  ];

  for (const expression of expressions) {
    it(`should give one result for every node of a key: ${expression}`, () => {
      const key = projectionKeyOf(expression, true, 100_000)!;
      expect(key).toBeDefined();
      const evaluate = (n: unknown) => {
        try {
          return JSON.stringify(fhirpath.evaluate(n as object, expression, undefined, r4 as never));
        } catch (error) {
          return `throws ${(error as Error).message}`;
        }
      };
      fc.assert(
        fc.property(fc.array(node, { minLength: 20, maxLength: 40 }), (nodes) => {
          const seen = new Map<string, string>();
          for (const n of nodes) {
            const k = key(n)!;
            const result = evaluate(n);
            if (!seen.has(k)) seen.set(k, result);
            expect(result, `${JSON.stringify(n)} keyed ${k}`).toBe(seen.get(k));
          }
        }),
        { numRuns: 30 },
      );
    });
  }
});
