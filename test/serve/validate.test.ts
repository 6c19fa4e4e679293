import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { describeEmbedded, fhir } from './helpers.js';

const goodPatient = (id: string) => ({ resourceType: 'Patient', id, gender: 'female', birthDate: '1970-01-01' });
// a string where a boolean belongs, a malformed date
const badPatient = (id: string) => ({ resourceType: 'Patient', id, active: 'yes', birthDate: '1 Jan 1970' });
const texts = (outcome: OperationOutcome) => (outcome.issue ?? []).map((i) => `${i.expression?.[0]} ${i.details?.text}`).join('\n');

describeEmbedded('serve --validate: writes checked by the fhirseed validator', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer({ port: 0, validate: true, packagesDir: SHARED_PACKAGES });
  }, 60_000);
  afterAll(() => server.close());

  it('should refuse a create or update with errors (422, an OperationOutcome naming each) and store nothing', async () => {
    const created = await fhir<OperationOutcome>(`${server.url}/Patient`, { method: 'POST', body: badPatient('v-bad-1') });
    expect(created.status).toBe(422);
    expect(created.body.resourceType).toBe('OperationOutcome');
    expect(texts(created.body)).toMatch(/active/);
    expect(texts(created.body)).toMatch(/birthDate/);
    const put = await fhir<OperationOutcome>(`${server.url}/Patient/v-bad-2`, { method: 'PUT', body: badPatient('v-bad-2') });
    expect(put.status).toBe(422);
    expect((await fhir(`${server.url}/Patient/v-bad-2`)).status).toBe(404);
  });

  it('should check the profiles a resource claims', async () => {
    const claimed = { ...goodPatient('v-prof'), meta: { profile: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient|2.0.0'] } };
    const reply = await fhir<OperationOutcome>(`${server.url}/Patient/v-prof`, { method: 'PUT', body: claimed });
    expect(reply.status).toBe(422);
    expect(texts(reply.body)).toMatch(/C4BB-Patient/);
  });

  it('should accept valid writes, and references to resources the server holds', async () => {
    expect((await fhir(`${server.url}/Patient/v-good`, { method: 'PUT', body: goodPatient('v-good') })).status).toBe(201);
    const coverage = { resourceType: 'Coverage', id: 'v-cov', status: 'active', beneficiary: { reference: 'Patient/v-good' }, payor: [{ reference: 'Patient/v-good' }] };
    expect((await fhir(`${server.url}/Coverage/v-cov`, { method: 'PUT', body: coverage })).status).toBe(201);
    const dangling = { ...coverage, id: 'v-cov-2', beneficiary: { reference: 'Patient/not-here' } };
    const refused = await fhir<OperationOutcome>(`${server.url}/Coverage/v-cov-2`, { method: 'PUT', body: dangling });
    expect(refused.status).toBe(422);
    expect(texts(refused.body)).toMatch(/Patient\/not-here/);
  });

  it("should refuse an unprofiled resource's code outside an R4 required binding on a CodeableConcept (Condition.clinicalStatus), and take a right one", async () => {
    expect((await fhir(`${server.url}/Patient/v-cond-p`, { method: 'PUT', body: goodPatient('v-cond-p') })).status).toBe(201);
    const condition = (code: string) => ({ resourceType: 'Condition', id: 'v-cond', subject: { reference: 'Patient/v-cond-p' }, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code }] } });
    const refused = await fhir<OperationOutcome>(`${server.url}/Condition/v-cond`, { method: 'PUT', body: condition('sort-of-better') });
    expect(refused.status).toBe(422);
    expect(texts(refused.body)).toBe("Condition.clinicalStatus Condition/v-cond: code 'sort-of-better' is not in the value set (required binding http://hl7.org/fhir/ValueSet/condition-clinical|4.0.1)");
    expect((await fhir(`${server.url}/Condition/v-cond`, { method: 'PUT', body: condition('active') })).status).toBe(201);
  });

  it('should refuse a whole transaction with an invalid entry, pointing at the entry', async () => {
    const entry = [
      { resource: goodPatient('v-tx-1'), request: { method: 'PUT', url: 'Patient/v-tx-1' } },
      { resource: badPatient('v-tx-2'), request: { method: 'PUT', url: 'Patient/v-tx-2' } },
    ];
    const reply = await fhir<OperationOutcome>(server.url, { method: 'POST', body: { resourceType: 'Bundle', type: 'transaction', entry } });
    expect(reply.status).toBe(422);
    expect(reply.body.issue?.[0]?.expression?.[0]).toMatch(/^Bundle\.entry\[1\]\.resource\./);
    expect((await fhir(`${server.url}/Patient/v-tx-1`)).status).toBe(404);
  });

  it('should refuse only the invalid entries of a batch, each in its place', async () => {
    const entry = [
      { resource: badPatient('v-b-1'), request: { method: 'PUT', url: 'Patient/v-b-1' } },
      { resource: goodPatient('v-b-2'), request: { method: 'PUT', url: 'Patient/v-b-2' } },
      { resource: badPatient('v-b-3'), request: { method: 'PUT', url: 'Patient/v-b-3' } },
    ];
    const reply = await fhir<Bundle>(server.url, { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry } });
    expect(reply.status).toBe(200);
    expect(reply.body.entry?.map((e) => e.response?.status.slice(0, 3))).toEqual(['422', '201', '422']);
    expect((reply.body.entry?.[0]?.response?.outcome as OperationOutcome).issue?.length).toBeGreaterThan(0);
    expect((await fhir(`${server.url}/Patient/v-b-2`)).status).toBe(200);
    expect((await fhir(`${server.url}/Patient/v-b-1`)).status).toBe(404);
  });
});
