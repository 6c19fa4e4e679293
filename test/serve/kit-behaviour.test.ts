import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, CapabilityStatement, CapabilityStatementRestResource, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seed } from '../../src/seed/seed.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { testSeedOptions } from '../seed/helpers/data.js';
import { describeEmbedded, fhir, key, startTestServer, type TestServer } from './helpers.js';

/**
 * What the Inferno CARIN BB and US Core kits ask of a server (issue 11), each on a small hand-made
 * preload: exact `_lastUpdated`, `_include=ExplanationOfBenefit:*`, service-start-date, the
 * CapabilityStatement, compartment search, `$everything` links, refusals (400, 406), 304, and updates
 * that change nothing keeping their version.
 */
const LAST_UPDATED = '2024-05-06T07:08:09.123Z';

function population(): Resource[] {
  return [
    { resourceType: 'Organization', id: 'payer', name: 'Payer' },
    { resourceType: 'Practitioner', id: 'doc', name: [{ family: 'Doc' }] },
    { resourceType: 'Patient', id: 'p1', meta: { lastUpdated: LAST_UPDATED }, gender: 'female' },
    { resourceType: 'Patient', id: 'p2', gender: 'male' },
    { resourceType: 'Binary', id: 'note1', contentType: 'text/plain', data: Buffer.from('Progress note\nPlan: return in one year.', 'utf8').toString('base64') },
    { resourceType: 'QuestionnaireResponse', id: 'qr1', status: 'completed', questionnaire: 'Questionnaire/q1', subject: { reference: 'http://elsewhere.example/fhir/Patient/p1' } },
    { resourceType: 'NutritionOrder', id: 'n1', status: 'active', intent: 'order', patient: { reference: 'Patient/p1' }, dateTime: '2024-03-01' },
    { resourceType: 'Coverage', id: 'c1', status: 'active', beneficiary: { reference: 'Patient/p1' }, payor: [{ reference: 'Organization/payer' }] },
    {
      resourceType: 'ExplanationOfBenefit',
      id: 'e1',
      meta: { lastUpdated: LAST_UPDATED },
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      use: 'claim',
      patient: { reference: 'Patient/p1' },
      created: '2024-02-01',
      insurer: { reference: 'Organization/payer' },
      provider: { reference: 'Practitioner/doc' },
      outcome: 'complete',
      insurance: [{ focal: true, coverage: { reference: 'Coverage/c1' } }],
      item: [{ sequence: 1, productOrService: { text: 'visit' }, servicedPeriod: { start: '2024-01-10', end: '2024-01-20' } }],
    },
    {
      resourceType: 'ExplanationOfBenefit',
      id: 'e2',
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'pharmacy' }] },
      use: 'claim',
      patient: { reference: 'Patient/p2' },
      created: '2024-02-01',
      insurer: { reference: 'Organization/payer' },
      provider: { reference: 'Organization/payer' },
      outcome: 'complete',
      insurance: [{ focal: true, coverage: { reference: 'Coverage/c1' } }],
      item: [{ sequence: 1, productOrService: { text: 'drug' }, servicedDate: '2024-01-15' }],
    },
  ] as Resource[];
}

