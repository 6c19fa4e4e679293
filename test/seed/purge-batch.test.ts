import type { Bundle, Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purge, type PurgeReport } from '../../src/seed/purge.js';
import { startTestServer, type TestServer } from '../helpers/fhir-server.js';
import { testConnection, uniqueRunId } from './helpers/data.js';
import { startFaultProxy } from './helpers/fault-proxy.js';
import { existsOn, putResources } from './helpers/server-resources.js';
import { population, purgeRecorded, recordingServerWith, tag } from './helpers/purge-population.js';
import { startRecordingServer, type RecordingServer, type RecordingServerOptions } from './helpers/recording-fhir.js';

/**
 * purge's re-reads and deletes in `batch` Bundles (src/seed/purge-batch.ts): against the embedded sandbox (which
 * takes them, honours each DELETE entry's ifMatch and commits a batch once), and against a recording server for the
 * fallback to one request each (a statement without `batch`, a batch refused), entry-level retries, a bundle too
 * large, and a property: batch and one-by-one purges of the same server give the same report and leave the same.
 */

const run = 'run-1';
describe('purge in batches against the embedded sandbox', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const put = (resources: Resource[]) => putResources(server.url, resources);
  const exists = (r: Resource) => existsOn(server.url, r);

  it('should re-read and delete a page at a time in batch Bundles, each DELETE at the version read, and leave another run alone', async () => {
    const run = uniqueRunId('batch');
    const resources = population(run);
    const other = population(`${run}-other`).map((r) => ({ ...r, id: `x${r.id}` }));
    await put([...resources, ...other]);
    const { report, requests } = await purgeRecorded(server.url, run);
    expect(report).toMatchObject({ deleted: 7, untagged: 0, failed: [], remaining: [] });
    for (const r of resources) expect(await exists(r)).toBe(false);
    for (const r of other) expect(await exists(r)).toBe(true);
    // No resource was read or deleted on its own but the lone Organization (a batch of one is sent as the request itself).
    const organization = resources[0]!.id;
    expect(requests.filter((r) => r.method === 'DELETE' || (r.method === 'GET' && /^\/[A-Za-z]+\/[^?]+$/.test(r.url))).map((r) => `${r.method} ${r.url}`)).toEqual([`GET /Organization/${organization}`, `DELETE /Organization/${organization}`]);
    const posted = requests.filter((r) => r.method === 'POST' && r.url === '/').map((r) => r.body as Bundle);
    expect(posted.every((b) => b.type === 'batch')).toBe(true);
    // The plan's and the final check's counts are batches of searches (purge-counts.test.ts): here, the re-reads and deletes.
    const batches = posted.filter((b) => b.entry?.every((e) => !e.request?.url.includes('?')));
    const deletes = batches.flatMap((b) => b.entry ?? []).filter((e) => e.request?.method === 'DELETE');
    // Referrers first, each If-Match'd with the ETag of the version the re-read found.
    expect(deletes.map((e) => e.request!.url.split('/')[0])).toEqual(['Coverage', 'Coverage', 'Coverage', 'Patient', 'Patient', 'Patient']);
    expect(deletes.every((e) => /^W\/"[^"]+"$/.test(e.request!.ifMatch ?? ''))).toBe(true);
    // One batch of re-reads and one of deletes per type of more than one resource.
    expect(batches).toHaveLength(4);
    await purge({ ...testConnection(server.url), runId: `${run}-other`, allFhirseed: false, dryRun: false });
  });

  it('should not delete what changed since it was read: the sandbox answers the stale If-Match entries 412', async () => {
    const run = uniqueRunId('stale');
    const resources = population(run, 2);
    await put(resources);
    const byKey = new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, r]));
    const changed = (r: Resource) => ({ ...r, meta: { ...tag(run).meta, versionId: 'changed' } });
    // Every re-read, in a batch or alone, is answered here with another version than the stored one (as if each changed since).
    const proxy = await startFaultProxy(server.url, (_n, req, body) => {
      const read = req.method === 'GET' ? byKey.get(req.url!.slice(1)) : undefined;
      if (read) return { kind: 'status', status: 200, body: changed(read), headers: { etag: 'W/"changed"' } };
      const bundle = body as Bundle | undefined;
      if (req.method !== 'POST' || !bundle?.entry?.every((e) => e.request?.method === 'GET' && !e.request.url.includes('?'))) return { kind: 'pass' };
      const entry = bundle.entry.map((e) => ({ resource: changed(byKey.get(e.request!.url)!), response: { status: '200 OK' } }));
      return { kind: 'status', status: 200, body: { resourceType: 'Bundle', type: 'batch-response', entry } };
    });
    let report: PurgeReport;
    try {
      report = await purge({ ...testConnection(proxy.url), runId: run, allFhirseed: false, dryRun: false });
    } finally {
      await proxy.close();
    }
    expect(report.deleted).toBe(0);
    expect(report.failed.map((f) => `${f.type}/${f.id}`).sort()).toEqual([...byKey.keys()].sort());
    expect(report.failed.every((f) => /^HTTP 412: If-Match W\/"changed": /.test(f.reason))).toBe(true);
    for (const r of resources) expect(await exists(r)).toBe(true);
    const clean = await purge({ ...testConnection(server.url), runId: run, allFhirseed: false, dryRun: false });
    expect(clean).toMatchObject({ deleted: 5, failed: [], remaining: [] });
  });
});

