import { describe, expect, it } from 'vitest';
import type { Definitions } from '../../src/validate/definitions.js';
import { codingProblem, Terminology, type Expansion } from '../../src/validate/terminology.js';

/**
 * Value set expansion as the validator's required bindings read it (issue 19), on hand-made value sets and code
 * systems: enumerated concepts, whole code systems (complete: every code, nested ones included; fragment, filtered or
 * unknown: open), value sets included in others, unknown and circular includes, bare expansions; codingProblem's
 * answers. Milliseconds, so Stryker can run it against every mutant of terminology.ts.
 */

const valueSets: Record<string, unknown> = {
  listed: { compose: { include: [{ system: 'http://s/a', concept: [{ code: 'a1' }, { code: 'a2' }] }] } },
  whole: { compose: { include: [{ system: 'http://s/complete' }] } },
  implicit: { compose: { include: [{ system: 'http://s/no-content' }] } },
  fragment: { compose: { include: [{ system: 'http://s/fragment' }] } },
  filtered: { compose: { include: [{ system: 'http://s/complete', filter: [{ property: 'concept', op: 'is-a', value: 'c1' }] }] } },
  unknownSystem: { compose: { include: [{ system: 'http://loinc.org' }] } },
  nested: { compose: { include: [{ valueSet: ['listed', 'whole', 'nowhere'] }, { system: 'http://s/b', concept: [{ code: 'b1' }] }] } },
  circleA: { compose: { include: [{ valueSet: ['circleB'] }, { system: 'http://s/a', concept: [{ code: 'a1' }] }] } },
  circleB: { compose: { include: [{ valueSet: ['circleA'] }, { system: 'http://s/b', concept: [{ code: 'b1' }] }] } },
  expanded: { expansion: { contains: [{ system: 'http://s/x', code: 'x1' }] } },
  composedAndExpanded: { compose: { include: [] }, expansion: { contains: [{ system: 'http://s/x', code: 'x1' }] } },
  empty: {},
};
const codeSystems: Record<string, unknown> = {
  'http://s/complete': { content: 'complete', concept: [{ code: 'c1', concept: [{ code: 'c1.1', concept: [{ code: 'c1.1.1' }] }] }, { code: 'c2' }] },
  'http://s/no-content': { concept: [{ code: 'n1' }] },
  'http://s/fragment': { content: 'fragment', concept: [{ code: 'f1' }] },
};

function terminology(): { t: Terminology; asked: string[] } {
  const asked: string[] = [];
  const defs = {
    valueSet: (url: string) => {
      asked.push(url);
      return valueSets[url];
    },
    codeSystem: (url: string) => codeSystems[url],
    structureDefinition: () => undefined,
  } as unknown as Definitions;
  return { t: new Terminology(defs), asked };
}

const plain = (e: Expansion | undefined) =>
  e && { codes: [...e.codes].sort(), bareCodes: [...e.bareCodes].sort(), openSystems: [...e.openSystems].sort(), systems: [...e.systems].sort() };

describe('Terminology.expand', () => {
  it('should list enumerated concepts with and without their system', () => {
    expect(plain(terminology().t.expand('listed'))).toEqual({ codes: ['http://s/a|a1', 'http://s/a|a2'], bareCodes: ['a1', 'a2'], openSystems: [], systems: ['http://s/a'] });
  });

  it('should take every code of a complete code system, nested ones included, and of one that does not say', () => {
    const { t } = terminology();
    expect(plain(t.expand('whole'))!.codes).toEqual(['http://s/complete|c1', 'http://s/complete|c1.1', 'http://s/complete|c1.1.1', 'http://s/complete|c2']);
    expect(plain(t.expand('whole'))!.openSystems).toEqual([]);
    expect(plain(t.expand('implicit'))!.codes).toEqual(['http://s/no-content|n1']);
  });

  it('should leave a fragment, a filtered include and an unknown code system open (system checked only)', () => {
    const { t } = terminology();
    for (const vs of ['fragment', 'filtered', 'unknownSystem']) {
      const e = plain(t.expand(vs))!;
      expect(e.codes, vs).toEqual([]);
      expect(e.openSystems, vs).toHaveLength(1);
      expect(e.systems, vs).toEqual(e.openSystems);
    }
  });

  it('should add included value sets, leave unknown ones out, and stop at a circle', () => {
    const { t } = terminology();
    const nested = plain(t.expand('nested'))!;
    expect(nested.codes).toEqual([
      'http://s/a|a1', 'http://s/a|a2', 'http://s/b|b1',
      'http://s/complete|c1', 'http://s/complete|c1.1', 'http://s/complete|c1.1.1', 'http://s/complete|c2',
    ]);
    expect(nested.systems).toEqual(['http://s/a', 'http://s/b', 'http://s/complete']);
    expect(nested.bareCodes).toEqual(['a1', 'a2', 'b1', 'c1', 'c1.1', 'c1.1.1', 'c2']);
    const circle = plain(terminology().t.expand('circleA'))!;
    expect(circle.codes).toEqual(['http://s/a|a1', 'http://s/b|b1']);
    const open = plain(terminology().t.expand('circleOpen'));
    expect(open).toBeUndefined();
    valueSets.withOpen = { compose: { include: [{ valueSet: ['fragment'] }] } };
    expect(plain(terminology().t.expand('withOpen'))!.openSystems).toEqual(['http://s/fragment']);
    expect(plain(terminology().t.expand('withOpen'))!.systems).toEqual(['http://s/fragment']);
  });

  it('should read a bare expansion only when there is no compose, and give undefined for an unknown value set', () => {
    const { t } = terminology();
    expect(plain(t.expand('expanded'))!.codes).toEqual(['http://s/x|x1']);
    expect(plain(t.expand('composedAndExpanded'))!.codes).toEqual([]);
    expect(plain(t.expand('empty'))).toEqual({ codes: [], bareCodes: [], openSystems: [], systems: [] });
    expect(t.expand('nowhere')).toBeUndefined();
  });

  it('should work a value set out once', () => {
    const { t, asked } = terminology();
    const first = t.expand('listed');
    expect(t.expand('listed')).toBe(first);
    expect(t.expand('nowhere')).toBeUndefined();
    expect(t.expand('nowhere')).toBeUndefined();
    expect(asked).toEqual(['listed', 'nowhere']);
  });
});

describe('codingProblem', () => {
  const { t } = terminology();
  const nested = t.expand('nested')!;

  it('should take a listed code and any code of an open system', () => {
    expect(codingProblem(nested, 'http://s/a', 'a1')).toBeUndefined();
    expect(codingProblem(t.expand('fragment')!, 'http://s/fragment', 'anything')).toBeUndefined();
  });

  it('should name a code missing from a known system, and a system the value set does not draw on', () => {
    expect(codingProblem(nested, 'http://s/a', 'zz')).toBe("code 'zz' is not in the value set");
    expect(codingProblem(nested, 'http://s/z', 'a1')).toBe("code system 'http://s/z' is not one the value set includes (http://s/a, http://s/complete, http://s/b)");
    expect(codingProblem(nested, undefined, 'a1')).toBe("code system '(none)' is not one the value set includes (http://s/a, http://s/complete, http://s/b)");
    const many: Expansion = { codes: new Set(), bareCodes: new Set(), openSystems: new Set(), systems: new Set(['1', '2', '3', '4', '5', '6']) };
    expect(codingProblem(many, 'x', 'y')).toBe("code system 'x' is not one the value set includes (1, 2, 3, 4, 5)");
  });
});
