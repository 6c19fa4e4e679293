import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeySet } from '../../src/validate/key-set.js';
import type { FhirPackage } from '../../src/validate/packages.js';
import { scanFiles, UNIT_RESOURCES, validateScanned, validateUnit, workUnits, type Scan, type WorkUnit } from '../../src/validate/stream.js';
import type { Issue } from '../../src/validate/types.js';
import type { Validator } from '../../src/validate/validator.js';
import { tempDir } from '../helpers/output.js';

/**
 * The streaming validator's driver (issue 19, mutation testing of src/validate/stream.ts) without IG packages:
 * the first pass's keys, duplicates, unit marks and problems on small files; work units cut from hand-made scans;
 * the second pass with a stand-in validator that reports what it was asked, the coverage indexes and the worker
 * pool replaced by recorders (vi.mock), so each case runs in milliseconds.
 */

const workers = vi.hoisted(() => ({ calls: [] as unknown[][], result: undefined as unknown }));
vi.mock('../../src/validate/workers.js', () => ({
  validateUnitsInWorkers: async (...args: unknown[]) => {
    workers.calls.push(args);
    const onUnit = (args[2] as { onUnit: (n: number) => void }).onUnit;
    onUnit(3);
    onUnit(4);
    return workers.result;
  },
}));
const coverage = vi.hoisted(() => ({ log: [] as string[] }));
vi.mock('../../src/validate/coverage.js', () => ({
  CoverageIndex: class {
    constructor(
      private readonly p: { name: string },
      private readonly v: unknown,
    ) {
      coverage.log.push(`new ${p.name} ${typeof (v as { check?: unknown }).check}`);
    }
    add(r: Resource) {
      coverage.log.push(`add ${this.p.name} ${r.resourceType}/${r.id}`);
    }
    merge(s: unknown) {
      coverage.log.push(`merge ${this.p.name} ${JSON.stringify(s)}`);
    }
    report() {
      return { ig: this.p.name };
    }
  },
}));

const temp = tempDir('fhirseed-mk-stream-');
afterAll(() => temp.cleanup());
let n = 0;
const fresh = () => {
  const d = join(temp.dir, `d${n++}`);
  mkdirSync(d);
  return d;
};
const line = (resourceType: string, id?: string, extra: object = {}) => JSON.stringify({ resourceType, ...(id === undefined ? {} : { id }), ...extra });

beforeEach(() => {
  workers.calls = [];
  coverage.log = [];
});

/** A validator that reports every resource it checks, with whether its `ref` resolves, and nothing else. */
function recorder(skipped: [string, string][] = []): Validator & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    check: (r: Resource, isKnown: (key: string) => boolean, issues: Issue[]) => {
      const ref = (r as { ref?: string }).ref;
      seen.push(`${r.resourceType}/${r.id}`);
      issues.push({ resourceType: r.resourceType, id: String(r.id), path: 'ref', severity: 'error', message: ref === undefined ? 'none' : `${ref} ${isKnown(ref)}` });
    },
    skippedInvariants: new Map(skipped),
  } as unknown as Validator & { seen: string[] };
}

