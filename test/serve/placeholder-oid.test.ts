// A transaction's and a batch's fullUrls and placeholders (R4 http.html#trules, #brules; bundle.html §2.36.4.1).
// medplum rewrites urn:uuid: placeholders only: a reference to an entry's urn:oid: fullUrl was stored as it was,
// pointing nowhere (in a transaction until 184fc84, in a batch until this file's batch cases), and so was one to a
// urn:oid: no entry has. A fullUrl must be an absolute URI, a urn:uuid: or urn:oid: one of its type's form; a
// malformed urn:oid: one was stored without --validate. A batch entry may not refer to another entry (#brules);
// medplum resolved such references. A urn:oid: placeholder in a conditional URL (ifNoneExist, `DELETE Type?param=`) is
// resolved as a urn:uuid: one is (it was searched as it was); a repeated fullUrl (bdl-7) refuses the Bundle whole.
// Real server, fetch, no --validate (validate-bundle-scope.test.ts: the same with).
import type { Bundle, BundleEntry, Encounter, Observation, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { fhir } from './helpers.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0 });
}, 120_000);
afterAll(() => server?.close());

const OID = 'urn:oid:1.2.840.99999.1';
const UUID = 'urn:uuid:5d0c1b7e-2f3a-4c5d-8e9f-0000000000a1';
/** A Patient with fullUrl `fullUrl` and an Encounter whose subject is `subject`, both POSTed by one `type` Bundle. */
const bundle = (fullUrl: string, subject: string, type: 'transaction' | 'batch' = 'transaction', family = 'Oid'): Bundle => ({
  resourceType: 'Bundle',
  type,
  entry: [
    { fullUrl, resource: { resourceType: 'Patient', name: [{ family }] }, request: { method: 'POST', url: 'Patient' } },
    { resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: subject } }, request: { method: 'POST', url: 'Encounter' } },
  ],
});
const transaction = (fullUrl: string, subject: string) => bundle(fullUrl, subject);
const count = async (family: string) => (await fhir<Bundle>(`${server.url}/Patient?family=${family}&_summary=count`)).body.total;
const issues = (outcome: OperationOutcome | undefined) => (outcome?.issue ?? []).map((i) => `${i.code} ${i.expression?.[0]} ${i.details?.text}`);

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
    const before = await count('Oid');
    const reply = await fhir<OperationOutcome>(server.url, { method: 'POST', body: transaction(OID, 'urn:oid:1.2.840.99999.2') });
    expect(reply.status).toBe(400);
    expect(reply.body.issue!.map((i) => `${i.code} ${i.expression?.[0]}`)).toEqual(['processing Bundle.entry[1].resource.subject.reference']);
    expect(await count('Oid')).toBe(before);
  });
});

describe('serve: an entry\'s fullUrl form (R4 Bundle.entry.fullUrl, oid, uuid)', () => {
  // Each of these was stored (200) without --validate; its references to itself resolved as a placeholder's would.
  it.each([
    ['urn:oid:abc', 'is not urn:oid: and an OID (R4 oid, e.g. urn:oid:2.16.840.1)'],
    ['urn:oid:1..2', 'is not urn:oid: and an OID (R4 oid, e.g. urn:oid:2.16.840.1)'],
    ['URN:OID:1.2.840.99999.3', 'is not urn:oid: and an OID (R4 oid, e.g. urn:oid:2.16.840.1)'],
    ['Patient/fu-1', 'is not an absolute URL (R4 Bundle.entry.fullUrl, "the Absolute URL for the resource": https://…/Type/id, urn:uuid:… or urn:oid:…)'],
  ])('should refuse a transaction whose fullUrl is %s (400 processing at Bundle.entry[0].fullUrl, nothing stored)', async (fullUrl, why) => {
    const before = await count('FullUrl');
    const reply = await fhir<OperationOutcome>(server.url, { method: 'POST', body: bundle(fullUrl, fullUrl, 'transaction', 'FullUrl') });
    expect(reply.status).toBe(400);
    expect(issues(reply.body)).toEqual([`processing Bundle.entry[0].fullUrl Bundle.entry[0].fullUrl ${JSON.stringify(fullUrl)} ${why}`]);
    expect(await count('FullUrl')).toBe(before);
  });

  it('should fail a batch entry whose urn:oid: fullUrl is not an OID alone (400), the other stored', async () => {
    const before = await count('OidBatch');
    const body = bundle('urn:oid:1..2', 'Patient/unknown', 'batch', 'OidBatch');
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body });
    expect(reply.status).toBe(200);
    expect(reply.body.entry!.map((e) => e.response?.status)).toEqual(['400 Bad Request', '201']);
    expect(issues(reply.body.entry![0]!.response?.outcome as OperationOutcome)).toEqual([
      'processing Bundle.entry[0].fullUrl Bundle.entry[0].fullUrl "urn:oid:1..2" is not urn:oid: and an OID (R4 oid, e.g. urn:oid:2.16.840.1)',
    ]);
    expect(await count('OidBatch')).toBe(before);
    expect((await fhir(`${server.url}/${reply.body.entry![1]!.response?.location}`)).status).toBe(200);
  });
});

