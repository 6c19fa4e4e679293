import type { Bundle, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { describeEmbedded, fhir, key } from './helpers.js';

const PLAN_NET = 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition';
const USDF = 'http://hl7.org/fhir/us/davinci-drug-formulary/StructureDefinition';

/**
 * Hand-made Plan-Net, Formulary and PDex resources (the generated ones are being built by G1/G2 of issue 16): two
 * practitioners' roles, one in the Preferred network; a formulary with one generic-tier item; a prior authorization.
 */
function resources(): Resource[] {
  const network = (id: string) => [{ url: `${PLAN_NET}/network-reference`, valueReference: { reference: `Organization/${id}` } }];
  return [
    { resourceType: 'Organization', id: 'net1', name: 'Preferred Network', type: [{ coding: [{ code: 'ntwk' }] }] },
    { resourceType: 'Organization', id: 'clinic', name: 'Main Street Clinic', endpoint: [{ reference: 'Endpoint/ep1' }] },
    { resourceType: 'Location', id: 'loc1', name: 'Main Street', address: { city: 'Springfield', state: 'IL' }, managingOrganization: { reference: 'Organization/clinic' } },
    { resourceType: 'Endpoint', id: 'ep1', status: 'active', connectionType: { code: 'hl7-fhir-rest' }, payloadType: [{ text: 'any' }], address: 'https://clinic.example/fhir', managingOrganization: { reference: 'Organization/clinic' } },
    { resourceType: 'Practitioner', id: 'smith', name: [{ family: 'Smith', given: ['Ann'] }] },
    { resourceType: 'Practitioner', id: 'jones', name: [{ family: 'Jones', given: ['Bo'] }] },
    {
      resourceType: 'PractitionerRole', id: 'role-smith', meta: { profile: [`${PLAN_NET}/plannet-PractitionerRole`] }, extension: network('net1'),
      practitioner: { reference: 'Practitioner/smith' }, organization: { reference: 'Organization/clinic' }, location: [{ reference: 'Location/loc1' }],
      specialty: [{ coding: [{ system: 'http://nucc.org/provider-taxonomy', code: '207Q00000X' }] }],
    },
    { resourceType: 'PractitionerRole', id: 'role-jones', practitioner: { reference: 'Practitioner/jones' }, organization: { reference: 'Organization/clinic' } },
    { resourceType: 'InsurancePlan', id: 'formulary1', name: 'Formulary 2025', type: [{ coding: [{ code: 'DrugPlan' }] }] },
    { resourceType: 'MedicationKnowledge', id: 'metformin', status: 'active', code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '860975', display: 'Metformin 500 MG' }] } },
    {
      resourceType: 'Basic', id: 'item1', meta: { profile: [`${USDF}/usdf-FormularyItem`] }, code: { coding: [{ code: 'formulary-item' }] }, subject: { reference: 'MedicationKnowledge/metformin' },
      extension: [
        { url: `${USDF}/usdf-FormularyReference-extension`, valueReference: { reference: 'InsurancePlan/formulary1' } },
        { url: `${USDF}/usdf-DrugTierID-extension`, valueCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/us/davinci-drug-formulary/CodeSystem/usdf-DrugTierCS', code: 'generic' }] } },
      ],
    },
    { resourceType: 'Patient', id: 'm1' },
    { resourceType: 'ExplanationOfBenefit', id: 'pa1', status: 'active', use: 'preauthorization', patient: { reference: 'Patient/m1' }, created: '2025-01-01', outcome: 'complete', type: { coding: [{ code: 'professional' }] }, insurer: { reference: 'Organization/clinic' }, provider: { reference: 'Organization/clinic' }, insurance: [{ focal: true, coverage: { reference: 'Coverage/x' } }] },
    { resourceType: 'ExplanationOfBenefit', id: 'claim1', status: 'active', use: 'claim', patient: { reference: 'Patient/m1' }, created: '2025-01-01', outcome: 'complete', type: { coding: [{ code: 'professional' }] }, insurer: { reference: 'Organization/clinic' }, provider: { reference: 'Organization/clinic' }, insurance: [{ focal: true, coverage: { reference: 'Coverage/x' } }] },
  ] as Resource[];
}

