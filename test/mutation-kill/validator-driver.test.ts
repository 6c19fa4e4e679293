import type { Resource } from '@medplum/fhirtypes';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { claimedProfiles, createValidator, DEFAULT_IGS, resourceKeys } from '../../src/validate/validator.js';

/**
 * The validator's driver (issue 19, mutation testing of src/validate/validator.ts): which IGs it loads, what it
 * builds when, which profiles a resource is checked against, how findings are attributed and deduplicated, which
 * references must resolve, and progress. The checkers themselves are stood in by recorders (vi.mock): each reports
 * what the resource under test asks it to (`_base`, `_refs`, `_profile`, `_inv`), so no IG package is loaded and
 * each case runs in milliseconds. The rules the real checkers apply have their own files (validator-rules,
 * profile-rules, validator-primitives…).
 */

const log = vi.hoisted(() => ({ calls: [] as string[] }));
vi.mock('../../src/validate/package-download.js', () => ({
  ensurePackages: async (igs: string[], dir?: string) => {
    log.calls.push(`ensure ${igs.join(',')} ${dir}`);
    return igs.includes('fresh@1') ? ['fresh@1', 'dep@2'] : [];
  },
}));
vi.mock('../../src/validate/packages.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/validate/packages.js')>()),
  loadPackages: (igs: string[], dir?: string) => {
    log.calls.push(`load ${igs.join(',')} ${dir}`);
    return { packages: igs.map((name) => ({ name })), warnings: ['dependency x skipped'] };
  },
}));
vi.mock('../../src/validate/definitions.js', () => ({
  buildDefinitions: (packages: unknown[]) => {
    log.calls.push(`definitions ${packages.length}`);
    const sds: Record<string, unknown> = {
      'http://p/A': { url: 'http://p/A', snapshot: {} },
      'http://p/A|1': { url: 'http://p/A', snapshot: {} },
      'http://p/B': { url: 'http://p/B', snapshot: {} },
      'http://p/NoSnapshot': { url: 'http://p/NoSnapshot' },
    };
    const resourceTypes = ['Patient', 'Observation', 'Bundle'];
    return { structureDefinition: (c: string) => sds[c], baseType: (n: string) => (resourceTypes.includes(n) ? { kind: 'resource' } : undefined), id: 'defs' };
  },
}));
vi.mock('../../src/validate/terminology.js', () => ({
  Terminology: class {
    constructor(readonly definitions: unknown) {}
  },
}));
type Report = (path: string, message: string) => void;
vi.mock('../../src/validate/base.js', () => ({
  BaseChecker: class {
    checkResource(r: any, type: string, report: Report, onReference: (ref: string, path: string) => void) {
      log.calls.push(`base ${type}`);
      if (r === null) report('', 'not a resource');
      for (const [path, message] of r?._base ?? []) report(path, message);
      for (const [ref, path] of r?._refs ?? []) onReference(ref, path);
    }
  },
}));
vi.mock('../../src/validate/profile.js', () => ({
  CompiledProfile: class {
    constructor(
      readonly sd: { url: string },
      readonly definitions: { id: string },
      readonly terminology: { definitions: unknown },
    ) {
      log.calls.push(`compile ${sd.url} ${definitions.id} ${terminology.definitions === definitions}`);
    }
    check(r: any, report: Report) {
      for (const [path, message] of r._profile?.[this.sd.url] ?? []) report(path, message);
      return `nodes of ${this.sd.url}`;
    }
  },
}));
vi.mock('../../src/validate/invariants.js', () => ({
  baseConstraintKeys: () => new Set<string>(),
  InvariantChecker: class {
    skipped = new Map([['inv-1', 'threw']]);
    constructor(readonly terminology: unknown) {}
    check(profile: { sd: { url: string } }, r: any, nodes: string, report: Report) {
      log.calls.push(`invariants ${profile.sd.url} ${nodes}`);
      for (const [path, message] of r._inv?.[profile.sd.url] ?? []) report(path, message);
    }
  },
}));

