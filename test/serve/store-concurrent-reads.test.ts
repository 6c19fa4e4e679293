// Two iterations of the SQLite store's all() of one type under way at once (a bulk $export's, paused across awaits
// between its writes, and a search's that runs meanwhile) each read every row exactly once: they shared libsql's one
// prepared statement, so the second restarted or reset the first (s16 A report, "A related hazard").
// store-export-concurrent.test.ts checks the same through a real serve child, $export and searches.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { indexR4Definitions } from '../../src/serve/router.js';
import { guardReads } from '../../src/serve/store/failure.js';
import { organizationStore } from './organization-store.js';

const cleanups: (() => void)[] = [];
// R4's search parameters, which the store's keys follow: once, outside the cases' time (minutes on a loaded machine).
beforeAll(() => indexR4Definitions(), 600_000);
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A store file holding `n` Organizations (o0…; several of libsql's 100-row fetches), reopened for serving. */
async function storeOf(n: number) {
  const { file, store } = await organizationStore(n, cleanups);
  return { file, store, ids: Array.from({ length: n }, (_, i) => `o${i}`) };
}

/** The ids an iterator gives from here on (it is run to its end). */
function rest(rows: Iterator<{ id?: string }>): string[] {
  const ids: string[] = [];
  for (let next = rows.next(); !next.done; next = rows.next()) ids.push(next.value.id!);
  return ids;
}

function take(rows: Iterator<{ id?: string }>, n: number): string[] {
  return Array.from({ length: n }, () => rows.next().value!.id!);
}

describe('SQLite store: iterations of one type under way at once', () => {
  it('should give a paused iteration every row once when another runs to its end meanwhile', async () => {
    const { store, ids } = await storeOf(350);
    const paused = store.repo.all('Organization')[Symbol.iterator]();
    const first = take(paused, 150);
    // Another request's search of the whole type while the first waits (an export between two writes).
    expect([...store.repo.all('Organization')].map((r) => r.id)).toEqual(ids);
    expect([...first, ...rest(paused)]).toEqual(ids);
  });

  it('should give a paused iteration every row once when another leaves before its end meanwhile', async () => {
    const { store, ids } = await storeOf(350);
    const paused = store.repo.all('Organization')[Symbol.iterator]();
    const first = take(paused, 120);
    let seen = 0;
    for (const resource of store.repo.all('Organization')) {
      expect(resource.id).toBe(ids[seen]);
      if (++seen === 3) break;
    }
    expect([...first, ...rest(paused)]).toEqual(ids);
  });

  it('should give each of three interleaved iterations every row once, and close to the file alone', async () => {
    const { file, store, ids } = await storeOf(350);
    const readers = [0, 1, 2].map(() => ({ rows: store.repo.all('Organization')[Symbol.iterator](), ids: [] as string[] }));
    // Steps of different lengths, so that each stops mid-way through the others' fetches.
    for (let round = 0; readers.some((r) => r.ids.length < ids.length); round++) {
      for (const [i, reader] of readers.entries()) {
        for (let k = 0; k < 37 + 41 * i && reader.ids.length < ids.length; k++) reader.ids.push(reader.rows.next().value!.id!);
      }
    }
    for (const reader of readers) {
      expect(reader.ids).toEqual(ids);
      expect(reader.rows.next().done).toBe(true);
    }
    // Two left under way at the close: it ends both reads, so the log is folded in and removed.
    const left = [0, 1].map(() => store.repo.all('Organization')[Symbol.iterator]());
    for (const rows of left) take(rows, 2);
    store.close();
    expect(readdirSync(dirname(file))).toEqual(['store.sqlite']);
  });

  it('should answer get and all beside an iteration of the same statement, on statements it prepares once', () => {
    const db = new Database(':memory:');
    cleanups.push(() => db.close());
    db.exec('CREATE TABLE t (n INTEGER); WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 250) INSERT INTO t SELECT n FROM s');
    let prepared = 0;
    const statement = guardReads(() => {
      prepared++;
      return db.prepare('SELECT n FROM t WHERE n >= ? ORDER BY n').raw();
    }, db);
    const numbers = (from: number) => Array.from({ length: 251 - from }, (_, i) => [from + i]);
    const rows = statement.iterate(1);
    const first = Array.from({ length: 120 }, () => rows.next().value);
    expect(statement.get(5)).toEqual([5]);
    expect(statement.all(249)).toEqual([[249], [250]]);
    expect([...first, ...(function* () {
      for (let next = rows.next(); !next.done; next = rows.next()) yield next.value;
    })()]).toEqual(numbers(1));
    expect(prepared).toBe(2);
    // Both statements idle again: reads one after another, and two iterations at once, prepare none.
    expect(statement.all(240)).toEqual(numbers(240));
    const a = statement.iterate(200);
    const b = statement.iterate(100);
    expect([a.next().value, b.next().value, a.next().value, b.next().value]).toEqual([[200], [100], [201], [101]]);
    expect(prepared).toBe(2);
  });
});