describe('serve: placeholders in a batch', () => {
  // R4 http.html#brules: "References within a Bundle.entry.resource to another Bundle.entry.resource that is being
  // created within the batch are considered to be non-conformant". medplum resolved them (201, the reference rewritten).
  it.each([OID, UUID])('should fail a batch entry that refers to another entry by its fullUrl %s alone (400), the other stored', async (fullUrl) => {
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body: bundle(fullUrl, fullUrl, 'batch', 'Apart') });
    expect(reply.status).toBe(200);
    const [patient, encounter] = reply.body.entry! as [BundleEntry, BundleEntry];
    expect([patient.response?.status, encounter.response?.status]).toEqual(['201', '400 Bad Request']);
    expect(issues(encounter.response?.outcome as OperationOutcome)).toEqual([
      `processing Bundle.entry[1].resource.subject.reference Bundle.entry[1].resource.subject.reference: reference "${fullUrl}" is the fullUrl of Bundle.entry[0]: the entries of a batch are processed apart and may not refer to each other (FHIR R4 http.html#brules); send them as a transaction`,
    ]);
    expect((await fhir(`${server.url}/${patient.response?.location}`)).status).toBe(200);
    expect((await fhir<Bundle>(`${server.url}/Encounter?subject=${patient.response?.location?.split('/_history')[0]}&_summary=count`)).body.total).toBe(0);
  });

  it('should name every broken reference of a refused batch entry, in document order', async () => {
    const body = bundle(UUID, UUID, 'batch', 'Apart');
    (body.entry![1]!.resource as Encounter).participant = [{ individual: { reference: 'urn:oid:1.2.840.99999.404' } }];
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body });
    expect(reply.body.entry!.map((e) => e.response?.status)).toEqual(['201', '400 Bad Request']);
    expect((reply.body.entry![1]!.response?.outcome as OperationOutcome).issue!.map((i) => i.expression?.[0])).toEqual([
      'Bundle.entry[1].resource.subject.reference',
      'Bundle.entry[1].resource.participant[0].individual.reference',
    ]);
  });

  // An entry's reference to its own fullUrl is no dependency on another entry: medplum rewrites a urn:uuid: one to the
  // created resource, and a urn:oid: one was stored as it was.
  it.each([OID, UUID])('should resolve a batch entry\'s reference to its own fullUrl %s to the resource it created', async (fullUrl) => {
    const self: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ fullUrl, resource: { resourceType: 'Patient', name: [{ family: 'Self' }], link: [{ type: 'seealso', other: { reference: fullUrl } }] }, request: { method: 'POST', url: 'Patient' } }],
    };
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body: self });
    expect(reply.status).toBe(200);
    const patient = reply.body.entry![0]!.resource as Patient;
    expect(reply.body.entry![0]!.response?.status).toBe('201');
    expect(patient.link?.[0]?.other.reference).toBe(`Patient/${patient.id}`);
    expect((await fhir<Patient>(`${server.url}/Patient/${patient.id}`)).body.link?.[0]?.other.reference).toBe(`Patient/${patient.id}`);
  });
});

