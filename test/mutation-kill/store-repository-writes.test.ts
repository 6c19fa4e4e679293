import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexR4Definitions } from '../../src/serve/router.js';
import { openStore, type OpenedStore } from '../../src/serve/store/open.js';
import type { SqliteRepository } from '../../src/serve/store/sqlite-repository.js';

/**
 * The SQLite store's writes (src/serve/store/sqlite-repository.ts: create, update, delete, preload, history, versions,
 * transactions, clear, medplum's search contract, the first build's bulk path, the count kept in meta) one broken
 * thing at a time (issue 19): each write is read back through the store's own SQL, not only its cache. In process,
 * in-memory stores, about a second.
 */

const obs = (id: string, category: string, patient = 'a'): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { text: id },
  subject: { reference: `Patient/${patient}` },
  category: [{ coding: [{ code: category }] }],
});

/** An in-memory store with `resources` loaded as the sandbox loads them (one transaction, then markLoaded). */
async function loaded(resources: Resource[]): Promise<OpenedStore> {
  const store = openStore(undefined, []);
  await store.repo.withTransaction(async () => {
    for (const r of resources) await store.repo.preload(r);
  });
  store.markLoaded();
  return store;
}

const sql = (repo: SqliteRepository, query: string, ...args: unknown[]) => repo.db.prepare(query).raw().all(...args) as unknown[][];
const metaCount = (repo: SqliteRepository) => Number(sql(repo, "SELECT value FROM meta WHERE key = 'count'")[0]?.[0]);
/** What the store holds of a resource, read past its cache: the current row's JSON and the history rows, oldest first. */
const stored = (repo: SqliteRepository, type: string, id: string) => {
  const [row] = sql(repo, 'SELECT json FROM resources WHERE type = ? AND id = ?', type, id);
  return {
    current: row ? (JSON.parse(row[0] as string) as Resource) : undefined,
    history: sql(repo, 'SELECT json FROM history WHERE type = ? AND id = ? ORDER BY hid', type, id).map(([json]) => JSON.parse(json as string) as Resource),
  };
};
const candidates = (repo: SqliteRepository, filters: Record<string, string>) => [...repo.candidates('Observation', filters)].map((r) => r.id);
const outcome = (error: unknown) => (error as { outcome?: { issue?: { code?: string; details?: { text?: string } }[] } }).outcome?.issue?.[0];

