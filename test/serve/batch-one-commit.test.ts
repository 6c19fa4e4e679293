import { FhirRouter } from '@medplum/fhir-router';
import type { Bundle, Patient, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { AtomicMemoryRepository, indexR4Definitions } from '../../src/serve/router.js';
import { openStore, type OpenedStore } from '../../src/serve/store/open.js';
import type { SqliteRepository } from '../../src/serve/store/sqlite-repository.js';
import { processBundle } from '../../src/serve/transaction.js';

/**
 * The sandbox's batch (src/serve/transaction.ts processBatch): a batch Bundle is one store transaction — one SQLite
 * commit, where each entry used to commit on its own (a purge of 9,000 resources was 9,000 fsyncs) — and each entry
 * keeps its own outcome: a failed entry leaves nothing of itself and does not undo the others. A DELETE entry with
 * `request.ifMatch` naming another version is a 412 and is not applied. In process, in-memory stores.
 */

const patient = (id: string): Patient => ({ resourceType: 'Patient', id, gender: 'female' });

/**
 * An in-memory SQLite store holding those Patients (loaded as the sandbox loads), given to `body` with the log of the
 * statements that open and end transactions from then on, as the store sends them to SQLite; closed afterwards.
 */
async function withStore(ids: string[], body: (repo: SqliteRepository, log: string[]) => Promise<void>): Promise<void> {
  const store = openStore(undefined, []);
  await store.repo.withTransaction(async () => {
    for (const id of ids) await store.repo.preload(patient(id));
  });
  store.markLoaded();
  try {
    await body(store.repo, transactionLog(store));
  } finally {
    store.close();
  }
}

function transactionLog(store: OpenedStore): string[] {
  const log: string[] = [];
  const db = store.repo.db as unknown as { exec: (sql: string) => unknown };
  const exec = db.exec.bind(db);
  db.exec = (sql: string) => {
    if (/^(BEGIN|COMMIT|ROLLBACK)/.test(sql)) log.push(sql.split(' ')[0]!);
    return exec(sql);
  };
  return log;
}

const version = (repo: AtomicMemoryRepository, id: string) => repo.get('Patient', id)?.meta?.versionId;
const statuses = (bundle: Resource | undefined) => ((bundle as Bundle).entry ?? []).map((e) => e.response?.status?.split(' ')[0]);

describe('the sandbox batch', () => {
  beforeAll(() => indexR4Definitions());

  it('should commit a batch of DELETEs once, answer each entry on its own and refuse a stale If-Match with 412', async () => {
    await withStore(['a', 'b', 'c', 'd'], async (repo, log) => {
      const batch: Bundle = {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'DELETE', url: 'Patient/a', ifMatch: `W/"${version(repo, 'a')}"` } },
          { request: { method: 'DELETE', url: 'Patient/b' } },
          { request: { method: 'DELETE', url: 'Patient/c', ifMatch: 'W/"not-the-version"' } },
          { request: { method: 'DELETE', url: 'Patient/unknown' } },
          { request: { method: 'DELETE', url: 'Patient/d', ifMatch: `"${version(repo, 'd')}"` } },
        ],
      };
      const [outcome, result] = await processBundle(new FhirRouter(), repo, batch);
      expect(outcome.id).toBe('ok');
      expect((result as Bundle).type).toBe('batch-response');
      expect(statuses(result)).toEqual(['200', '200', '412', '404', '200']);
      expect(JSON.stringify((result as Bundle).entry![2]!.response!.outcome)).toContain('If-Match W/\\"not-the-version\\": Patient/c is at version');
      // One transaction for the whole batch (each DELETE used to be a BEGIN IMMEDIATE … COMMIT of its own).
      expect(log).toEqual(['BEGIN', 'COMMIT']);
      expect(['a', 'b', 'c', 'd'].map((id) => repo.has('Patient', id))).toEqual([false, false, true, false]);
      // Read past the cache: the rows are gone from the file's tables, the kept one is there.
      const rows = repo.db.prepare("SELECT id FROM resources WHERE type = 'Patient' ORDER BY id").raw().all() as string[][];
      expect(rows.map(([id]) => id)).toEqual(['c']);
    });
  });

  it('should keep the good entries of a batch whose other entries fail, in one commit', async () => {
    await withStore(['a', 'b'], async (repo, log) => {
      const batch: Bundle = {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'PUT', url: 'Patient/n1' }, resource: patient('n1') },
          // The id is not the URL's: refused, alone.
          { request: { method: 'PUT', url: 'Patient/n2' }, resource: patient('other') },
          { request: { method: 'DELETE', url: 'Patient/a' } },
          { request: { method: 'PUT', url: 'Patient/b', ifMatch: 'W/"stale"' }, resource: { ...patient('b'), gender: 'male' } },
        ],
      };
      const [outcome, result] = await processBundle(new FhirRouter(), repo, batch);
      expect(outcome.id).toBe('ok');
      const [created, wrongId, deleted, stale] = statuses(result);
      expect([created, deleted]).toEqual(['201', '200']);
      expect(Number(wrongId)).toBeGreaterThanOrEqual(400);
      expect(stale).toBe('412');
      expect(log).toEqual(['BEGIN', 'COMMIT']);
      expect(repo.has('Patient', 'n1')).toBe(true);
      expect(repo.has('Patient', 'n2') || repo.has('Patient', 'other')).toBe(false);
      expect(repo.has('Patient', 'a')).toBe(false);
      expect((repo.get('Patient', 'b') as Patient).gender).toBe('female');
    });
  });

  it('should answer a stale If-Match in a batch with 412 in the in-memory repository too, deleting the rest', async () => {
    const repo = new AtomicMemoryRepository();
    for (const id of ['a', 'b']) await repo.preload(patient(id));
    const batch: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'DELETE', url: 'Patient/a', ifMatch: 'W/"0"' } },
        { request: { method: 'DELETE', url: 'Patient/b', ifMatch: `W/"${version(repo, 'b')}"` } },
      ],
    };
    const [, result] = await processBundle(new FhirRouter(), repo, batch);
    expect(statuses(result)).toEqual(['412', '200']);
    expect([repo.has('Patient', 'a'), repo.has('Patient', 'b')]).toEqual([true, false]);
  });
});
