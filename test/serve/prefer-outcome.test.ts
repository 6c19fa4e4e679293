// `Prefer: return=OperationOutcome` on a create or update (R4 http.html#ops): the sandbox answers with an
// OperationOutcome carrying HAPI FHIR's storage response code instead of the resource, so a client (fhirseed seed's
// upsert mode and its entry-by-entry fallback) can tell an update that changed nothing from one that made a version.
import type { OperationOutcome } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/serve/index.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0 });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

const patient = (family: string) => ({ resourceType: 'Patient', id: 'prefer-1', name: [{ family }] });

async function put(body: unknown, prefer?: string): Promise<{ status: number; etag: string | null; body: { resourceType?: string } & Partial<OperationOutcome> }> {
  const response = await fetch(`${server.url}/Patient/prefer-1`, {
    method: 'PUT',
    headers: { 'content-type': 'application/fhir+json', ...(prefer ? { prefer } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, etag: response.headers.get('etag'), body: (await response.json()) as never };
}

const code = (outcome: Partial<OperationOutcome>) => outcome.issue?.[0]?.details?.coding?.[0]?.code;

describe('Prefer: return=OperationOutcome on writes', () => {
  it('should answer a create, an unchanged update and a changed update with their storage codes, the ETag kept', async () => {
    const created = await put(patient('One'), 'return=OperationOutcome');
    expect([created.status, created.body.resourceType, code(created.body)]).toEqual([201, 'OperationOutcome', 'SUCCESSFUL_CREATE']);
    const version = /^W\/"(.+)"$/.exec(created.etag ?? '')?.[1];
    expect(version).toBeTruthy();

    const same = await put(patient('One'), 'return=OperationOutcome');
    expect([same.status, same.etag, code(same.body)]).toEqual([200, created.etag, 'SUCCESSFUL_UPDATE_NO_CHANGE']);
    expect(same.body.issue?.[0]?.diagnostics).toBe(`Successfully updated resource "Patient/prefer-1/_history/${version}". No changes were detected so no action was taken.`);

    const changed = await put(patient('Two'), 'return="OperationOutcome"');
    expect([changed.status, code(changed.body)]).toEqual([200, 'SUCCESSFUL_UPDATE']);
    expect(changed.etag).not.toBe(created.etag);
  });

  it('should answer the resource without the header, or with return=representation', async () => {
    for (const prefer of [undefined, 'return=representation']) {
      const answer = await put(patient('Two'), prefer);
      expect([answer.status, answer.body.resourceType]).toEqual([200, 'Patient']);
    }
  });
});
