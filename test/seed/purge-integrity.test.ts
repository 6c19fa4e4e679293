import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purge } from '../../src/seed/purge.js';
import { startTestServer, type TestServer } from '../helpers/fhir-server.js';
import { testConnection, uniqueRunId } from './helpers/data.js';
import { startFaultProxy } from './helpers/fault-proxy.js';
import { tag } from './helpers/purge-population.js';
import { existsOn, putResources } from './helpers/server-resources.js';

/**
 * purge against the embedded sandbox behind a proxy that keeps referential integrity, as HAPI does by default: a
 * DELETE of a resource that another resource on the server still refers to is answered 409. More than a page (100)
 * of each type, and more than a page of Patients another run refers to, so that purge's pages that ask for no total
 * (`_total=none`: the sandbox stops at the page) must still lead past resources it had to leave (their `next` link).
 * The guard on what purge's speed-up may not change: referrers first, exactly the run's resources, nothing else.
 */

const PATIENTS = 130;
/** Patients of the run that a resource of another run refers to: more than a page, so a page of them is all refused. */
const HELD = 101;

/** The `Type/id` references a resource holds. */
function references(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => references(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else references(v, out);
    }
  }
  return out;
}

describe('purge against a server that keeps referential integrity', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('should delete referrers first, page past the resources it must leave, and delete nothing another run holds', async () => {
    const run = uniqueRunId('integrity');
    const other = `${run}-other`;
    const s = run.slice(-8);
    const org: Resource = { resourceType: 'Organization', id: `o-${s}`, name: 'Payer', ...tag(run) };
    const patients: Resource[] = Array.from({ length: PATIENTS }, (_, n) => ({ resourceType: 'Patient', id: `p${n}-${s}`, managingOrganization: { reference: `Organization/${org.id}` }, ...tag(run) }));
    const coverages: Resource[] = patients.map((p, n) => ({ resourceType: 'Coverage', id: `c${n}-${s}`, status: 'active', beneficiary: { reference: `Patient/${p.id}` }, payor: [{ reference: `Organization/${org.id}` }], ...tag(run) }) as Resource);
    const foreign: Resource[] = patients.slice(0, HELD).map((p, n) => ({ resourceType: 'Coverage', id: `x${n}-${s}`, status: 'active', beneficiary: { reference: `Patient/${p.id}` }, payor: [{ reference: 'Organization/elsewhere' }], ...tag(other) }) as Resource);
    const everything = [org, ...patients, ...coverages, ...foreign];
    await putResources(server.url, everything);

    // What the server holds, as the proxy lets DELETEs through: a DELETE of what a held resource refers to is a 409.
    const held = new Map(everything.map((r) => [`${r.resourceType}/${r.id}`, references(r)]));
    const referenced = (key: string) => [...held].some(([k, refs]) => k !== key && refs.includes(key));
    const refused: string[] = [];
    const deletedTypes: string[] = [];
    const pageSearches: string[] = [];
    const proxy = await startFaultProxy(server.url, (_n, req, body) => {
      if (req.method === 'GET' && /^\/[A-Za-z]+\?.*_tag=/.test(req.url!) && !req.url!.includes('_summary=count')) pageSearches.push(req.url!);
      const entries: BundleEntry[] = req.method === 'POST' && (body as Bundle | undefined)?.type === 'batch' ? ((body as Bundle).entry ?? []) : [];
      const deletes = req.method === 'DELETE' ? [req.url!.slice(1)] : entries.filter((e) => e.request?.method === 'DELETE').map((e) => e.request!.url);
      if (!deletes.length) return { kind: 'pass' };
      const statuses = new Map<string, number>();
      for (const key of deletes) {
        if (referenced(key)) {
          statuses.set(key, 409);
          refused.push(key);
        } else {
          held.delete(key);
          deletedTypes.push(key.split('/')[0]!);
        }
      }
      if (!statuses.size) return { kind: 'pass' };
      return req.method === 'DELETE' ? { kind: 'status', status: 409 } : { kind: 'fail-entries', statuses };
    });
    let report;
    try {
      report = await purge({ ...testConnection(proxy.url), runId: run, allFhirseed: false, dryRun: false });
    } finally {
      await proxy.close();
    }

    const heldPatients = patients.slice(0, HELD).map((p) => `Patient/${p.id}`);
    expect(report.deleted).toBe(PATIENTS + PATIENTS - HELD);
    expect(report.untagged).toBe(0);
    expect(report.failed.map((f) => `${f.type}/${f.id}`).sort()).toEqual([...heldPatients, `Organization/${org.id}`].sort());
    expect(report.remaining).toEqual([
      { type: 'Patient', count: HELD },
      { type: 'Organization', count: 1 },
    ]);
    // Referrers first: no Coverage was ever refused, nor a Patient no other run refers to; each type whole before the next.
    expect(new Set(refused)).toEqual(new Set([...heldPatients, `Organization/${org.id}`]));
    expect(deletedTypes.indexOf('Patient')).toBe(PATIENTS);
    expect(deletedTypes.filter((t) => t === 'Coverage')).toHaveLength(PATIENTS);
    // The other run's resources, and the held Patients and the Organization, are all still there.
    for (const r of [...foreign, ...patients.slice(0, HELD), org]) expect(await existsOn(server.url, r)).toBe(true);
    for (const r of [...coverages, ...patients.slice(HELD)]) expect(await existsOn(server.url, r)).toBe(false);
    // Every page asked for no total: a server that counts every match to answer each page need not.
    expect(pageSearches.length).toBeGreaterThan(0);
    expect(pageSearches.every((url) => new URL(url, 'http://x').searchParams.get('_total') === 'none')).toBe(true);
  }, 60_000);
});
