// A transaction's urn:oid: placeholders (R4 http.html#trules: a fullUrl of urn:uuid: or urn:oid:, references to it
// rewritten to the created resource). medplum rewrites urn:uuid: ones only: a reference to an entry's urn:oid:
// fullUrl was stored as it was, pointing nowhere, and so was one to a urn:oid: no entry has. Real server, fetch.
import type { Bundle, Encounter, OperationOutcome } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { fhir } from './helpers.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0 });
}, 120_000);
afterAll(() => server?.close());

const OID = 'urn:oid:1.2.840.99999.1';
/** A Patient with fullUrl `fullUrl` and an Encounter whose subject is `subject`, both POSTed by one transaction. */
const transaction = (fullUrl: string, subject: string): Bundle => ({
  resourceType: 'Bundle',
  type: 'transaction',
  entry: [
    { fullUrl, resource: { resourceType: 'Patient', name: [{ family: 'Oid' }] }, request: { method: 'POST', url: 'Patient' } },
    { resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: subject } }, request: { method: 'POST', url: 'Encounter' } },
  ],
});

describe('serve: urn:oid: placeholders in a transaction', () => {
  it('should resolve a reference to an entry\'s urn:oid: fullUrl to the resource it created', async () => {
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body: transaction(OID, OID) });
    expect(reply.status).toBe(200);
    const patient = reply.body.entry![0]!.resource!;
    const encounter = reply.body.entry![1]!.resource as Encounter;
    expect(encounter.subject?.reference).toBe(`Patient/${patient.id}`);
    expect((await fhir<Encounter>(`${server.url}/Encounter/${encounter.id}`)).body.subject?.reference).toBe(`Patient/${patient.id}`);
  });

  it('should refuse one whose urn:oid: reference names no entry (400 processing, nothing stored)', async () => {
    const before = (await fhir<Bundle>(`${server.url}/Patient?family=Oid&_summary=count`)).body.total;
    const reply = await fhir<OperationOutcome>(server.url, { method: 'POST', body: transaction(OID, 'urn:oid:1.2.840.99999.2') });
    expect(reply.status).toBe(400);
    expect(reply.body.issue!.map((i) => `${i.code} ${i.expression?.[0]}`)).toEqual(['processing Bundle.entry[1].resource.subject.reference']);
    expect((await fhir<Bundle>(`${server.url}/Patient?family=Oid&_summary=count`)).body.total).toBe(before);
  });
});