describe('serve: a fullUrl repeated in a Bundle (R4 bdl-7)', () => {
  // Both were stored (200, three Patients): medplum took the second urn:uuid: entry's identity for the references.
  const repeated = (type: 'transaction' | 'batch', versions: (string | undefined)[] = [undefined, undefined, undefined]): Bundle => ({
    resourceType: 'Bundle',
    type,
    entry: versions.map((versionId, i) => ({
      fullUrl: i === 1 ? 'urn:uuid:5d0c1b7e-2f3a-4c5d-8e9f-0000000000c2' : UUID,
      resource: { resourceType: 'Patient', name: [{ family: 'Repeated' }], ...(versionId ? { meta: { versionId } } : {}) },
      request: { method: 'POST', url: 'Patient' },
    })),
  });

  it.each(['transaction', 'batch'] as const)('should refuse a %s whose entries 0 and 2 have one fullUrl (400 invalid naming both, nothing stored)', async (type) => {
    const before = await count('Repeated');
    const reply = await fhir<OperationOutcome>(server.url, { method: 'POST', body: repeated(type) });
    expect(reply.status).toBe(400);
    expect(reply.body.issue!.map((i) => [i.code, i.expression, i.details?.text])).toEqual([
      [
        'invalid',
        ['Bundle.entry[0].fullUrl', 'Bundle.entry[2].fullUrl'],
        `fullUrl "${UUID}" is on Bundle.entry[0] and Bundle.entry[2]: a fullUrl must be unique in a Bundle, or else the entries with it must have different meta.versionId (R4 Bundle invariant bdl-7); nothing was stored`,
      ],
    ]);
    expect(await count('Repeated')).toBe(before);
  });

  it('should store a batch whose entries with one fullUrl have different meta.versionId (bdl-7 allows them)', async () => {
    const before = await count('Repeated');
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body: repeated('batch', ['1', undefined, '2']) });
    expect(reply.status).toBe(200);
    expect(reply.body.entry!.map((e) => e.response?.status)).toEqual(['201', '201', '201']);
    expect(await count('Repeated')).toBe(before! + 3);
  });
});

describe('serve: a placeholder in a transaction entry\'s conditional URL (request.ifNoneExist, a conditional request.url)', () => {
  // medplum rewrites a urn:uuid: placeholder wherever it is in an entry, so `subject=urn:uuid:…` searched the created or
  // updated Patient; a urn:oid: one was searched as it was, matched nothing, and the Encounter was made again (201) and
  // the Observation not deleted. Each transaction is sent twice: the second finds what the first made.
  it.each([
    ['urn:oid:', 'urn:oid:1.2.840.99999.30', 'cond-oid'],
    ['urn:uuid:', 'urn:uuid:5d0c1b7e-2f3a-4c5d-8e9f-0000000000d3', 'cond-uuid'],
  ])('should resolve a %s placeholder there to the entry\'s resource', async (_kind, placeholder, id) => {
    const conditional: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: placeholder, resource: { resourceType: 'Patient', id }, request: { method: 'PUT', url: `Patient/${id}` } },
        { resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: placeholder } }, request: { method: 'POST', url: 'Encounter', ifNoneExist: `subject=${placeholder}` } },
        { request: { method: 'DELETE', url: `Observation?subject=${encodeURIComponent(placeholder)}` } },
        // A conditional reference (stored as it is: this server does not resolve those) mentioning the placeholder.
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'kept once' }, subject: { reference: placeholder }, derivedFrom: [{ reference: `Encounter?subject=${placeholder}` }] }, request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const first = await fhir<Bundle>(server.url, { method: 'POST', body: conditional });
    expect(first.status).toBe(200);
    expect(first.body.entry!.map((e) => e.response?.status)).toEqual(['201 Created', '201', '200', '201']);
    const again = await fhir<Bundle>(server.url, { method: 'POST', body: conditional });
    expect(again.status).toBe(200);
    // The Encounter found by ifNoneExist (200, not made again); the first Observation deleted, a new one made.
    expect(again.body.entry!.map((e) => e.response?.status)).toEqual(['200', '200', '200', '201']);
    expect(again.body.entry![1]!.resource?.id).toBe(first.body.entry![1]!.resource?.id);
    expect((again.body.entry![3]!.resource as Observation).derivedFrom?.[0]?.reference).toBe(`Encounter?subject=Patient/${id}`);
    for (const type of ['Encounter', 'Observation']) {
      expect((await fhir<Bundle>(`${server.url}/${type}?subject=Patient/${id}&_summary=count`)).body.total, type).toBe(1);
    }
  });
});

describe('serve: a batch with an entry that is not an object and a urn:oid: fullUrl', () => {
  // The urn:oid: rewrite read `fullUrl` of the null entry: a 500 "Cannot read properties of null", nothing stored.
  it('should answer the odd entry alone (400) and store the other', async () => {
    const before = await count('OddOid');
    const body = { resourceType: 'Bundle', type: 'batch', entry: [null, { fullUrl: OID, resource: { resourceType: 'Patient', name: [{ family: 'OddOid' }] }, request: { method: 'POST', url: 'Patient' } }] };
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body });
    expect(reply.status).toBe(200);
    expect(reply.body.entry!.map((e) => e.response?.status)).toEqual(['400 Bad Request', '201']);
    expect(await count('OddOid')).toBe(before! + 1);
  });
});
