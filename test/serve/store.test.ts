// The sandbox's SQLite store (issue 17): persistence across restarts, rebuild on changed data, foreign store files,
// a SIGKILL mid-transaction, and search results equal to the in-memory repository's (a property over random data).
// Over 10 s on a busy machine: the SIGKILL test's child process transpiles the serve sources it imports (~10 s of it).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import Database from 'libsql';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Observation, Resource } from '@medplum/fhirtypes';
import { runCli } from '../../src/cli/run.js';
import { writeArchive } from '../../src/output/archive.js';
import { checkOutputTarget } from '../../src/output/target.js';
import { startServer } from '../../src/serve/index.js';
import { AtomicMemoryRepository, indexR4Definitions } from '../../src/serve/router.js';
import { planSearch, runSearch } from '../../src/serve/search-extras.js';
import { builtNote } from '../../src/serve/store/engine.js';
import { openStore, pragmaValue, SCHEMA_VERSION } from '../../src/serve/store/open.js';
import { answerText } from '../../src/serve/store/raw-json.js';
import { tempDir } from '../helpers/output.js';
import { describeEmbedded, fhir } from './helpers.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function scratch(): string {
  const t = tempDir('fhirseed-store-');
  cleanups.push(t.cleanup);
  return t.dir;
}

function writeData(dir: string, patients: string[]): void {
  mkdirSync(join(dir, 'ndjson'), { recursive: true });
  writeFileSync(join(dir, 'ndjson', 'Patient.ndjson'), patients.map((id) => JSON.stringify({ resourceType: 'Patient', id, gender: 'female' })).join('\n') + '\n');
  const obs: Observation = { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patients[0]}` } };
  writeFileSync(join(dir, 'ndjson', 'Observation.ndjson'), JSON.stringify(obs) + '\n');
}

describeEmbedded('serve: the SQLite store', () => {
  it('should keep writes across restarts while the data is unchanged, and rebuild from changed data', async () => {
    const dir = scratch();
    writeData(dir, ['a', 'b']);
    const first = await startServer({ port: 0, dir, store: 'sqlite' });
    expect(first.store).toBe(`store ${join(dir, 'sandbox-store', 'store.sqlite')} built`);
    expect(first.loadedResources).toBe(3);
    expect((await fhir(`${first.url}/Patient`, { method: 'POST', body: { resourceType: 'Patient', gender: 'male' } })).status).toBe(201);
    expect((await fhir(`${first.url}/Patient/a`, { method: 'PUT', body: { resourceType: 'Patient', id: 'a', gender: 'other' } })).status).toBe(200);
    await first.close();

    const second = await startServer({ port: 0, dir, store: 'sqlite' });
    expect(second.store).toMatch(/ reused$/);
    expect(second.loadedResources).toBe(4);
    expect((await fhir(`${second.url}/Patient?gender=male`)).body.total).toBe(1);
    expect((await fhir(`${second.url}/Patient/a/_history`)).body.entry.map((e: { resource: Resource }) => (e.resource as { gender: string }).gender)).toEqual(['other', 'female']);
    expect((await fhir(`${second.url}/Observation?patient=a`)).body.total).toBe(1);
    await second.close();

    writeData(dir, ['a', 'b', 'c']);
    const third = await startServer({ port: 0, dir, store: 'sqlite' });
    cleanups.push(() => third.close());
    expect(third.store).toBe(`store ${join(dir, 'sandbox-store', 'store.sqlite')} rebuilt (the served files changed): what apps wrote to the old store is gone`);
    expect(third.loadedResources).toBe(4);
    expect((await fhir(`${third.url}/Patient?gender=male`)).body.total).toBe(0);
    expect((await fhir(`${third.url}/Patient/a`)).body.gender).toBe('female');
  }, 60_000);

  it('should refuse a store file that is not a fhirseed store in one line (exit 2), leave it as it was, and replace it with --rebuild-store', async () => {
    const dir = scratch();
    writeData(dir, ['a']);
    const garbage = join(dir, 'garbage.sqlite');
    writeFileSync(garbage, 'not a database at all '.repeat(200));
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES (\'mine\');');
    db.close();
    const before = readFileSync(other);
    for (const file of [garbage, other]) {
      let stderr = '';
      const code = await runCli(['serve', dir, '--port', '0', '--store', file], { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false });
      expect(code).toBe(2);
      expect(stderr).toMatch(new RegExp(`^fhirseed: store ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a fhirseed sandbox store \\([^\\n]+\\); move it away or serve with --rebuild-store\\n$`));
    }
    expect(readFileSync(other).equals(before)).toBe(true);
    expect(readFileSync(garbage, 'utf8')).toMatch(/^not a database at all/);
    expect(existsSync(join(dir, 'sandbox-store'))).toBe(false);
    let stderr = '';
    expect(await runCli(['serve', dir, '--port', '0', '--store', 'memory', '--rebuild-store'], { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false })).toBe(2);
    expect(stderr).toBe('fhirseed: --rebuild-store: only with --store sqlite or --store FILE\n');

    const server = await startServer({ port: 0, dir, storeFile: garbage, rebuildStore: true });
    cleanups.push(() => server.close());
    expect(server.loadedResources).toBe(2);
    expect((await fhir(`${server.url}/Patient/a`)).status).toBe(200);
  }, 60_000);

  it('should be the default store, and --store memory the in-memory repository', async () => {
    vi.stubEnv('FHIRSEED_STORE', '');
    cleanups.push(() => void vi.unstubAllEnvs());
    const dir = scratch();
    writeData(dir, ['a']);
    const memory = await startServer({ port: 0, dir, store: 'memory' });
    expect(memory.store).toBeUndefined();
    await memory.close();
    expect(existsSync(join(dir, 'sandbox-store'))).toBe(false);
    const server = await startServer({ port: 0, dir });
    cleanups.push(() => server.close());
    expect(server.store).toBe(`store ${join(dir, 'sandbox-store', 'store.sqlite')} built`);
    expect((await fhir(`${server.url}/Observation?patient=a`)).body.total).toBe(1);
  }, 60_000);

  it('should keep sandbox-store/ out of the foreign files of an output directory and out of its archive', async () => {
    const dir = scratch();
    writeData(dir, ['a']);
    writeFileSync(join(dir, 'manifest.json'), '{}');
    const server = await startServer({ port: 0, dir, store: 'sqlite' });
    await server.close();
    expect(existsSync(join(dir, 'sandbox-store', 'store.sqlite'))).toBe(true);
    expect(() => checkOutputTarget(dir)).not.toThrow();
    expect(writeArchive(dir, join(scratch(), 'out.tar.gz'), 'out').files).toBe(3);
  }, 60_000);
});

describe('SQLite store: a SIGKILL in the middle of a transaction', () => {
  it('should leave the committed write and nothing of the transaction', async () => {
    const file = join(scratch(), 'store.sqlite');
    const here = fileURLToPath(new URL('.', import.meta.url));
    const child = spawn(process.execPath, ['--import', join(here, '../seed/helpers/register-ts.mjs'), join(here, 'store-crash-child.mjs'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += String(d);
        if (stdout.includes('in-transaction')) resolve();
      });
      child.on('exit', () => reject(new Error(`child ended early: ${stderr}`)));
    });
    // The uncommitted pages reached the WAL file before the kill.
    expect(readFileSync(`${file}-wal`).length).toBeGreaterThan(100_000);
    child.kill('SIGKILL');
    await once(child, 'exit');
    indexR4Definitions();
    const store = openStore(undefined, [], { file });
    cleanups.push(() => store.close());
    expect(store.reused).toBe(true);
    expect(store.repo.count()).toBe(1);
    expect(store.repo.has('Patient', 'committed')).toBe(true);
    expect(store.repo.has('Patient', 'uncommitted-0')).toBe(false);
    expect(pragmaValue(store.repo.db, 'integrity_check')).toBe('ok');
  }, 60_000);
});

describe('SQLite store: the first build', () => {
  it('should build in FILE.building, put it in place only when the load is complete, and start anew after an unfinished build', async () => {
    indexR4Definitions();
    const file = join(scratch(), 'store.sqlite');
    const unfinished = openStore(undefined, [], { file });
    await unfinished.repo.withTransaction(async () => unfinished.repo.preload({ resourceType: 'Patient', id: 'p1' }));
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.building`)).toBe(true);
    // The staged keys go to a temporary file, not memory (libsql's default): their RSS would follow the member count.
    expect(pragmaValue(unfinished.repo.db, 'temp_store')).toBe(1);
    unfinished.close(); // a start that ended before its load did

    const store = openStore(undefined, [], { file });
    cleanups.push(() => store.close());
    expect(store.repo.count()).toBe(0);
    await store.repo.withTransaction(async () => {
      await store.repo.preload({ resourceType: 'Patient', id: 'p2', gender: 'male' });
      await store.repo.preload({ resourceType: 'Patient', id: 'p2', gender: 'female' });
    });
    store.markLoaded();
    expect(existsSync(`${file}.building`)).toBe(false);
    expect(pragmaValue(store.repo.db, 'journal_mode')).toBe('wal');
    expect(pragmaValue(store.repo.db, 'synchronous')).toBe(2); // FULL
    expect((await store.repo.readHistory('Patient', 'p2')).entry?.map((e) => (e.resource as { gender?: string }).gender)).toEqual(['female', 'male']);
    expect([...store.repo.candidates('Patient', { gender: 'female' })].map((r) => r.id)).toEqual(['p2']);
    store.close();

    const reopened = openStore(undefined, [], { file });
    cleanups.push(() => reopened.close());
    expect(reopened.reused).toBe(true);
    expect(reopened.repo.count()).toBe(1);
  });
});

