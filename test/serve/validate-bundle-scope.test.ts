// serve --validate resolves a transaction's (and a batch's) urn:uuid: references against its entries' fullUrls, as
// `fhirseed validate` does in a Bundle file (1746ace): a dangling one is refused with a 422 naming the entry and the
// reference; one that resolves passes.
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
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
});
