import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { CoverageReport } from '../../src/validate/coverage.js';
import { KeySet } from '../../src/validate/key-set.js';
import { igsFromManifests } from '../../src/validate/manifest-igs.js';
import { JUDGED_NOT_APPLICABLE, judged, judgedNotApplicable } from '../../src/validate/not-applicable.js';
import { buildReport, formatSummary, SKIPPED_FILES_NAMED, skippedFilesNote } from '../../src/validate/summary.js';
import type { Issue } from '../../src/validate/types.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/output.js';

/**
 * The small parts of `validate` (issue 19, mutation testing of src/validate/key-set.ts, summary.ts, manifest-igs.ts,
 * not-applicable.ts), each against hand-made input with no IG package loaded: the fingerprint set of resource keys
 * (against a Set), the report and its text, the IGs read from fhirseed manifests, the judged not-applicable list.
 */

describe('KeySet', () => {
  it('should hold exactly the keys added, as a Set does, through its growth', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 60 }), fc.array(fc.string({ maxLength: 12 }), { maxLength: 20 }), (added, probes) => {
        const set = new KeySet();
        const model = new Set<string>();
        const fresh = added.map((k) => set.add(k));
        expect(fresh).toEqual(added.map((k) => !model.has(k) && Boolean(model.add(k))));
        expect(set.size).toBe(model.size);
        expect([...added, ...probes].map((k) => set.has(k))).toEqual([...added, ...probes].map((k) => model.has(k)));
      }),
      { numRuns: 200 },
    );
    // Past the first table (2^16 slots, grown before it is three quarters full): grown, every key still found, no other.
    const set = new KeySet();
    const keys = Array.from({ length: 50_000 }, (_, i) => `Basic/k${i}`);
    expect(keys.filter((k) => !set.add(k))).toEqual([]);
    expect(set.size).toBe(50_000);
    expect(set.buffer.byteLength).toBe(2 * 4 * (1 << 17));
    expect(keys.filter((k) => !set.has(k))).toEqual([]);
    expect(keys.some((k) => set.has(`${k}x`))).toBe(false);
    expect(set.add('Basic/k49999')).toBe(false);
  });

  it('should find a key held in the first slot of its table', () => {
    // Keys are added until one lands in slot 0 (its two words in the shared table are no longer 0).
    const set = new KeySet();
    let last = '';
    for (let i = 0; new Uint32Array(set.buffer)[1] === 0; i++) set.add((last = `Coverage/${i}`));
    expect(set.has(last)).toBe(true);
    expect(set.add(last)).toBe(false);
  });

  it('should be read through its buffer by another KeySet, as worker threads do, with its size', () => {
    const set = new KeySet();
    for (const k of ['Patient/a', 'Patient/b', 'Coverage/a']) set.add(k);
    expect(set.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(set.buffer.byteLength).toBe(2 * 4 * (1 << 16));
    const shared = new KeySet(set.buffer);
    expect(shared.size).toBe(3);
    expect(['Patient/a', 'Patient/b', 'Coverage/a', 'Patient/c'].map((k) => shared.has(k))).toEqual([true, true, true, false]);
    expect(new KeySet().size).toBe(0);
    expect(new KeySet(new KeySet().buffer).size).toBe(0);
  });
});

const issue = (severity: Issue['severity'], id: string, profile?: string): Issue => ({ resourceType: 'Patient', id, path: `Patient.x${id}`, severity, message: `m${id}`, ...(profile ? { profile } : {}) });

