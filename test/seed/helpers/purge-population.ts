import type { Resource } from '@medplum/fhirtypes';
import { FHIRSEED_RUN_TAG_SYSTEM } from '../../../src/fhir/context.js';
import { purge, type PurgeReport } from '../../../src/seed/purge.js';
import { testConnection } from './data.js';
import { startFaultProxy } from './fault-proxy.js';
import { startRecordingServer, type RecordingServer, type RecordingServerOptions } from './recording-fhir.js';

/** The `meta` of a resource carrying fhirseed's run tag for `run`. */
export const tag = (run: string) => ({ meta: { tag: [{ system: FHIRSEED_RUN_TAG_SYSTEM, code: run }] } });

/** A run's Organization and `patients` Patients with a Coverage each (referrers of the Organization), all tagged. */
export function population(run: string, patients = 3): Resource[] {
  const s = run.slice(-10);
  return [
    { resourceType: 'Organization', id: `o-${s}`, name: 'Payer', ...tag(run) },
    ...Array.from({ length: patients }, (_, n): Resource[] => [
      { resourceType: 'Patient', id: `p${n}-${s}`, managingOrganization: { reference: `Organization/o-${s}` }, ...tag(run) },
      { resourceType: 'Coverage', id: `c${n}-${s}`, status: 'active', beneficiary: { reference: `Patient/p${n}-${s}` }, payor: [{ reference: `Organization/o-${s}` }], ...tag(run) },
    ]).flat(),
  ];
}

/** purge of `run` through a proxy that records every request (method, url, parsed body), and its report. */
export async function purgeRecorded(server: string, run: string): Promise<{ report: PurgeReport; requests: { method: string; url: string; body: unknown }[] }> {
  const requests: { method: string; url: string; body: unknown }[] = [];
  const proxy = await startFaultProxy(server, (_n, req, body) => {
    requests.push({ method: req.method!, url: req.url!, body });
    return { kind: 'pass' };
  });
  try {
    return { report: await purge({ ...testConnection(proxy.url), runId: run, allFhirseed: false, dryRun: false }), requests };
  } finally {
    await proxy.close();
  }
}

/** A recording server of `types` (kept in `servers`, to close) holding `resources` at version 1. */
export async function recordingServerWith(servers: RecordingServer[], types: string[], options: Omit<RecordingServerOptions, 'types'>, resources: Resource[]): Promise<RecordingServer> {
  const s = await startRecordingServer({ types, ...options });
  servers.push(s);
  for (const r of resources) s.store.set(`${r.resourceType}/${r.id}`, { ...r, meta: { ...r.meta, versionId: '1' } });
  return s;
}
