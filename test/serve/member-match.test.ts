import type { Coverage, Parameters, Patient, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { describeEmbedded, fhir } from './helpers.js';

const MB = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MB' }] };
const MEMBER_ID_SYSTEM = 'https://payer.example.org/member-id';

/** A subscriber and her dependant under subscriber id S100, and two records of one person under T200 (a duplicate). */
function population(): Resource[] {
  const member = (id: string, given: string, family: string, birthDate: string, memberId: string, subscriberId: string, dependent: string): Resource[] => [
    { resourceType: 'Patient', id, name: [{ family, given: [given] }], birthDate, gender: 'female', identifier: [{ type: MB, system: MEMBER_ID_SYSTEM, value: memberId }] },
    { resourceType: 'Coverage', id: `${id}-cov`, status: 'active', subscriberId, dependent, identifier: [{ type: MB, system: MEMBER_ID_SYSTEM, value: memberId }], beneficiary: { reference: `Patient/${id}` }, payor: [{ reference: 'Organization/payer' }] },
  ];
  return [
    { resourceType: 'Organization', id: 'payer', name: 'Payer' },
    ...member('jane', 'Jane', 'Doe', '1980-05-01', 'S100-01', 'S100', '01'),
    ...member('june', 'June', 'Doe', '2010-07-09', 'S100-02', 'S100', '02'),
    ...member('twin-a', 'Alex', 'Roe', '1990-02-02', 'T200-01', 'T200', '01'),
    ...member('twin-b', 'Alex', 'Roe', '1990-02-02', 'T200-01', 'T200', '01'),
  ];
}

/** A $member-match request from the new payer: the member's demographics and the card of this (old) payer. */
function request(patient: Partial<Patient>, coverage: Partial<Coverage>, consentStatus = 'active'): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'MemberPatient', resource: { resourceType: 'Patient', ...patient } as Patient },
      { name: 'CoverageToMatch', resource: { resourceType: 'Coverage', status: 'active', beneficiary: { reference: 'Patient/1' }, payor: [{ reference: 'Organization/old' }], ...coverage } as Coverage },
      { name: 'CoverageToLink', resource: { resourceType: 'Coverage', status: 'active', subscriberId: 'NEW-9', beneficiary: { reference: 'Patient/1' }, payor: [{ reference: 'Organization/new' }] } },
      { name: 'Consent', resource: { resourceType: 'Consent', status: consentStatus as 'active', scope: { text: 'patient-privacy' }, category: [{ text: 'IDSCL' }] } },
    ],
  };
}

describeEmbedded('serve: Patient/$member-match (HRex, PDex payer-to-payer)', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const match = (body: unknown) => fhir<any>(`${server.url}/Patient/$member-match`, { method: 'POST', body });

  beforeAll(async () => {
    server = await startServer({ port: 0 });
    const entry = population().map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } }));
    expect((await fhir(server.url, { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry } })).status).toBe(200);
  }, 30_000);

  afterAll(() => server.close());

  it("should answer the one matching member's identifier (type MB) and Patient reference", async () => {
    const reply = await match(request({ name: [{ family: 'doe', given: ['JUNE'] }], birthDate: '2010-07-09' }, { subscriberId: 'S100' }));
    expect(reply.status).toBe(200);
    expect(reply.body.resourceType).toBe('Parameters');
    const identifier = reply.body.parameter.find((p: any) => p.name === 'MemberIdentifier').valueIdentifier;
    expect(identifier).toEqual({ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MB', display: 'Member Number' }] }, system: MEMBER_ID_SYSTEM, value: 'S100-02' });
    expect(reply.body.parameter.find((p: any) => p.name === 'MemberId').valueReference).toEqual({ reference: 'Patient/june' });
    // By the member id on the card instead of the subscriber id.
    const byMemberId = await match(request({ name: [{ family: 'Doe' }], birthDate: '1980-05-01' }, { identifier: [{ value: 'S100-01' }] }));
    expect(byMemberId.body.parameter[1].valueReference.reference).toBe('Patient/jane');
  });

  it('should answer 422 when no member, or more than one, matches', async () => {
    const none = await match(request({ name: [{ family: 'Doe' }], birthDate: '1980-05-02' }, { subscriberId: 'S100' }));
    expect(none.status).toBe(422);
    expect(none.body.issue[0].details.text).toBe('no member matches MemberPatient and CoverageToMatch');
    const wrongCard = await match(request({ name: [{ family: 'Doe' }], birthDate: '1980-05-01' }, { subscriberId: 'S999' }));
    expect(wrongCard.status).toBe(422);
    const two = await match(request({ name: [{ family: 'Roe', given: ['Alex'] }], birthDate: '1990-02-02', gender: 'female' }, { subscriberId: 'T200' }));
    expect(two.status).toBe(422);
    expect(two.body.issue[0].details.text).toMatch(/2 members match/);
    const revoked = await match(request({ name: [{ family: 'Doe' }], birthDate: '1980-05-01' }, { subscriberId: 'S100' }, 'inactive'));
    expect(revoked.status).toBe(422);
  });

  it('should answer 400 naming the part of a malformed Parameters', async () => {
    const good = request({ name: [{ family: 'Doe' }], birthDate: '1980-05-01' }, { subscriberId: 'S100' });
    const without = (name: string): Parameters => ({ ...good, parameter: good.parameter!.filter((p) => p.name !== name) });
    const cases: [unknown, RegExp][] = [
      [{ resourceType: 'Patient' }, /takes a Parameters resource/],
      [without('MemberPatient'), /MemberPatient is missing/],
      [without('CoverageToMatch'), /CoverageToMatch is missing/],
      [without('Consent'), /Consent is missing/],
      [{ ...good, parameter: good.parameter!.map((p) => (p.name === 'CoverageToMatch' ? { ...p, resource: { resourceType: 'Patient' } as Patient } : p)) }, /CoverageToMatch must hold a Coverage resource \(got Patient\)/],
      [request({ name: [{ given: ['Jane'] }], birthDate: '1980-05-01' }, { subscriberId: 'S100' }), /MemberPatient has no name.family/],
      [request({ name: [{ family: 'Doe' }] }, { subscriberId: 'S100' }), /MemberPatient has no birthDate/],
      [request({ name: [{ family: 'Doe' }], birthDate: '1980-05-01' }, {}), /CoverageToMatch has neither subscriberId nor an identifier/],
    ];
    for (const [body, why] of cases) {
      const reply = await match(body);
      expect(reply.status, String(why)).toBe(400);
      expect(reply.body.resourceType).toBe('OperationOutcome');
      expect(reply.body.issue[0].details.text).toMatch(why);
    }
    expect((await fhir(`${server.url}/Patient/$member-match`)).status).toBe(405);
  });
});
