import { describe, expect, it } from 'vitest';
import { cacheKeyOf, constraintKey, evaluatedExpression, InvariantChecker } from '../../src/validate/invariants.js';
import type { CompiledProfile } from '../../src/validate/profile.js';
import type { Expansion, Terminology } from '../../src/validate/terminology.js';
import type { ElementDefinition } from '../../src/validate/types.js';

/**
 * The FHIRPath invariant checker case by case (issue 19): which constraints it compiles, how it evaluates them
 * (the contained-resource shortcut, the result cache and its bound, an invariant that throws or does not compile,
 * the pd-1 repair, memberOf answered from the packages) and how `cacheKeyOf` reads an expression. Hand-made
 * profiles (only `elements` is read) and a terminology stub: no IG package is loaded, so each case takes
 * milliseconds and Stryker can run the file against every mutant of src/validate/invariants.ts.
 */

type Constraint = NonNullable<ElementDefinition['constraint']>[number];

/** A profile of the given elements, each `[id, constraints]` (the path is the id without slice names). */
function profile(...elements: [string, Constraint[]][]): CompiledProfile {
  return { elements: elements.map(([id, constraint]) => ({ id, path: id.replace(/:[^.]*/g, ''), constraint })) } as unknown as CompiledProfile;
}

const error = (key: string, expression: string | undefined, human: string | undefined = `${key} human`): Constraint => ({ key, severity: 'error', expression, human });

/** A value set `vs`: system `s` codes `a` and `c`; `open`: system `s` whole. Counts `expand` calls. */
function terminology() {
  const enumerated: Expansion = { codes: new Set(['s|a', 's|c']), bareCodes: new Set(['a', 'c']), openSystems: new Set(), systems: new Set(['s']) };
  const open: Expansion = { codes: new Set(), bareCodes: new Set(), openSystems: new Set(['s']), systems: new Set(['s']) };
  const calls: string[] = [];
  const t = {
    expand: (url: string) => {
      calls.push(url);
      return url === 'vs' ? enumerated : url === 'open' ? open : undefined;
    },
  } as unknown as Terminology;
  return { t, calls };
}

/** Runs `check` with nodes by element id; returns `path: message` lines. */
function run(checker: InvariantChecker, p: CompiledProfile, resource: unknown, nodes: Record<string, unknown[]>): string[] {
  const out: string[] = [];
  const finder = (id: string) => {
    if (!p.elements.some((e) => e.id === id)) throw new Error(`asked for nodes of ${String(id)}, not an element of the profile`);
    return (nodes[id] ?? []) as never;
  };
  checker.check(p, resource, finder, (path, message) => out.push(`${path}: ${message}`));
  return out;
}