describe('scanFiles', () => {
  it('should learn keys, duplicates across files and lines, entry keys of whole Bundles, problems and skipped files', () => {
    const dir = fresh();
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    const c = join(dir, 'c.json');
    const d = join(dir, 'd.json');
    const e = join(dir, 'e.json');
    writeFileSync(a, [line('Patient', 'p1'), line('Patient'), line('Patient'), 'oops', line('Bundle', 'm', { type: 'message', entry: [{ resource: { resourceType: 'MessageHeader', id: 'h' } }] }), line('Patient', 'p1')].join('\n'));
    writeFileSync(b, [line('Patient', 'p2'), line('Bundle', 'm', { type: 'message', entry: [{ resource: { resourceType: 'Basic', id: 'dup-entry' } }] }), line('Observation', 'p1')].join('\n'));
    writeFileSync(c, JSON.stringify({ resourceType: 'Bundle', id: 'doc', type: 'document', entry: [{ resource: { resourceType: 'Composition', id: 'c1' } }, { resource: { resourceType: 'Patient', id: 'p1' } }] }));
    writeFileSync(d, JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: 'p2' } }, { resource: { resourceType: 'Patient', id: 'p3' } }] }));
    writeFileSync(e, '{"generator":"fhirseed"}');
    const scan = scanFiles([a, b, c, d, e]);
    expect(scan.files).toEqual([
      { file: a, count: 5, duplicates: [4], marks: [{ ordinal: 0, byte: 0, line: 1 }] },
      { file: b, count: 3, duplicates: [1], marks: [{ ordinal: 0, byte: 0, line: 1 }] },
      { file: c, count: 1, duplicates: [], marks: [] },
      { file: d, count: 2, duplicates: [0], marks: [] },
      { file: e, count: 0, duplicates: [], marks: [] },
    ]);
    expect(scan.resources).toBe(8);
    expect(scan.duplicates).toBe(3);
    // b's Bundle/m repeats a's with other entries: a repeat whose content differs is reported (139c875).
    expect(scan.problems).toEqual([
      { file: a, line: 4, column: 1, message: `invalid JSON: Unexpected token 'o', "oops" is not valid JSON` },
      { file: b, line: 2, message: `Bundle/m differs from the same resource in ${a}:5; only that one is validated`, kind: 'repeated' },
    ]);
    expect(scan.skippedFiles).toEqual([e]);
    for (const key of ['Patient/p1', 'Patient/p2', 'Patient/p3', 'Observation/p1', 'Bundle/m', 'Bundle/doc', 'Patient/undefined']) expect(scan.keys.has(key), key).toBe(true);
    expect(scan.keys.size).toBe(7);
    // Entries of a Bundle validated whole resolve; those of a duplicate Bundle are not read.
    expect(scan.entryKeys.has('MessageHeader/h')).toBe(true);
    expect(scan.entryKeys.has('Composition/c1')).toBe(true);
    expect(scan.entryKeys.has('Patient/p1')).toBe(true);
    expect(scan.entryKeys.has('Basic/dup-entry')).toBe(false);
    expect(scan.entryKeys.size).toBe(3);
  });

  it('should count resources without id apart, never as duplicates, and take Bundles with odd entries without failing', () => {
    const dir = fresh();
    const a = join(dir, 'a.ndjson');
    writeFileSync(a, [line('Bundle', undefined, { type: 'message', entry: [] }), line('Bundle', undefined, { type: 'message', entry: 5 }), line('Bundle', 'm', { type: 'message', entry: [null, { resource: { resourceType: 'Basic', id: 'e' } }] })].join('\n'));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ resourceType: 'Bundle', type: 'document', entry: { resource: {} } }));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: 'x' }));
    const scan = scanFiles([a, join(dir, 'b.json'), join(dir, 'c.json')]);
    expect(scan.files.map((f) => [f.count, f.duplicates])).toEqual([[3, []], [1, []], [1, []]]);
    expect(scan.resources).toBe(5);
    expect(scan.duplicates).toBe(0);
    expect(scan.entryKeys.has('Basic/e')).toBe(true);
    expect(scan.entryKeys.size).toBe(1);
  });

  it('should mark where every UNIT_RESOURCES-th resource of an NDJSON file starts, counting resources, not lines', () => {
    const file = join(fresh(), 'many.ndjson');
    const lines: string[] = [];
    for (let i = 0; i < 2 * UNIT_RESOURCES + 10; i++) {
      lines.push(line('Basic', `b${i}`));
      if (i % 500 === 1) lines.push('', '{bad');
    }
    writeFileSync(file, lines.join('\n'));
    const scan = scanFiles([file]);
    const at = (ordinal: number) => {
      const index = lines.indexOf(line('Basic', `b${ordinal}`));
      return { ordinal, byte: lines.slice(0, index).reduce((s, l) => s + l.length + 1, 0), line: index + 1 };
    };
    expect(scan.files[0]!.marks).toEqual([at(0), at(UNIT_RESOURCES), at(2 * UNIT_RESOURCES)]);
    expect(scan.files[0]!.count).toBe(2 * UNIT_RESOURCES + 10);
    expect(scan.resources).toBe(2 * UNIT_RESOURCES + 10);
    expect(scan.problems).toHaveLength(9);
  });
});