beforeEach(() => {
  log.calls = [];
});

const resource = (extra: object): Resource => ({ resourceType: 'Observation', id: 'o1', ...extra }) as Resource;

describe('createValidator', () => {
  it('should load the named IGs, or both default ones, from the directory given, downloads noted first', async () => {
    expect(DEFAULT_IGS).toEqual(['carin-bb@2.0.0', 'us-core@6.1.0']);
    for (const options of [undefined, {}, { igs: [] }]) {
      log.calls = [];
      const v = await createValidator(options);
      expect(log.calls).toEqual(['ensure carin-bb@2.0.0,us-core@6.1.0 undefined', 'load carin-bb@2.0.0,us-core@6.1.0 undefined']);
      expect(v.packages).toEqual([{ name: 'carin-bb@2.0.0' }, { name: 'us-core@6.1.0' }]);
      expect(v.warnings).toEqual(['dependency x skipped']);
    }
    log.calls = [];
    const v = await createValidator({ igs: ['fresh@1'], packagesDir: '/pk' });
    expect(log.calls).toEqual(['ensure fresh@1 /pk', 'load fresh@1 /pk']);
    expect(v.warnings).toEqual(['fresh@1 downloaded into the FHIR package cache', 'dep@2 downloaded into the FHIR package cache', 'dependency x skipped']);
  });

  it('should build definitions and checkers at first use, once, and report no skipped invariant before', async () => {
    const v = await createValidator({ igs: ['a@1'] });
    expect(v.skippedInvariants.size).toBe(0);
    expect(log.calls.filter((c) => c.startsWith('definitions'))).toEqual([]);
    expect(v.definitions).toMatchObject({ id: 'defs' });
    expect(v.definitions).toBe(v.definitions);
    v.check(resource({}), () => true, []);
    v.validate([resource({})]);
    expect(v.profile('http://p/A')).toBeDefined();
    expect(log.calls.filter((c) => c.startsWith('definitions'))).toEqual(['definitions 1']);
    expect([...v.skippedInvariants]).toEqual([['inv-1', 'threw']]);
  });

  it('should compile a profile once per canonical, remember one it lacks, and take none without a snapshot', async () => {
    const v = await createValidator({ igs: ['a@1'] });
    const a = v.profile('http://p/A');
    expect(a).toMatchObject({ sd: { url: 'http://p/A' } });
    expect(v.profile('http://p/A')).toBe(a);
    expect(v.profile('http://p/A|1')).not.toBe(a);
    expect(v.profile('http://p/Unknown')).toBeUndefined();
    expect(v.profile('http://p/Unknown')).toBeUndefined();
    expect(v.profile('http://p/NoSnapshot')).toBeUndefined();
    expect(log.calls.filter((c) => c.startsWith('compile'))).toEqual(['compile http://p/A defs true', 'compile http://p/A defs true']);
  });
});