describe('buildReport', () => {
  it('should count errors with read problems, warnings apart, errors per profile, and keep the first max-errors, errors first', () => {
    const issues = [issue('warning', '1', 'P'), issue('error', '2', 'P'), issue('error', '3'), issue('warning', '4'), issue('error', '5', 'P'), issue('error', '6', 'Q')];
    const problems = [
      { file: 'r.ndjson', line: 5, message: 'differs', kind: 'repeated' as const },
      { file: 'a.ndjson', line: 2, message: 'bad' },
      { file: 'c.json', line: 3, column: 7, message: 'bdl-7', kind: 'bundle' as const },
      { file: 'b.json', message: 'worse' },
    ];
    const report = buildReport({ resources: 7, problems, skippedFiles: ['s.json', 't.ndjson'] }, issues, [], 5, ['n1']);
    expect(report).toEqual({
      resources: 7,
      errors: 8,
      warnings: 2,
      readProblems: ['a.ndjson:2: bad', 'b.json: worse'],
      bundleProblems: ['c.json:3:7: bdl-7'],
      repeats: ['r.ndjson:5: differs'],
      skippedFiles: ['s.json', 't.ndjson'],
      errorsByProfile: { P: 2, '(base R4)': 1, Q: 1 },
      issues: [issues[1], issues[2], issues[4], issues[5], issues[0]],
      coverage: [],
      notes: ['n1'],
    });
    expect(buildReport({ resources: [{}, {}, {}], problems: [] }, [], [], 10, []).resources).toBe(3);
    expect(buildReport({ resources: 1, problems: [] }, [], [], 10, []).skippedFiles).toEqual([]);
    expect(buildReport({ resources: 2, problems: [] }, [issue('error', '1'), issue('error', '2'), issue('warning', '3')], [], 10, []).errorsByProfile).toEqual({ '(base R4)': 2 });
    expect(buildReport({ resources: 0, problems: [] }, issues, [], 0, []).issues).toEqual([]);
    expect(buildReport({ resources: 0, problems: [] }, issues, [], 100, []).issues.map((i) => i.id)).toEqual(['2', '3', '5', '6', '1', '4']);
  });
});

describe('skippedFilesNote', () => {
  it('should name the first files, then say how many more, in one line; nothing for no file', () => {
    expect(skippedFilesNote([])).toBe('');
    expect(skippedFilesNote(['a.json'])).toBe('1 file holds no FHIR resource (empty, or JSON that is not FHIR) and was skipped: a.json');
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z0-9_/-]{1,12}\.json$/), { minLength: 2, maxLength: 30 }), (files) => {
        const note = skippedFilesNote(files);
        const named = files.slice(0, SKIPPED_FILES_NAMED);
        const more = files.length - named.length;
        expect(note).toBe(`${files.length} files hold no FHIR resource (empty, or JSON that is not FHIR) and were skipped: ${named.join(', ')}${more ? ` and ${more} more` : ''}`);
        expect(note).not.toContain('\n');
      }),
    );
  });
});