describe('workUnits', () => {
  const scanOf = (files: Scan['files']): Scan => ({ keys: new KeySet(), entryKeys: new KeySet(), files, resources: 0, duplicates: 0, problems: [], skippedFiles: [] });
  const m = (ordinal: number) => ({ ordinal, byte: ordinal * 10, line: ordinal + 1 });

  it('should cut at the marks, give each unit its duplicates, and leave out units and files of duplicates only', () => {
    const units = workUnits(
      scanOf([
        { file: 'a.json', count: 3, duplicates: [1], marks: [] },
        { file: 'b.json', count: 2, duplicates: [0, 1], marks: [] },
        { file: 'c.json', count: 0, duplicates: [], marks: [] },
        { file: 'd.ndjson', count: 7, duplicates: [0, 2, 3, 5], marks: [m(0), m(2), m(4), m(6)] },
        { file: 'e.ndjson', count: 4, duplicates: [], marks: [m(0)] },
      ]),
    );
    expect(units).toEqual([
      { file: 'a.json', start: { ordinal: 0, byte: 0, line: 1 }, end: 3, duplicates: [1] },
      { file: 'd.ndjson', start: m(0), end: 2, duplicates: [0] },
      { file: 'd.ndjson', start: m(4), end: 6, duplicates: [5] },
      { file: 'd.ndjson', start: m(6), end: 7, duplicates: [] },
      { file: 'e.ndjson', start: m(0), end: 4, duplicates: [] },
    ]);
  });
});

describe('validateUnit', () => {
  it('should check each resource of its range but the duplicates, references against both key sets, and count it into every coverage index', () => {
    const file = join(fresh(), 'u.ndjson');
    const refs = ['Patient/own', 'Patient/entry', 'Patient/none'];
    writeFileSync(file, [0, 1, 2, 3, 4, 5].map((i) => line('Basic', `b${i}`, { ref: refs[i % 3] })).join('\n'));
    const own = new KeySet();
    own.add('Patient/own');
    const entries = new KeySet();
    entries.add('Patient/entry');
    const validator = recorder();
    const issues: Issue[] = [];
    const indexes = [{ add: (r: Resource) => coverage.log.push(`x ${r.id}`) }, { add: (r: Resource) => coverage.log.push(`y ${r.id}`) }];
    const unit: WorkUnit = { file, start: { ordinal: 1, byte: line('Basic', 'b0', { ref: refs[0] }).length + 1, line: 2 }, end: 5, duplicates: [2, 5] };
    expect(validateUnit(unit, validator, [own, entries], indexes as never, issues)).toBe(3);
    expect(validator.seen).toEqual(['Basic/b1', 'Basic/b3', 'Basic/b4']);
    expect(issues.map((i) => i.message)).toEqual(['Patient/entry true', 'Patient/own true', 'Patient/entry true']);
    expect(coverage.log).toEqual(['x b1', 'y b1', 'x b3', 'y b3', 'x b4', 'y b4']);
    // Without entry keys, only the scan's own keys resolve; an unknown key never does.
    const alone: Issue[] = [];
    validateUnit({ file, start: { ordinal: 0, byte: 0, line: 1 }, end: 3, duplicates: [] }, validator, [own, new KeySet()], [], alone);
    expect(alone.map((i) => i.message)).toEqual(['Patient/own true', 'Patient/entry false', 'Patient/none false']);
    const onlyEntries: Issue[] = [];
    validateUnit({ file, start: { ordinal: 0, byte: 0, line: 1 }, end: 3, duplicates: [] }, validator, [new KeySet(), entries], [], onlyEntries);
    expect(onlyEntries.map((i) => i.message)).toEqual(['Patient/own false', 'Patient/entry true', 'Patient/none false']);
  });
});