describe('InvariantChecker: which constraints are checked', () => {
  it('should report a failing error invariant with its key and human text, at the element id, on every failing node', () => {
    const c = new InvariantChecker(terminology().t);
    const p = profile(['Patient', [error('k-1', 'active = true', 'must be active')]]);
    expect(run(c, p, {}, { Patient: [{ active: false }, { active: true }, { active: false }] })).toEqual([
      'Patient: invariant k-1 failed: must be active',
      'Patient: invariant k-1 failed: must be active',
    ]);
    // No human text: the expression stands for it.
    expect(run(c, profile(['Patient', [{ key: 'k-2', severity: 'error', expression: 'active = true' }]]), {}, { Patient: [{ active: false }] })).toEqual([
      'Patient: invariant k-2 failed: active = true',
    ]);
  });

  it('should leave out warnings, constraints without an expression, ele-1 and txt-1/txt-2, but not ext-1', () => {
    const c = new InvariantChecker(terminology().t);
    const p = profile(
      ['Patient', [{ key: 'w-1', severity: 'warning', expression: 'false', human: 'w' }, error('n-1', undefined), error('ele-1', 'false'), error('e-1', 'false')]],
      ['Patient.extension', [error('ext-1', 'false'), error('x-1', 'false')]],
      ['Patient.text.div', [error('txt-1', 'false'), error('txt-2', 'false')]],
    );
    expect(run(c, p, {}, { Patient: [{}], 'Patient.extension': [{ url: 'u' }], 'Patient.text.div': ['<div/>'] })).toEqual([
      'Patient: invariant e-1 failed: e-1 human',
      'Patient.extension: invariant ext-1 failed: ext-1 human',
      'Patient.extension: invariant x-1 failed: x-1 human',
    ]);
    expect([...c.skipped]).toEqual([]);
  });

  it("should leave a profile's copy of a base constraint (same key and expression) to the base checker, and evaluate one that differs", () => {
    const c = new InvariantChecker(terminology().t, new Set([constraintKey('b-1', 'false'), constraintKey('b-2', 'true')]));
    const p = profile(['Patient', [error('b-1', 'false'), error('b-2', 'false'), error('p-1', 'false')]]);
    expect(run(c, p, {}, { Patient: [{}] })).toEqual(['Patient: invariant b-2 failed: b-2 human', 'Patient: invariant p-1 failed: p-1 human']);
  });

  it('should evaluate a base element\'s invariants on one node with %resource and %rootResource, typed by its path (choice names resolved at a datatype\'s root)', () => {
    const c = new InvariantChecker(terminology().t);
    const el = (path: string, ...constraint: Constraint[]) => ({ id: path, path, constraint }) as ElementDefinition;
    expect(c.forBaseElement(el('Extension', { key: 'w', severity: 'warning', expression: 'false' }, error('ele-1', 'false')), false)).toBeUndefined();
    expect(c.forBaseElement(el('Extension', error('ext-1', 'false')), false, new Set(['ext-1']))).toBeUndefined();
    const ext = c.forBaseElement(el('Extension', error('ext-1', 'extension.exists() != value.exists()')), false)!;
    const out: string[] = [];
    c.checkNode(ext, { url: 'u', valueString: 'v' }, {}, {}, (m) => out.push(m));
    c.checkNode(ext, { url: 'u', valueString: 'v', extension: [{ url: 'x', valueString: 'y' }] }, {}, {}, (m) => out.push(m));
    c.checkNode(ext, { url: 'u' }, {}, {}, (m) => out.push(m));
    expect(out).toEqual(['invariant ext-1 failed: ext-1 human', 'invariant ext-1 failed: ext-1 human']);
    const ref = c.forBaseElement(el('Reference', error('ref-1', "reference.startsWith('#').not() or (reference.substring(1) in %rootResource.contained.id)")), false)!;
    const seen: string[] = [];
    const container = { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o' }] };
    c.checkNode(ref, { reference: '#o' }, container, container, (m) => seen.push(`o ${m}`));
    c.checkNode(ref, { reference: '#x' }, container.contained[0], container, (m) => seen.push(`x ${m}`));
    c.checkNode(ref, { reference: 'Patient/x' }, {}, {}, (m) => seen.push(`P ${m}`));
    expect(seen).toEqual(['x invariant ref-1 failed: ref-1 human']);
  });

  it('should count only a single false as a failure: true, empty and several values pass', () => {
    const c = new InvariantChecker(terminology().t);
    const p = profile(['Patient', [error('v-1', 'flag')]]);
    expect(run(c, p, {}, { Patient: [{ flag: true }, {}, { flag: [false, false] }, { flag: false }] })).toEqual(['Patient: invariant v-1 failed: v-1 human']);
  });

  it('should evaluate below the root with the element path as FHIRPath base (choice names resolved), [x] dropped', () => {
    const c = new InvariantChecker(terminology().t);
    const p = profile(['Observation.component', [error('b-1', 'value.exists()')]], ['Observation.value[x]', [error('b-2', 'value.exists()')]]);
    expect(run(c, p, {}, { 'Observation.component': [{ valueQuantity: { value: 1 } }, {}], 'Observation.value[x]': [{ value: 1 }, { unit: 'kg' }] })).toEqual([
      'Observation.component: invariant b-1 failed: b-1 human',
      'Observation.value[x]: invariant b-2 failed: b-2 human',
    ]);
    expect([...c.skipped]).toEqual([]);
  });

  it('should give %resource and %rootResource the resource, from an element below the root', () => {
    const c = new InvariantChecker(terminology().t);
    const p = profile(['Observation.component', [error('r-1', "%resource.status = 'final'"), error('r-2', "%rootResource.status = 'final'")]]);
    const component = { code: { text: 'x' } };
    expect(run(c, p, { resourceType: 'Observation', status: 'final' }, { 'Observation.component': [component] })).toEqual([]);
    // The same node under another resource: not answered from the first resource's result.
    expect(run(c, p, { resourceType: 'Observation', status: 'preliminary' }, { 'Observation.component': [component] })).toEqual([
      'Observation.component: invariant r-1 failed: r-1 human',
      'Observation.component: invariant r-2 failed: r-2 human',
    ]);
  });

  it('should key results at the root by the nodes own fields read through %resource', () => {
    const c = new InvariantChecker(terminology().t);
    const p = profile(['Observation', [error('r-3', "%resource.status = 'final'")]]);
    const ok = { resourceType: 'Observation', status: 'final' };
    const bad = { resourceType: 'Observation', status: 'amended' };
    expect(run(c, p, ok, { Observation: [ok] })).toEqual([]);
    expect(run(c, p, bad, { Observation: [bad] })).toEqual(['Observation: invariant r-3 failed: r-3 human']);
  });

  it('should keep one result cache per expression: two invariants on the same fields do not share results', () => {
    const c = new InvariantChecker(terminology().t);
    const p = profile(['Patient', [error('c-1', 'active.exists()'), error('c-2', 'active.empty()')]]);
    expect(run(c, p, {}, { Patient: [{ active: true }, { active: true }] })).toEqual(['Patient: invariant c-2 failed: c-2 human', 'Patient: invariant c-2 failed: c-2 human']);
  });

  it('should check the dom-2..dom-5 invariants only on nodes with contained resources', () => {
    const c = new InvariantChecker(terminology().t);
    const keys = ['dom-2', 'dom-3', 'dom-4', 'dom-5', 'dom-6'];
    const p = profile(['Patient', keys.map((k) => error(k, 'false'))]);
    expect(run(c, p, {}, { Patient: [{ id: 'a' }] })).toEqual(['Patient: invariant dom-6 failed: dom-6 human']);
    expect(run(c, p, {}, { Patient: [{ contained: [] }] })).toEqual(keys.map((k) => `Patient: invariant ${k} failed: ${k} human`));
  });
});

describe('InvariantChecker: the pd-1 repair', () => {
  it('should evaluate pd-1 as published `telecom or endpoint` (spaces around it too) as telecom.exists() or endpoint.exists()', () => {
    expect(evaluatedExpression('pd-1', ' telecom or endpoint ')).toBe('telecom.exists() or endpoint.exists()');
    expect(evaluatedExpression('pd-1', 'telecom or endpoint')).toBe('telecom.exists() or endpoint.exists()');
    expect(evaluatedExpression('pd-1', 'telecom.exists()')).toBe('telecom.exists()');
    expect(evaluatedExpression('pd-2', 'telecom or endpoint')).toBe('telecom or endpoint');
    const c = new InvariantChecker(terminology().t);
    const p = profile(['PractitionerRole', [error('pd-1', 'telecom or endpoint')]]);
    const phones = [{ system: 'phone', value: '1' }, { system: 'phone', value: '2' }];
    expect(run(c, p, {}, { PractitionerRole: [{ telecom: phones }, {}] })).toEqual(['PractitionerRole: invariant pd-1 failed: pd-1 human']);
    expect([...c.skipped]).toEqual([]);
  });

  it('should leave another key with the same expression, and pd-1 with another expression, as published', () => {
    const c = new InvariantChecker(terminology().t);
    const p = profile(['PractitionerRole', [error('pd-9', 'telecom or endpoint'), error('pd-1', 'false')]]);
    const phones = [{ system: 'phone', value: '1' }, { system: 'phone', value: '2' }];
    expect(run(c, p, {}, { PractitionerRole: [{ telecom: phones }] })).toEqual(['PractitionerRole: invariant pd-1 failed: pd-1 human']);
    expect(c.skipped.get('pd-9')).toMatch(/^throws: /);
  });
});

describe('InvariantChecker: invariants that throw or do not compile', () => {
  it('should skip an invariant that throws from then on, with the first line of the error, at most 160 characters', () => {
    const { t } = terminology();
    const c = new InvariantChecker(t);
    const p = profile(['Patient', [error('t-1', 'flag and true'), error('t-2', "code.memberOf('a\\nb')"), error('t-3', `code.memberOf('${'u'.repeat(300)}')`)]]);
    // t-1 throws on the first node (two booleans), so the rest of this resource and later resources are not checked.
    expect(run(c, p, {}, { Patient: [{ flag: [true, true], code: 'x' }, { flag: false }] })).toEqual([]);
    expect(run(c, p, {}, { Patient: [{ flag: false }] })).toEqual([]);
    expect(c.skipped.get('t-1')).toBe('throws: Unexpected collection[true,true]; expected singleton of type Boolean');
    expect(c.skipped.get('t-2')).toBe('throws: memberOf: value set a');
    const long = c.skipped.get('t-3')!;
    expect(long).toBe(`throws: ${`memberOf: value set ${'u'.repeat(300)}`.slice(0, 160)}`);
  });

  it('should skip a base element\'s invariant that throws on one node from then on, on every node after it', () => {
    const c = new InvariantChecker(terminology().t);
    const el = { id: 'Thing', path: 'Thing', constraint: [error('t-9', 'flag.not()'), error('t-8', 'false')] } as ElementDefinition;
    const list = c.forBaseElement(el, false)!;
    const out: string[] = [];
    c.checkNode(list, { flag: true }, {}, {}, (m) => out.push(`1 ${m}`));
    c.checkNode(list, { flag: [true, true] }, {}, {}, (m) => out.push(`2 ${m}`));
    // t-9 would fail here (flag true): it is skipped since it threw; t-8 is still evaluated.
    c.checkNode(list, { flag: true, other: 1 }, {}, {}, (m) => out.push(`3 ${m}`));
    expect(out).toEqual(['1 invariant t-9 failed: t-9 human', '1 invariant t-8 failed: t-8 human', '2 invariant t-8 failed: t-8 human', '3 invariant t-8 failed: t-8 human']);
    expect(c.skipped.get('t-9')).toMatch(/^throws: /);
  });

  it('should skip an expression that does not compile, saying so, and still check the others', () => {
    const c = new InvariantChecker(terminology().t);
    const p = profile(['Patient', [error('s-1', 'a..b'), error('s-2', 'false')]]);
    expect(run(c, p, {}, { Patient: [{}] })).toEqual(['Patient: invariant s-2 failed: s-2 human']);
    expect(c.skipped.get('s-1')).toMatch(/^does not compile: \S/);
    // The first line of the parser's message only.
    run(c, profile(['Patient', [error('s-3', "'unterminated")]]), {}, { Patient: [{}] });
    expect(c.skipped.get('s-3')).toBe("does not compile: line: 1; column: 0; message: token recognition error at: ''unterminated'");
    // A second profile with the same expression: not compiled again, still skipped, nothing reported.
    expect(run(c, profile(['Patient', [error('s-1', 'a..b')]]), {}, { Patient: [{}] })).toEqual([]);
  });
});

describe('InvariantChecker: memberOf answered from the packages', () => {
  const check = (expression: string, nodes: unknown[]) => {
    const { t, calls } = terminology();
    const c = new InvariantChecker(t);
    return { issues: run(c, profile(['Patient', [error('m-1', expression)]]), {}, { Patient: nodes }).length, skipped: [...c.skipped], calls };
  };

  it('should take a bare code when the value set lists it, or includes a system whole', () => {
    expect(check("code.memberOf('vs')", [{ code: 'a' }, { code: 'c' }])).toMatchObject({ issues: 0, skipped: [] });
    expect(check("code.memberOf('vs')", [{ code: 'b' }]).issues).toBe(1);
    expect(check("code.memberOf('open')", [{ code: 'b' }]).issues).toBe(0);
  });

  it('should take a Coding in the value set and refuse one outside it', () => {
    expect(check("code.memberOf('vs')", [{ code: { system: 's', code: 'a' } }]).issues).toBe(0);
    expect(check("code.memberOf('vs')", [{ code: { system: 's', code: 'b' } }, { code: { system: 't', code: 'a' } }]).issues).toBe(2);
    expect(check("code.memberOf('open')", [{ code: { system: 's', code: 'zz' } }]).issues).toBe(0);
  });

  it('should take a CodeableConcept when one of its codings is in the value set', () => {
    const cc = (...codes: string[]) => ({ code: { coding: codes.map((code) => ({ system: 's', code })) } });
    expect(check("code.memberOf('vs')", [cc('b', 'a'), cc('a')]).issues).toBe(0);
    expect(check("code.memberOf('vs')", [cc('b', 'd'), cc()]).issues).toBe(2);
  });

  it('should need every input to be a member, and refuse what is neither code nor coding', () => {
    expect(check("coding.memberOf('vs')", [{ coding: [{ system: 's', code: 'a' }, { system: 's', code: 'c' }] }]).issues).toBe(0);
    expect(check("coding.memberOf('vs')", [{ coding: [{ system: 's', code: 'b' }, { system: 's', code: 'a' }] }]).issues).toBe(1);
    expect(check("code.memberOf('vs')", [{ code: 5 }]).issues).toBe(1);
    expect(check("code.memberOf('vs')", [{ code: true }]).issues).toBe(1);
  });

  it('should answer nothing for no input, without looking for the value set', () => {
    expect(check("code.memberOf('unknown')", [{ other: 1 }])).toEqual({ issues: 0, skipped: [], calls: [] });
    expect(check("code.memberOf('vs').empty()", [{ other: 1 }, { code: 'a' }]).issues).toBe(1);
    expect(check("code.memberOf('unknown')", [{ code: 'a' }]).skipped).toEqual([['m-1', 'throws: memberOf: value set unknown is not in the loaded packages']]);
  });
});

describe('InvariantChecker: the result cache', () => {
  /** Private state read on purpose: the cache's bound is about memory, which results cannot show. */
  const caches = (c: InvariantChecker) => [...(c as unknown as { caches: Map<string, Map<string, boolean>> }).caches.values()];

  it('should evaluate a node shape once and answer equal nodes from the cache', () => {
    const { t, calls } = terminology();
    const c = new InvariantChecker(t);
    const p = profile(['Patient', [error('m-2', "code.memberOf('vs')")]]);
    expect(run(c, p, {}, { Patient: [{ code: 'b', id: '1' }, { code: 'b', id: '2' }, { code: 'a' }] })).toHaveLength(2);
    expect(calls).toEqual(['vs', 'vs']);
    expect(caches(c).map((m) => [...m])).toEqual([[['{"code":"b"}', true], ['{"code":"a"}', false]]]);
  });

  it('should keep results at the root for an expression that reads the resource there, and share them between profiles', () => {
    const { t, calls } = terminology();
    const c = new InvariantChecker(t);
    const inv = error('m-4', "%resource.code.memberOf('vs')");
    const r1 = { resourceType: 'Patient', code: 'b', id: '1' };
    const r2 = { resourceType: 'Patient', code: 'b', id: '2' };
    expect(run(c, profile(['Patient', [inv]]), r1, { Patient: [r1] })).toHaveLength(1);
    expect(run(c, profile(['Patient', [inv]]), r2, { Patient: [r2] })).toHaveLength(1);
    expect(calls).toEqual(['vs']);
  });

  it('should keep no result when the expression reads the resource from below the root', () => {
    const { t, calls } = terminology();
    const c = new InvariantChecker(t);
    const p = profile(['Patient.contact', [error('m-3', "%resource.code.memberOf('vs')")]]);
    expect(run(c, p, { code: 'b' }, { 'Patient.contact': [{}, {}] })).toHaveLength(2);
    expect(calls).toEqual(['vs', 'vs']);
    expect(caches(c).map((m) => m.size)).toEqual([0]);
  });

  it('should forget all results at once when 20,000 are kept, and keep each new one', () => {
    const c = new InvariantChecker(terminology().t);
    const p = profile(['Patient', [error('n-2', 'n >= 0')]]);
    const nodes = Array.from({ length: 20_001 }, (_, n) => ({ n }));
    run(c, p, {}, { Patient: nodes.slice(0, 20_000) });
    expect(caches(c)[0]!.size).toBe(20_000);
    run(c, p, {}, { Patient: nodes.slice(20_000) });
    expect(caches(c)[0]!.size).toBe(1);
  });

  it('should forget all results at once when their keys pass 2 million characters, and keep each new one', () => {
    const c = new InvariantChecker(terminology().t);
    const p = profile(['Patient', [error('n-3', "s != ''")]]);
    // Keys of exactly 2,000 characters ({"s":"…"}): 1,000 of them make exactly 2 million, still kept.
    const nodes = Array.from({ length: 1_001 }, (_, i) => ({ s: String(i).padStart(4, '0') + 'x'.repeat(1_988) }));
    run(c, p, {}, { Patient: nodes.slice(0, 1_000) });
    expect([...caches(c)[0]!.keys()].map((k) => k.length)).toEqual(Array(1_000).fill(2_000));
    run(c, p, {}, { Patient: nodes.slice(1_000) });
    expect(caches(c)[0]!.size).toBe(1);
  });

  it('should not answer a node from the result of one that differs only in a _name that the expression reads', () => {
    const c = new InvariantChecker(terminology().t);
    // fhirpath.js reads `_a` as that JSON key; both keyers file a `_a` key under `a`, so neither may key by names here.
    const p = profile(['Patient', [error('u-1', 'b.exists() or _a.exists()')]]);
    expect(run(c, p, {}, { Patient: [{ _a: { id: 'x' } }, {}] })).toEqual(['Patient: invariant u-1 failed: u-1 human']);
  });

  it('should key by what the expression reads when that can be bounded, and by the names it uses when not', () => {
    const { t, calls } = terminology();
    const c = new InvariantChecker(t);
    // item.code is read: the items' other fields do not make a new entry.
    run(c, profile(['Patient', [error('m-5', "item.code.memberOf('vs')")]]), {}, { Patient: [{ item: [{ code: 'a', display: 'x' }] }, { item: [{ code: 'a', display: 'y' }] }] });
    expect(calls).toEqual(['vs']);
    // A type name as a path step cannot be bounded; the names it uses still key it.
    const obs = (id: string) => ({ resourceType: 'Observation', id, code: 'b' });
    run(c, profile(['Observation', [error('m-6', "Observation.code.memberOf('vs')")]]), {}, { Observation: [obs('1'), obs('2')] });
    expect(calls).toEqual(['vs', 'vs']);
  });
});

describe('cacheKeyOf: reading an expression', () => {
  it('should ignore words inside string literals (escaped quotes too) and read backtick names', () => {
    const k = cacheKeyOf("code = 'it\\'s where(value)' or code = 'other'")!;
    expect(k({ code: 'x', value: 1, other: 2, where: 3, s: 4 })).toBe('{"code":"x"}');
    expect(cacheKeyOf('`class`.exists() and b = 1')!({ class: { x: 1 }, b: 1, c: 2 })).toBe('{"class":1,"b":1}');
  });

  it('should read the resource through %rootResource and %context like %resource, at the root only', () => {
    for (const v of ['%rootResource', '%context', '%resource']) {
      expect(cacheKeyOf(`${v}.status = 'final'`)).toBeUndefined();
      expect(cacheKeyOf(`${v}.status = 'final'`, true)!({ resourceType: 'Observation', status: 'final', id: 'x' })).toBe('{"status":"final"}');
      expect(cacheKeyOf(`${v} = ${v}`, true)).toBeUndefined();
    }
    expect(cacheKeyOf("status = 'final'", true)!({ resourceType: 'Observation', status: 'final', id: 'x' })).toBe('{"status":"final"}');
  });

  it('should leave FHIRPath keywords out of the key, and not take a keyword before a parenthesis for a function', () => {
    const k = cacheKeyOf('a implies (b or c) and d xor e')!;
    expect(k({ a: 1, implies: 2, or: 3, and: 4, xor: 5, b: 6, z: 7 })).toBe('{"a":1,"b":6}');
    expect(cacheKeyOf('a.exists() or (b.exists())')!({ a: [{ x: 1 }], b: { y: 2 }, c: 3 })).toBe('{"a":1,"b":1}');
  });

  it('should key the whole node when the expression calls a function on it or reads $this, but not a whole resource', () => {
    const node = { a: 1, z: 2 };
    expect(cacheKeyOf('a = 1 and children().exists()')!(node)).toBe('{"a":1,"z":2}');
    expect(cacheKeyOf('$this.a = 1')!(node)).toBe('{"a":1,"z":2}');
    expect(cacheKeyOf('  where(a = 1).exists()')!(node)).toBe('{"a":1,"z":2}');
    expect(cacheKeyOf('a.where(b = 1).exists()')!(node)).toBe('{"a":1}');
    expect(cacheKeyOf('%x.f() and a = 1')!(node)).toBe('{"a":1}');
    expect(cacheKeyOf('hasValue()')!({ resourceType: 'Patient', a: 1 })).toBeUndefined();
    expect(cacheKeyOf('hasValue()')!(null)).toBe('null');
    expect(cacheKeyOf('hasValue()')!('v')).toBe('"v"');
  });

  it('should key by presence alone only a name every use of which tests presence', () => {
    const both = cacheKeyOf('a.exists() and a.x = 1')!;
    expect(both({ a: { x: 1 } })).not.toBe(both({ a: { x: 2 } }));
    const spaced = cacheKeyOf('a .exists ( ) and b.empty( )')!;
    expect(spaced({ a: { x: 1 }, b: { y: 1 } })).toBe(spaced({ a: { x: 2 }, b: { y: 2 } }));
    expect(spaced({ a: { x: 1 } })).toBe('{"a":1}');
    // A presence test further on, or of something inside the name, is not a presence test of the name.
    expect(cacheKeyOf('a = 1 and b.exists()')!({ a: { x: 1 }, b: { y: 1 } })).toBe('{"a":{"x":1},"b":1}');
    expect(cacheKeyOf('a.foo.exists()')!({ a: { x: 1 } })).toBe('{"a":{"x":1}}');
    const other = cacheKeyOf('a.existsx() and b.count() > 0')!;
    expect(other({ a: { x: 1 } })).toBe('{"a":{"x":1}}');
    expect(cacheKeyOf('b.exists().not()')!({ b: { y: 1 } })).toBe('{"b":1}');
  });

  it('should take a value as plainly present only when an object with a non-null field, or an array of only such objects', () => {
    const k = cacheKeyOf('a.exists()')!;
    expect(k({ a: { x: 1 } })).toBe('{"a":1}');
    expect(k({ a: [{ x: 1 }, { y: 2 }] })).toBe('{"a":1}');
    expect(k({ a: { x: null } })).toBe('{"a":{"x":null}}');
    expect(k({ a: { x: undefined, y: null } })).toBe('{"a":{"y":null}}');
    expect(k({ a: { x: undefined, y: 0 } })).toBe('{"a":1}');
    expect(k({ a: [] })).toBe('{"a":[]}');
    expect(k({ a: [{ x: 1 }, 'b'] })).toBe('{"a":[{"x":1},"b"]}');
    expect(k({ a: ['b', { x: 1 }] })).toBe('{"a":["b",{"x":1}]}');
    expect(k({ a: [[{ x: 1 }]] })).toBe('{"a":[[{"x":1}]]}');
    expect(k({ a: [null] })).toBe('{"a":[null]}');
    expect(k({ a: 'text' })).toBe('{"a":"text"}');
    expect(k({ a: [{ x: 1 }], b: 2 })).toBe('{"a":1}');
    // A primitive node or an array is its own key.
    expect(k(5)).toBe('5');
    expect(k([{ a: 1 }])).toBe('[{"a":1}]');
    expect(k(null)).toBe('null');
  });

  it('should read `_name` (a primitive extension) and choice names (valueQuantity for value) as the name, nothing else', () => {
    const k = cacheKeyOf('value = 1 or status = 2')!;
    expect(k({ _status: { id: 'e' }, valueQuantity: { v: 1 }, values: 3, valueset: 4, statusX: 5, value: 6, vs: 7, _value: 8 })).toBe(
      '{"_status":{"id":"e"},"valueQuantity":{"v":1},"statusX":5,"value":6,"_value":8}',
    );
    // Decided once per JSON key, the same on every node.
    expect(k({ valueQuantity: 1, values: 2 })).toBe('{"valueQuantity":1}');
  });

  it('should keep no key longer than 2,000 characters', () => {
    const k = cacheKeyOf('a = 1')!;
    // {"a":"…"} is the string plus 8 characters.
    expect(k({ a: 'x'.repeat(1992) })).toHaveLength(2000);
    expect(k({ a: 'x'.repeat(1993) })).toBeUndefined();
  });
});