describeEmbedded('serve: Plan-Net, Formulary and PDex searches', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const search = async (query: string) => {
    const reply = await fhir<Bundle>(`${server.url}/${query}`);
    expect(reply.status, `${query}: ${JSON.stringify(reply.body)}`).toBe(200);
    const of = (mode: string) => (reply.body.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => key(e.resource!)).sort();
    return { match: of('match'), include: of('include') };
  };

  beforeAll(async () => {
    server = await startServer({ port: 0, packagesDir: SHARED_PACKAGES });
    const entry = resources().map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } }));
    expect((await fhir(server.url, { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry } })).status).toBe(200);
  }, 60_000);

  afterAll(() => server.close());

  it("should answer Plan-Net's chained, network and include searches", async () => {
    expect((await search('PractitionerRole?practitioner.name=Smith')).match).toEqual(['PractitionerRole/role-smith']);
    expect((await search('PractitionerRole?practitioner.family=Jones')).match).toEqual(['PractitionerRole/role-jones']);
    expect((await search('PractitionerRole?network=Organization/net1')).match).toEqual(['PractitionerRole/role-smith']);
    expect((await search('PractitionerRole?network=net1')).match).toEqual(['PractitionerRole/role-smith']);
    expect((await search('PractitionerRole?network.name=Preferred')).match).toEqual(['PractitionerRole/role-smith']);
    expect((await search('PractitionerRole?location.address-city=Springfield&specialty=207Q00000X')).match).toEqual(['PractitionerRole/role-smith']);
    const included = await search('PractitionerRole?practitioner.name=Smith&_include=PractitionerRole:practitioner&_include=PractitionerRole:network');
    expect(included.include).toEqual(['Organization/net1', 'Practitioner/smith']);
    // :iterate follows the included resources' references too, level after level.
    const iterated = await search('PractitionerRole?practitioner.name=Smith&_include=PractitionerRole:location&_include:iterate=Location:organization&_include:iterate=Organization:endpoint');
    expect(iterated.include).toEqual(['Endpoint/ep1', 'Location/loc1', 'Organization/clinic']);
    const back = await search('Organization?_id=net1&_revinclude=PractitionerRole:network&_revinclude:iterate=PractitionerRole:practitioner');
    expect(back.include).toEqual(['PractitionerRole/role-smith']);
    const reverse = await search('Practitioner?name=Smith&_revinclude=PractitionerRole:practitioner');
    expect(reverse).toEqual({ match: ['Practitioner/smith'], include: ['PractitionerRole/role-smith'] });
  });

  it('should answer the Formulary searches and the PDex prior-authorization search', async () => {
    expect((await search('Basic?formulary=InsurancePlan/formulary1&drug-tier=generic')).match).toEqual(['Basic/item1']);
    expect((await search('Basic?drug-tier=preferred-brand')).match).toEqual([]);
    expect((await search('MedicationKnowledge?drug-name=Metformin')).match).toEqual(['MedicationKnowledge/metformin']);
    expect((await search('Basic?formulary.name=Formulary&_include=Basic:subject')).include).toEqual(['MedicationKnowledge/metformin']);
    expect((await search('ExplanationOfBenefit?use=preauthorization')).match).toEqual(['ExplanationOfBenefit/pa1']);
    expect((await search('ExplanationOfBenefit?patient=m1&use=claim')).match).toEqual(['ExplanationOfBenefit/claim1']);
  });

  it('should list the searches and operations in the CapabilityStatement, and instantiate the IG statements whose data it holds', async () => {
    const statement = (await fhir<CapabilityStatement>(`${server.url}/metadata`)).body;
    const rest = statement.rest![0]!;
    const params = (type: string) => rest.resource!.find((r) => r.type === type)!.searchParam!.map((p) => p.name);
    expect(params('PractitionerRole')).toEqual(expect.arrayContaining(['network', 'practitioner', 'specialty', 'location']));
    expect(params('Basic')).toEqual(expect.arrayContaining(['drug-tier', 'formulary', 'pharmacy-benefit-type']));
    expect(params('ExplanationOfBenefit')).toContain('use');
    expect(rest.resource!.find((r) => r.type === 'PractitionerRole')!.searchInclude).toContain('PractitionerRole:network');
    expect(rest.operation).toEqual([{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export' }]);
    expect(rest.resource!.find((r) => r.type === 'Patient')!.operation!.map((o) => o.name)).toEqual(['everything', 'export', 'member-match']);
    expect(rest.resource!.find((r) => r.type === 'Group')!.operation!.map((o) => o.name)).toEqual(['export']);
    // The data claims Plan-Net and Formulary profiles; its prior authorization claims no PDex profile.
    expect(statement.instantiates).toEqual(expect.arrayContaining(['http://hl7.org/fhir/us/davinci-pdex-plan-net/CapabilityStatement/plan-net', 'http://hl7.org/fhir/us/davinci-drug-formulary/CapabilityStatement/usdf-server']));
    expect(statement.instantiates).not.toContain('http://hl7.org/fhir/us/davinci-pdex/CapabilityStatement/pdex-server');
  });
});
