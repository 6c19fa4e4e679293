import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FHIRSEED_RUN_TAG_SYSTEM } from '../../src/fhir/context.js';
import { connect } from '../../src/seed/connect.js';
import { purge, type PurgeReport } from '../../src/seed/purge.js';
import { formatPurgeReport } from '../../src/seed/report.js';
import { UserError } from '../../src/util/errors.js';
import { startTestServer, type TestServer } from '../helpers/fhir-server.js';
import { testConnection, uniqueRunId } from '../seed/helpers/data.js';
import { startFaultProxy, type Fault } from '../seed/helpers/fault-proxy.js';

/**
 * purge at the edges a real server can reach (issue 19: no surviving mutant in src/seed/purge.ts): a page that
 * links on while empty, a resource refused at every pass, a count that fails afterwards, reads without a body or
 * without meta, statements without rest or type. The proxy's CapabilityStatement lists three types, so each
 * purge counts three types, not every type the embedded server has. Seven purges against the embedded server:
 * 9 s at load average 16, 14 s at 17-20 on the shared 2 cores (most of it starting the server and the imports).
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const STATEMENT = {
  resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], date: '2026-01-01',
  rest: [{ mode: 'server', resource: ['Organization', 'Patient', 'Coverage'].map((type) => ({ type, interaction: [{ code: 'read' }, { code: 'search-type' }] })) }],
};
const tag = (run: string) => ({ meta: { tag: [{ system: FHIRSEED_RUN_TAG_SYSTEM, code: run }] } });

/** A run's Organization, a Patient that points at it, and a Coverage pointing at both. */
async function population(run: string): Promise<Resource[]> {
  const s = run.slice(-10);
  const resources: Resource[] = [
    { resourceType: 'Organization', id: `o-${s}`, name: 'Payer', ...tag(run) },
    { resourceType: 'Patient', id: `p-${s}`, managingOrganization: { reference: `Organization/o-${s}` }, ...tag(run) },
    { resourceType: 'Coverage', id: `c-${s}`, status: 'active', beneficiary: { reference: `Patient/p-${s}` }, payor: [{ reference: `Organization/o-${s}` }], ...tag(run) },
  ];
  const { client } = connect(testConnection(server.url));
  try {
    for (const r of resources) expect([200, 201]).toContain((await client.send('PUT', `${r.resourceType}/${r.id}`, r)).status);
  } finally {
    await client.close();
  }
  return resources;
}

/** purge through a proxy that serves STATEMENT (or `statement`) and the faults `decide` picks; the requests it saw. */
async function purgeThrough(run: string, decide: (req: IncomingMessage, proxyUrl: string) => Fault | undefined, statement: unknown = STATEMENT): Promise<{ report?: PurgeReport; error?: unknown; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  let proxyUrl = '';
  const proxy = await startFaultProxy(server.url, (_n, req) => {
    requests.push(req);
    if (req.url!.startsWith('/metadata')) return { kind: 'status', status: 200, body: statement };
    return decide(req, proxyUrl) ?? { kind: 'pass' };
  });
  proxyUrl = proxy.url;
  try {
    const report = await purge({ ...testConnection(proxy.url), runId: run, allFhirseed: false, dryRun: false });
    return { report, requests };
  } catch (error) {
    return { error, requests };
  } finally {
    await proxy.close();
  }
}

const isSearch = (req: IncomingMessage) => req.method === 'GET' && req.url!.includes('_elements=');
const cleanUp = (run: string) => purge({ ...testConnection(server.url), runId: run, allFhirseed: false, dryRun: false });