describe('validateScanned', () => {
  const pkg = (name: string) => ({ name, version: '1.0.0' }) as FhirPackage;

  /** Two NDJSON files: a.ndjson holds UNIT_RESOURCES + 2 resources (two units), b.ndjson one, and a duplicate. */
  function twoFiles() {
    const dir = fresh();
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    writeFileSync(a, Array.from({ length: UNIT_RESOURCES + 2 }, (_, i) => line('Basic', `a${i}`, { ref: 'Basic/b0' })).join('\n'));
    writeFileSync(b, [line('Basic', 'b0', { ref: 'Basic/zz' }), line('Basic', 'a1')].join('\n'));
    return scanFiles([a, b]);
  }

  it('should validate unit by unit in this thread with one job, telling progress from 0 and the skipped invariants by key', async () => {
    const scan = twoFiles();
    const validator = recorder([['us-core-9', 'threw'], ['dom-3', 'slow'], ['bb-1', 'no'], ['zz-1', 'last']]);
    const progress: [number, number][] = [];
    const result = await validateScanned(scan, validator, { coveragePackages: [pkg('ig-a'), pkg('ig-b')], jobs: 1, igs: ['x@1'], onProgress: (d, t) => progress.push([d, t]) });
    expect(progress).toEqual([[0, UNIT_RESOURCES + 3], [UNIT_RESOURCES, UNIT_RESOURCES + 3], [UNIT_RESOURCES + 2, UNIT_RESOURCES + 3], [UNIT_RESOURCES + 3, UNIT_RESOURCES + 3]]);
    expect(result.issues).toHaveLength(UNIT_RESOURCES + 3);
    // Where it was read: b.ndjson's first line (s17 trial U F6).
    expect(result.issues.at(-1)).toEqual({ resourceType: 'Basic', id: 'b0', path: 'ref', severity: 'error', message: 'Basic/zz false', file: expect.stringMatching(/\/b\.ndjson$/), line: 1 });
    expect(result.issues[0]!.message).toBe('Basic/b0 true');
    expect(result.coverage).toEqual([{ ig: 'ig-a' }, { ig: 'ig-b' }]);
    expect(coverage.log.slice(0, 4)).toEqual(['new ig-a function', 'new ig-b function', 'add ig-a Basic/a0', 'add ig-b Basic/a0']);
    expect(coverage.log.filter((s) => s.startsWith('add'))).toHaveLength(2 * (UNIT_RESOURCES + 3));
    expect([...result.skippedInvariants]).toEqual([['bb-1', 'no'], ['dom-3', 'slow'], ['us-core-9', 'threw'], ['zz-1', 'last']]);
    expect(workers.calls).toEqual([]);
    // Without a progress callback, the same.
    expect((await validateScanned(scan, recorder(), { coveragePackages: [], jobs: 1, igs: [] })).issues).toHaveLength(UNIT_RESOURCES + 3);
  });

  it('should let the event loop run between units', async () => {
    const scan = twoFiles();
    const order: string[] = [];
    setImmediate(() => order.push('immediate'));
    await validateScanned(scan, recorder(), { coveragePackages: [], jobs: 1, igs: [], onProgress: (d) => order.push(String(d)) });
    expect(order.slice(0, 3)).toEqual(['0', String(UNIT_RESOURCES), 'immediate']);
  });

  it('should stay in this thread with several jobs but one unit', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'one.ndjson'), line('Basic', 'x'));
    const result = await validateScanned(scanFiles([join(dir, 'one.ndjson')]), recorder(), { coveragePackages: [], jobs: 4, igs: [] });
    expect(result.issues.map((i) => i.id)).toEqual(['x']);
    expect(workers.calls).toEqual([]);
  });

  it('should hand several units to the workers with several jobs and merge their coverage and skipped invariants', async () => {
    const scan = twoFiles();
    const issue: Issue = { resourceType: 'Basic', id: 'w', path: 'p', severity: 'warning', message: 'from a worker' };
    workers.result = { issues: [issue], coverage: [[{ claims: [1], filled: [['a']] }, { claims: [2], filled: [] }], [{ claims: [3], filled: [] }, { claims: [4], filled: [['b']] }]], skippedInvariants: new Map([['z', '1'], ['a', '2']]) };
    const progress: [number, number][] = [];
    const validator = recorder();
    const result = await validateScanned(scan, validator, { coveragePackages: [pkg('ig-a'), pkg('ig-b')], jobs: 2, igs: ['x@1', 'y@2'], packagesDir: '/pk', onProgress: (d, t) => progress.push([d, t]) });
    expect(workers.calls).toHaveLength(1);
    const [units, keys, options] = workers.calls[0] as [WorkUnit[], KeySet[], Record<string, unknown>];
    expect(units).toEqual(workUnits(scan));
    expect(units).toHaveLength(3);
    expect(keys[0]).toBe(scan.keys);
    expect(keys[1]).toBe(scan.entryKeys);
    expect({ ...options, onUnit: undefined }).toEqual({ jobs: 2, igs: ['x@1', 'y@2'], packagesDir: '/pk', coverage: ['ig-a@1.0.0', 'ig-b@1.0.0'], onUnit: undefined });
    expect(progress).toEqual([[0, UNIT_RESOURCES + 3], [3, UNIT_RESOURCES + 3], [7, UNIT_RESOURCES + 3]]);
    expect(validator.seen).toEqual([]);
    expect(result.issues).toEqual([issue]);
    expect(coverage.log.filter((s) => s.startsWith('merge'))).toEqual([
      'merge ig-a {"claims":[1],"filled":[["a"]]}',
      'merge ig-b {"claims":[2],"filled":[]}',
      'merge ig-a {"claims":[3],"filled":[]}',
      'merge ig-b {"claims":[4],"filled":[["b"]]}',
    ]);
    expect(result.coverage).toEqual([{ ig: 'ig-a' }, { ig: 'ig-b' }]);
    expect([...result.skippedInvariants]).toEqual([['a', '2'], ['z', '1']]);
  });
});