describeEmbedded('serve: what the Inferno kits ask of the server', () => {
  const temp = tempDir('fhirseed-kit-behaviour-');
  let server: TestServer;
  let base: string;

  beforeAll(async () => {
    mkdirSync(join(temp.dir, 'data'));
    for (const r of population()) writeFileSync(join(temp.dir, 'data', `${r.resourceType}-${r.id}.json`), JSON.stringify(r));
    server = await startTestServer({ dir: join(temp.dir, 'data'), packagesDir: SHARED_PACKAGES });
    base = server.url;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    temp.cleanup();
  });

  const ids = (bundle: Bundle, mode = 'match') => (bundle.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => key(e.resource!)).sort();

  it('should keep the preloaded meta.lastUpdated and find it by _lastUpdated at millisecond precision', async () => {
    expect((await fhir<Resource>(`${base}/Patient/p1`)).body.meta?.lastUpdated).toBe(LAST_UPDATED);
    for (const value of [LAST_UPDATED, `eq${LAST_UPDATED}`, '2024-05-06T07:08:09.123+00:00']) {
      const reply = await fhir<Bundle>(`${base}/ExplanationOfBenefit?_lastUpdated=${encodeURIComponent(value)}`);
      expect(reply.status).toBe(200);
      expect(ids(reply.body)).toEqual(['ExplanationOfBenefit/e1']);
    }
    expect(ids((await fhir<Bundle>(`${base}/ExplanationOfBenefit?_lastUpdated=2024-05-06T07:08:09.124Z`)).body)).toEqual([]);
  });

  it('should answer _include=ExplanationOfBenefit:* with every reference target', async () => {
    const reply = await fhir<Bundle>(`${base}/ExplanationOfBenefit?_id=e1&_include=ExplanationOfBenefit:*`);
    expect(reply.status).toBe(200);
    expect(ids(reply.body, 'include')).toEqual(['Coverage/c1', 'Organization/payer', 'Patient/p1', 'Practitioner/doc']);
  });

  it("should match service-start-date on a service period's start, not its end or middle", async () => {
    const find = async (date: string) => ids((await fhir<Bundle>(`${base}/ExplanationOfBenefit?service-start-date=${date}`)).body);
    expect(await find('2024-01-10')).toEqual(['ExplanationOfBenefit/e1']);
    expect(await find('2024-01-20')).toEqual([]);
    expect(await find('2024-01-15')).toEqual(['ExplanationOfBenefit/e2']);
    // An element whose name only looks like a typed choice (NutritionOrder.dateTime) is searched as it is.
    expect(ids((await fhir<Bundle>(`${base}/NutritionOrder?datetime=2024-03-01`)).body)).toEqual(['NutritionOrder/n1']);
  });

  it('should declare the IG statements it instantiates, the revincludes US Core requires, and only searches it answers', async () => {
    const statement = (await fhir<CapabilityStatement>(`${base}/metadata`)).body;
    // Plan-Net, Formulary and PDex statements join these when the data holds those IGs' resources (test/serve/payer-search.test.ts).
    expect(statement.instantiates?.slice(0, 2)).toEqual(['http://hl7.org/fhir/us/carin-bb/CapabilityStatement/c4bb', 'http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server']);
    expect(statement.implementationGuide?.some((ig) => ig.startsWith('http://hl7.org/fhir/us/core/ImplementationGuide/hl7.fhir.us.core'))).toBe(true);
    const resources = new Map<string, CapabilityStatementRestResource>(statement.rest![0]!.resource!.map((r) => [r.type as string, r]));
    const usCoreRevinclude = ['AllergyIntolerance', 'CarePlan', 'CareTeam', 'Condition', 'Coverage', 'Device', 'DiagnosticReport', 'DocumentReference', 'Encounter', 'Goal', 'Immunization', 'MedicationDispense', 'MedicationRequest', 'Observation', 'Patient', 'Procedure', 'QuestionnaireResponse', 'RelatedPerson', 'ServiceRequest'];
    for (const type of usCoreRevinclude) expect(resources.get(type)?.searchRevInclude, type).toContain('Provenance:target');
    const eob = resources.get('ExplanationOfBenefit')!;
    expect(eob.searchInclude).toEqual(expect.arrayContaining(['ExplanationOfBenefit:patient', 'ExplanationOfBenefit:payee', 'ExplanationOfBenefit:*']));
    // Every listed parameter, include and revinclude is answered (not a 400); what is refused is not listed.
    for (const type of ['ExplanationOfBenefit', 'Patient', 'Observation', 'Location']) {
      const r = resources.get(type)!;
      const queries = [
        ...r.searchParam!.map((p) => `${p.name}=${p.type === 'date' ? '2024-01-01' : p.type === 'number' || p.type === 'quantity' ? '1' : 'x'}`),
        ...r.searchInclude!.map((i) => `_include=${i}`),
        ...r.searchRevInclude!.map((i) => `_revinclude=${i}`),
      ];
      for (const query of queries) expect((await fhir(`${base}/${type}?${query}`)).status, `${type}?${query}`).toBe(200);
    }
    expect(resources.get('Location')!.searchParam!.some((p) => p.name === 'near')).toBe(false);
    expect((await fhir(`${base}/Location?near=1|1|1|km`)).status).toBe(400);
  });

  it('should answer a compartment search as the type search restricted to the patient', async () => {
    const reply = await fhir<Bundle>(`${base}/Patient/p1/ExplanationOfBenefit`);
    expect(reply.status).toBe(200);
    expect(ids(reply.body)).toEqual(['ExplanationOfBenefit/e1']);
    expect(reply.body.link?.find((l) => l.relation === 'self')?.url).toContain('/Patient/p1/ExplanationOfBenefit?');
    expect(ids((await fhir<Bundle>(`${base}/Patient/p2/Coverage`)).body)).toEqual([]);
    expect(ids((await fhir<Bundle>(`${base}/Patient/p1/Coverage?status=active`)).body)).toEqual(['Coverage/c1']);
  });

  it('should find by reference whatever form the reference takes (canonical, absolute)', async () => {
    expect(ids((await fhir<Bundle>(`${base}/QuestionnaireResponse?questionnaire=Questionnaire/q1`)).body)).toEqual(['QuestionnaireResponse/qr1']);
    expect(ids((await fhir<Bundle>(`${base}/QuestionnaireResponse?subject=http://elsewhere.example/fhir/Patient/p1`)).body)).toEqual(['QuestionnaireResponse/qr1']);
    expect(ids((await fhir<Bundle>(`${base}/Coverage?beneficiary=p1`)).body)).toEqual(['Coverage/c1']);
    expect(ids((await fhir<Bundle>(`${base}/Coverage?beneficiary=p2`)).body)).toEqual([]);
  });

  it('should give Patient/$everything a self link', async () => {
    const reply = await fhir<Bundle>(`${base}/Patient/p1/$everything`);
    expect(reply.body.link?.find((l) => l.relation === 'self')?.url).toBe(`${base}/Patient/p1/$everything`);
  });

  it('should refuse an unknown _sort key and a malformed id with 400, XML with 406', async () => {
    expect((await fhir(`${base}/Patient?_sort=no-such-key`)).status).toBe(400);
    expect((await fhir(`${base}/Patient?_sort=-gender`)).status).toBe(200);
    expect((await fhir(`${base}/Patient/bad%20id!`)).status).toBe(400);
    const xml = await fhir(`${base}/Patient?_format=xml`);
    expect(xml.status).toBe(406);
    expect(xml.body.resourceType).toBe('OperationOutcome');
    const accept = await fetch(`${base}/Patient/p1`, { headers: { accept: 'application/fhir+xml' } });
    expect(accept.status).toBe(406);
    expect((await fetch(`${base}/Patient/p1`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } })).status).toBe(200);
    expect((await fhir(`${base}/Patient?_format=json`)).status).toBe(200);
  });

  it("should serve a Binary's content to a client asking for its type (an attachment URL), and the resource to a FHIR client", async () => {
    const text = await fetch(`${base}/Binary/note1`, { headers: { accept: 'text/plain' } });
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toBe('text/plain');
    expect(await text.text()).toBe('Progress note\nPlan: return in one year.');
    expect((await fetch(`${base}/Binary/note1`, { headers: { accept: 'text/*' } })).status).toBe(200);
    expect((await fetch(`${base}/Binary/note1`, { headers: { accept: 'application/pdf' } })).status).toBe(406);
    expect((await fetch(`${base}/Binary/none`, { headers: { accept: 'text/plain' } })).status).toBe(404);
    const resource = await fhir<Resource>(`${base}/Binary/note1`);
    expect(resource.status).toBe(200);
    expect(resource.body.resourceType).toBe('Binary');
  });

  it('should publish a statement of references by canonical URL, without every any-type revinclude on every type', async () => {
    const reply = await fetch(`${base}/metadata`);
    const text = await reply.text();
    expect(text.length).toBeLessThan(400_000);
    const statement = JSON.parse(text) as CapabilityStatement;
    const resources = statement.rest![0]!.resource!;
    for (const r of resources) for (const p of r.searchParam ?? []) if (p.definition) expect(p.definition).toMatch(/^http:\/\/\S+$/);
    const patient = resources.find((r) => r.type === 'Patient')!;
    expect(patient.searchRevInclude).toContain('Provenance:target');
    expect(patient.searchRevInclude).toContain('Encounter:patient');
    expect(patient.searchRevInclude).not.toContain('List:item');
  });

  it('should answer 304 to If-None-Match with the current ETag', async () => {
    const first = await fetch(`${base}/Patient/p2`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    expect((await fetch(`${base}/Patient/p2`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${base}/Patient/p2`, { headers: { 'if-none-match': 'W/"other"' } })).status).toBe(200);
  });

  it('should keep the version when an update changes nothing, and say so in a batch answer', async () => {
    const current = (await fhir<Resource>(`${base}/Patient/p2`)).body;
    const same = await fhir<Resource>(`${base}/Patient/p2`, { method: 'PUT', body: { resourceType: 'Patient', id: 'p2', gender: 'male' } });
    expect(same.status).toBe(200);
    expect(same.body.meta?.versionId).toBe(current.meta?.versionId);
    const batch = await fhir<Bundle>(base, { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry: [{ resource: { resourceType: 'Patient', id: 'p2', gender: 'male' }, request: { method: 'PUT', url: 'Patient/p2' } }] } });
    expect(JSON.stringify(batch.body.entry?.[0]?.response?.outcome)).toContain('SUCCESSFUL_UPDATE_NO_CHANGE');
    expect((await fhir<Bundle>(`${base}/Patient/p2/_history`)).body.entry).toHaveLength(1);
    const changed = await fhir<Resource>(`${base}/Patient/p2`, { method: 'PUT', body: { resourceType: 'Patient', id: 'p2', gender: 'other' } });
    expect(changed.body.meta?.versionId).not.toBe(current.meta?.versionId);
    expect((await fhir<Bundle>(`${base}/Patient/p2/_history`)).body.entry).toHaveLength(2);
  });
});

describeEmbedded('seed: a second seed of the same output is reported unchanged', () => {
  const temp = tempDir('fhirseed-seed-unchanged-');
  let server: TestServer;

  beforeAll(async () => {
    generateTo(temp.dir, { ...shippedProfile('default'), members: 3, seed: 4242 });
    server = await startTestServer();
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    temp.cleanup();
  });

  for (const mode of ['transaction', 'batch'] as const) {
    it(`should count every resource as unchanged the second time (${mode})`, async () => {
      const first = await seed(testSeedOptions(server.url, temp.dir, { mode, verify: false }));
      expect(first.deadLettered).toBe(0);
      const second = await seed(testSeedOptions(server.url, temp.dir, { mode, verify: false }));
      expect(second.unchanged).toBe(second.sent);
      expect(second.updated).toBe(0);
      expect(second.created).toBe(0);
    });
  }
});
