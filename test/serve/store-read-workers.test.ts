// Searches and reads answered by the SQLite store's read workers (src/serve/store/read-pool.ts, read-worker.ts, issue
// 17): the same answers as the server thread gives on the same store, a read after a committed write sees it (WAL and
// each worker's cache dropped when another connection wrote), and closing leaves the store folded into one file.
// One generated member; each server starts its worker (R4 definitions indexed in the worker: 1-3 s of CPU), so this
// file takes over 10 s on a busy machine.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Patient, Resource } from '@medplum/fhirtypes';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { ReadPool } from '../../src/serve/store/read-pool.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { fhir } from './helpers.js';

let out: { dir: string; cleanup: () => void };
let patient = '';

beforeAll(() => {
  out = tempDir('fhirseed-read-workers-');
  generateTo(out.dir, { ...shippedProfile('default'), members: 1 }, { formats: ['ndjson'] });
  patient = (JSON.parse(readFileSync(join(out.dir, 'ndjson', 'Patient.ndjson'), 'utf8').split('\n')[0]!) as Patient).id!;
}, 120_000);
afterAll(() => out.cleanup());

async function serve(readWorkers: number): Promise<RunningServer> {
  const server = await startServer({ port: 0, dir: out.dir, store: 'sqlite', packagesDir: SHARED_PACKAGES, readWorkers });
  expect(await server.readWorkers).toBe(readWorkers);
  return server;
}

/** The kit's requests and a few more of each kind the workers take (compartment, POST _search, errors, 404, paging). */
function requests(p: string): { path: string; method?: string; form?: string; ifNoneMatch?: boolean }[] {
  return [
    { path: `Patient/${p}` },
    { path: `Patient/${p}`, ifNoneMatch: true },
    { path: `Patient?_id=${p}` },
    { path: `ExplanationOfBenefit?patient=${p}` },
    { path: `ExplanationOfBenefit?patient=${p}&_include=ExplanationOfBenefit:*` },
    { path: `ExplanationOfBenefit?patient=${p}&service-date=ge2020-01-01&_count=2&_offset=1` },
    { path: `Coverage?patient=${p}&_revinclude=ExplanationOfBenefit:coverage` },
    { path: `Observation?patient=${p}&category=laboratory` },
    { path: `Condition?patient=${p}&_sort=-recorded-date` },
    { path: `Encounter?patient=${p}&_summary=count` },
    { path: `MedicationRequest?patient=${p}&intent=order` },
    { path: `Patient/${p}/ExplanationOfBenefit?_count=3` },
    { path: 'Practitioner?_count=5' },
    { path: 'ExplanationOfBenefit/_search', method: 'POST', form: `patient=${p}&_count=4` },
    { path: 'Observation?nonsense=1' },
    { path: 'Observation/no-such-id' },
    { path: 'Bundle?_count=1' },
    // Types the store does not hold: a worker indexes their definitions only when asked (read-worker.ts).
    { path: `Claim?patient=${p}` },
    { path: 'Account?_count=1&_sort=-name' },
    { path: `Patient/${p}/DeviceRequest` },
    { path: `Patient?_id=${p}&_revinclude=AuditEvent:patient&_revinclude=ExplanationOfBenefit:patient&_count=1` },
  ];
}

async function answers(server: RunningServer, p: string): Promise<unknown[]> {
  const found: unknown[] = [];
  for (const r of requests(p)) {
    const headers: Record<string, string> = { accept: 'application/fhir+json' };
    if (r.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (r.ifNoneMatch) headers['if-none-match'] = (await fetch(`${server.url}/${r.path}`)).headers.get('etag') ?? '';
    const res = await fetch(`${server.url}/${r.path}`, { method: r.method ?? 'GET', headers, body: r.form });
    const text = await res.text();
    const keep = ['content-type', 'etag', 'last-modified'].map((h) => [h, res.headers.get(h)]);
    // The base URL names the server's port: the same answer from two servers differs there only.
    found.push({ request: r.path, status: res.status, headers: keep, body: text.replaceAll(server.url, 'BASE') });
  }
  return found;
}

describe('serve: the SQLite store read workers', () => {
  it('should answer searches and reads as the server thread does on the same store', async () => {
    const here = await serve(0);
    const expected = await answers(here, patient);
    await here.close();
    const workers = await serve(1);
    try {
      expect(await answers(workers, patient)).toEqual(expected);
    } finally {
      await workers.close();
    }
  }, 120_000);

  it('should show a write committed before the read (also what the worker read before it), and close to one file', async () => {
    const server = await serve(2);
    const store = join(out.dir, 'sandbox-store', 'store.sqlite');
    try {
      const url = `${server.url}/Patient/${patient}`;
      // Both workers read (and keep) the current version first.
      for (let i = 0; i < 4; i++) expect((await fhir<Patient>(url)).body.id).toBe(patient);
      const before = (await fhir<Patient>(url)).body;
      const changed = { ...before, gender: before.gender === 'other' ? 'unknown' : 'other' } as Patient;
      delete changed.meta;
      expect((await fhir(url, { method: 'PUT', body: changed })).status).toBe(200);
      for (let i = 0; i < 4; i++) {
        expect((await fhir<Patient>(url)).body.gender).toBe(changed.gender);
        const found = (await fhir<Bundle<Patient>>(`${server.url}/Patient?_id=${patient}`)).body;
        expect(found.entry![0]!.resource!.gender).toBe(changed.gender);
        expect((await fhir<Bundle>(`${server.url}/Patient?gender=${changed.gender}`)).body.entry?.map((e) => e.resource!.id)).toContain(patient);
      }
      const observation = (await fhir<Bundle<Resource>>(`${server.url}/Observation?patient=${patient}&_count=1`)).body.entry![0]!.resource!;
      expect((await fhir(`${server.url}/Observation/${observation.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
      for (let i = 0; i < 4; i++) {
        expect((await fhir(`${server.url}/Observation/${observation.id}`)).status).not.toBe(200);
        expect((await fhir<Bundle>(`${server.url}/Observation?_id=${observation.id}`)).body.total).toBe(0);
      }
    } finally {
      await server.close();
    }
    expect(existsSync(`${store}-wal`)).toBe(false);
    expect(existsSync(`${store}-shm`)).toBe(false);
  }, 120_000);

  it('should fall back (no worker ready) and still close when a worker failed at its start', async () => {
    // No such store file: the worker's read-only open fails, and the worker stops before close() is called.
    const pool = new ReadPool(join(out.dir, 'no-such-store.sqlite'), [], 1);
    expect(await pool.started).toBe(0);
    expect(pool.run({ kind: 'read', type: 'Patient', resourceId: patient })).toBeUndefined();
    await pool.close();
  }, 60_000);
});