describe('purge in batches against a recording server', () => {
  const servers: RecordingServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });
  const serverWith = (options: Omit<RecordingServerOptions, 'types'>, resources: Resource[]) => recordingServerWith(servers, ['Organization', 'Patient', 'Coverage'], options, resources);
  const purgeRun = (s: RecordingServer) => purge({ ...testConnection(s.url), runId: run, allFhirseed: false, dryRun: false });
  const singles = (s: RecordingServer) => s.log.filter((l) => /^(GET|DELETE) /.test(l));

  it('should send one request per resource, with If-Match, to a server whose statement lists interactions but not batch', async () => {
    const s = await serverWith({ statement: 'absent', batch: 'answer' }, population(run));
    const report = await purgeRun(s);
    expect(report).toMatchObject({ deleted: 7, failed: [], remaining: [] });
    expect(s.log.filter((l) => l.startsWith('BATCH'))).toEqual([]);
    expect(singles(s).filter((l) => l.startsWith('DELETE'))).toHaveLength(7);
    expect(s.store.size).toBe(0);
  });

  it('should fall back to one request per resource after the first batch is refused, and not try batches again', async () => {
    for (const refusal of [405, 400]) {
      const s = await serverWith({ statement: 'undeclared', batch: refusal }, population(run));
      const lines: string[] = [];
      const report = await purge({ ...testConnection(s.url, { log: (l) => lines.push(l) }), runId: run, allFhirseed: false, dryRun: false });
      expect(report).toMatchObject({ deleted: 7, failed: [], remaining: [] });
      expect(s.log.filter((l) => l.startsWith('BATCH'))).toEqual(['BATCH 3']);
      expect(singles(s)).toHaveLength(14);
      expect(lines).toContain(`purge: the server did not answer a batch (HTTP ${refusal}): one request per resource`);
    }
  });

  it('should send again, in a later round, the entries answered 429 or 503 inside a batch-response', async () => {
    let refusals = 0;
    const options: Omit<RecordingServerOptions, 'types'> = {
      statement: 'declared',
      batch: 'answer',
      override: (method, key) => (method === 'DELETE' && key === 'Coverage/c1-run-1' && refusals++ < 2 ? { status: refusals === 1 ? 429 : 503 } : undefined),
    };
    const s = await serverWith(options, population(run));
    const report = await purgeRun(s);
    expect(report).toMatchObject({ deleted: 7, failed: [], remaining: [] });
    expect(refusals).toBe(3);
    // The Coverage batches of 3 (re-reads, deletes), then that one entry again, alone (its 503 retried by the client).
    expect(s.log.filter((l) => l.startsWith('BATCH')).slice(0, 2)).toEqual(['BATCH 3', 'BATCH 3']);
    expect(singles(s).filter((l) => l.includes('Coverage'))).toEqual(['DELETE Coverage/c1-run-1', 'DELETE Coverage/c1-run-1']);
    expect(s.batchEntries.filter((e) => e.method === 'DELETE').map((e) => e.url)).toContain('Coverage/c1-run-1');
  });

  it('should report an entry still refused after the rounds, and a 409 tried again in a later pass', async () => {
    let conflicts = 0;
    const s = await serverWith(
      {
        statement: 'declared',
        batch: 'answer',
        override: (method, key) => {
          if (method === 'DELETE' && key.startsWith('Organization/') && conflicts++ === 0) return { status: 409, diagnostics: 'still referenced' };
          return method === 'DELETE' && key.startsWith('Patient/p0') ? { status: 503, diagnostics: 'busy' } : undefined;
        },
      },
      population(run),
    );
    const report = await purge({ ...testConnection(s.url, { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 2 } }), runId: run, allFhirseed: false, dryRun: false });
    expect(conflicts).toBe(2);
    expect(report.failed).toEqual([{ type: 'Patient', id: 'p0-run-1', reason: 'HTTP 503: busy' }]);
    expect(report.deleted).toBe(6);
    expect(report.remaining).toEqual([{ type: 'Patient', count: 1 }]);
  });

  it('should split batches to the limit a server names when it refuses one as too large, and keep it', async () => {
    const s = await serverWith({ statement: 'declared', batch: 'answer', maxEntries: 2 }, population(run, 5));
    const report = await purgeRun(s);
    expect(report).toMatchObject({ deleted: 11, failed: [], remaining: [] });
    const sizes = s.log.filter((l) => l.startsWith('BATCH')).map((l) => Number(l.split(' ')[1]));
    // The first batch (the plan's 3 counts) refused, then pieces of at most 2; single-entry pieces go alone.
    expect(sizes[0]).toBe(3);
    expect(sizes.slice(1).every((n) => n <= 2)).toBe(true);
    expect(s.log.filter((l) => l.startsWith('BATCH') && Number(l.split(' ')[1]) > 2)).toHaveLength(1);
  });

  it('should take the version from the resource when a batch-response entry carries no etag, and leave an entry read without a resource', async () => {
    const s = await serverWith(
      { statement: 'declared', batch: 'answer', override: (method, key, inBatch) => (method === 'GET' && inBatch && key === 'Patient/p1-run-1' ? { status: 200 } : undefined) },
      population(run, 2),
    );
    s.store.get('Coverage/c1-run-1')!.meta!.versionId = '7';
    const report = await purgeRun(s);
    expect(report).toMatchObject({ deleted: 4, untagged: 1, failed: [] });
    expect(s.batchEntries.filter((e) => e.method === 'DELETE').map((e) => `${e.url} ${e.ifMatch}`)).toEqual(['Coverage/c0-run-1 W/"1"', 'Coverage/c1-run-1 W/"7"']);
    expect([...s.store.keys()]).toEqual(['Patient/p1-run-1']);
  });
});