describe('purge at the edges', () => {
  it('should answer a dry run with the plan alone: nothing deleted, read, failed or remaining', async () => {
    const run = uniqueRunId('dry');
    await population(run);
    const requests: IncomingMessage[] = [];
    const proxy = await startFaultProxy(server.url, (_n, req) => {
      requests.push(req);
      return req.url!.startsWith('/metadata') ? { kind: 'status', status: 200, body: STATEMENT } : { kind: 'pass' };
    });
    try {
      const report = await purge({ ...testConnection(proxy.url), runId: run, allFhirseed: false, dryRun: true });
      expect(report).toEqual({ plan: [{ type: 'Coverage', count: 1 }, { type: 'Patient', count: 1 }, { type: 'Organization', count: 1 }], deleted: 0, untagged: 0, failed: [], remaining: [] });
    } finally {
      await proxy.close();
    }
    // The plan's counts went in one batch of count searches (test/seed/purge-counts.test.ts); nothing was read or deleted.
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.url)).toEqual(['/']);
    expect(requests.filter((r) => (r.method !== 'GET' && r.method !== 'POST') || isSearch(r) || /^\/[A-Za-z]+\/[^?]+$/.test(r.url!))).toEqual([]);
    await cleanUp(run);
  });

  it('should search each type once more after its deletes, and stop after one pass when nothing was refused', async () => {
    const run = uniqueRunId('passes');
    await population(run);
    const { report, requests } = await purgeThrough(run, () => undefined);
    expect(report).toMatchObject({ deleted: 3, failed: [], remaining: [] });
    // Per type: the search that finds its resource, then the one that finds none left.
    expect(requests.filter(isSearch).map((r) => r.url!.split('?')[0])).toEqual(['/Coverage', '/Coverage', '/Patient', '/Patient', '/Organization', '/Organization']);
    expect(requests.filter((r) => r.url!.startsWith('/undefined'))).toEqual([]);
  });

  it('should try a resource the server keeps refusing in three passes, then report it', async () => {
    const run = uniqueRunId('three');
    const [, patient] = await population(run);
    const { report, requests } = await purgeThrough(run, (req) =>
      req.method === 'DELETE' && req.url!.startsWith('/Patient/') ? { kind: 'status', status: 409, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'held' }] } } : undefined,
    );
    expect(requests.filter((r) => r.method === 'DELETE' && r.url === `/Patient/${patient!.id}`)).toHaveLength(3);
    expect(report!.failed).toEqual([{ type: 'Patient', id: patient!.id, reason: expect.stringContaining('held') }]);
    await cleanUp(run);
  });

  it('should stop at an empty search page even when it links to a next one, and at a page without a body', async () => {
    const run = uniqueRunId('empty-next');
    await population(run);
    const { report, requests } = await purgeThrough(run, (req, proxyUrl) => {
      if (isSearch(req) && req.url!.startsWith('/Patient?')) {
        // No entry at all, yet a next link.
        return { kind: 'status', status: 200, body: { resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: `${proxyUrl}${req.url}` }] } };
      }
      // A page of nothing to delete without any link.
      if (isSearch(req) && req.url!.startsWith('/Coverage?')) return { kind: 'status', status: 200, body: { resourceType: 'Bundle', type: 'searchset', entry: [{ search: { mode: 'outcome' } }] } };
      return isSearch(req) && req.url!.startsWith('/Organization?') ? { kind: 'status', status: 200, body: null } : undefined;
    });
    expect(requests.filter((r) => isSearch(r) && r.url!.startsWith('/Patient?'))).toHaveLength(1);
    expect(report).toMatchObject({ deleted: 0, failed: [], remaining: [{ type: 'Coverage', count: 1 }, { type: 'Patient', count: 1 }, { type: 'Organization', count: 1 }] });
    await cleanUp(run);
  });

  it('should follow the next link past a page holding nothing to delete (entries without a resource, of another type)', async () => {
    const run = uniqueRunId('next');
    const [, patient] = await population(run);
    let served = 0;
    const { report, requests } = await purgeThrough(run, (req, proxyUrl) => {
      if (!isSearch(req) || !req.url!.startsWith('/Patient?') || served++) return undefined;
      const entry = [{ search: { mode: 'outcome' } }, { resource: { resourceType: 'OperationOutcome', id: 'w1', issue: [] }, search: { mode: 'outcome' } }];
      return { kind: 'status', status: 200, body: { resourceType: 'Bundle', type: 'searchset', entry, link: [{ relation: 'self', url: `${proxyUrl}${req.url}` }, { relation: 'next', url: `${proxyUrl}${req.url}` }] } };
    });
    expect(report).toMatchObject({ deleted: 3, failed: [], remaining: [] });
    expect(requests.filter((r) => r.method === 'DELETE').map((r) => r.url)).toContain(`/Patient/${patient!.id}`);
  });

  it('should close its connections when done', async () => {
    // A server that keeps idle connections a minute: only purge closing its client ends them sooner.
    const sockets = new Set<Socket>();
    const tiny = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(req.url!.startsWith('/metadata') ? STATEMENT : { resourceType: 'Bundle', type: 'searchset', total: 0 }));
    });
    tiny.keepAliveTimeout = 60_000;
    tiny.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((r) => tiny.listen(0, '127.0.0.1', r));
    try {
      const report = await purge({ ...testConnection(`http://127.0.0.1:${(tiny.address() as AddressInfo).port}`), runId: uniqueRunId('close'), allFhirseed: false, dryRun: false });
      expect(report.plan).toEqual([]);
      // Closed sockets are told a moment later; an unclosed client would leave them open for the minute.
      const closed = await new Promise<boolean>((resolve) => {
        const check = () => (sockets.size === 0 ? resolve(true) : undefined);
        for (const s of sockets) s.on('close', check);
        check();
        setTimeout(() => resolve(false), 3000).unref();
      });
      expect(closed).toBe(true);
    } finally {
      tiny.closeAllConnections();
      await new Promise<void>((r) => tiny.close(() => r()));
    }
  });

  it('should report a type it cannot count afterwards as remaining, count unknown', async () => {
    const run = uniqueRunId('uncounted');
    await population(run);
    let deletes = 0;
    const { report } = await purgeThrough(run, (req) => {
      if (req.method === 'DELETE') deletes++;
      // The final counts' batch refused, then Coverage's count alone.
      return deletes === 3 && (req.method === 'POST' || (req.url!.startsWith('/Coverage?') && !req.url!.includes('_elements='))) ? { kind: 'status', status: 500 } : undefined;
    });
    expect(report).toMatchObject({ deleted: 3, failed: [], remaining: [{ type: 'Coverage', count: -1 }] });
    expect(formatPurgeReport(report!)).toContain('still tagged: Coverage ?');
  });

  it('should leave a resource whose read answers without a body or without meta, as untagged', async () => {
    const run = uniqueRunId('no-meta');
    const [organization, patient] = await population(run);
    const { report, error } = await purgeThrough(run, (req) => {
      if (req.method !== 'GET') return undefined;
      if (req.url === `/Patient/${patient!.id}`) return { kind: 'status', status: 200, body: null };
      if (req.url === `/Organization/${organization!.id}`) return { kind: 'status', status: 200, body: { resourceType: 'Organization', id: organization!.id } };
      return undefined;
    });
    expect(error).toBeUndefined();
    expect(report).toMatchObject({ deleted: 1, untagged: 2, failed: [] });
    await cleanUp(run);
  });

  it('should refuse a statement without a server rest or with only typeless resources, and ignore typeless entries', async () => {
    const run = uniqueRunId('no-rest');
    await population(run);
    for (const statement of [{ ...STATEMENT, rest: undefined }, { ...STATEMENT, rest: [{ mode: 'server', resource: [{ interaction: [{ code: 'search-type' }] }] }] }]) {
      const { error } = await purgeThrough(run, () => undefined, statement);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).exitCode).toBe(1);
      expect((error as Error).message).toMatch(/\/metadata lists no searchable resource types; cannot find tagged resources$/);
    }
    const typeless = { ...STATEMENT, rest: [{ mode: 'server', resource: [{ interaction: [{ code: 'search-type' }] }, ...STATEMENT.rest[0]!.resource] }] };
    const { report, requests } = await purgeThrough(run, () => undefined, typeless);
    expect(report).toMatchObject({ deleted: 3, remaining: [] });
    expect(requests.map((r) => r.url!.split(/[/?]/)[1])).not.toContain('undefined');
  });
});
