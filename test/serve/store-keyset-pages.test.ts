// A search page the SQLite store's index narrows reads the index from its start in seq order and stops at the page
// (sqlite-reads.ts seqsAfter): `fhirseed purge` asks for the first page of its tag again after deleting each page,
// and each such page read every remaining index row of the tag (a temporary B-tree to sort and deduplicate them),
// which made a purge quadratic in the resources of a type (1,000 members: 164,246 Observations).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Observation, Resource } from '@medplum/fhirtypes';
import type { AtomicMemoryRepository } from '../../src/serve/router.js';
import { bothRepositories } from '../helpers/both-repositories.js';
import { planSearch, runSearch, type Query } from '../../src/serve/search-extras.js';
import type { SqliteRepository } from '../../src/serve/store/sqlite-repository.js';

const RUN = 'urn:fhirseed:run';
const tag = `${RUN}|run-a`;

/** One `all()` of a statement of the store: its SQL, arguments and how many rows it gave. */
interface Read {
  sql: string;
  args: unknown[];
  rows: number;
}

/** Records every `all()` of the statements `repo` prepares from now on (its search statements are prepared on first use). */
function recordReads(repo: SqliteRepository): Read[] {
  const reads: Read[] = [];
  const db = repo.db as unknown as { prepare(sql: string): { all(...args: unknown[]): unknown[] } };
  const prepare = db.prepare.bind(db);
  db.prepare = (sql: string) => {
    const statement = prepare(sql);
    const all = statement.all.bind(statement);
    statement.all = (...args: unknown[]) => {
      const rows = all(...args);
      reads.push({ sql, args, rows: rows.length });
      return rows;
    };
    return statement;
  };
  return reads;
}

/** The seq rows read from the index (`idx`) by search statements. */
const indexRows = (reads: Read[]) => reads.filter((r) => /\bFROM idx\b/.test(r.sql) && !r.sql.startsWith('WITH RECURSIVE')).reduce((n, r) => n + r.rows, 0);

const search = (r: AtomicMemoryRepository, query: Query) => runSearch(r, planSearch('Observation', query), 'http://x/fhir', query) as Bundle;
const ids = (bundle: Bundle) => (bundle.entry ?? []).map((e) => e.resource?.id);

/** Every page from the first, following `next`: the ids in order. */
function walk(r: AtomicMemoryRepository, query: Query): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (let q: Query | undefined = query; q; ) {
    const bundle = search(r, q);
    out.push(...ids(bundle));
    const url = bundle.link?.find((l) => l.relation === 'next')?.url;
    q = url ? (Object.fromEntries(new URL(url).searchParams) as Query) : undefined;
  }
  return out;
}

describe('a page of a search the index narrows (SQLite store)', () => {
  it('should read as many index rows for the first page of a tag whatever remains of it, as purge deletes page after page', async () => {
    const observations = Array.from({ length: 1200 }, (_, n): Observation => ({
      resourceType: 'Observation',
      id: `p${n}`,
      status: 'final',
      code: { text: 'x' },
      meta: { tag: [{ system: RUN, code: 'run-a' }] },
    }));
    const { repo } = await bothRepositories(observations);
    const reads = recordReads(repo);
    const query = { _tag: tag, _count: '100', _elements: 'id,meta', _total: 'none' };
    const perPage: number[] = [];
    for (let left = observations.length; left > 0; left -= 100) {
      reads.length = 0;
      const page = ids(search(repo, query));
      expect(page).toHaveLength(100);
      perPage.push(indexRows(reads));
      // The SQL the page ran reads the index in its order: no temporary B-tree sorting or deduplicating every row.
      for (const read of reads.filter((r) => /\bFROM idx\b/.test(r.sql))) {
        const plan = (repo.db.prepare(`EXPLAIN QUERY PLAN ${read.sql}`).raw().all(...read.args) as unknown[][]).map((row) => String(row[3]));
        expect(plan.join('\n'), read.sql).not.toMatch(/TEMP B-TREE|SCAN (idx|d)\b/);
      }
      for (const id of page) await repo.deleteResource('Observation', id!);
    }
    // The page and one match more, however many remain (1,200 at the first page, 100 at the last).
    expect(perPage.slice(0, -1)).toEqual(perPage.slice(0, -1).map(() => 101));
    expect(perPage.at(-1)).toBe(100);
  });

  describe('pages as the in-memory repository does', () => {
    let memory: AtomicMemoryRepository;
    let repo: SqliteRepository;

    /**
     * 900 Observations: tagged `run-a`, `RUN-A` (another index key of the same code: two keys merged), both (one
     * resource under two keys: given once), or `run-a` under another system (narrowed by the index, refused by the
     * matcher); every seventh `amended`, a third each of three subjects; and 40 tagged `mixed` in 20 spellings (more keys than are merged: read whole).
     */
    function data(): Resource[] {
      const spellings = Array.from({ length: 20 }, (_, n) => [...'mixedtag'].map((c, k) => ((n >> k) & 1 ? c.toUpperCase() : c)).join(''));
      return [
        ...Array.from({ length: 900 }, (_, n): Observation => ({
          resourceType: 'Observation',
          id: `o${n}`,
          status: n % 7 === 0 ? 'amended' : 'final',
          code: { text: 'x' },
          effectiveDateTime: `20${10 + (n % 12)}-01-01`,
          subject: { reference: `Patient/${n % 3}` },
          meta: {
            tag:
              n % 4 === 0 ? [{ system: RUN, code: 'run-a' }] : n % 4 === 1 ? [{ system: RUN, code: 'RUN-A' }] : n % 4 === 2 ? [{ system: RUN, code: 'run-a' }, { system: RUN, code: 'RUN-A' }] : [{ system: 'urn:example:other', code: 'run-a' }],
          },
        })),
        ...Array.from({ length: 40 }, (_, n): Observation => ({
          resourceType: 'Observation',
          id: `m${n}`,
          status: 'final',
          code: { text: 'x' },
          meta: { tag: [{ system: RUN, code: spellings[n % 20]! }] },
        })),
      ];
    }

    beforeAll(async () => {
      ({ memory, repo } = await bothRepositories(data()));
    });

    it.each([
      ['a tag held under two index keys', { _tag: tag }],
      ['a tag and an exact status', { _tag: tag, status: 'amended' }],
      ['a tag, a status and a date', { _tag: tag, status: 'final', date: 'ge2016' }],
      ['a subject, a status and a tag', { subject: 'Patient/1', status: 'final', _tag: tag }],
      ['a code held under more keys than are merged', { _tag: `${RUN}|mixedtag` }],
      ['ids and a tag', { _id: 'o1,o2,o3,o5,o6,o8,o9,o10,m1,m2', _tag: tag }],
    ])('%s', (_name, filters) => {
      for (const count of ['7', '100']) {
        const query = { ...filters, _count: count, _total: 'none' };
        const expected = walk(memory, query);
        expect(expected.length).toBeGreaterThan(0);
        expect(walk(repo, query)).toEqual(expected);
        expect(walk(repo, { ...filters, _count: count })).toEqual(expected);
      }
    });
  });
});
