// The first build's date and reference rows (tables `dates` and `refs`) through the worker threads: made by the
// workers under the seq each row is appended as, and stored once per transaction (SqliteRepository.appendRows), not
// one statement per resource. The same rows as the line-by-line loader's, also for an id met again inside one chunk
// (its first version's rows are pending when the ordinary path gives it a second version) and for bundles.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataFiles, loadDirectory } from '../../src/serve/load.js';
import { createEngine } from '../../src/serve/router.js';
import { createBulkLoader } from '../../src/serve/store/bulk-load.js';
import { openStore } from '../../src/serve/store/open.js';
import { tempDir } from '../helpers/output.js';

const temp = tempDir('fhirseed-store-bulk-rows-');
afterAll(() => temp.cleanup());

const meta = { lastUpdated: '2024-01-02T03:04:05.000Z' };
const eob = (id: string, patient: string, created: string, provider: string) => ({
  resourceType: 'ExplanationOfBenefit',
  id,
  meta,
  status: 'active',
  patient: { reference: `Patient/${patient}` },
  created,
  provider: { reference: `Organization/${provider}` },
  insurer: { reference: 'Organization/payer' },
  billablePeriod: { start: created, end: created },
});
const condition = (id: string, onset: string) => ({ resourceType: 'Condition', id, meta, subject: { reference: 'Patient/p1' }, onsetDateTime: onset, recordedDate: onset });

interface Rows {
  loaded: number;
  errors: string[];
  /** Each table's rows with the (type, id) of their resource instead of its seq, sorted. */
  dates: string[];
  refs: string[];
  /** appendRows calls (bulk only), and the transactions' count (withTransaction calls). */
  batches: number;
  transactions: number;
}

async function build(dir: string, bulk: boolean): Promise<Rows> {
  const { router } = createEngine();
  const store = openStore(dir, dataFiles(dir), { file: join(temp.dir, `${bulk ? 'bulk' : 'lines'}-${Math.random()}.sqlite`) });
  const loader = bulk ? createBulkLoader(store.repo, { workers: 2, chunkBytes: 1024, minJsonFiles: 0 }) : undefined;
  const repo = store.repo;
  let batches = 0;
  let transactions = 0;
  const appendRows = repo.appendRows.bind(repo);
  repo.appendRows = (...args) => {
    batches++;
    appendRows(...args);
  };
  const withTransaction = repo.withTransaction.bind(repo);
  repo.withTransaction = ((callback: never) => {
    transactions++;
    return withTransaction(callback);
  }) as typeof repo.withTransaction;
  try {
    const result = await loadDirectory(dir, router, repo, undefined, loader?.loadNdjson, loader?.loadJson);
    await loader?.finish();
    store.markLoaded();
    const db = store.repo.db;
    const rows = (table: string, columns: string) =>
      (db.prepare(`SELECT r.type || '/' || r.id, ${columns} FROM ${table} t JOIN resources r ON r.seq = t.seq`).raw().all() as unknown[][]).map((row) => JSON.stringify(row)).sort();
    const orphans = db.prepare('SELECT count(*) FROM dates WHERE seq NOT IN (SELECT seq FROM resources)').raw().get() as [number];
    expect(orphans[0]).toBe(0);
    return { loaded: result.loaded, errors: result.errors, dates: rows('dates', 't.p, t.low, t.high'), refs: rows('refs', 't.p, t.n, t.ref'), batches, transactions };
  } finally {
    await loader?.close();
    store.close();
  }
}

describe("the first build's date and reference rows", () => {
  it('should be the line-by-line loader\'s, stored in one statement per table and transaction, for NDJSON and bundles', async () => {
    const dir = join(temp.dir, 'out');
    mkdirSync(join(dir, 'ndjson'), { recursive: true });
    const eobs = [
      eob('e1', 'p1', '2024-03-01', 'o1'),
      eob('e2', 'p2', '2024-03-02', 'o2'),
      // e1 again in the same 1 KiB chunk: its first version's rows are pending when the ordinary path replaces it.
      eob('e1', 'p3', '2023-05-06', 'o3'),
      ...Array.from({ length: 12 }, (_, i) => eob(`m${i}`, `p${i % 3}`, `2024-04-${String(i + 10)}`, `o${i}`)),
    ];
    writeFileSync(join(dir, 'ndjson', 'ExplanationOfBenefit.ndjson'), `${eobs.map((r) => JSON.stringify(r)).join('\n')}\nnot json\n`);
    writeFileSync(join(dir, 'ndjson', 'Condition.ndjson'), `${Array.from({ length: 20 }, (_, i) => JSON.stringify(condition(`c${i}`, `2020-01-${String(i + 10)}`))).join('\n')}\n`);
    const lines = await build(dir, false);
    const bulk = await build(dir, true);
    expect(bulk.loaded).toBe(lines.loaded);
    expect(bulk.errors).toEqual(lines.errors);
    expect(bulk.dates).toEqual(lines.dates);
    expect(bulk.refs).toEqual(lines.refs);
    // e1's rows are its second version's only. `insurer` is a reference parameter only once an IG package's
    // SearchParameters are indexed (medplum's global schema: an earlier file of a shared worker may have done it).
    const withoutInsurer = (rows: string[]) => rows.filter((row) => !row.includes('"insurer"'));
    expect(withoutInsurer(bulk.refs).filter((row) => row.includes('"ExplanationOfBenefit/e1"'))).toEqual([
      '["ExplanationOfBenefit/e1","patient",0,"Patient/p3"]',
      '["ExplanationOfBenefit/e1","provider",0,"Organization/o3"]',
    ]);
    expect(bulk.dates.some((row) => row.includes('ExplanationOfBenefit/e1') && row.includes('2024-03-01'))).toBe(false);
    expect(withoutInsurer(bulk.refs).length).toBe(28);
    expect(bulk.dates.length).toBeGreaterThan(40);
    // One batch per table-bearing transaction at most, plus one before the ordinary path's write of e1.
    expect(bulk.batches).toBeGreaterThan(0);
    expect(bulk.batches).toBeLessThanOrEqual(bulk.transactions + 1);
  });

  it('should be the same rows for a bundle file as loadDirectory stores alone', async () => {
    const dir = join(temp.dir, 'bundles');
    mkdirSync(join(dir, 'bundles'), { recursive: true });
    mkdirSync(join(dir, 'ndjson'), { recursive: true });
    const put = (resource: { resourceType: string; id: string }) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } });
    for (let m = 0; m < 3; m++) {
      const entry = [put(eob(`b${m}`, `p${m}`, `2022-0${m + 1}-01`, `o${m}`)), put(condition(`bc${m}`, `2021-0${m + 1}-02`))];
      writeFileSync(join(dir, 'bundles', `member-00000${m}.json`), JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }));
    }
    writeFileSync(join(dir, 'ndjson', 'Patient.ndjson'), '');
    const plain = await build(dir, false);
    const bulk = await build(dir, true);
    expect(bulk.dates).toEqual(plain.dates);
    expect(bulk.refs).toEqual(plain.refs);
    expect(bulk.refs.length).toBeGreaterThan(0);
    expect(bulk.batches).toBeGreaterThan(0);
  });
});
