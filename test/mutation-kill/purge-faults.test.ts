import type { IncomingMessage } from 'node:http';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FHIRSEED_RUN_TAG_SYSTEM } from '../../src/fhir/context.js';
import { connect } from '../../src/seed/connect.js';
import { purge, PURGE_CLI_NAMES, type PurgeRow } from '../../src/seed/purge.js';
import { UserError } from '../../src/util/errors.js';
import { startTestServer, type TestServer } from '../helpers/fhir-server.js';
import { testConnection, uniqueRunId } from '../seed/helpers/data.js';
import { startFaultProxy, type Fault } from '../seed/helpers/fault-proxy.js';
import { existsOn, putResources } from '../seed/helpers/server-resources.js';

/** purge through a fault-injecting proxy: what it plans, what it reports, and what is left on the server. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

/** The run tag, after another one a server or a user may have added. */
const tag = (code: string) => ({ meta: { tag: [{ system: 'urn:example:workflow', code: 'reviewed' }, { system: FHIRSEED_RUN_TAG_SYSTEM, code }] } });

const put = (resources: Resource[]) => putResources(server.url, resources);
const exists = (r: Resource) => existsOn(server.url, r);

/** A run's small population: an Organization, a Patient that points at it, and two Coverages pointing at both. */
function population(run: string): Resource[] {
  const s = run.slice(-10);
  return [
    { resourceType: 'Organization', id: `o-${s}`, name: 'Payer', ...tag(run) },
    { resourceType: 'Patient', id: `p-${s}`, managingOrganization: { reference: `Organization/o-${s}` }, ...tag(run) },
    ...[1, 2].map((n): Resource => ({
      resourceType: 'Coverage', id: `c${n}-${s}`, status: 'active', beneficiary: { reference: `Patient/p-${s}` }, payor: [{ reference: `Organization/o-${s}` }], ...tag(run),
    })),
  ];
}

/** The embedded server's statement without the batch interaction: purge then reads and deletes one resource per request. */
let oneByOne: unknown;
beforeAll(async () => {
  const { client } = connect(testConnection(server.url));
  try {
    const statement = (await client.send('GET', 'metadata')).body as { rest: { interaction?: { code: string }[] }[] };
    oneByOne = { ...statement, rest: statement.rest.map((r) => ({ ...r, interaction: (r.interaction ?? []).filter((i) => i.code !== 'batch') })) };
  } finally {
    await client.close();
  }
});

/** purge through a proxy that injects `decide`'s faults into single requests: the server is shown without batch (unless `decide` answers /metadata). */
async function through(decide: (req: IncomingMessage) => Fault, run: (url: string) => Promise<void>): Promise<IncomingMessage[]> {
  const seen: IncomingMessage[] = [];
  const proxy = await startFaultProxy(server.url, (_n, req) => {
    seen.push(req);
    const fault = decide(req);
    return req.url!.startsWith('/metadata') && fault.kind === 'pass' ? { kind: 'status', status: 200, body: oneByOne } : fault;
  });
  try {
    await run(proxy.url);
  } finally {
    await proxy.close();
  }
  return seen;
}