describe('SQLite store: its count and its schema version', () => {
  const metaCount = (db: Database.Database) => (db.prepare("SELECT value FROM meta WHERE key = 'count'").raw().get() as [string] | undefined)?.[0];

  it('should keep the count of current resources in meta from the end of the build, through writes, rollbacks and restarts (a restart does not count them)', async () => {
    indexR4Definitions();
    const file = join(scratch(), 'store.sqlite');
    const store = openStore(undefined, [], { file });
    await store.repo.withTransaction(async () => {
      for (const id of ['p1', 'p2', 'p3']) await store.repo.preload({ resourceType: 'Patient', id });
    });
    store.markLoaded();
    expect(metaCount(store.repo.db)).toBe('3');
    await store.repo.createResource({ resourceType: 'Patient', gender: 'male' });
    await store.repo.updateResource({ resourceType: 'Patient', id: 'p2', gender: 'female' });
    await store.repo.deleteResource('Patient', 'p1');
    await expect(
      store.repo.withTransaction(async () => {
        await store.repo.createResource({ resourceType: 'Patient' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(store.count()).toBe(3);
    expect(metaCount(store.repo.db)).toBe('3');
    store.close();

    const reopened = openStore(undefined, [], { file });
    cleanups.push(() => reopened.close());
    expect(reopened.reused).toBe(true);
    expect(reopened.count()).toBe(reopened.repo.count());
    // What the start-up prints is meta's number: no count(*) over the resources.
    reopened.repo.db.prepare("UPDATE meta SET value = '41' WHERE key = 'count'").run();
    expect(reopened.count()).toBe(41);
  });

  it('should rebuild a store of an older schema version (its keys spelt otherwise) instead of reusing it', async () => {
    indexR4Definitions();
    const file = join(scratch(), 'store.sqlite');
    const store = openStore(undefined, [], { file });
    await store.repo.withTransaction(async () => store.repo.preload({ resourceType: 'Patient', id: 'p1', gender: 'female' }));
    store.markLoaded();
    // As a schema-3 store held it: the type and path spelt out.
    store.repo.db.prepare("UPDATE meta SET value = '3' WHERE key = 'schema'").run();
    store.repo.db.prepare("INSERT INTO idx (k, seq) VALUES ('Patient|t|female|gender', 1)").run();
    store.close();

    const again = openStore(undefined, [], { file });
    cleanups.push(() => again.close());
    expect(again.reused).toBe(false);
    expect(again.repo.count()).toBe(0);
    expect(again.repo.db.prepare('SELECT count(*) FROM idx').raw().get()).toEqual([0]);
    // The start line says why, and where the old store (with what apps wrote) is kept.
    expect(again.replaced).toBe(`store schema 3 → ${SCHEMA_VERSION}`);
    expect(builtNote(again)).toBe(`store ${file} rebuilt (store schema 3 → ${SCHEMA_VERSION}): the old store, with what apps wrote to it, is kept as ${file}.schema-3 (until the next schema upgrade)`);
  });

  it('should say a store is rebuilt, and why, only when a store file was there before', () => {
    indexR4Definitions();
    const file = join(scratch(), 'store.sqlite');
    const first = openStore(undefined, [], { file });
    first.markLoaded();
    expect(first.replaced).toBeUndefined();
    expect(builtNote(first)).toBe(`store ${file} built`);
    first.close();
    const asked = openStore(undefined, [], { file, rebuild: true });
    expect(asked.reused).toBe(false);
    expect(asked.replaced).toBe('--rebuild-store');
    asked.markLoaded();
    asked.close();
    // Other files served than the store was built from.
    const dir = scratch();
    writeFileSync(join(dir, 'Patient.ndjson'), '');
    const moved = openStore(dir, [join(dir, 'Patient.ndjson')], { file });
    cleanups.push(() => moved.close());
    expect(moved.reused).toBe(false);
    expect(moved.replaced).toBe('the served files changed');
  });
});

describe('SQLite store: searches narrowed by its index keys', () => {
  beforeAll(() => indexR4Definitions());

  const CODES = ['laboratory', 'vital-signs', 'Survey'];
  const observation = fc.record({
    patient: fc.integer({ min: 0, max: 3 }),
    performer: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    category: fc.constantFrom(...CODES),
    upper: fc.boolean(),
    loinc: fc.constantFrom('1234-5', '2345-6', '8867-4'),
    status: fc.constantFrom('final', 'amended', 'preliminary'),
    effective: fc.option(fc.constantFrom('2023-12-31', '2024-01-02', '2024-01-02T10:00:00Z', '2024-02'), { nil: undefined }),
  });
  const VALUES: Record<string, string[]> = {
    patient: ['p0', 'Patient/p1', 'p2,p3', 'p9'],
    performer: ['Practitioner/d0', 'd1'],
    category: ['laboratory', 'LABORATORY', 'survey', 'Survey', 'http://terminology.hl7.org/CodeSystem/observation-category|vital-signs', 'nothing'],
    code: ['http://loinc.org|1234-5', '2345-6,8867-4', '|1234-5', 'http://loinc.org|'],
    status: ['final', 'amended,preliminary'],
    _id: ['o0', 'o1,o2'],
    date: ['ge2024-01-02', 'lt2024-01-02', '2024-01-02', 'gt2024-01', 'le2023', 'eq2024-02', 'ne2024-01-02'],
    'performer:missing': ['true', 'false'],
    'date:missing': ['true'],
  };
  /** Sort and paging on top of a query: the same page, in the same order, from both stores. */
  const paging = fc.record({ _sort: fc.constantFrom('date', '-date', 'status,-date', '_id'), _count: fc.constantFrom('1', '2', '5'), _offset: fc.constantFrom('0', '1', '3') });
  /** Every parameter value alone, every patient with every category, code and status, and random combinations. */
  const SINGLE = Object.entries(VALUES).flatMap(([k, vs]) => vs.map((v) => ({ [k]: v })));
  const PAIRS = VALUES.patient!.flatMap((patient) => ['category', 'code', 'status'].flatMap((k) => VALUES[k]!.map((v) => ({ patient, [k]: v }))));
  const query = fc
    .tuple(fc.subarray(SINGLE, { minLength: 2, maxLength: 4 }), fc.option(paging, { nil: undefined }))
    .map(([parts, page]) => Object.assign({}, ...parts, page) as Record<string, string>);

  it('should give the same matches, order and totals as the in-memory repository', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 25 }), fc.array(query, { maxLength: 3 }), async (rows, combined) => {
        const resources: Resource[] = [0, 1, 2, 3].map((i) => ({ resourceType: 'Patient', id: `p${i}` }));
        rows.forEach((r, i) => {
          const code = r.upper ? r.category.toUpperCase() : r.category;
          resources.push({
            resourceType: 'Observation',
            id: `o${i}`,
            status: r.status as Observation['status'],
            subject: { reference: `Patient/p${r.patient}` },
            ...(r.performer === undefined ? {} : { performer: [{ reference: `Practitioner/d${r.performer}` }] }),
            category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code }] }],
            code: { coding: [{ system: 'http://loinc.org', code: r.loinc }] },
            ...(r.effective ? { effectiveDateTime: r.effective } : {}),
          } as Observation);
        });
        // An id met again during the load: a new version of it (the first build's ordinary path).
        if (rows.length) resources.push({ ...resources[4]!, status: 'cancelled' } as Observation);
        const memory = new AtomicMemoryRepository();
        const store = openStore(undefined, []);
        try {
          for (const r of resources) await memory.preload(r);
          // As the loader does: batches, each one transaction, then markLoaded (the first build's path).
          for (const batch of [resources.slice(0, 9), resources.slice(9)]) {
            await store.repo.withTransaction(async () => {
              for (const r of batch) await store.repo.preload(r);
            });
          }
          store.markLoaded();
          for (const q of [...SINGLE, ...PAIRS, ...combined] as Record<string, string>[]) {
            const plan = planSearch('Observation', { _count: '100', ...q });
            const ids = (repo: AtomicMemoryRepository) => {
              const bundle = runSearch(repo, plan, 'http://x/fhir', q);
              // The answer's text: the store's resources spliced in as stored, the same characters as stringified.
              expect(answerText(bundle)).toBe(JSON.stringify(bundle));
              return { total: bundle.total, ids: bundle.entry?.map((e) => e.resource?.id) };
            };
            expect(ids(store.repo), JSON.stringify(q)).toEqual(ids(memory));
          }
          const revinclude = planSearch('Patient', { _revinclude: 'Observation:subject' });
          const all = (repo: AtomicMemoryRepository) => runSearch(repo, revinclude, 'http://x/fhir', {}).entry?.map((e) => e.fullUrl);
          expect(all(store.repo)).toEqual(all(memory));
        } finally {
          store.close();
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
