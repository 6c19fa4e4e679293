import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexR4Definitions } from '../../src/serve/router.js';
import { openStore, pragmaValue, type OpenedStore } from '../../src/serve/store/open.js';
import type { SqliteRepository } from '../../src/serve/store/sqlite-repository.js';
import { tempDir } from '../helpers/output.js';

/**
 * The SQLite store's writes at their edges (src/serve/store/sqlite-repository.ts, issue 19): the survivors of Stryker
 * on the writes, transactions and first-build block with store-repository-writes.test.ts — an unknown type's
 * location, the build's two paths (staged keys inside its transactions, the ordinary path outside and after it),
 * endBulk on a reused store, nested transactions, and a transaction SQLite ended itself (a full disk: SQLITE_FULL
 * made real with `PRAGMA max_page_count`, as store-full.test.ts does). In process, a second or so.
 */

const obs = (id: string, category: string): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { text: id },
  subject: { reference: 'Patient/a' },
  category: [{ coding: [{ code: category }] }],
});
/** An Observation of about `pad` bytes. */
const padded = (id: string, pad: number): Observation => ({ ...obs(id, 'survey'), code: { text: 'x'.repeat(pad) } });

const sql = (repo: SqliteRepository, query: string, ...args: unknown[]) => repo.db.prepare(query).raw().all(...args) as unknown[][];
const metaCount = (repo: SqliteRepository) => Number(sql(repo, "SELECT value FROM meta WHERE key = 'count'")[0]?.[0]);
const candidates = (repo: SqliteRepository, filters: Record<string, string>) => [...repo.candidates('Observation', filters)].map((r) => r.id);
const history = (repo: SqliteRepository, id: string) => sql(repo, "SELECT json FROM history WHERE type = 'Observation' AND id = ? ORDER BY hid", id).map(([json]) => JSON.parse(json as string) as Resource);
const staged = (repo: SqliteRepository) => Number(sql(repo, 'SELECT count(*) FROM temp.idx_load')[0]![0]);
const outcome = (error: unknown) => (error as { outcome?: { issue?: { code?: string; expression?: string[]; details?: { text?: string } }[] } }).outcome?.issue?.[0];
const FULL = /^the sandbox store is full \(SQLITE_FULL/;

/** Runs `test` on a new in-memory store (its first build not ended), closed after. */
async function inMemory(test: (store: OpenedStore, repo: SqliteRepository) => Promise<void>): Promise<void> {
  const store = openStore(undefined, []);
  try {
    await test(store, store.repo);
  } finally {
    store.close();
  }
}

/** A file store, built and reopened for serving, with a few pages to spare: small writes fit, a 200 KB one does not. */
function fullStore(): { store: OpenedStore; cleanup: () => void } {
  const t = tempDir('fhirseed-store-edges-');
  const store = openStore(undefined, [], { file: `${t.dir}/store.sqlite` });
  store.markLoaded();
  store.repo.db.pragma(`max_page_count = ${Number(pragmaValue(store.repo.db, 'page_count')) + 8}`);
  return {
    store,
    cleanup: () => {
      store.close();
      t.cleanup();
    },
  };
}

describe('SqliteRepository writes at their edges', () => {
  beforeAll(() => indexR4Definitions());

  it('should refuse an unknown resource type in create and preload, naming resourceType as where, and store nothing', () =>
    inMemory(async (store, repo) => {
      const expected = { code: 'invalid', expression: ['resourceType'], details: { text: "unknown resource type 'NotAType'" } };
      const bad = { resourceType: 'NotAType', id: 'x' } as unknown as Resource;
      await repo.withTransaction(async () => {
        expect(outcome(await repo.preload(bad).catch((e: unknown) => e))).toMatchObject(expected);
      });
      store.markLoaded();
      expect(outcome(await repo.preload(bad).catch((e: unknown) => e))).toMatchObject(expected);
      expect(outcome(await repo.createResource(bad).catch((e: unknown) => e))).toMatchObject(expected);
      expect(sql(repo, 'SELECT count(*) FROM resources')).toEqual([[0]]);
      expect(metaCount(repo)).toBe(0);
    }));

  it('should stage the keys of a build transaction until the build ends, and index a preload outside one at once', () =>
    inMemory(async (store, repo) => {
      // Outside a transaction: the ordinary path, its keys in idx at once.
      await repo.preload(obs('outside', 'laboratory'));
      expect(staged(repo)).toBe(0);
      expect(candidates(repo, { category: 'laboratory' })).toEqual(['outside']);
      await repo.withTransaction(async () => {
        await repo.preload(obs('inside', 'laboratory'));
        // No id: the store gives one (not the bulk path, which needs an id).
        await repo.preload({ resourceType: 'Patient', name: [{ family: 'Nobody' }] } as Patient);
      });
      // Inside: appended, its keys staged for endBulk.
      expect(staged(repo)).toBeGreaterThan(0);
      expect(candidates(repo, { category: 'laboratory' })).toEqual(['outside']);
      const [patient] = sql(repo, "SELECT id, json FROM resources WHERE type = 'Patient'");
      expect(patient![0]).toMatch(/./);
      expect(JSON.parse(patient![1] as string)).toMatchObject({ id: patient![0], name: [{ family: 'Nobody' }], meta: { versionId: expect.stringMatching(/./) } });
      store.markLoaded();
      expect(candidates(repo, { category: 'laboratory' })).toEqual(['outside', 'inside']);
      expect(metaCount(repo)).toBe(3);
    }));

  it('should preload after the build by the ordinary path: the file\'s versionId dropped, other content a new version, the same none', () =>
    inMemory(async (store, repo) => {
      await repo.withTransaction(async () => repo.preload(obs('o1', 'laboratory')));
      store.markLoaded();
      const v1 = repo.get('Observation', 'o1')!;
      await repo.withTransaction(async () => {
        await repo.preload({ ...obs('o2', 'survey'), meta: { versionId: 'from-file', lastUpdated: '2020-01-01T00:00:00Z' } });
        await repo.preload(obs('o1', 'laboratory'));
        await repo.preload(obs('o1', 'survey'));
      });
      const o2 = repo.get('Observation', 'o2')!;
      expect(o2.meta?.versionId).toMatch(/./);
      expect(o2.meta?.versionId).not.toBe('from-file');
      expect(o2.meta?.lastUpdated).toBe('2020-01-01T00:00:00Z');
      expect(history(repo, 'o1')).toEqual([v1]);
      expect(candidates(repo, { category: 'survey' })).toEqual(['o1', 'o2']);
      expect(candidates(repo, { category: 'laboratory' })).toEqual([]);
      expect(metaCount(repo)).toBe(2);
      expect(repo.bulkReplaced()).toEqual([]);
    }));

  it('should fail a build transaction whole when SQLite refuses a staged key, the rows before it included', () =>
    inMemory(async (store, repo) => {
      // The key's insert fails after the row's went in: nothing of the batch may stay, nor a row without its keys.
      repo.db.exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON idx_load WHEN NEW.k LIKE '%refused-code%' BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END");
      const errors: unknown[] = [];
      const done = await repo
        .withTransaction(async () => {
          await repo.preload(obs('first', 'survey'));
          errors.push(await repo.preload(obs('bad', 'refused-code')).catch((e: unknown) => e));
          errors.push(await repo.preload(obs('later', 'survey')).catch((e: unknown) => e));
        })
        .catch((e: unknown) => e);
      expect((done as Error).message).toMatch(/refused by a trigger/);
      expect(errors.map((e) => (e as Error).message)).toEqual([expect.stringMatching(/refused by a trigger/), expect.stringMatching(/refused by a trigger/)]);
      expect(repo.db.inTransaction).toBe(false);
      expect(sql(repo, 'SELECT count(*) FROM resources')).toEqual([[0]]);
      repo.db.exec('DROP TRIGGER refuse');
      await repo.withTransaction(async () => repo.preload(obs('next', 'survey')));
      store.markLoaded();
      expect(candidates(repo, { category: 'survey' })).toEqual(['next']);
    }));

  it('should refuse appendVersion and appendText inside a transaction once the build has ended', () =>
    inMemory(async (store, repo) => {
      store.markLoaded();
      await repo.withTransaction(async () => {
        expect(() => repo.appendVersion('Observation', 'o1', JSON.stringify(obs('o1', 'survey')), '[]')).toThrow('appendVersion: only inside a transaction of the first build');
        expect(() => repo.appendText('Observation', 'o1', JSON.stringify(obs('o1', 'survey')))).toThrow('appendText: only inside a transaction of the first build');
      });
      expect(sql(repo, 'SELECT count(*) FROM resources')).toEqual([[0]]);
    }));

  it('should end a build once: endBulk again, and markLoaded on a reused store, keep the index and the count', async () => {
    const t = tempDir('fhirseed-store-edges-');
    const file = `${t.dir}/store.sqlite`;
    try {
      const first = openStore(undefined, [], { file });
      await first.repo.withTransaction(async () => {
        await first.repo.preload(obs('o1', 'laboratory'));
        await first.repo.preload(obs('o1', 'survey'));
      });
      first.markLoaded();
      expect(() => first.repo.endBulk()).not.toThrow();
      first.close();
      const again = openStore(undefined, [], { file });
      try {
        expect(again.reused).toBe(true);
        expect(() => again.markLoaded()).not.toThrow();
        expect(candidates(again.repo, { category: 'survey' })).toEqual(['o1']);
        expect(candidates(again.repo, { category: 'laboratory' })).toEqual([]);
        expect(again.count()).toBe(1);
      } finally {
        again.close();
      }
    } finally {
      t.cleanup();
    }
  });

  it('should make a nested transaction part of the outer one: its failure the outer\'s to handle, one commit at the end', () =>
    inMemory(async (store, repo) => {
      store.markLoaded();
      await repo.withTransaction(async () => {
        await repo.createResource(obs('a', 'survey'));
        const inner = await repo
          .withTransaction(async () => {
            await repo.createResource(obs('b', 'survey'));
            throw new Error('inner refused');
          })
          .catch((e: unknown) => e);
        expect((inner as Error).message).toBe('inner refused');
        expect(repo.db.inTransaction).toBe(true);
        expect(await repo.withTransaction(async () => repo.createResource(obs('c', 'survey')).then(() => 'inner done'))).toBe('inner done');
        // Still the outer transaction: nothing committed yet.
        expect(repo.db.inTransaction).toBe(true);
        await repo.createResource(obs('d', 'survey'));
      });
      expect(repo.db.inTransaction).toBe(false);
      expect(candidates(repo, { category: 'survey' })).toEqual(['a', 'b', 'c', 'd']);
      expect(metaCount(repo)).toBe(4);
      // The outer one failing takes the nested ones' writes with it.
      await expect(
        repo.withTransaction(async () => {
          await repo.withTransaction(async () => repo.createResource(obs('e', 'survey')));
          throw new Error('outer refused');
        }),
      ).rejects.toThrow('outer refused');
      expect(repo.has('Observation', 'e')).toBe(false);
      expect(metaCount(repo)).toBe(4);
      // Each write after is its own transaction again.
      await repo.createResource(obs('f', 'survey'));
      expect(repo.db.inTransaction).toBe(false);
    }));

  it('should fail every later write of a transaction SQLite ended on a full disk, nested ones too, and commit none of them', async () => {
    const { store, cleanup } = fullStore();
    const repo = store.repo;
    try {
      await repo.createResource(obs('kept', 'survey'));
      const failures: unknown[] = [];
      const done = await repo
        .withTransaction(async () => {
          await repo.createResource(obs('before', 'survey'));
          failures.push(await repo.createResource(padded('huge', 200_000)).catch((e: unknown) => e));
          // A nested transaction that ends in between must not forget what SQLite did.
          await repo.withTransaction(async () => undefined);
          failures.push(await repo.createResource(obs('after', 'survey')).catch((e: unknown) => e));
          failures.push(await repo.withTransaction(async () => repo.createResource(obs('nested', 'survey'))).catch((e: unknown) => e));
          return 'callback done';
        })
        .catch((e: unknown) => e);
      expect(done).toBeInstanceOf(Error);
      expect((done as Error).message).toMatch(FULL);
      expect(failures.map((e) => (e as Error).message)).toEqual([expect.stringMatching(FULL), expect.stringMatching(FULL), expect.stringMatching(FULL)]);
      expect(repo.db.inTransaction).toBe(false);
      for (const id of ['before', 'huge', 'after', 'nested']) expect(sql(repo, "SELECT count(*) FROM resources WHERE id = ?", id)).toEqual([[0]]);
      expect(metaCount(repo)).toBe(1);
      // The next transaction starts afresh.
      await repo.withTransaction(async () => repo.createResource(obs('next', 'survey')));
      expect(candidates(repo, { category: 'survey' })).toEqual(['kept', 'next']);
      expect(pragmaValue(repo.db, 'integrity_check')).toBe('ok');
    } finally {
      cleanup();
    }
  });

  it('should fail a single write on a full disk by itself and take the next write outside a transaction', async () => {
    const { store, cleanup } = fullStore();
    const repo = store.repo;
    try {
      await repo.createResource(obs('o1', 'survey'));
      const v1 = repo.get('Observation', 'o1')!;
      await expect(repo.updateResource(padded('o1', 200_000))).rejects.toThrow(FULL);
      expect(repo.db.inTransaction).toBe(false);
      expect(repo.get('Observation', 'o1')).toEqual(v1);
      expect(history(repo, 'o1')).toEqual([]);
      await repo.createResource(obs('o2', 'survey'));
      await repo.deleteResource('Observation', 'o1');
      expect(candidates(repo, { category: 'survey' })).toEqual(['o2']);
      expect(metaCount(repo)).toBe(1);
    } finally {
      cleanup();
    }
  });
});