describe('formatSummary', () => {
  const coverage = (profiles: CoverageReport['profiles'], unclaimed: string[] = []): CoverageReport => ({ ig: 'hl7.fhir.us.core#6.1.0', profiles, unclaimed });
  const profile = (name: string, resources: number, covered: number, total: number, missing: string[], notApplicable: { id: string; reason: string; source?: string }[] = []) => ({ profile: `http://x/${name}`, name, resources, covered, total, missing, notApplicable });

  it('should print counts, read problems, errors by profile (most first), the first issues, coverage and notes', () => {
    const issues = [issue('error', '1', 'http://p/A'), issue('error', '2', 'http://p/B'), issue('error', '3', 'http://p/B'), issue('warning', '4')];
    const problems = [{ file: 'r.ndjson', line: 9, message: 'Patient/p differs', kind: 'repeated' as const }, { file: 'b.json', message: 'Bundle.entry[2]: bdl-5', kind: 'bundle' as const }, { file: 'f.ndjson', line: 3, column: 4, message: 'invalid JSON: x' }];
    const report = buildReport({ resources: 12, problems }, issues, [
      coverage(
        [
          profile('USCorePatientProfile', 5, 3, 6, ['Patient.a', 'Patient.b', 'Patient.c', 'Patient.d', 'Patient.e', 'Patient.f', 'Patient.g'], [{ id: 'Patient.n', reason: 'judged', source: 'src' }, { id: 'Patient.m', reason: 'derived' }]),
          profile('Unused', 0, 0, 3, ['X.a']),
          profile('Empty', 2, 0, 1, [], [{ id: 'E.a', reason: 'r' }]),
          profile('Partial', 1, 2, 3, ['Y.a']),
        ],
        ['http://x/a/ProfileOne', 'http://x/b/ProfileTwo'],
      ),
    ], 10, ['first note', 'second note']);
    expect(formatSummary(report)).toBe(
      [
        'validated 12 resources: 6 errors, 1 warning',
        '  unreadable: f.ndjson:3:4: invalid JSON: x',
        '  bundle: b.json: Bundle.entry[2]: bdl-5',
        '  repeated: r.ndjson:9: Patient/p differs',
        '',
        'errors by profile:',
        '       2  http://p/B',
        '       1  http://p/A',
        '',
        'first 4 issues:',
        '  error Patient/1 Patient.x1: m1 [http://p/A]',
        '  error Patient/2 Patient.x2: m2 [http://p/B]',
        '  error Patient/3 Patient.x3: m3 [http://p/B]',
        '  warning Patient/4 Patient.x4: m4',
        '',
        'must-support coverage, hl7.fhir.us.core#6.1.0:',
        `  ${'USCorePatientProfile'.padEnd(52)}    3/4     75%  (5 resources, 2 not applicable)`,
        '      n/a Patient.n (judged)',
        '      missing Patient.a',
        '      missing Patient.b',
        '      missing Patient.c',
        '      missing Patient.d',
        '      missing Patient.e',
        '      … and 2 more',
        `  ${'Empty'.padEnd(52)}    0/0    100%  (2 resources, 1 not applicable)`,
        `  ${'Partial'.padEnd(52)}    2/3     66%  (1 resource)`,
        '      missing Y.a',
        '  profiles no resource claims (2): ProfileOne, ProfileTwo',
        'note: first note',
        'note: second note',
        '',
      ].join('\n'),
    );
  });

  it('should name a resource without an id by its type and "(no id)", not "Type/undefined"', () => {
    const noId = [{ ...issue('error', '1'), resourceType: 'Bundle', id: undefined as unknown as string, path: 'Bundle.entry' }, { ...issue('error', '2'), id: '' }];
    const text = formatSummary(buildReport({ resources: 2, problems: [] }, noId, [], 10, []));
    expect(text.split('\n').filter((l) => l.startsWith('  error'))).toEqual(['  error Bundle (no id) Bundle.entry: m1', '  error Patient (no id) Patient.x2: m2']);
  });

  it('should print only the count line for a clean run, and no "… more" for five missing', () => {
    expect(formatSummary(buildReport({ resources: 3, problems: [] }, [], [], 10, []))).toBe('validated 3 resources: 0 errors, 0 warnings\n');
    const five = formatSummary(buildReport({ resources: 1, problems: [] }, [], [coverage([profile('P', 1, 0, 5, ['a', 'b', 'c', 'd', 'e'])])], 10, []));
    expect(five).toBe(['validated 1 resource: 0 errors, 0 warnings', '', 'must-support coverage, hl7.fhir.us.core#6.1.0:', `  ${'P'.padEnd(52)}    0/5      0%  (1 resource)`, '      missing a', '      missing b', '      missing c', '      missing d', '      missing e', ''].join('\n'));
  });
});