describe('check', () => {
  it('should report base findings without a profile, profile and invariant findings under the profile claimed, and a profile it lacks as a warning', async () => {
    const v = await createValidator({ igs: ['a@1'] });
    const issues: { profile?: string }[] = [{ profile: 'kept' }];
    const r = resource({
      meta: { profile: ['http://p/A', 'http://p/Missing', 'http://p/B'] },
      _base: [['Observation.status', 'missing']],
      _profile: { 'http://p/A': [['Observation.code', 'wrong code']], 'http://p/B': [['Observation.code', 'wrong code']] },
      _inv: { 'http://p/B': [['Observation', 'obs-7 failed']] },
    });
    v.check(r, () => true, issues as never);
    expect(issues).toEqual([
      { profile: 'kept' },
      { resourceType: 'Observation', id: 'o1', path: 'Observation.status', severity: 'error', message: 'missing' },
      { resourceType: 'Observation', id: 'o1', profile: 'http://p/A', path: 'Observation.code', severity: 'error', message: 'wrong code' },
      { resourceType: 'Observation', id: 'o1', profile: 'http://p/Missing', path: 'Observation', severity: 'warning', message: 'profile http://p/Missing is not in the loaded packages; not checked' },
      { resourceType: 'Observation', id: 'o1', profile: 'http://p/B', path: 'Observation.code', severity: 'error', message: 'wrong code' },
      { resourceType: 'Observation', id: 'o1', profile: 'http://p/B', path: 'Observation', severity: 'error', message: 'obs-7 failed' },
    ]);
    expect(log.calls.filter((c) => /^(base|invariants) /.test(c))).toEqual(['base Observation', 'invariants http://p/A nodes of http://p/A', 'invariants http://p/B nodes of http://p/B']);
  });

  it('should report a finding once per resource, but again for the next resource', async () => {
    const v = await createValidator({ igs: ['a@1'] });
    const issues: { id: string; path: string; message: string; profile?: string }[] = [];
    const twice = (id: string) =>
      resource({
        id,
        meta: { profile: ['http://p/A'] },
        _base: [['X.a', 'm'], ['X.a', 'm'], ['X.a', 'n'], ['X.b', 'm'], ['X.a', 'm']],
        _profile: { 'http://p/A': [['X.a', 'm'], ['X.a', 'm']] },
      });
    v.check(twice('o1'), () => true, issues as never);
    v.check(twice('o2'), () => true, issues as never);
    const one = ['X.a m', 'X.a n', 'X.b m', 'X.a m http://p/A'];
    expect(issues.map((i) => `${i.id} ${i.path} ${i.message}${i.profile ? ` ${i.profile}` : ''}`)).toEqual([...one.map((s) => `o1 ${s}`), ...one.map((s) => `o2 ${s}`)]);
  });

  it('should name a resource without type or id by what it has', async () => {
    const v = await createValidator({ igs: ['a@1'] });
    const issues: { resourceType: string; id: string }[] = [];
    v.check({ _base: [['x', 'y']] } as never, () => true, issues as never);
    expect(issues.map((i) => [i.resourceType, i.id])).toEqual([['', '']]);
    expect(log.calls.at(-1)).toBe('base Resource');
    const fromNull: { resourceType: string; id: string; message: string }[] = [];
    v.check(null as never, () => true, fromNull as never);
    expect(fromNull.map((i) => [i.resourceType, i.id, i.message])).toEqual([['', '', 'not a resource']]);
    expect(log.calls.at(-1)).toBe('base Resource');
  });

  it('should require a relative reference Type/id (a version dropped) to resolve in the set, and report texts in no R4 literal form', async () => {
    const v = await createValidator({ igs: ['a@1'] });
    const asked: string[] = [];
    const known = (key: string) => {
      asked.push(key);
      return key === 'Patient/known';
    };
    const refs = [
      'Patient/known',
      'Patient/gone',
      'Patient/known/_history/2',
      'Patient/known/_history/12',
      'Patient/gone/_history/2',
      'Patient/gone/_history/',
      'Patient/gone/_history/2/x',
      'http://example.org/fhir/Patient/gone',
      'urn:uuid:1',
      '#contained',
      'patient/gone',
      'P/gone',
      'Patient/gone/x',
      'Patient/',
      `Patient/${'a'.repeat(64)}`,
      `Patient/${'a'.repeat(65)}`,
      'Patient/a_b',
      'Patient/A-b.9',
      'xPatient/gone',
      'Patient/gone ',
    ];
    const issues: { path: string; message: string }[] = [];
    v.check(resource({ _refs: refs.map((ref, i) => [ref, `Observation.ref[${i}]`]) }), known, issues as never);
    const unresolved = ['Patient/gone', 'Patient/gone/_history/2', `Patient/${'a'.repeat(64)}`, 'Patient/A-b.9'];
    const broken = ['Patient/gone/_history/', 'Patient/gone/_history/2/x', 'urn:uuid:1', 'patient/gone', 'P/gone', 'Patient/gone/x', 'Patient/', `Patient/${'a'.repeat(65)}`, 'Patient/a_b', 'xPatient/gone', 'Patient/gone '];
    expect(issues.map((i) => `${i.path} ${/does not resolve within the validated set$/.test(i.message) ? 'unresolved' : i.message.startsWith(`reference '`) ? 'broken' : i.message}`)).toEqual(
      refs.flatMap((ref, i) => (unresolved.includes(ref) ? [`Observation.ref[${i}] unresolved`] : broken.includes(ref) ? [`Observation.ref[${i}] broken`] : [])),
    );
    expect(asked).toEqual(['Patient/known', 'Patient/gone', 'Patient/known', 'Patient/known', 'Patient/gone', `Patient/${'a'.repeat(64)}`, 'Patient/A-b.9']);
  });
});

describe('validate', () => {
  it('should resolve references against the whole set, Bundle entries included, and tell progress every 250 and at the end', async () => {
    const v = await createValidator({ igs: ['a@1'] });
    const resources = Array.from({ length: 600 }, (_, i) => resource({ id: `o${i}`, _refs: [[`Observation/o${599 - i}`, 'ref'], ['Patient/in-bundle', 'ref'], ['Patient/b', 'ref']] }));
    resources.push({ resourceType: 'Bundle', id: 'b', type: 'document', entry: [{ fullUrl: 'x' }, { resource: { resourceType: 'Patient', id: 'in-bundle' } }] } as Resource);
    const progress: [number, number][] = [];
    const issues = v.validate(resources, (done, total) => progress.push([done, total]));
    expect(issues.map((i) => `${i.id} ${i.message}`)).toEqual(resources.slice(0, 600).map((r) => `${r.id} reference 'Patient/b' does not resolve within the validated set`));
    expect(progress).toEqual([[0, 601], [250, 601], [500, 601], [601, 601]]);
    expect(v.validate([])).toEqual([]);
    const none: [number, number][] = [];
    v.validate([], (d, t) => none.push([d, t]));
    expect(none).toEqual([[0, 0]]);
  });
});

describe('claimedProfiles and resourceKeys', () => {
  it('should take the strings of meta.profile and nothing else', () => {
    const all = ['http://p/A', 'http://p/B'];
    expect(claimedProfiles({ meta: { profile: all } })).toBe(all);
    expect(claimedProfiles({ meta: { profile: ['http://p/A', null, 5, 'http://p/B'] } })).toEqual(all);
    for (const r of [undefined, null, {}, { meta: null }, { meta: {} }, { meta: { profile: 'http://p/A' } }, { meta: { profile: { 0: 'x' } } }]) expect(claimedProfiles(r)).toEqual([]);
  });

  it('should give a resource its key, and a Bundle those of its entries too', () => {
    expect(resourceKeys({ resourceType: 'Patient', id: 'p' })).toEqual(['Patient/p']);
    expect(resourceKeys({ resourceType: 'Bundle', id: 'b' } as Resource)).toEqual(['Bundle/b']);
    expect(resourceKeys({ resourceType: 'Bundle', id: 'b', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: 'p' } }, {}, { resource: { resourceType: 'Coverage', id: 'c' } }] } as Resource)).toEqual(['Bundle/b', 'Patient/p', 'Coverage/c']);
    // Entries that are not an array, or null: no keys and no TypeError (the base check reports them).
    expect(resourceKeys({ resourceType: 'Bundle', id: 'b', type: 'document', entry: 5 } as unknown as Resource)).toEqual(['Bundle/b']);
    expect(resourceKeys({ resourceType: 'Bundle', id: 'b', type: 'document', entry: { resource: { resourceType: 'Patient', id: 'p' } } } as unknown as Resource)).toEqual(['Bundle/b']);
    expect(resourceKeys({ resourceType: 'Bundle', id: 'b', type: 'document', entry: [null, { resource: { resourceType: 'Patient', id: 'p' } }] } as unknown as Resource)).toEqual(['Bundle/b', 'Patient/p']);
    expect(resourceKeys({ resourceType: 'Basic', id: 'b', entry: [{ resource: { resourceType: 'Patient', id: 'p' } }] } as unknown as Resource)).toEqual(['Basic/b']);
  });
});
