import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FHIRSEED_RUN_TAG_SYSTEM } from '../../src/fhir/context.js';
import { purge, PURGE_CLI_NAMES } from '../../src/seed/purge.js';
import { testConnection } from '../seed/helpers/data.js';

/**
 * purge's start (src/seed/purge.ts up to the tag check, issue 19): the options it refuses, the tag token it searches
 * by, and the per-resource tag check, against a small FHIR server written here that ignores `_tag` (it answers every
 * search with every resource of the type, as servers that drop an unknown parameter do), keeps versions and honours
 * If-Match. Its statement lists one type, so a purge is a handful of requests: the file runs in well under a second,
 * fast enough for the Stryker runs of these lines.
 */
const RUN = 'run-1';
const store = new Map<string, Resource>();
const searches: string[] = [];
let server: Server;
let base: string;

const STATEMENT = { resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], date: '2026-01-01', rest: [{ mode: 'server', resource: [{ type: 'Patient', interaction: [{ code: 'read' }, { code: 'search-type' }] }] }] };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url!, 'http://x');
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/fhir+json', ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (url.pathname === '/metadata') return send(200, STATEMENT);
    // No batches here (its statement lists no interactions): purge tries one, then sends one request per resource.
    if (req.method === 'POST') return send(405);
    const [, type, id] = url.pathname.split('/');
    const all = [...store.values()].filter((r) => r.resourceType === type);
    if (!id) {
      searches.push(url.searchParams.get('_tag') ?? '(none)');
      if (url.searchParams.get('_summary') === 'count') return send(200, { resourceType: 'Bundle', type: 'searchset', total: all.length });
      return send(200, { resourceType: 'Bundle', type: 'searchset', entry: all.map((resource) => ({ resource })) });
    }
    const found = store.get(`${type}/${id}`);
    if (!found) return send(404);
    // A read answered 200 without a body: nothing shows the tag, so the resource is left.
    if (found.id === 'read-without-body' && req.method === 'GET') return send(200, undefined, { etag: 'W/"1"' });
    const etag = `W/"${found.meta?.versionId ?? '1'}"`;
    if (req.method === 'GET') return send(200, found, { etag });
    if (req.method === 'DELETE') {
      if (req.headers['if-match'] !== etag) return send(412);
      store.delete(`${type}/${id}`);
      return send(204);
    }
    return send(405);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

const tagged = (id: string, tag: { system?: string; code?: string }[] | undefined, extra: Partial<Resource> = {}): Resource =>
  ({ resourceType: 'Patient', id, ...(tag ? { meta: { versionId: '3', tag } } : {}), ...extra }) as Resource;

/** Every kind of tag a resource may carry, or not. */
const POPULATION: Resource[] = [
  tagged('this-run', [{ system: 'urn:example:other', code: 'x' }, { system: FHIRSEED_RUN_TAG_SYSTEM, code: RUN }]),
  tagged('other-run', [{ system: FHIRSEED_RUN_TAG_SYSTEM, code: 'run-2' }]),
  tagged('other-system', [{ system: 'urn:example:not-fhirseed', code: RUN }]),
  tagged('no-system', [{ code: RUN }]),
  tagged('no-code', [{ system: FHIRSEED_RUN_TAG_SYSTEM }]),
  tagged('empty-code', [{ system: FHIRSEED_RUN_TAG_SYSTEM, code: '' }]),
  tagged('no-tags', []),
  tagged('meta-without-tag', undefined, { meta: { versionId: '2' } }),
  tagged('no-meta', undefined),
  tagged('read-without-body', [{ system: FHIRSEED_RUN_TAG_SYSTEM, code: RUN }]),
];

beforeEach(() => {
  store.clear();
  searches.length = 0;
  for (const r of POPULATION) store.set(`Patient/${r.id}`, r);
});

const left = () => [...store.values()].map((r) => r.id).sort();

describe('purge: the tag token and the tag check', () => {
  it('should search by the run tag and delete only resources carrying it, keeping every other', async () => {
    const report = await purge({ ...testConnection(base), runId: RUN, allFhirseed: false, dryRun: false });
    expect(new Set(searches)).toEqual(new Set([`${FHIRSEED_RUN_TAG_SYSTEM}|${RUN}`]));
    expect(left()).toEqual(POPULATION.map((r) => r.id!).filter((id) => id !== 'this-run').sort());
    expect(report.deleted).toBe(1);
    expect(report.untagged).toBe(POPULATION.length - 1);
    expect(report.failed).toEqual([]);
  });

  it('should, with --all-fhirseed, search by the fhirseed system alone and delete what carries any run of it', async () => {
    const report = await purge({ ...testConnection(base), allFhirseed: true, dryRun: false });
    expect(new Set(searches)).toEqual(new Set([`${FHIRSEED_RUN_TAG_SYSTEM}|`]));
    expect(left()).toEqual(['empty-code', 'meta-without-tag', 'no-code', 'no-meta', 'no-system', 'no-tags', 'other-system', 'read-without-body']);
    expect(report.deleted).toBe(2);
    expect(report.untagged).toBe(POPULATION.length - 2);
  });

  it('should refuse an empty run id as it refuses none, and a server elsewhere without --production', async () => {
    await expect(purge({ ...testConnection(base), runId: '', allFhirseed: false, dryRun: true }, PURGE_CLI_NAMES)).rejects.toThrow(/^purge needs --run ID or --all-fhirseed$/);
    await expect(purge({ ...testConnection(base), runId: RUN, allFhirseed: true, dryRun: true }, PURGE_CLI_NAMES)).rejects.toThrow(/^give --run ID or --all-fhirseed, not both$/);
    await expect(purge({ ...testConnection('https://fhir.example.org/r4/'), runId: RUN, allFhirseed: false, dryRun: true }, PURGE_CLI_NAMES)).rejects.toThrow(/^https:\/\/fhir\.example\.org\/r4 is not on this machine: purge it only with --production$/);
    await expect(purge({ ...testConnection(`${base}/`), runId: RUN, allFhirseed: false, dryRun: true })).resolves.toMatchObject({ plan: [{ type: 'Patient', count: POPULATION.length }] });
    expect(searches.length).toBeGreaterThan(0);
    expect(left()).toHaveLength(POPULATION.length);
  });
});
