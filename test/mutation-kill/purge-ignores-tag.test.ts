import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Resource } from '@medplum/fhirtypes';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FHIRSEED_RUN_TAG_SYSTEM } from '../../src/fhir/context.js';
import { connect } from '../../src/seed/connect.js';
import { purge } from '../../src/seed/purge.js';
import { startTestServer, type TestServer } from '../helpers/fhir-server.js';
import { testConnection, uniqueRunId } from '../seed/helpers/data.js';

/**
 * purge must re-read each resource and check its tag before deleting it: a server that ignores
 * `_tag` (an unsupported search parameter is silently dropped by many servers) answers the tag
 * search with every resource of the type. Those without the run's tag are kept and counted.
 */
let server: TestServer;
let proxy: { url: string; searches: number; close: () => Promise<void> };

/** A proxy that removes `_tag` from every search before passing it on: a server that ignores the parameter. */
async function startTagIgnoringProxy(upstream: string): Promise<typeof proxy> {
  const state = { searches: 0 };
  const http: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (url.searchParams.has('_tag')) {
      state.searches++;
      url.searchParams.delete('_tag');
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers[k] = v;
    const body = Buffer.concat(chunks);
    const answer = await request(`${upstream}${url.pathname}${url.search}`, { method: req.method as 'GET', headers, body: body.length ? body : undefined });
    const text = await answer.body.text();
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(answer.headers)) if (typeof v === 'string' && !['connection', 'transfer-encoding', 'content-length', 'keep-alive'].includes(k)) out[k] = v;
    // Links point at the server: send the next page through the proxy too.
    res.writeHead(answer.statusCode, out);
    res.end(text.split(upstream).join(`http://127.0.0.1:${(http.address() as AddressInfo).port}`));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    get searches() {
      return state.searches;
    },
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

beforeAll(async () => {
  server = await startTestServer();
  proxy = await startTagIgnoringProxy(server.url);
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

const tag = (code: string, system: string = FHIRSEED_RUN_TAG_SYSTEM) => ({ meta: { tag: [{ system, code }] } });

async function put(resources: Resource[]): Promise<void> {
  const { client } = connect(testConnection(server.url));
  try {
    for (const r of resources) expect([200, 201]).toContain((await client.send('PUT', `${r.resourceType}/${r.id}`, r)).status);
  } finally {
    await client.close();
  }
}

async function exists(r: Resource): Promise<boolean> {
  const { client } = connect(testConnection(server.url));
  try {
    return (await client.send('GET', `${r.resourceType}/${r.id}`)).status === 200;
  } finally {
    await client.close();
  }
}

describe('purge against a server that ignores _tag', () => {
  it('should delete only the run-tagged resources and report the untagged ones it was shown', async () => {
    const run = uniqueRunId('ignore-tag');
    const other = `${run}-other`;
    const short = run.slice(-12);
    const mine: Resource[] = [
      { resourceType: 'Organization', id: `mine-org-${short}`, name: 'Tagged', ...tag(run) },
      { resourceType: 'Patient', id: `mine-pat-${short}`, ...tag(run) },
    ];
    const notMine: Resource[] = [
      { resourceType: 'Organization', id: `untagged-org-${short}`, name: 'No tag' },
      { resourceType: 'Patient', id: `other-run-${short}`, ...tag(other) },
      { resourceType: 'Patient', id: `other-system-${short}`, ...tag(run, 'urn:example:not-fhirseed') },
    ];
    await put([...mine, ...notMine]);

    const report = await purge({ ...testConnection(proxy.url), runId: run, allFhirseed: false, dryRun: false });

    expect(proxy.searches).toBeGreaterThan(0);
    for (const r of mine) expect(await exists(r), `${r.resourceType}/${r.id} deleted`).toBe(false);
    for (const r of notMine) expect(await exists(r), `${r.resourceType}/${r.id} kept`).toBe(true);
    expect(report.deleted).toBe(mine.length);
    // Every resource of the types shown, less the run's own, was re-read and left as untagged.
    expect(report.untagged).toBeGreaterThanOrEqual(notMine.length);
    expect(report.failed).toEqual([]);
  });

  it('should, with --all-fhirseed, delete every fhirseed-tagged resource and keep those without a fhirseed tag', async () => {
    const run = uniqueRunId('ignore-tag-all');
    const short = run.slice(-12);
    const tagged: Resource[] = [
      { resourceType: 'Patient', id: `all-a-${short}`, ...tag(run) },
      { resourceType: 'Patient', id: `all-b-${short}`, ...tag(`${run}-b`) },
    ];
    const kept: Resource[] = [
      { resourceType: 'Patient', id: `all-none-${short}` },
      { resourceType: 'Patient', id: `all-empty-${short}`, meta: { tag: [{ system: FHIRSEED_RUN_TAG_SYSTEM }] } },
      { resourceType: 'Patient', id: `all-other-${short}`, ...tag(run, 'urn:example:not-fhirseed') },
    ];
    await put([...tagged, ...kept]);

    const report = await purge({ ...testConnection(proxy.url), allFhirseed: true, dryRun: false });

    for (const r of tagged) expect(await exists(r), `${r.id} deleted`).toBe(false);
    for (const r of kept) expect(await exists(r), `${r.id} kept`).toBe(true);
    expect(report.untagged).toBeGreaterThanOrEqual(kept.length);
  });
});
