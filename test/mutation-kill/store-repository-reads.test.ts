import type { Observation, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexR4Definitions } from '../../src/serve/router.js';
import { openStore, type OpenedStore } from '../../src/serve/store/open.js';

/**
 * The SQLite store's read methods (src/serve/store/sqlite-repository.ts: count, has, get, all, types, referring,
 * candidates) rule by rule (issue 19): the survivors of Stryker on its search range with store-decide.test.ts. In
 * process, an in-memory store, well under a second.
 */

const obs = (id: string, extra: Partial<Observation>): Observation => ({ resourceType: 'Observation', id, status: 'final', code: { text: id }, ...extra });

describe('SqliteRepository reads', () => {
  let store: OpenedStore;

  beforeAll(async () => {
    indexR4Definitions();
    store = openStore(undefined, []);
    const resources: Resource[] = [
      { resourceType: 'Patient', id: 'a' },
      { resourceType: 'Patient', id: 'b' },
      obs('o1', { subject: { reference: 'Patient/a' }, category: [{ coding: [{ code: 'Laboratory' }] }] }),
      obs('o2', { subject: { reference: 'Patient/b' }, performer: [{ reference: 'Patient/a' }] }),
      obs('o3', { subject: { reference: 'Patient/b' }, category: [{ coding: [{ code: 'survey' }] }] }),
    ];
    await store.repo.withTransaction(async () => {
      for (const r of resources) await store.repo.preload(r);
    });
    store.markLoaded();
    return () => store.close();
  });

  it('should count, tell and get what it holds, and the same object again from its cache', () => {
    const repo = store.repo;
    expect(repo.count()).toBe(5);
    expect(repo.has('Patient', 'a')).toBe(true);
    expect(repo.has('Patient', 'o1')).toBe(false);
    expect(repo.has('Observation', 'zz')).toBe(false);
    const first = repo.get('Observation', 'o1');
    expect(first?.id).toBe('o1');
    expect(repo.get('Observation', 'o1')).toBe(first);
    expect(repo.has('Observation', 'o1')).toBe(true);
    expect(repo.get('Observation', 'zz')).toBeUndefined();
  });

  it('should list each type it holds once, and every resource of a type in stored order', () => {
    const repo = store.repo;
    expect(repo.types().sort()).toEqual(['Observation', 'Patient']);
    expect([...repo.all('Observation')].map((r) => r.id)).toEqual(['o1', 'o2', 'o3']);
    expect([...repo.all('Patient')].map((r) => r.id)).toEqual(['a', 'b']);
    expect([...repo.all('Condition')]).toEqual([]);
  });

  it('should find the resources referring to a Type/id at any path, in stored order, and every resource of the type for anything else', () => {
    const repo = store.repo;
    expect([...repo.referring('Observation', 'Patient/a')].map((r) => r.id)).toEqual(['o1', 'o2']);
    expect([...repo.referring('Observation', 'Patient/b')].map((r) => r.id)).toEqual(['o2', 'o3']);
    expect([...repo.referring('Observation', 'Patient/c')]).toEqual([]);
    expect([...repo.referring('Observation', 'http://x.example/Patient/a')].map((r) => r.id)).toEqual(['o1', 'o2', 'o3']);
  });

  it('should narrow candidates by what the keys say, ignoring a token\'s case, and hand out every resource when nothing narrows', () => {
    const repo = store.repo;
    const ids = (filters: Record<string, string | string[]>) => [...repo.candidates('Observation', filters)].map((r) => r.id);
    expect(ids({ category: 'laboratory' })).toEqual(['o1']);
    expect(ids({ category: 'LABORATORY,survey' })).toEqual(['o1', 'o3']);
    expect(ids({ subject: 'Patient/b' })).toEqual(['o2', 'o3']);
    expect(ids({ subject: 'Patient/b', patient: 'Patient/b' })).toEqual(['o2', 'o3']);
    expect(ids({ subject: 'Patient/a', performer: 'Patient/a' })).toEqual([]);
    expect(ids({ performer: 'Patient/a', subject: 'Patient/b' })).toEqual(['o2']);
    expect(ids({ subject: ['Patient/b', 'Patient/a'] })).toEqual([]);
    expect(ids({ _id: 'o3,o1' })).toEqual(['o1', 'o3']);
    expect(ids({ _id: 'o3', subject: 'Patient/a' })).toEqual([]);
    // Nothing narrows: a date, a modifier, no filter.
    expect(ids({ date: 'ge2020' })).toEqual(['o1', 'o2', 'o3']);
    expect(ids({ 'category:text': 'x' })).toEqual(['o1', 'o2', 'o3']);
    expect(ids({})).toEqual(['o1', 'o2', 'o3']);
  });

  it('should say what the index decides and what it leaves', () => {
    const repo = store.repo;
    expect(repo.decide('Observation', {})).toBeUndefined();
    expect(repo.decide('Observation', { date: 'ge2020' })).toBeUndefined();
    // A token without exactCase: narrowed by the range, left for the exact check.
    const loose = repo.decide('Observation', { category: 'Laboratory' }, false);
    expect(loose?.rest).toEqual({ category: 'Laboratory' });
    expect(repo.decide('Observation', { category: 'Laboratory' })?.rest).toEqual({});
    // Each value of a repeated filter is kept or left on its own.
    expect(repo.decide('Observation', { subject: ['Patient/a', 'http://x.example/Patient/a'] })?.rest).toEqual({ subject: ['http://x.example/Patient/a'] });
    expect(repo.decide('Observation', { _id: 'o1', 'code:text': 'o1' })?.rest).toEqual({ 'code:text': 'o1' });
    expect(repo.decide('Observation', { _id: 'o1' })?.seqs).toHaveLength(1);
    expect(repo.decide('Observation', { _id: 'zz' })?.seqs).toEqual([]);
  });
});
