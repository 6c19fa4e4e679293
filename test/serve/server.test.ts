import { randomUUID } from 'node:crypto';
import type { Bundle, Coverage, ExplanationOfBenefit, Patient, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { externalBaseUrl, fhir, key, searchAll, startTestServer } from './helpers.js';

/**
 * The read and search checks run against FHIR_BASE_URL when it is set (any server holding a
 * fhirseed population), else against the embedded server preloaded with the default population.
 */
describe('serve: FHIR interactions over HTTP', () => {
  let base: string;
  let close: () => Promise<void> = async () => undefined;
  let cleanup: () => void = () => undefined;
  /** From the generated files, embedded mode only: the truth the server's answers are checked against. */
  let files: Resource[] | undefined;
  let patientId: string;
  let runId: string;

  beforeAll(async () => {
    if (externalBaseUrl) {
      base = externalBaseUrl;
    } else {
      const temp = tempDir('fhirseed-serve-');
      cleanup = temp.cleanup;
      generateTo(temp.dir, shippedProfile('default'));
      files = bundleResources(temp.dir).flatMap((b) => b.resources);
      const server = await startTestServer({ dir: temp.dir, packagesDir: SHARED_PACKAGES });
      expect(server.loadErrors).toEqual([]);
      expect(server.loadedResources).toBe(files.length);
      base = server.url;
      close = server.close;
    }
    const eob = (await fhir<Bundle<ExplanationOfBenefit>>(`${base}/ExplanationOfBenefit?_count=1`)).body.entry?.[0]?.resource;
    patientId = eob?.patient.reference?.split('/')[1] ?? '';
    const patient = (await fhir<Patient>(`${base}/Patient/${patientId}`)).body;
    runId = patient.meta?.tag?.find((t) => t.system === 'urn:fhirseed:run')?.code ?? '';
  }, 60_000);

  afterAll(async () => {
    await close();
    cleanup();
  });

  const eobsOfPatient = () =>
    (files ?? []).filter((r): r is ExplanationOfBenefit => r.resourceType === 'ExplanationOfBenefit' && r.patient.reference === `Patient/${patientId}`);

  it('should read a Patient by id', async () => {
    const reply = await fhir<Patient>(`${base}/Patient/${patientId}`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('application/fhir+json');
    expect(reply.body).toMatchObject({ resourceType: 'Patient', id: patientId });
  });

  it('should find the same member EOBs by Patient/id and by bare id', async () => {
    const qualified = await searchAll(`${base}/ExplanationOfBenefit?patient=Patient/${patientId}`);
    const bare = await searchAll(`${base}/ExplanationOfBenefit?patient=${patientId}`);
    expect(qualified.matches.length).toBeGreaterThan(0);
    expect(bare.matches.map(key).sort()).toEqual(qualified.matches.map(key).sort());
    for (const eob of qualified.matches as ExplanationOfBenefit[]) expect(eob.patient.reference).toBe(`Patient/${patientId}`);
    if (files) expect(qualified.matches.map(key).sort()).toEqual(eobsOfPatient().map(key).sort());
  });

  it('should include the Coverage each matched EOB points at with _include=ExplanationOfBenefit:coverage', async () => {
    const reply = await fhir<Bundle>(`${base}/ExplanationOfBenefit?patient=${patientId}&_include=ExplanationOfBenefit:coverage&_count=1000`);
    expect(reply.status).toBe(200);
    const entries = reply.body.entry ?? [];
    const eobs = entries.filter((e) => e.search?.mode === 'match').map((e) => e.resource as ExplanationOfBenefit);
    const included = entries.filter((e) => e.search?.mode === 'include').map((e) => e.resource as Coverage);
    const wanted = new Set(eobs.flatMap((e) => e.insurance.map((i) => i.coverage.reference)));
    expect(included.length).toBeGreaterThan(0);
    expect(new Set(included.map(key))).toEqual(wanted);
    for (const c of included) expect(c.resourceType).toBe('Coverage');
  });

  it('should answer the CARIN BB date search parameters from the IG', async () => {
    const all = await searchAll(`${base}/ExplanationOfBenefit?patient=${patientId}&_count=1000`);
    expect(all.matches.length).toBeGreaterThan(0);
    for (const param of ['service-date', 'service-start-date', 'billable-period-start']) {
      const since = await searchAll(`${base}/ExplanationOfBenefit?patient=${patientId}&${param}=ge1900-01-01&_count=1000`);
      expect(since.matches.map(key).sort(), param).toEqual(all.matches.map(key).sort());
      const before = await fhir<Bundle>(`${base}/ExplanationOfBenefit?patient=${patientId}&${param}=lt1900-01-01`);
      expect(before.status, param).toBe(200);
      expect(before.body.entry ?? [], param).toEqual([]);
    }
  });

  it('should page with next links to the end without duplicates', async () => {
    const paged = await searchAll(`${base}/ExplanationOfBenefit?_count=17`);
    const keys = paged.matches.map(key);
    expect(paged.pages).toBeGreaterThan(1);
    expect(new Set(keys).size).toBe(keys.length);
    if (paged.total !== undefined) expect(keys.length).toBe(paged.total);
    if (files) expect(keys.length).toBe(files.filter((r) => r.resourceType === 'ExplanationOfBenefit').length);
  });

  it('should search by _tag and count with _summary=count', async () => {
    expect(runId).not.toBe('');
    const tag = encodeURIComponent(`urn:fhirseed:run|${runId}`);
    const counted = await fhir<Bundle>(`${base}/Patient?_tag=${tag}&_summary=count`);
    expect(counted.status).toBe(200);
    expect(counted.body.entry ?? []).toEqual([]);
    const listed = await searchAll(`${base}/Patient?_tag=${tag}&_count=10`);
    expect(counted.body.total).toBe(listed.matches.length);
    if (files) expect(counted.body.total).toBe(files.filter((r) => r.resourceType === 'Patient').length);
    const other = await fhir<Bundle>(`${base}/Patient?_tag=${encodeURIComponent('urn:fhirseed:run|no-such-run')}&_summary=count`);
    expect(other.body.total).toBe(0);
  });

  it('should return the member and their data from Patient/$everything', async () => {
    const reply = await fhir<Bundle>(`${base}/Patient/${patientId}/$everything`);
    expect(reply.status).toBe(200);
    const keys = new Set((reply.body.entry ?? []).map((e) => key(e.resource as Resource)));
    expect(keys.has(`Patient/${patientId}`)).toBe(true);
    const expected = files ? eobsOfPatient() : [];
    for (const eob of expected) expect(keys.has(key(eob))).toBe(true);
    if (files) {
      const coverages = files.filter((r) => r.resourceType === 'Coverage' && (r as Coverage).beneficiary.reference === `Patient/${patientId}`);
      expect(coverages.length).toBeGreaterThan(0);
      for (const c of coverages) expect(keys.has(key(c))).toBe(true);
    }
  });

  it('should answer 404 for an unknown resource type and 400 for an unknown search parameter', async () => {
    expect((await fhir(`${base}/NoSuchType?_count=1`)).status).toBe(404);
    const unknown = await fhir(`${base}/ExplanationOfBenefit?no-such-param=1`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.resourceType).toBe('OperationOutcome');
  });

  it('should describe itself in /metadata', async () => {
    const reply = await fhir(`${base}/metadata`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
    const eob = reply.body.rest[0].resource.find((r: { type: string }) => r.type === 'ExplanationOfBenefit');
    expect(eob.interaction.map((i: { code: string }) => i.code)).toEqual(expect.arrayContaining(['read', 'search-type']));
    expect(eob.searchParam.map((p: { name: string }) => p.name)).toContain('patient');
    if (!externalBaseUrl) {
      expect(eob.supportedProfile).toContain('http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Professional-NonClinician');
    }
  });

  it('should answer a PUT of a new id with 201 and a Location', async () => {
    const id = `fs-test-${randomUUID().slice(0, 8)}`;
    const reply = await fhir(`${base}/Patient/${id}`, { method: 'PUT', body: { resourceType: 'Patient', id, gender: 'unknown' } });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toContain(`/Patient/${id}`);
    const again = await fhir(`${base}/Patient/${id}`, { method: 'PUT', body: { resourceType: 'Patient', id, gender: 'other' } });
    expect(again.status).toBe(200);
    const firstVersion = (reply.body as Patient).meta?.versionId;
    const history = await fhir<Bundle<Patient>>(`${base}/Patient/${id}/_history`);
    expect(history.body.entry?.map((e) => e.resource?.gender)).toEqual(['other', 'unknown']);
    expect((await fhir<Bundle<Patient>>(`${base}/Patient/${id}/_history`)).body.entry?.map((e) => e.resource?.gender)).toEqual(['other', 'unknown']);
    expect((await fhir<Patient>(`${base}/Patient/${id}/_history/${firstVersion}`)).body.gender).toBe('unknown');
    expect((await fhir(`${base}/Patient/${id}`, { method: 'DELETE' })).status).toBeLessThan(300);
  });

  it('should leave nothing behind when the last entry of a transaction fails', async () => {
    const newId = `fs-test-${randomUUID().slice(0, 8)}`;
    const before = (await fhir<Patient>(`${base}/Patient/${patientId}`)).body;
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient', id: newId }, request: { method: 'PUT', url: `Patient/${newId}` } },
        { resource: { ...before, gender: before.gender === 'male' ? 'female' : 'male' }, request: { method: 'PUT', url: `Patient/${patientId}` } },
        // Invalid: the body's id is not the id in the URL.
        { resource: { resourceType: 'Patient', id: 'other-id' }, request: { method: 'PUT', url: `Patient/${newId}-x` } },
      ],
    };
    const reply = await fhir(`${base}`, { method: 'POST', body: bundle });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.body.resourceType).toBe('OperationOutcome');
    expect((await fhir(`${base}/Patient/${newId}`)).status).toBe(404);
    const after = (await fhir<Patient>(`${base}/Patient/${patientId}`)).body;
    expect(after.gender).toBe(before.gender);
    expect(after.meta?.versionId).toBe(before.meta?.versionId);
  });

  it('should refuse a transaction with a made-up resource type and keep none of it', async () => {
    const id = `fs-test-${randomUUID().slice(0, 8)}`;
    const entry = [
      { resource: { resourceType: 'Patient', id }, request: { method: 'PUT', url: `Patient/${id}` } },
      { resource: { resourceType: 'NoSuchType', id }, request: { method: 'PUT', url: `NoSuchType/${id}` } },
    ];
    const reply = await fhir(`${base}`, { method: 'POST', body: { resourceType: 'Bundle', type: 'transaction', entry } });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect((await fhir(`${base}/Patient/${id}`)).status).toBe(404);
  });

  it('should apply a 120-entry transaction whole, and undo all of one whose last entry fails', async () => {
    const stem = `fs-big-${randomUUID().slice(0, 8)}`;
    const entry = Array.from({ length: 120 }, (_, i) => ({ resource: { resourceType: 'Patient', id: `${stem}-${i}` }, request: { method: 'PUT', url: `Patient/${stem}-${i}` } }));
    const bad = [...entry.slice(0, 119), { resource: { resourceType: 'Patient', id: 'other-id' }, request: { method: 'PUT', url: `Patient/${stem}-119` } }];
    const refused = await fhir(`${base}`, { method: 'POST', body: { resourceType: 'Bundle', type: 'transaction', entry: bad } });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    for (const i of [0, 60, 118]) expect((await fhir(`${base}/Patient/${stem}-${i}`)).status).toBe(404);
    const reply = await fhir<Bundle>(`${base}`, { method: 'POST', body: { resourceType: 'Bundle', type: 'transaction', entry } });
    expect(reply.status).toBe(200);
    expect(reply.body.entry).toHaveLength(120);
    expect(reply.body.entry?.every((e) => e.response?.status?.startsWith('201'))).toBe(true);
    expect((await fhir(`${base}/Patient/${stem}-119`)).status).toBe(200);
    const cleanup = entry.map((e) => ({ request: { method: 'DELETE', url: e.request.url } }));
    await fhir(`${base}`, { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry: cleanup } });
  });

  it('should apply a valid transaction and report created entries as 201', async () => {
    const id = `fs-test-${randomUUID().slice(0, 8)}`;
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient', id }, request: { method: 'PUT', url: `Patient/${id}` } }] };
    const reply = await fhir<Bundle>(`${base}`, { method: 'POST', body: bundle });
    expect(reply.status).toBe(200);
    expect(reply.body.type).toBe('transaction-response');
    expect(reply.body.entry?.[0]?.response?.status).toMatch(/^201/);
    expect((await fhir(`${base}/Patient/${id}`)).status).toBe(200);
    await fhir(`${base}/Patient/${id}`, { method: 'DELETE' });
  });
});
