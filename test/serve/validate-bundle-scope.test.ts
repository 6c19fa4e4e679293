// serve --validate resolves a transaction's (and a batch's) urn:uuid: references against its entries' fullUrls, as
// `fhirseed validate` does in a Bundle file (1746ace): a dangling one is refused with a 422 naming the entry and the
// reference; one that resolves passes. The Bundle's own rules are checked too: a urn:uuid:/urn:oid: fullUrl must be of
// its form, and a batch entry may not refer to another entry by its fullUrl (R4 http.html#brules).
import type { Bundle, Encounter, OperationOutcome } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { describeEmbedded, fhir } from './helpers.js';

const PATIENT = 'urn:uuid:5d0c1b7e-2f3a-4c5d-8e9f-000000000001';
const NOWHERE = 'urn:uuid:5d0c1b7e-2f3a-4c5d-8e9f-0000000000ff';

/** A Patient by urn:uuid and an Encounter of `subject`, as PUTs (or POSTs) of a `type` Bundle. */
function bundle(type: 'transaction' | 'batch', subject: string, suffix: string): Bundle {
  return {
    resourceType: 'Bundle',
    type,
    entry: [
      { fullUrl: PATIENT, resource: { resourceType: 'Patient', id: `bs-p${suffix}` }, request: { method: 'PUT', url: `Patient/bs-p${suffix}` } },
      { fullUrl: 'urn:uuid:5d0c1b7e-2f3a-4c5d-8e9f-000000000002', resource: { resourceType: 'Encounter', id: `bs-e${suffix}`, status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: subject } }, request: { method: 'PUT', url: `Encounter/bs-e${suffix}` } },
    ],
  };
}

describeEmbedded('serve --validate: urn:uuid: references within the Bundle', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer({ port: 0, validate: { igs: ['us-core@6.1.0'] }, packagesDir: SHARED_PACKAGES });
  }, 600_000);
  afterAll(() => server?.close());

  it('should refuse a transaction with a dangling urn:uuid: reference (422 naming the entry and the reference) and store nothing', async () => {
    const reply = await fhir<OperationOutcome>(server.url, { method: 'POST', body: bundle('transaction', NOWHERE, '1') });
    expect(reply.status).toBe(422);
    const issues = (reply.body.issue ?? []).map((i) => `${i.expression?.[0]} ${i.details?.text}`);
    expect(issues).toEqual([`Bundle.entry[1].resource.subject Encounter/bs-e1: reference '${NOWHERE}' does not resolve: no entry of its Bundle has this fullUrl`]);
    expect([(await fhir(`${server.url}/Patient/bs-p1`)).status, (await fhir(`${server.url}/Encounter/bs-e1`)).status]).toEqual([404, 404]);
  });

  it('should store a transaction whose urn:uuid: references resolve to its entries', async () => {
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body: bundle('transaction', PATIENT, '2') });
    expect(reply.status).toBe(200);
    expect(reply.body.entry!.map((e) => e.response?.status?.slice(0, 3))).toEqual(['201', '201']);
    expect((await fhir(`${server.url}/Encounter/bs-e2`)).status).toBe(200);
  });

  it('should refuse the batch entry with a dangling urn:uuid: reference and store the other', async () => {
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body: bundle('batch', NOWHERE, '3') });
    expect(reply.status).toBe(200);
    const [patient, encounter] = reply.body.entry!;
    expect(patient!.response?.status?.slice(0, 3)).toBe('201');
    expect(encounter!.response?.status?.slice(0, 3)).toBe('422');
    const outcome = encounter!.response?.outcome as OperationOutcome;
    expect(outcome.issue!.map((i) => i.details?.text)).toEqual([`Encounter/bs-e3: reference '${NOWHERE}' does not resolve: no entry of its Bundle has this fullUrl`]);
  });

  it('should refuse a transaction with a fullUrl not of its scheme\'s form (422 at the fullUrl) and store nothing', async () => {
    const body = bundle('transaction', PATIENT, '5');
    body.entry![1]!.fullUrl = 'urn:uuid:not-a-uuid';
    const reply = await fhir<OperationOutcome>(server.url, { method: 'POST', body });
    expect(reply.status).toBe(422);
    expect((reply.body.issue ?? []).map((i) => `${i.expression?.[0]} ${i.details?.text}`)).toEqual([
      'Bundle.entry[1].fullUrl Bundle.entry[1].fullUrl "urn:uuid:not-a-uuid" is not urn:uuid: and a UUID in lower-case hex (R4 uuid, RFC 4122: urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
    ]);
    expect([(await fhir(`${server.url}/Patient/bs-p5`)).status, (await fhir(`${server.url}/Encounter/bs-e5`)).status]).toEqual([404, 404]);
  });

  it('should refuse the batch entry whose urn:oid: fullUrl is not an OID and store the other', async () => {
    const body = bundle('batch', PATIENT, '6');
    body.entry![0]!.fullUrl = 'urn:oid:1.2.x';
    delete (body.entry![1]!.resource as Encounter).subject;
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body });
    expect(reply.status).toBe(200);
    expect(reply.body.entry!.map((e) => e.response?.status?.slice(0, 3))).toEqual(['422', '201']);
    const outcome = reply.body.entry![0]!.response?.outcome as OperationOutcome;
    expect(outcome.issue!.map((i) => i.expression?.[0])).toEqual(['Bundle.entry[0].fullUrl']);
    expect([(await fhir(`${server.url}/Patient/bs-p6`)).status, (await fhir(`${server.url}/Encounter/bs-e6`)).status]).toEqual([404, 200]);
  });

  it('should refuse the batch entry that refers to another entry by its fullUrl (entries of a batch stand apart) and store the other', async () => {
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body: bundle('batch', PATIENT, '4') });
    expect(reply.status).toBe(200);
    expect(reply.body.entry!.map((e) => e.response?.status?.slice(0, 3))).toEqual(['201', '422']);
    const outcome = reply.body.entry![1]!.response?.outcome as OperationOutcome;
    expect(outcome.issue!.map((i) => `${i.expression?.[0]} ${i.details?.text}`)).toEqual([
      `Bundle.entry[1].resource.subject Encounter/bs-e4: reference '${PATIENT}' is the fullUrl of Bundle.entry[0]: the entries of a batch are processed apart and may not refer to each other (FHIR R4 http.html#brules); send them as a transaction`,
    ]);
    expect([(await fhir(`${server.url}/Patient/bs-p4`)).status, (await fhir(`${server.url}/Encounter/bs-e4`)).status]).toEqual([200, 404]);
  });
});