describe('purge', () => {
  it('should plan by type in deletion order, delete nothing on a dry run, then delete all with If-Match and report progress', async () => {
    const run = uniqueRunId('plan');
    const resources = population(run);
    // Another run on the same server: neither planned nor deleted.
    const other = population(`${run}-other`).map((r) => ({ ...r, id: `x${r.id}` }));
    await put([...resources, ...other]);
    const plans: PurgeRow[][] = [];
    const dry = await purge({ ...testConnection(server.url), runId: run, allFhirseed: false, dryRun: true, onPlan: (p) => plans.push(p) });
    const expected = [{ type: 'Coverage', count: 2 }, { type: 'Patient', count: 1 }, { type: 'Organization', count: 1 }];
    expect(dry.plan).toEqual(expected);
    expect(plans).toEqual([expected]);
    expect(dry.deleted).toBe(0);
    for (const r of resources) expect(await exists(r)).toBe(true);

    const progress: [number, number][] = [];
    let report: Awaited<ReturnType<typeof purge>> | undefined;
    const requests = await through(
      () => ({ kind: 'pass' }),
      async (url) => {
        report = await purge({ ...testConnection(url), runId: run, allFhirseed: false, dryRun: false, onProgress: (done, total) => progress.push([done, total]) });
      },
    );
    expect(report).toMatchObject({ plan: expected, deleted: 4, untagged: 0, failed: [], remaining: [] });
    for (const r of resources) expect(await exists(r)).toBe(false);
    expect(progress.at(-1)).toEqual([4, 4]);
    expect(progress.every(([, total]) => total === 4)).toBe(true);
    const deletes = requests.filter((r) => r.method === 'DELETE');
    expect(deletes).toHaveLength(4);
    expect(deletes.every((r) => typeof r.headers['if-match'] === 'string' && r.headers['if-match'].length > 0)).toBe(true);
    // Referrers went first: the Coverages before the Patient, the Patient before the Organization.
    expect(deletes.map((r) => r.url!.split('/')[1]!.split('?')[0])).toEqual(['Coverage', 'Coverage', 'Patient', 'Organization']);
    for (const r of other) expect(await exists(r)).toBe(true);
    const all = await purge({ ...testConnection(server.url), allFhirseed: true, dryRun: true });
    // --all-fhirseed plans every run's resources: here at least the other run's.
    for (const row of expected) expect(all.plan.find((p) => p.type === row.type)?.count, row.type).toBeGreaterThanOrEqual(row.count);
    await purge({ ...testConnection(server.url), runId: `${run}-other`, allFhirseed: false, dryRun: false });
    for (const r of other) expect(await exists(r)).toBe(false);
  });

  it('should try a 409 (still referenced) again in a later pass', async () => {
    const run = uniqueRunId('409');
    const resources = population(run);
    await put(resources);
    let refusals = 0;
    let report: Awaited<ReturnType<typeof purge>> | undefined;
    await through(
      (req) => {
        if (req.method === 'DELETE' && req.url!.includes('/Organization/') && refusals++ === 0) {
          return { kind: 'status', status: 409, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'still referenced' }] } };
        }
        return { kind: 'pass' };
      },
      async (url) => {
        report = await purge({ ...testConnection(url), runId: run, allFhirseed: false, dryRun: false });
      },
    );
    expect(refusals).toBe(2);
    expect(report).toMatchObject({ deleted: 4, failed: [], remaining: [] });
    for (const r of resources) expect(await exists(r)).toBe(false);
  });

  it('should count a resource gone (404, 410) when re-read as deleted', async () => {
    const run = uniqueRunId('gone');
    const resources = population(run);
    await put(resources);
    let report: Awaited<ReturnType<typeof purge>> | undefined;
    await through(
      (req) => {
        if (req.method === 'GET' && req.url!.startsWith('/Coverage/c2-')) return { kind: 'status', status: 410 };
        if (req.method === 'GET' && req.url!.startsWith('/Coverage/c1-')) return { kind: 'status', status: 404 };
        return { kind: 'pass' };
      },
      async (url) => {
        report = await purge({ ...testConnection(url), runId: run, allFhirseed: false, dryRun: false });
      },
    );
    expect(report).toMatchObject({ deleted: 4, failed: [] });
    // The proxy answered for the server: both Coverages are still there, and reported as remaining.
    expect(report!.remaining).toEqual([{ type: 'Coverage', count: 2 }]);
    await purge({ ...testConnection(server.url), runId: run, allFhirseed: false, dryRun: false });
  });

  it('should report a resource whose DELETE keeps failing, with the reason, and count it as remaining', async () => {
    const run = uniqueRunId('fail');
    const resources = population(run);
    await put(resources);
    let report: Awaited<ReturnType<typeof purge>> | undefined;
    await through(
      (req) =>
        req.method === 'DELETE' && req.url!.includes('/Patient/')
          ? { kind: 'status', status: 422, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'business-rule', diagnostics: 'patients are kept' }] } }
          : { kind: 'pass' },
      async (url) => {
        report = await purge({ ...testConnection(url), runId: run, allFhirseed: false, dryRun: false });
      },
    );
    const patient = resources[1]!;
    expect(report!.failed).toEqual([{ type: 'Patient', id: patient.id, reason: expect.stringMatching(/422.*patients are kept|patients are kept.*422/) }]);
    expect(report!.deleted).toBe(3);
    expect(report!.remaining).toEqual([{ type: 'Patient', count: 1 }]);
    expect(await exists(patient)).toBe(true);
    await purge({ ...testConnection(server.url), runId: run, allFhirseed: false, dryRun: false });
  });

  it('should report a failed re-read with its reason and leave the resource', async () => {
    const run = uniqueRunId('read');
    const resources = population(run);
    await put(resources);
    let report: Awaited<ReturnType<typeof purge>> | undefined;
    await through(
      (req) => (req.method === 'GET' && /^\/Organization\/o-/.test(req.url!) ? { kind: 'status', status: 403 } : { kind: 'pass' }),
      async (url) => {
        report = await purge({ ...testConnection(url), runId: run, allFhirseed: false, dryRun: false });
      },
    );
    expect(report!.failed).toEqual([{ type: 'Organization', id: resources[0]!.id, reason: expect.stringMatching(/^read: .*403/) }]);
    expect(await exists(resources[0]!)).toBe(true);
    await purge({ ...testConnection(server.url), runId: run, allFhirseed: false, dryRun: false });
  });

  it('should stop with exit 1 when the tag search fails, and when the server lists no searchable type', async () => {
    const run = uniqueRunId('search');
    await put(population(run));
    await through(
      (req) => (req.method === 'GET' && req.url!.includes('_elements=id') ? { kind: 'status', status: 400 } : { kind: 'pass' }),
      async (url) => {
        const error = await purge({ ...testConnection(url), runId: run, allFhirseed: false, dryRun: false }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UserError);
        expect((error as UserError).exitCode).toBe(1);
        expect((error as Error).message).toMatch(/^search Coverage by tag: .*400/);
      },
    );
    const empty = { resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], date: '2026-01-01', rest: [{ mode: 'server', resource: [{ type: 'Patient', interaction: [{ code: 'read' }] }] }] };
    await through(
      (req) => (req.url!.startsWith('/metadata') ? { kind: 'status', status: 200, body: empty } : { kind: 'pass' }),
      async (url) => {
        const error = await purge({ ...testConnection(url), runId: run, allFhirseed: false, dryRun: false }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UserError);
        expect((error as UserError).exitCode).toBe(1);
        expect((error as Error).message).toMatch(/metadata lists no searchable resource types/);
      },
    );
    await purge({ ...testConnection(server.url), runId: run, allFhirseed: false, dryRun: false });
  });

  it('should count 200, 202, 204, 404 and 410 answers to DELETE as deleted', async () => {
    const run = uniqueRunId('statuses');
    const resources = population(run);
    await put(resources);
    const answers = new Map([['Coverage/c1', 202], ['Coverage/c2', 204], ['Patient/p', 404], ['Organization/o', 410]]);
    let report: Awaited<ReturnType<typeof purge>> | undefined;
    await through(
      (req) => {
        const status = req.method === 'DELETE' ? answers.get(req.url!.slice(1).replace(/-[^/]*$/, '')) : undefined;
        return status ? { kind: 'status', status, body: status === 204 ? '' : { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational' }] } } : { kind: 'pass' };
      },
      async (url) => {
        report = await purge({ ...testConnection(url), runId: run, allFhirseed: false, dryRun: false });
      },
    );
    expect(report).toMatchObject({ deleted: 4, failed: [] });
    // The proxy answered for the server, which still holds all four.
    expect(report!.remaining).toEqual([{ type: 'Coverage', count: 2 }, { type: 'Patient', count: 1 }, { type: 'Organization', count: 1 }]);
    await purge({ ...testConnection(server.url), runId: run, allFhirseed: false, dryRun: false });
  });

  it('should delete only resources of the searched type with an id, whatever else the search page holds', async () => {
    const run = uniqueRunId('page');
    const resources = population(run);
    await put(resources);
    const patient = resources[1]!;
    let served = false;
    const odd = {
      resourceType: 'Bundle', type: 'searchset',
      entry: [
        { resource: { resourceType: 'OperationOutcome', id: 'warning-1', issue: [{ severity: 'warning', code: 'informational' }] }, search: { mode: 'outcome' } },
        { resource: { resourceType: 'Patient' }, search: { mode: 'match' } },
        { resource: { resourceType: 'Organization', id: resources[0]!.id }, search: { mode: 'include' } },
        { resource: { resourceType: 'Patient', id: patient.id }, search: { mode: 'match' } },
      ],
    };
    const requests = await through(
      (req) => {
        if (!served && req.method === 'GET' && req.url!.startsWith('/Patient?') && req.url!.includes('_elements=')) {
          served = true;
          return { kind: 'status', status: 200, body: odd };
        }
        return { kind: 'pass' };
      },
      async (url) => {
        await purge({ ...testConnection(url), runId: run, allFhirseed: false, dryRun: false });
      },
    );
    expect(served).toBe(true);
    // Only the one Patient match is re-read as a Patient: not the OperationOutcome, the id-less entry or the include.
    const patientReads = requests.filter((r) => r.method === 'GET' && r.url!.startsWith('/Patient/')).map((r) => r.url);
    expect(patientReads).toEqual([`/Patient/${patient.id}`]);
    for (const r of resources) expect(await exists(r)).toBe(false);
  });

  it('should search only the types the server statement says it can search', async () => {
    const run = uniqueRunId('caps');
    const resources = population(run);
    await put(resources);
    const statement = {
      resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], date: '2026-01-01',
      rest: [
        { mode: 'client', resource: [{ type: 'Organization' }] },
        { mode: 'server', resource: [{ type: 'Patient' }, { type: 'Coverage', interaction: [{ code: 'read' }, { code: 'search-type' }] }, { type: 'Organization', interaction: [{ code: 'read' }] }] },
      ],
    };
    let plan: PurgeRow[] = [];
    await through(
      (req) => (req.url!.startsWith('/metadata') ? { kind: 'status', status: 200, body: statement } : { kind: 'pass' }),
      async (url) => {
        plan = (await purge({ ...testConnection(url), runId: run, allFhirseed: false, dryRun: true })).plan;
      },
    );
    expect(plan).toEqual([{ type: 'Coverage', count: 2 }, { type: 'Patient', count: 1 }]);
    await purge({ ...testConnection(server.url), runId: run, allFhirseed: false, dryRun: false });
  });

  it('should refuse to start without a run or with both a run and --all-fhirseed, or a remote server without --production', async () => {
    const base = testConnection(server.url);
    await expect(purge({ ...base, allFhirseed: false, dryRun: true }, PURGE_CLI_NAMES)).rejects.toThrow(/purge needs --run ID or --all-fhirseed/);
    await expect(purge({ ...base, runId: 'x', allFhirseed: true, dryRun: true }, PURGE_CLI_NAMES)).rejects.toThrow(/not both/);
    await expect(purge({ ...testConnection('https://fhir.example.org/r4'), runId: 'x', allFhirseed: false, dryRun: true }, PURGE_CLI_NAMES)).rejects.toThrow(/^https:\/\/fhir.example.org\/r4 is not on this machine: purge it only with --production$/);
  });
});
