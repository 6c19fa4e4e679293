// serve --validate resolves a transaction's (and a batch's) urn:uuid: references against its entries' fullUrls, as
// `fhirseed validate` does in a Bundle file (1746ace): one that resolves passes. The Bundle's own rules are a bad
// request answered as without --validate, before the validator: a dangling placeholder, a fullUrl not of its form
// (urn:uuid: without a UUID, urn:oid: without an OID, not absolute) and a batch entry referring to another entry by its
// fullUrl (R4 http.html#trules, #brules; these two were the validator's 422 until s19): the transaction 400
// `processing` naming the entry and the reference or fullUrl, nothing stored; in a batch that entry alone 400. A
// fullUrl repeated (R4 bdl-7) refuses a transaction and a batch whole, 400 `invalid`, with and without --validate.
import type { Bundle, Encounter, OperationOutcome, Patient } from '@medplum/fhirtypes';
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
  // The same requests without --validate: a placeholder problem is answered alike by both.
  let plain: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    [server, plain] = await Promise.all([
      startServer({ port: 0, validate: { igs: ['us-core@6.1.0'] }, packagesDir: SHARED_PACKAGES }),
      startServer({ port: 0 }),
    ]);
  }, 600_000);
  afterAll(async () => {
    await Promise.all([server?.close(), plain?.close()]);
  });

  it('should refuse a transaction with a dangling urn:uuid: reference (400 processing naming the entry and the reference, as without --validate) and store nothing', async () => {
    const reply = await fhir<OperationOutcome>(server.url, { method: 'POST', body: bundle('transaction', NOWHERE, '1') });
    expect(reply.status).toBe(400);
    const issues = (reply.body.issue ?? []).map((i) => `${i.code} ${i.expression?.[0]} ${i.details?.text}`);
    expect(issues).toEqual([`processing Bundle.entry[1].resource.subject.reference Bundle.entry[1].resource.subject.reference: reference "${NOWHERE}" names no entry of this Bundle (no entry has this fullUrl), so it cannot be resolved`]);
    expect([(await fhir(`${server.url}/Patient/bs-p1`)).status, (await fhir(`${server.url}/Encounter/bs-e1`)).status]).toEqual([404, 404]);
    const without = await fhir<OperationOutcome>(plain.url, { method: 'POST', body: bundle('transaction', NOWHERE, '1') });
    expect({ status: without.status, body: without.body }).toEqual({ status: reply.status, body: reply.body });
  });

  it('should store a transaction whose urn:uuid: references resolve to its entries', async () => {
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body: bundle('transaction', PATIENT, '2') });
    expect(reply.status).toBe(200);
    expect(reply.body.entry!.map((e) => e.response?.status?.slice(0, 3))).toEqual(['201', '201']);
    expect((await fhir(`${server.url}/Encounter/bs-e2`)).status).toBe(200);
  });

  it('should refuse the batch entry with a dangling urn:uuid: reference (400, as without --validate) and store the other', async () => {
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body: bundle('batch', NOWHERE, '3') });
    expect(reply.status).toBe(200);
    const [patient, encounter] = reply.body.entry!;
    expect(patient!.response?.status?.slice(0, 3)).toBe('201');
    expect(encounter!.response?.status).toBe('400 Bad Request');
    const outcome = encounter!.response?.outcome as OperationOutcome;
    expect(outcome.issue!.map((i) => `${i.code} ${i.expression?.[0]} ${i.details?.text}`)).toEqual([`processing Bundle.entry[1].resource.subject.reference Bundle.entry[1].resource.subject.reference: reference "${NOWHERE}" names no entry of this Bundle (no entry has this fullUrl), so it cannot be resolved`]);
    expect((await fhir(`${server.url}/Encounter/bs-e3`)).status).toBe(404);
    const without = await fhir<Bundle>(plain.url, { method: 'POST', body: bundle('batch', NOWHERE, '3') });
    expect(without.body.entry!.map((e) => e.response?.status)).toEqual(reply.body.entry!.map((e) => e.response?.status));
    expect(without.body.entry![1]!.response?.outcome).toEqual(outcome);
  });

  it('should refuse a transaction whose urn:uuid: fullUrl is not a UUID (400 at the fullUrl, as without --validate) and store nothing', async () => {
    const body = bundle('transaction', PATIENT, '5');
    body.entry![1]!.fullUrl = 'urn:uuid:not-a-uuid';
    const reply = await fhir<OperationOutcome>(server.url, { method: 'POST', body });
    expect(reply.status).toBe(400);
    expect((reply.body.issue ?? []).map((i) => `${i.code} ${i.expression?.[0]} ${i.details?.text}`)).toEqual([
      'processing Bundle.entry[1].fullUrl Bundle.entry[1].fullUrl "urn:uuid:not-a-uuid" is not urn:uuid: and a UUID in lower-case hex (R4 uuid, RFC 4122: urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
    ]);
    expect([(await fhir(`${server.url}/Patient/bs-p5`)).status, (await fhir(`${server.url}/Encounter/bs-e5`)).status]).toEqual([404, 404]);
    const without = await fhir<OperationOutcome>(plain.url, { method: 'POST', body });
    expect({ status: without.status, body: without.body }).toEqual({ status: reply.status, body: reply.body });
  });

  // An upper-case UUID is not R4's uuid, and medplum does not resolve a reference to it: stored, the Encounter's
  // subject was the placeholder itself, a reference to nothing (without --validate; with it, the validator's 422).
  it('should refuse a transaction whose urn:uuid: fullUrl is in upper case (400, with and without --validate) and store nothing', async () => {
    const upper = PATIENT.toUpperCase().replace('URN:UUID:', 'urn:uuid:');
    const body = bundle('transaction', upper, '7');
    body.entry![0]!.fullUrl = upper;
    const [validated, without] = [await fhir<OperationOutcome>(server.url, { method: 'POST', body }), await fhir<OperationOutcome>(plain.url, { method: 'POST', body })];
    expect((validated.body.issue ?? []).map((i) => `${validated.status} ${i.code} ${i.expression?.[0]}`)).toEqual(['400 processing Bundle.entry[0].fullUrl']);
    expect({ status: without.status, body: without.body }).toEqual({ status: validated.status, body: validated.body });
    for (const s of [server, plain]) expect([(await fhir(`${s.url}/Patient/bs-p7`)).status, (await fhir(`${s.url}/Encounter/bs-e7`)).status]).toEqual([404, 404]);
  });

  it.each(['urn:oid:abc', 'urn:oid:1..2'])('should refuse a transaction whose fullUrl is %s (400 at the fullUrl, as without --validate) and store nothing', async (oid) => {
    const body = bundle('transaction', oid, oid === 'urn:oid:abc' ? '8' : '9');
    body.entry![0]!.fullUrl = oid;
    const reply = await fhir<OperationOutcome>(server.url, { method: 'POST', body });
    expect(reply.status).toBe(400);
    expect((reply.body.issue ?? []).map((i) => `${i.code} ${i.expression?.[0]} ${i.details?.text}`)).toEqual([
      `processing Bundle.entry[0].fullUrl Bundle.entry[0].fullUrl "${oid}" is not urn:oid: and an OID (R4 oid, e.g. urn:oid:2.16.840.1)`,
    ]);
    const without = await fhir<OperationOutcome>(plain.url, { method: 'POST', body });
    expect({ status: without.status, body: without.body }).toEqual({ status: reply.status, body: reply.body });
    const suffix = oid === 'urn:oid:abc' ? '8' : '9';
    for (const s of [server, plain]) expect([(await fhir(`${s.url}/Patient/bs-p${suffix}`)).status, (await fhir(`${s.url}/Encounter/bs-e${suffix}`)).status]).toEqual([404, 404]);
  });

  it.each(['transaction', 'batch'] as const)('should refuse a %s whose two entries have one fullUrl (400 bdl-7, as without --validate) and store nothing', async (type) => {
    const body = bundle(type, 'Patient/bs-p12', '12');
    body.entry![1]!.fullUrl = PATIENT;
    const reply = await fhir<OperationOutcome>(server.url, { method: 'POST', body });
    expect(reply.status).toBe(400);
    expect(reply.body.issue!.map((i) => `${i.code} ${i.expression?.join(' ')}`)).toEqual(['invalid Bundle.entry[0].fullUrl Bundle.entry[1].fullUrl']);
    const without = await fhir<OperationOutcome>(plain.url, { method: 'POST', body });
    expect({ status: without.status, body: without.body }).toEqual({ status: reply.status, body: reply.body });
    for (const s of [server, plain]) expect([(await fhir(`${s.url}/Patient/bs-p12`)).status, (await fhir(`${s.url}/Encounter/bs-e12`)).status]).toEqual([404, 404]);
  });

  it('should refuse the batch entry whose urn:oid: fullUrl is not an OID (400, as without --validate) and store the other', async () => {
    const body = bundle('batch', PATIENT, '6');
    body.entry![0]!.fullUrl = 'urn:oid:1.2.x';
    delete (body.entry![1]!.resource as Encounter).subject;
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body });
    expect(reply.status).toBe(200);
    expect(reply.body.entry!.map((e) => e.response?.status?.slice(0, 3))).toEqual(['400', '201']);
    const outcome = reply.body.entry![0]!.response?.outcome as OperationOutcome;
    expect(outcome.issue!.map((i) => `${i.code} ${i.expression?.[0]}`)).toEqual(['processing Bundle.entry[0].fullUrl']);
    expect([(await fhir(`${server.url}/Patient/bs-p6`)).status, (await fhir(`${server.url}/Encounter/bs-e6`)).status]).toEqual([404, 200]);
    const without = await fhir<Bundle>(plain.url, { method: 'POST', body });
    expect(without.body.entry!.map((e) => e.response?.status)).toEqual(reply.body.entry!.map((e) => e.response?.status));
    expect(without.body.entry![0]!.response?.outcome).toEqual(outcome);
  });

  it('should refuse the batch entry that refers to another entry by its fullUrl (400, as without --validate; entries of a batch stand apart) and store the other', async () => {
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body: bundle('batch', PATIENT, '4') });
    expect(reply.status).toBe(200);
    expect(reply.body.entry!.map((e) => e.response?.status?.slice(0, 3))).toEqual(['201', '400']);
    const outcome = reply.body.entry![1]!.response?.outcome as OperationOutcome;
    expect(outcome.issue!.map((i) => `${i.code} ${i.expression?.[0]} ${i.details?.text}`)).toEqual([
      `processing Bundle.entry[1].resource.subject.reference Bundle.entry[1].resource.subject.reference: reference "${PATIENT}" is the fullUrl of Bundle.entry[0]: the entries of a batch are processed apart and may not refer to each other (FHIR R4 http.html#brules); send them as a transaction`,
    ]);
    expect([(await fhir(`${server.url}/Patient/bs-p4`)).status, (await fhir(`${server.url}/Encounter/bs-e4`)).status]).toEqual([200, 404]);
    const without = await fhir<Bundle>(plain.url, { method: 'POST', body: bundle('batch', PATIENT, '4') });
    expect(without.body.entry!.map((e) => e.response?.status?.slice(0, 3))).toEqual(['201', '400']);
    expect(without.body.entry![1]!.response?.outcome).toEqual(outcome);
  });

  // A null entry threw in the validator's pass over the batch (500 exception); bundle-entry-shape.test.ts: without --validate.
  it('should answer a batch\'s entry that is not a Bundle entry alone (400, as without --validate) and store the other', async () => {
    const body = { resourceType: 'Bundle', type: 'batch', entry: [null, bundle('batch', PATIENT, '11').entry![0]] };
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body });
    expect(reply.status).toBe(200);
    expect(reply.body.entry!.map((e) => e.response?.status)).toEqual(['400 Bad Request', '201 Created']);
    const without = await fhir<Bundle>(plain.url, { method: 'POST', body });
    expect(without.body.entry![0]).toEqual(reply.body.entry![0]);
    expect((await fhir(`${server.url}/Patient/bs-p11`)).status).toBe(200);
  });

  // The validator's refusal (422) and the Bundle's rule (400) in one batch: the entries sent on to be stored were
  // renumbered, so the rule's issue named Bundle.entry[0] for the second entry.
  it('should name each refused batch entry by its own index when the validator refuses another', async () => {
    const body = bundle('batch', NOWHERE, '10');
    (body.entry![0]!.resource as Patient).gender = 'x' as Patient['gender'];
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body });
    expect(reply.status).toBe(200);
    expect(reply.body.entry!.map((e) => e.response?.status)).toEqual(['422 Unprocessable Entity', '400 Bad Request']);
    expect((reply.body.entry![1]!.response?.outcome as OperationOutcome).issue!.map((i) => i.expression?.[0])).toEqual(['Bundle.entry[1].resource.subject.reference']);
    expect([(await fhir(`${server.url}/Patient/bs-p10`)).status, (await fhir(`${server.url}/Encounter/bs-e10`)).status]).toEqual([404, 404]);
  });
});
