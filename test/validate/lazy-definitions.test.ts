// Memory of validate --jobs N (issue 13): the base bundles are parsed one entry at a time, and a validator builds its
// definitions only at first use, so a main thread that only merges the workers' results never holds the R4 base.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { CoverageIndex } from '../../src/validate/coverage.js';
import * as definitions from '../../src/validate/definitions.js';
import { createValidator, type Validator } from '../../src/validate/validator.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

vi.mock('../../src/validate/definitions.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/validate/definitions.js')>();
  return { ...original, buildDefinitions: vi.fn(original.buildDefinitions) };
});

describe('forEachBundleEntry', () => {
  // Strings full of the characters the scanner counts (brackets, quotes, backslashes, a nested "entry" key).
  const tricky = fc.oneof(fc.string(), fc.constantFrom('{', '}', '[', ']', '"', '\\', '\\"', '"entry": [', '}]'), fc.string({ unit: 'grapheme' }));
  const value = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(tricky, tie('v'), { maxKeys: 3 })),
  })).v;
  const bundle = fc.record({
    resourceType: fc.constant('Bundle'),
    meta: fc.dictionary(tricky, value, { maxKeys: 2 }),
    entry: fc.array(fc.record({ fullUrl: tricky, resource: fc.dictionary(tricky, value, { maxKeys: 4 }) }), { maxLength: 5 }),
    after: value,
  });

  it('should yield the same entries as JSON.parse of the whole bundle, compact or indented', () => {
    fc.assert(
      fc.property(bundle, fc.constantFrom(undefined, 2, '\t'), (b, indent) => {
        const text = JSON.stringify(b, null, indent);
        const seen: unknown[] = [];
        definitions.forEachBundleEntry(text, (e) => seen.push(e));
        expect(seen).toEqual((JSON.parse(text) as typeof b).entry);
      }),
    );
  });

  it('should leave no slice of the bundle text in RegExp.input (which would keep the whole text alive)', () => {
    const text = JSON.stringify({ resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Basic', id: 'b' } }] }, null, 2);
    /before/.test('before');
    definitions.forEachBundleEntry(text, () => undefined);
    expect((RegExp as unknown as { input: string }).input).toBe('before');
  });

  it('should read the base definitions to the same slimmed text a worker adopts', () => {
    const text = definitions.baseDefinitionsText();
    const all = JSON.parse(text) as { resourceType: string; snapshot?: { element: Record<string, unknown>[] } }[];
    expect(new Set(all.map((r) => r.resourceType))).toEqual(new Set(['StructureDefinition', 'ValueSet', 'CodeSystem']));
    const patient = all.find((r) => (r as { url?: string }).url === 'http://hl7.org/fhir/StructureDefinition/Patient')!;
    expect(patient.snapshot!.element.length).toBeGreaterThan(40);
    expect(patient.snapshot!.element.some((e) => 'definition' in e || 'comment' in e)).toBe(false);
  });
});

describe('a validator builds its definitions at first use', () => {
  it('should load packages without the R4 base, and build it once when a resource is checked', async () => {
    const build = vi.mocked(definitions.buildDefinitions);
    build.mockClear();
    const validator = await createValidator({ igs: ['carin-bb@2.0.0'], packagesDir: SHARED_PACKAGES });
    const merging = validator.packages.map((p) => new CoverageIndex(p, validator));
    merging[0]!.merge({ claims: [3], filled: [['ExplanationOfBenefit.status']] });
    expect(merging[0]!.report().profiles[0]!.resources).toBe(3);
    expect(validator.skippedInvariants.size).toBe(0);
    expect(build).not.toHaveBeenCalled();

    const issues: Parameters<Validator['check']>[2] = [];
    validator.check({ resourceType: 'Patient', id: 'p', birthDate: '30 Nov', active: 'yes', foo: 1 } as never, () => true, issues);
    validator.check({ resourceType: 'Patient', id: 'q' }, () => true, issues);
    expect(build).toHaveBeenCalledTimes(1);
    expect(issues.length).toBeGreaterThan(0);
    expect(new Set(issues.map((i) => i.id))).toEqual(new Set(['p']));
  });
});
