// A read of the SQLite store left before its last row (a `break` out of all(), an iterator dropped) is ended, so the
// write-ahead log can be emptied while serving and the store's close leaves only the file (s15 trial A2: `/metadata`
// left -wal and -shm). store-shutdown.test.ts checks the same through a real serve and request.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Organization } from '@medplum/fhirtypes';
import Database from 'libsql';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/serve/store/open.js';
import { organizationStore } from './organization-store.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A store file holding `n` Organizations (more than the 100 rows libsql fetches at a time), reopened for serving. */
async function storeOf(n: number) {
  const { file, store } = await organizationStore(n, cleanups);
  expect(store.reused).toBe(true);
  // A write, so that the log holds something to fold in.
  await store.repo.createResource({ resourceType: 'Organization', id: 'written', name: 'Written' });
  return { file, store };
}

/** `PRAGMA wal_checkpoint(TRUNCATE)` from another connection: 0 when the log could be emptied, 1 when a reader kept it. */
function checkpointElsewhere(file: string): number {
  const other = new Database(file);
  try {
    return (other.prepare('PRAGMA wal_checkpoint(TRUNCATE)').raw().get() as number[])[0]!;
  } finally {
    other.close();
  }
}

describe('SQLite store: reads left before their end', () => {
  it('should end a read left by a break at once, and close to the file alone', async () => {
    const { file, store } = await storeOf(150);
    let seen = 0;
    for (const resource of store.repo.all('Organization')) {
      expect(resource.resourceType).toBe('Organization');
      if (++seen === 3) break;
    }
    // No read transaction left open on the serving connection: the log can be emptied now, not only at the close.
    expect(checkpointElsewhere(file)).toBe(0);
    // The statement serves the next iteration from its first row.
    expect([...store.repo.all('Organization')].map((r) => r.id).slice(0, 2)).toEqual(['o0', 'o1']);
    store.close();
    expect(readdirSync(dirname(file))).toEqual(['store.sqlite']);
  });

  it('should end a read whose iterator was dropped without return() when the store closes', async () => {
    const { file, store } = await storeOf(150);
    const rows = store.repo.all('Organization')[Symbol.iterator]();
    expect(rows.next().value?.id).toBe('o0');
    store.close();
    expect(readdirSync(dirname(file))).toEqual(['store.sqlite']);
    // Reopened, nothing lost: the write made before the close is in the file.
    const again = openStore(undefined, [], { file });
    cleanups.push(() => again.close());
    expect((again.repo.get('Organization', 'written') as Organization | undefined)?.name).toBe('Written');
  });
});