describe('purge: batches and single requests agree (property)', () => {
  const GET_FAULTS = [undefined, undefined, 403, 404, 410] as const;
  const DELETE_FAULTS = [undefined, undefined, undefined, 404, 409, 410, 412, 422, 500] as const;
  const item = fc.record({
    type: fc.constantFrom('Patient', 'Coverage'),
    tagged: fc.boolean(),
    read: fc.constantFrom(...GET_FAULTS),
    del: fc.constantFrom(...DELETE_FAULTS),
  });

  it('should give the same report and leave the same resources whether it batches or not', async () => {
    const options: RecordingServerOptions[] = [
      { types: ['Patient', 'Coverage'], statement: 'declared', batch: 'answer', ignoresTag: true },
      { types: ['Patient', 'Coverage'], statement: 'absent', batch: 'answer', ignoresTag: true },
    ];
    const servers = await Promise.all(options.map((o) => startRecordingServer(o)));
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 12 }), async (items) => {
          const faults = new Map(items.map((it, n) => [`${it.type}/r${n}`, it]));
          const outcomes: { report: PurgeReport; left: string[] }[] = [];
          for (const [k, s] of servers.entries()) {
            s.store.clear();
            s.log.length = 0;
            items.forEach((it, n) => s.store.set(`${it.type}/r${n}`, { resourceType: it.type, id: `r${n}`, meta: { versionId: '1', ...(it.tagged ? { tag: tag(run).meta.tag } : {}) } } as Resource));
            options[k]!.override = (method, key) => {
              const fault = faults.get(key);
              const status = method === 'GET' ? fault?.read : fault?.del;
              return status === undefined ? undefined : { status, diagnostics: `${method} ${key} refused` };
            };
            const report = await purge({ ...testConnection(s.url), runId: run, allFhirseed: false, dryRun: false });
            outcomes.push({ report: { ...report, failed: [...report.failed].sort((a, b) => (a.id < b.id ? -1 : 1)) }, left: [...s.store.keys()].sort() });
          }
          expect(servers[1]!.log.filter((l) => l.startsWith('BATCH'))).toEqual([]);
          expect(outcomes[0]).toEqual(outcomes[1]);
        }),
        { numRuns: 40 },
      );
    } finally {
      for (const s of servers) await s.close();
    }
  });
});
