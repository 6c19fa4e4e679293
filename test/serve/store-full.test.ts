// The SQLite store on a full disk (issue 17): SQLITE_FULL in the middle of a write, made real by capping the
// database's size with `PRAGMA max_page_count` on the serving connection, over real HTTP.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, Observation, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxAuth } from '../../src/serve/auth.js';
import { createHandler } from '../../src/serve/http.js';
import { loadNdjsonLines } from '../../src/serve/load.js';
import { createEngine } from '../../src/serve/router.js';
import { openStore, pragmaValue, type OpenedStore } from '../../src/serve/store/open.js';
import { tempDir } from '../helpers/output.js';
import { fhir } from './helpers.js';

/** An Observation of about 1 KB more than `pad` characters. */
function observation(id: string, pad: number): Observation {
  return { resourceType: 'Observation', id, status: 'final', code: { text: 'x'.repeat(pad) }, subject: { reference: 'Patient/p1' } };
}

describe('SQLite store: a full disk during a write', () => {
  let store: OpenedStore;
  let url: string;
  let close: () => Promise<void>;
  let cleanup: () => void;

  beforeAll(async () => {
    const t = tempDir('fhirseed-store-full-');
    cleanup = t.cleanup;
    const { router } = createEngine();
    store = openStore(undefined, [], { file: `${t.dir}/store.sqlite` });
    await store.repo.preload({ resourceType: 'Patient', id: 'p1', gender: 'female' });
    for (let i = 0; i < 5; i++) await store.repo.preload(observation(`o${i}`, 100));
    store.markLoaded();
    // A few pages to spare: small writes fit, a 200 KB one does not.
    store.repo.db.pragma(`max_page_count = ${Number(pragmaValue(store.repo.db, 'page_count')) + 8}`);
    const handler = createHandler({ router, repo: store.repo, auth: new SandboxAuth({ mode: 'none' }), capability: () => ({ resourceType: 'CapabilityStatement' }) as Resource });
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(async () => {
    await close?.();
    store?.close();
    cleanup?.();
  });

  const fullOutcome = {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'exception', details: { text: expect.stringMatching(/^the sandbox store is full \(SQLITE_FULL: database or disk is full\); nothing of this write was stored$/) } }],
  };

  it('should fail a transaction with a 500 OperationOutcome, store none of its entries, and go on serving', async () => {
    const before = store.repo.count();
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: observation('small', 10), request: { method: 'PUT', url: 'Observation/small' } },
        { resource: { resourceType: 'Patient', id: 'p1', gender: 'male' }, request: { method: 'PUT', url: 'Patient/p1' } },
        ...Array.from({ length: 4 }, (_, i) => ({ resource: observation(`big${i}`, 50_000), request: { method: 'PUT' as const, url: `Observation/big${i}` } })),
      ],
    };
    const reply = await fhir(url, { method: 'POST', body: bundle });
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual(fullOutcome);
    expect(store.repo.count()).toBe(before);
    expect((await fhir(`${url}/Observation/small`)).status).toBe(404);
    expect((await fhir(`${url}/Patient/p1`)).body.gender).toBe('female');
    expect((await fhir(`${url}/Patient/p1/_history`)).body.entry).toHaveLength(1);
    expect(pragmaValue(store.repo.db, 'integrity_check')).toBe('ok');
    expect((await fhir(`${url}/Observation?patient=p1`)).body.total).toBe(5);
  });

  it('should fail a single create and update the same way, keep the stored version, and take small writes after', async () => {
    const reply = await fhir(`${url}/Observation/o1`, { method: 'PUT', body: observation('o1', 200_000) });
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual(fullOutcome);
    expect((await fhir(`${url}/Observation/o1`)).body.code.text).toHaveLength(100);
    expect((await fhir(`${url}/Observation`, { method: 'POST', body: observation('ignored', 200_000) })).body).toEqual(fullOutcome);
    expect(store.repo.count()).toBe(6);
    expect(pragmaValue(store.repo.db, 'integrity_check')).toBe('ok');
    const small = await fhir(`${url}/Observation/o9`, { method: 'PUT', body: observation('o9', 10) });
    expect(small.status).toBe(201);
    expect((await fhir(`${url}/Observation?patient=Patient/p1&_count=100`)).body.total).toBe(6);
  });

  it('should store nothing of an NDJSON batch whose loader goes on after the failed line (SQLite ended the transaction)', async () => {
    const before = store.repo.count();
    const lines = ['s1', 's2', 'huge', 's3', 's4'].map((id) => JSON.stringify(observation(`batch-${id}`, id === 'huge' ? 200_000 : 10)));
    const result = { loaded: 0, errors: [] as string[] };
    await expect(loadNdjsonLines((async function* () { yield* lines; })(), 'import.ndjson', store.repo, result)).rejects.toThrow(/^the sandbox store is full \(SQLITE_FULL/);
    expect(result.errors[0]).toMatch(/^import\.ndjson:3: 500 the sandbox store is full/);
    expect(store.repo.count()).toBe(before);
    for (const id of ['s1', 's2', 's3', 's4']) expect(store.repo.has('Observation', `batch-${id}`)).toBe(false);
    expect(pragmaValue(store.repo.db, 'integrity_check')).toBe('ok');
    expect((await fhir(`${url}/Observation/o0`)).status).toBe(200);
  });

  it('should store nothing of an NDJSON batch of the first build that does not fit, and go on building', async () => {
    const t = tempDir('fhirseed-store-full-build-');
    const building = openStore(undefined, [], { file: `${t.dir}/store.sqlite` });
    try {
      building.repo.db.pragma(`max_page_count = ${Number(pragmaValue(building.repo.db, 'page_count')) + 8}`);
      const lines = ['b1', 'b2', 'huge', 'b3'].map((id) => JSON.stringify(observation(id, id === 'huge' ? 200_000 : 10)));
      const result = { loaded: 0, errors: [] as string[] };
      await expect(loadNdjsonLines((async function* () { yield* lines; })(), 'first.ndjson', building.repo, result)).rejects.toThrow(/^the sandbox store is full \(SQLITE_FULL/);
      expect(result.errors[0]).toMatch(/^first\.ndjson:3: 500 the sandbox store is full/);
      expect(building.repo.count()).toBe(0);
      await loadNdjsonLines((async function* () { yield JSON.stringify(observation('fits', 10)); })(), 'next.ndjson', building.repo, result);
      building.markLoaded();
      expect(building.repo.count()).toBe(1);
      expect([...building.repo.candidates('Observation', { patient: 'Patient/p1' })].map((r) => r.id)).toEqual(['fits']);
      expect(pragmaValue(building.repo.db, 'integrity_check')).toBe('ok');
    } finally {
      building.close();
      t.cleanup();
    }
  });
});