describe('igsFromManifests', () => {
  const temp = tempDir('fhirseed-mk-manifest-');
  afterAll(() => temp.cleanup());
  let n = 0;
  /** An output directory with a manifest (written as given) and ndjson/, bundles/ under it. */
  const output = (manifest: unknown) => {
    const dir = join(temp.dir, `o${n++}`);
    mkdirSync(join(dir, 'ndjson', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'ndjson', 'Patient.ndjson'), '');
    if (manifest !== undefined) writeFileSync(join(dir, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
    return dir;
  };
  const us311 = { generator: 'fhirseed', igs: { 'hl7.fhir.us.carin-bb': '1.1.0', 'hl7.fhir.us.core': '3.1.1' } };

  it('should read the IGs of a fhirseed manifest in the directory, beside a file, or one level up', () => {
    const out = output(us311);
    const igs = ['hl7.fhir.us.carin-bb@1.1.0', 'hl7.fhir.us.core@3.1.1'];
    const manifest = join(out, 'manifest.json');
    expect(igsFromManifests([out])).toEqual({ igs, manifests: [manifest] });
    expect(igsFromManifests([join(out, 'ndjson')])).toEqual({ igs, manifests: [manifest] });
    expect(igsFromManifests([join(out, 'ndjson', 'Patient.ndjson')])).toEqual({ igs, manifests: [manifest] });
    expect(igsFromManifests([join(out, 'ndjson', 'deeper')])).toBeUndefined();
    expect(igsFromManifests([join(out, 'missing'), join(out, 'ndjson')])).toEqual({ igs, manifests: [manifest] });
    expect(igsFromManifests([join(out, 'missing')])).toBeUndefined();
    expect(igsFromManifests([])).toBeUndefined();
  });

  it('should look one level up when the directory holds a manifest that is not fhirseed\'s', () => {
    const out = output(us311);
    writeFileSync(join(out, 'ndjson', 'manifest.json'), JSON.stringify({ generator: 'other', igs: { a: '1' } }));
    expect(igsFromManifests([join(out, 'ndjson')])?.manifests).toEqual([join(out, 'manifest.json')]);
  });

  it('should count only fhirseed manifests with IG versions as strings', () => {
    for (const bad of ['{not json', 'null', '[]', { igs: { a: '1' } }, { generator: 'other', igs: { a: '1' } }, { generator: 'fhirseed' }, { generator: 'fhirseed', igs: 'a@1' }, { generator: 'fhirseed', igs: {} }, { generator: 'fhirseed', igs: { a: 1 } }]) {
      expect(igsFromManifests([output(bad)]), JSON.stringify(bad)).toBeUndefined();
    }
    expect(igsFromManifests([output({ generator: 'fhirseed', igs: { a: 1, b: '2', c: null } })])?.igs).toEqual(['b@2']);
  });

  it('should take outputs of the same IGs together, in any key order, and refuse outputs of different versions', () => {
    const a = output(us311);
    const b = output({ generator: 'fhirseed', igs: { 'hl7.fhir.us.core': '3.1.1', 'hl7.fhir.us.carin-bb': '1.1.0' } });
    const c = output({ generator: 'fhirseed', igs: { 'hl7.fhir.us.carin-bb': '2.0.0', 'hl7.fhir.us.core': '6.1.0' } });
    const none = output(undefined);
    expect(igsFromManifests([a, none, b])).toEqual({ igs: ['hl7.fhir.us.carin-bb@1.1.0', 'hl7.fhir.us.core@3.1.1'], manifests: [join(a, 'manifest.json'), join(b, 'manifest.json')] });
    expect(igsFromManifests([a, join(a, 'ndjson')])?.manifests).toEqual([join(a, 'manifest.json')]);
    const message = `${join(a, 'manifest.json')} and ${join(c, 'manifest.json')} name different IG versions (hl7.fhir.us.carin-bb#1.1.0, hl7.fhir.us.core#3.1.1 vs hl7.fhir.us.carin-bb#2.0.0, hl7.fhir.us.core#6.1.0): validate them separately, or choose with --ig`;
    expect(() => igsFromManifests([a, b, c])).toThrow(new UserError(message));
    expect(() => igsFromManifests([a, c])).toThrow(UserError);
  });
});

describe('judged not-applicable entries', () => {
  const entry = { profile: 'http://p/P', element: 'Organization.identifier:NPI', reason: 'no such fact', source: 'a rule' };

  it('should refuse a blank field, naming it, and keep a copy of a good entry', () => {
    expect(judged(entry)).toEqual(entry);
    expect(judged(entry)).not.toBe(entry);
    for (const field of ['profile', 'element', 'reason', 'source'] as const) {
      expect(() => judged({ ...entry, [field]: ' \t' } as typeof entry), field).toThrow(`not-applicable entry ${field === 'profile' ? ' \t' : entry.profile} ${field === 'element' ? ' \t' : entry.element}: empty ${field}`);
    }
  });

  it('should match the element, its children and its slices in the same profile only', () => {
    const list = [judged(entry)];
    expect(judgedNotApplicable('http://p/P', 'Organization.identifier:NPI', list)).toEqual(entry);
    expect(judgedNotApplicable('http://p/P', 'Organization.identifier:NPI.system', list)).toEqual(entry);
    expect(judgedNotApplicable('http://p/P', 'Organization.identifier:NPI:sub', list)).toEqual(entry);
    expect(judgedNotApplicable('http://p/P', 'Organization.identifier:NPIx', list)).toBeUndefined();
    expect(judgedNotApplicable('http://p/P', 'Organization.identifier', list)).toBeUndefined();
    expect(judgedNotApplicable('http://p/Q', 'Organization.identifier:NPI', list)).toBeUndefined();
  });

  it('should judge the Plan-Net Network NPI and the PDex Device url by default, with reasons and sources', () => {
    expect(JUDGED_NOT_APPLICABLE.map((j) => [j.profile, j.element])).toEqual([
      ['http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/plannet-Network', 'Organization.identifier:NPI'],
      ['http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/pdex-device', 'Device.url'],
    ]);
    expect(judgedNotApplicable('http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/pdex-device', 'Device.url')?.reason).toMatch(/no network address/);
  });
});
