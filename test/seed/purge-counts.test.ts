import type { Bundle, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purge, type PurgeRow } from '../../src/seed/purge.js';
import { startTestServer, type TestServer } from '../helpers/fhir-server.js';
import { testConnection, uniqueRunId } from './helpers/data.js';
import { putResources } from './helpers/server-resources.js';
import { population, purgeRecorded, recordingServerWith } from './helpers/purge-population.js';
import type { RecordingServer, RecordingServerOptions } from './helpers/recording-fhir.js';

/**
 * purge's per-type counts (the plan, and the final "remaining" check) go as `GET Type?_tag=…&_summary=count` entries
 * of `batch` Bundles where the server takes batches, one request each where it does not, and one request each for a
 * type whose batch answer has no total: the plan and the report are the same whichever way they were counted.
 */

const countEntry = /^([A-Za-z]+)\?_tag=[^&]+&_summary=count$/;

describe('purge counts against a recording server', () => {
  const run = 'run-1';
  const servers: RecordingServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });
  const serverWith = (options: Omit<RecordingServerOptions, 'types'>, resources: Resource[]) => recordingServerWith(servers, ['Organization', 'Patient', 'Coverage', 'Account'], options, resources);
  const counted = (s: RecordingServer) => s.log.filter((l) => l.endsWith(' count'));
  const batchCounts = (s: RecordingServer) => s.batchEntries.filter((e) => e.method === 'GET' && countEntry.test(e.url)).map((e) => countEntry.exec(e.url)![1]);
  const plan: PurgeRow[] = [
    { type: 'Coverage', count: 3 },
    { type: 'Patient', count: 3 },
    { type: 'Organization', count: 1 },
  ];

  it('should count every type in one batch for the plan and the plan types in one for the check, none alone', async () => {
    const s = await serverWith({ statement: 'declared', batch: 'answer' }, population(run));
    let told: PurgeRow[] | undefined;
    const report = await purge({ ...testConnection(s.url), runId: run, allFhirseed: false, dryRun: false, onPlan: (p) => (told = p) });
    expect(told).toEqual(plan);
    expect(report).toMatchObject({ plan, deleted: 7, failed: [], remaining: [] });
    expect(counted(s)).toEqual([]);
    // The plan: every searchable type in deletion order; the check: the plan's types.
    expect(batchCounts(s)).toEqual(['Account', 'Coverage', 'Patient', 'Organization', 'Coverage', 'Patient', 'Organization']);
  });

  it('should report what is left, counted in a batch', async () => {
    const s = await serverWith({ statement: 'declared', batch: 'answer', override: (method, key) => (method === 'DELETE' && key.startsWith('Patient/p1') ? { status: 422, diagnostics: 'kept' } : undefined) }, population(run));
    const report = await purge({ ...testConnection(s.url), runId: run, allFhirseed: false, dryRun: false });
    expect(report.remaining).toEqual([{ type: 'Patient', count: 1 }]);
    expect(counted(s)).toEqual([]);
  });

  it('should give the same plan and report from a server without batch, counting one type a request', async () => {
    const s = await serverWith({ statement: 'absent', batch: 'answer' }, population(run));
    const report = await purge({ ...testConnection(s.url), runId: run, allFhirseed: false, dryRun: false });
    expect(report).toMatchObject({ plan, deleted: 7, failed: [], remaining: [] });
    expect(s.log.filter((l) => l.startsWith('BATCH'))).toEqual([]);
    expect(counted(s).sort()).toEqual(['Account', 'Coverage', 'Coverage', 'Organization', 'Organization', 'Patient', 'Patient'].map((t) => `SEARCH ${t} count`));
  });

  it('should count alone each type whose batch entry was refused, and still plan and check the same', async () => {
    const s = await serverWith({ statement: 'declared', batch: 'answer', batchSearch: 400 }, population(run));
    const report = await purge({ ...testConnection(s.url), runId: run, allFhirseed: false, dryRun: false });
    expect(report).toMatchObject({ plan, deleted: 7, failed: [], remaining: [] });
    expect(batchCounts(s)).toHaveLength(7);
    expect(counted(s)).toHaveLength(7);
    // Reads and deletes still went in batches: a refused search entry is not a refused batch.
    expect(s.batchEntries.some((e) => e.method === 'DELETE')).toBe(true);
  });

  it('should plan with --dry-run from one batch and delete nothing', async () => {
    const s = await serverWith({ statement: 'declared', batch: 'answer' }, population(run));
    const report = await purge({ ...testConnection(s.url), runId: run, allFhirseed: false, dryRun: true });
    expect(report.plan).toEqual(plan);
    expect(s.log.filter((l) => l.startsWith('BATCH'))).toEqual(['BATCH 4']);
    expect(s.store.size).toBe(7);
  });
});

describe('purge counts against the embedded sandbox', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('should send no count search alone: the plan and the check are batch entries, answered with their totals', async () => {
    const run = uniqueRunId('counts');
    const resources = population(run);
    await putResources(server.url, resources);
    const { report, requests } = await purgeRecorded(server.url, run);
    expect(report).toMatchObject({ plan: [{ type: 'Coverage', count: 3 }, { type: 'Patient', count: 3 }, { type: 'Organization', count: 1 }], deleted: 7, failed: [], remaining: [] });
    expect(requests.filter((r) => r.method === 'GET' && r.url.includes('_summary=count'))).toEqual([]);
    const counts = requests
      .filter((r) => r.method === 'POST' && r.url === '/')
      .flatMap((r) => (r.body as Bundle).entry ?? [])
      .filter((e) => countEntry.test(e.request?.url ?? ''));
    // Every type the sandbox can search, then the 3 planned ones again.
    expect(counts.length).toBeGreaterThan(100);
    expect(counts.slice(-3).map((e) => countEntry.exec(e.request!.url)![1])).toEqual(['Coverage', 'Patient', 'Organization']);
  });
});