describe('SqliteRepository writes', () => {
  beforeAll(() => indexR4Definitions());

  it('should create a resource with an id, versionId and lastUpdated, store it, count it in meta and refuse an unknown type', async () => {
    const store = await loaded([{ resourceType: 'Patient', id: 'a' }]);
    const repo = store.repo;
    try {
      const made = await repo.createResource<Patient>({ resourceType: 'Patient', gender: 'female' });
      expect(made.id).toMatch(/./);
      expect(made.meta?.versionId).toMatch(/./);
      expect(Number.isNaN(Date.parse(made.meta!.lastUpdated!))).toBe(false);
      expect(stored(repo, 'Patient', made.id).current).toEqual(made);
      // The answer is a copy: changing it changes nothing stored.
      made.gender = 'male';
      expect((await repo.readResource<Patient>('Patient', made.id)).gender).toBe('female');
      // A client's own id, versionId and lastUpdated are kept as given.
      const given = await repo.createResource<Patient>({ resourceType: 'Patient', id: 'mine', meta: { versionId: 'v9', lastUpdated: '2020-01-01T00:00:00Z' } });
      expect(given.meta).toEqual({ versionId: 'v9', lastUpdated: '2020-01-01T00:00:00Z' });
      expect(repo.count()).toBe(3);
      expect(metaCount(repo)).toBe(3);
      expect(store.count()).toBe(3);
      expect(repo.types()).toEqual(['Patient']);
      await repo.createResource({ resourceType: 'Observation', status: 'final', code: { text: 'x' } } as Observation);
      expect(repo.types().sort()).toEqual(['Observation', 'Patient']);
      const refused = await repo.createResource({ resourceType: 'NotAType' } as unknown as Resource).catch((e: unknown) => e);
      expect(outcome(refused)).toMatchObject({ code: 'invalid', details: { text: "unknown resource type 'NotAType'" } });
      expect(metaCount(repo)).toBe(4);
      expect(repo.count()).toBe(4);
    } finally {
      store.close();
    }
  });

  it('should update: the earlier version to history, the keys it lost gone and those it gained found, the count unchanged; the same content no new version', async () => {
    const store = await loaded([obs('o1', 'laboratory'), obs('o2', 'survey')]);
    const repo = store.repo;
    try {
      const first = repo.get('Observation', 'o1')!;
      const second = await repo.updateResource(obs('o1', 'survey', 'b'));
      expect(second.meta?.versionId).not.toBe(first.meta?.versionId);
      const { current, history } = stored(repo, 'Observation', 'o1');
      expect(current).toEqual(second);
      expect(history).toEqual([first]);
      expect(repo.get('Observation', 'o1')).toEqual(second);
      expect(candidates(repo, { category: 'laboratory' })).toEqual([]);
      expect(candidates(repo, { category: 'survey' })).toEqual(['o1', 'o2']);
      expect(candidates(repo, { subject: 'Patient/b' })).toEqual(['o1']);
      expect(candidates(repo, { subject: 'Patient/a' })).toEqual(['o2']);
      // The paging order is kept by an update.
      expect([...repo.all('Observation')].map((r) => r.id)).toEqual(['o1', 'o2']);
      expect(metaCount(repo)).toBe(2);
      // The same content again: the stored version answered, nothing written.
      const same = await repo.updateResource(obs('o1', 'survey', 'b'));
      expect(same.meta?.versionId).toBe(second.meta?.versionId);
      expect(stored(repo, 'Observation', 'o1').history).toHaveLength(1);
      // A client's versionId and lastUpdated are not kept by an update: the store gives its own.
      const third = await repo.updateResource({ ...obs('o1', 'laboratory'), meta: { versionId: 'client', lastUpdated: '2001-01-01T00:00:00Z' } });
      expect(third.meta?.versionId).not.toBe('client');
      expect(third.meta?.lastUpdated).not.toBe('2001-01-01T00:00:00Z');
      expect(outcome(await repo.updateResource({ resourceType: 'Observation' } as Resource).catch((e: unknown) => e))?.details?.text).toBe('Missing id');
    } finally {
      store.close();
    }
  });

  it('should update with if-match only the version named: another version refused, an unknown id not found, nothing written', async () => {
    const store = await loaded([obs('o1', 'laboratory')]);
    const repo = store.repo;
    try {
      const version = repo.get('Observation', 'o1')!.meta!.versionId!;
      const stale = await repo.updateResource(obs('o1', 'survey'), { ifMatch: 'other' }).catch((e: unknown) => e);
      expect(outcome(stale)?.code).toBe('processing');
      const missing = await repo.updateResource(obs('o9', 'survey'), { ifMatch: version }).catch((e: unknown) => e);
      expect(outcome(missing)?.code).toBe('not-found');
      expect(stored(repo, 'Observation', 'o1').history).toEqual([]);
      expect(repo.has('Observation', 'o9')).toBe(false);
      // The right version with the same content still makes a new version (if-match asks for a write).
      const next = await repo.updateResource(obs('o1', 'laboratory'), { ifMatch: version });
      expect(next.meta?.versionId).not.toBe(version);
      expect(stored(repo, 'Observation', 'o1').history).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it('should delete: gone from reads, the index and the count, its versions kept in history; deleted again nothing changes; an unknown id not found', async () => {
    const store = await loaded([obs('o1', 'laboratory'), obs('o2', 'laboratory')]);
    const repo = store.repo;
    try {
      const before = repo.get('Observation', 'o1')!;
      await repo.deleteResource('Observation', 'o1');
      expect(repo.has('Observation', 'o1')).toBe(false);
      expect(repo.get('Observation', 'o1')).toBeUndefined();
      // The deletion is a version of its own after the last one (R4 history: a DELETE entry with its time).
      const deletion = { resourceType: 'Observation', id: 'o1', meta: { versionId: expect.any(String), lastUpdated: expect.any(String) }, 'fhirseed:deleted': true };
      expect(stored(repo, 'Observation', 'o1')).toEqual({ current: undefined, history: [before, deletion] });
      expect(candidates(repo, { category: 'laboratory' })).toEqual(['o2']);
      expect(sql(repo, 'SELECT count(*) FROM idx i WHERE NOT EXISTS (SELECT 1 FROM resources r WHERE r.seq = i.seq)')).toEqual([[0]]);
      expect(metaCount(repo)).toBe(1);
      expect(repo.count()).toBe(1);
      // Deleted already: nothing changes (no second deletion version, the count kept); never there: not found.
      await repo.deleteResource('Observation', 'o1');
      expect(stored(repo, 'Observation', 'o1')).toEqual({ current: undefined, history: [before, deletion] });
      expect(metaCount(repo)).toBe(1);
      expect(outcome(await repo.deleteResource('Observation', 'never').catch((e: unknown) => e))?.code).toBe('not-found');
      // Created again under the same id: a new row, its old versions still in history.
      await repo.updateResource(obs('o1', 'survey'));
      expect(stored(repo, 'Observation', 'o1').history).toEqual([before, deletion]);
      expect(metaCount(repo)).toBe(2);
    } finally {
      store.close();
    }
  });

  it('should read a history newest first and each version by its versionId', async () => {
    const store = await loaded([obs('o1', 'a')]);
    const repo = store.repo;
    try {
      const v1 = repo.get('Observation', 'o1')!;
      const v2 = await repo.updateResource(obs('o1', 'b'));
      const v3 = await repo.updateResource(obs('o1', 'c'));
      const history = await repo.readHistory('Observation', 'o1');
      expect(history).toMatchObject({ resourceType: 'Bundle', type: 'history' });
      expect(history.entry?.map((e) => e.resource)).toEqual([v3, v2, v1]);
      expect(await repo.readVersion('Observation', 'o1', v1.meta!.versionId!)).toEqual(v1);
      expect(await repo.readVersion('Observation', 'o1', v3.meta!.versionId!)).toEqual(v3);
      expect(outcome(await repo.readVersion('Observation', 'o1', 'nope').catch((e: unknown) => e))?.code).toBe('not-found');
      expect(outcome(await repo.readHistory('Observation', 'o9').catch((e: unknown) => e))?.code).toBe('not-found');
    } finally {
      store.close();
    }
  });

  it('should roll a failed transaction back whole: no write of it stored, counted or cached, and commit one that ends', async () => {
    const store = await loaded([obs('o1', 'laboratory'), obs('o2', 'laboratory')]);
    const repo = store.repo;
    try {
      const v1 = repo.get('Observation', 'o1')!;
      const failed = await repo
        .withTransaction(async () => {
          await repo.updateResource(obs('o1', 'survey'));
          // Read inside the transaction: the cache must not keep it past the rollback.
          expect((repo.get('Observation', 'o1') as Observation | undefined)?.category?.[0]?.coding?.[0]?.code).toBe('survey');
          await repo.createResource(obs('o3', 'survey'));
          await repo.deleteResource('Observation', 'o2');
          throw new Error('refused');
        })
        .catch((e: unknown) => e);
      expect((failed as Error).message).toBe('refused');
      expect(repo.db.inTransaction).toBe(false);
      expect(repo.get('Observation', 'o1')).toEqual(v1);
      expect(stored(repo, 'Observation', 'o1')).toEqual({ current: v1, history: [] });
      expect(repo.has('Observation', 'o3')).toBe(false);
      expect(repo.has('Observation', 'o2')).toBe(true);
      expect(candidates(repo, { category: 'survey' })).toEqual([]);
      expect(metaCount(repo)).toBe(2);
      const answer = await repo.withTransaction(async () => {
        await repo.createResource(obs('o3', 'survey'));
        return 'done';
      });
      expect(answer).toBe('done');
      expect(repo.db.inTransaction).toBe(false);
      expect(stored(repo, 'Observation', 'o3').current?.id).toBe('o3');
      expect(metaCount(repo)).toBe(3);
    } finally {
      store.close();
    }
  });

  it('should fail a single write whole and leave the open transaction going: a savepoint of its own', async () => {
    const store = await loaded([obs('o1', 'laboratory')]);
    const repo = store.repo;
    try {
      // A key add that SQLite refuses after the row went in: the write's savepoint takes the row back out.
      repo.db.exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON idx WHEN NEW.k LIKE '%refused-code%' BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END");
      await repo.withTransaction(async () => {
        await expect(repo.createResource(obs('bad', 'refused-code'))).rejects.toThrow('refused by a trigger');
        expect(repo.db.inTransaction).toBe(true);
        await repo.createResource(obs('good', 'survey'));
      });
      expect(repo.has('Observation', 'bad')).toBe(false);
      expect(repo.has('Observation', 'good')).toBe(true);
      expect(metaCount(repo)).toBe(2);
      // Outside a transaction: the write is its own, and rolled back whole.
      await expect(repo.updateResource(obs('o1', 'refused-code'))).rejects.toThrow('refused by a trigger');
      expect(repo.db.inTransaction).toBe(false);
      expect(stored(repo, 'Observation', 'o1').history).toEqual([]);
      expect(candidates(repo, { category: 'laboratory' })).toEqual(['o1']);
      expect(metaCount(repo)).toBe(2);
    } finally {
      store.close();
    }
  });

  it('should clear everything: resources, history, keys, types, the cache and the count', async () => {
    const store = await loaded([obs('o1', 'laboratory'), { resourceType: 'Patient', id: 'a' }]);
    const repo = store.repo;
    try {
      await repo.updateResource(obs('o1', 'survey'));
      expect(repo.get('Patient', 'a')).toBeDefined();
      repo.clear();
      expect(repo.get('Patient', 'a')).toBeUndefined();
      expect(repo.has('Patient', 'a')).toBe(false);
      expect(repo.types()).toEqual([]);
      for (const table of ['resources', 'history', 'idx']) expect(sql(repo, `SELECT count(*) FROM ${table}`)).toEqual([[0]]);
      expect(metaCount(repo)).toBe(0);
      await repo.createResource(obs('o2', 'survey'));
      expect(metaCount(repo)).toBe(1);
      expect(repo.types()).toEqual(['Observation']);
    } finally {
      store.close();
    }
  });

  it('should answer medplum\'s search contract: eq filters, offset and count, the total of all matches, no entry for an empty page', async () => {
    const store = await loaded([obs('o1', 'laboratory'), obs('o2', 'survey'), obs('o3', 'laboratory', 'b'), obs('o4', 'laboratory')]);
    const repo = store.repo;
    try {
      const ids = (b: { entry?: { resource?: Resource }[] }) => b.entry?.map((e) => e.resource?.id);
      const lab = { resourceType: 'Observation' as const, filters: [{ code: 'category', operator: 'eq' as never, value: 'laboratory' }] };
      const all = await repo.search(lab);
      expect(all).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 3 });
      expect(ids(all)).toEqual(['o1', 'o3', 'o4']);
      expect(ids(await repo.search({ ...lab, offset: 1 }))).toEqual(['o3', 'o4']);
      expect(ids(await repo.search({ ...lab, offset: 1, count: 1 }))).toEqual(['o3']);
      const empty = await repo.search({ ...lab, offset: 3 });
      expect(empty.total).toBe(3);
      expect('entry' in empty).toBe(false);
      // Two filters on two parameters: both apply; a second filter on the same code is the matcher's, not the narrowing's.
      const both = await repo.search({ resourceType: 'Observation', filters: [...lab.filters, { code: 'subject', operator: 'eq' as never, value: 'Patient/b' }] });
      expect(ids(both)).toEqual(['o3']);
      const twice = await repo.search({ resourceType: 'Observation', filters: [...lab.filters, { code: 'category', operator: 'eq' as never, value: 'survey' }] });
      expect(twice.total).toBe(0);
      const not = await repo.search({ resourceType: 'Observation', filters: [{ code: 'category', operator: 'not' as never, value: 'laboratory' }] });
      expect(ids(not)).toEqual(['o2']);
    } finally {
      store.close();
    }
  });
});

describe('SqliteRepository: the first build', () => {
  beforeAll(() => indexR4Definitions());

  it('should preload each id once, an id met again as a new version, its staged keys left out, and the count from the build', async () => {
    const store = openStore(undefined, []);
    const repo = store.repo;
    try {
      await repo.withTransaction(async () => {
        await repo.preload({ ...obs('o1', 'laboratory'), meta: { versionId: 'from-file', lastUpdated: '2020-01-01T00:00:00Z' } });
        await repo.preload(obs('o2', 'laboratory'));
        // The same content again: nothing new; other content: a new version, the first one to history.
        await repo.preload(obs('o2', 'laboratory'));
        await repo.preload(obs('o1', 'survey'));
      });
      const seqO1 = sql(repo, "SELECT seq FROM resources WHERE id = 'o1'")[0]![0];
      expect(repo.bulkReplaced()).toEqual([seqO1]);
      store.markLoaded();
      const o1 = stored(repo, 'Observation', 'o1');
      expect(o1.history).toHaveLength(1);
      expect(o1.history[0]!.meta?.versionId).not.toBe('from-file');
      expect(o1.history[0]!.meta?.lastUpdated).toBe('2020-01-01T00:00:00Z');
      expect(stored(repo, 'Observation', 'o2').history).toEqual([]);
      // o1's keys are its current version's only: the staged 'laboratory' key of its first version is gone.
      expect(candidates(repo, { category: 'laboratory' })).toEqual(['o2']);
      expect(candidates(repo, { category: 'survey' })).toEqual(['o1']);
      expect(metaCount(repo)).toBe(2);
      expect(repo.bulkReplaced()).toEqual([]);
      expect(sql(repo, "SELECT count(*) FROM sqlite_temp_master WHERE name = 'idx_load'")).toEqual([[0]]);
    } finally {
      store.close();
    }
  });

  it('should store a batch of the build whole or not at all, and take appended versions only inside its transactions', async () => {
    const store = openStore(undefined, []);
    const repo = store.repo;
    try {
      expect(() => repo.appendVersion('Patient', 'x', '{}', '[]')).toThrow('appendVersion: only inside a transaction of the first build');
      expect(() => repo.appendText('Patient', 'x', '{}')).toThrow('appendText: only inside a transaction of the first build');
      await repo.withTransaction(async () => {
        await repo.preload(obs('o1', 'laboratory'));
      });
      const failed = await repo
        .withTransaction(async () => {
          await repo.preload(obs('o2', 'laboratory'));
          expect(repo.appendVersion('Observation', 'o3', JSON.stringify(obs('o3', 'survey')), JSON.stringify([]))).toBe(true);
          throw new Error('batch refused');
        })
        .catch((e: unknown) => e);
      expect((failed as Error).message).toBe('batch refused');
      await repo.withTransaction(async () => {
        // An id stored already: nothing appended.
        expect(repo.appendVersion('Observation', 'o1', '{"resourceType":"Observation","id":"o1"}', '[]')).toBe(false);
        expect(repo.appendText('Observation', 'o1', '{}')).toBe(0);
        const seq = repo.appendText('Condition', 'c1', JSON.stringify({ resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/a' } }));
        expect(seq).toBeGreaterThan(0);
        expect(sql(repo, "SELECT seq FROM resources WHERE id = 'c1'")).toEqual([[seq]]);
      });
      store.markLoaded();
      expect(repo.has('Observation', 'o2')).toBe(false);
      expect(repo.has('Observation', 'o3')).toBe(false);
      expect((repo.get('Observation', 'o1') as Observation | undefined)?.category?.[0]?.coding?.[0]?.code).toBe('laboratory');
      expect(repo.types().sort()).toEqual(['Condition', 'Observation']);
      expect(candidates(repo, { category: 'laboratory' })).toEqual(['o1']);
      expect(metaCount(repo)).toBe(2);
      expect(() => repo.appendVersion('Patient', 'x', '{}', '[]')).toThrow('only inside a transaction of the first build');
    } finally {
      store.close();
    }
  });

  it('should keep a resource deleted during the build out of the index, and clear its staged keys with the rest', async () => {
    const store = openStore(undefined, []);
    const repo = store.repo;
    try {
      await repo.withTransaction(async () => {
        await repo.preload(obs('o1', 'laboratory'));
        await repo.preload(obs('o2', 'laboratory'));
      });
      await repo.deleteResource('Observation', 'o1');
      expect(repo.bulkReplaced()).toHaveLength(1);
      store.markLoaded();
      expect(candidates(repo, { category: 'laboratory' })).toEqual(['o2']);
      expect(sql(repo, 'SELECT count(*) FROM idx i WHERE NOT EXISTS (SELECT 1 FROM resources r WHERE r.seq = i.seq)')).toEqual([[0]]);

      const again = openStore(undefined, []);
      try {
        await again.repo.withTransaction(async () => again.repo.preload(obs('o1', 'laboratory')));
        again.repo.clear();
        expect(sql(again.repo, 'SELECT count(*) FROM temp.idx_load')).toEqual([[0]]);
        await again.repo.withTransaction(async () => again.repo.preload(obs('o5', 'survey')));
        again.markLoaded();
        expect(candidates(again.repo, { category: 'laboratory' })).toEqual([]);
        expect(candidates(again.repo, { category: 'survey' })).toEqual(['o5']);
        expect(metaCount(again.repo)).toBe(1);
      } finally {
        again.close();
      }
    } finally {
      store.close();
    }
  });
});
