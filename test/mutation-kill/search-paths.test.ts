import type { Bundle, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEmbedded, fhir, startTestServer, type TestServer } from '../serve/helpers.js';

/**
 * Patient/$everything and the search extras (src/serve/everything.ts, search-extras.ts) one rule at a time, on a
 * hand-made population in the embedded server (issue 19): which resources belong to a member, paging links both
 * ways, whole-number checks, _summary=count, _sort both ways, dates at full precision, bare ids, include targets.
 */
const P = 'mk-p1';
const population: Resource[] = [
  { resourceType: 'Organization', id: 'mk-payer', name: 'Payer' },
  { resourceType: 'Patient', id: P, gender: 'female', birthDate: '1950-01-01', managingOrganization: { reference: 'Organization/mk-payer' } },
  { resourceType: 'Patient', id: `${P}0`, gender: 'male', birthDate: '1960-01-01' },
  { resourceType: 'Coverage', id: 'mk-cov', status: 'active', beneficiary: { reference: `Patient/${P}` }, payor: [{ reference: 'Organization/mk-payer' }] },
  { resourceType: 'Coverage', id: 'mk-cov-other', status: 'active', beneficiary: { reference: `Patient/${P}0` }, payor: [{ reference: 'Organization/mk-payer' }] },
  { resourceType: 'Observation', id: 'mk-obs', status: 'final', code: { text: 'a' }, subject: { reference: `Patient/${P}` }, effectiveDateTime: '2026-01-02T03:04:05.678Z' },
  // Points at the member only as a performer: not in $everything, which follows patient, beneficiary and subject.
  { resourceType: 'Observation', id: 'mk-obs-performer', status: 'final', code: { text: 'b' }, subject: { reference: `Patient/${P}0` }, performer: [{ reference: `Patient/${P}` }] },
  { resourceType: 'RelatedPerson', id: 'mk-rel', patient: { reference: `Patient/${P}` } },
  { resourceType: 'Provenance', id: 'mk-prov', target: [{ reference: `Patient/${P}` }], recorded: '2026-01-01T00:00:00Z', agent: [{ who: { reference: 'Organization/mk-payer' } }] },
];

describeEmbedded('search paths: $everything and the search extras', () => {
  let server: TestServer;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer();
    base = server.url;
    const entry = population.map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } }));
    expect((await fhir(base, { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry } })).status).toBe(200);
  }, 30_000);
  afterAll(() => server?.close());

  const search = (query: string) => fhir<Bundle>(`${base}/${query}`);
  const keys = (bundle: Bundle, mode = 'match') => (bundle.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);

  it("should give $everything the member and what points at them through patient, beneficiary or subject, nothing else", async () => {
    const reply = await search(`Patient/${P}/$everything`);
    expect(reply.status).toBe(200);
    expect(reply.body.resourceType).toBe('Bundle');
    expect(reply.body.type).toBe('searchset');
    expect(keys(reply.body)[0]).toBe(`Patient/${P}`);
    expect(keys(reply.body).sort()).toEqual([`Coverage/mk-cov`, `Observation/mk-obs`, `Patient/${P}`, 'RelatedPerson/mk-rel']);
    expect(reply.body.entry!.every((e) => e.search?.mode === 'match' && e.fullUrl === `${base}/${e.resource!.resourceType}/${e.resource!.id}`)).toBe(true);
    expect(reply.body.total).toBe(4);
    expect(reply.body.link).toEqual([{ relation: 'self', url: `${base}/Patient/${P}/$everything` }]);
    const other = await search(`Patient/${P}0/$everything`);
    expect(keys(other.body).sort()).toEqual(['Coverage/mk-cov-other', 'Observation/mk-obs-performer', `Patient/${P}0`]);
    expect((await search('Patient/mk-nobody/$everything')).status).toBe(404);
  });

  it('should link the next and previous pages, with _count and _offset, and stop at the last', async () => {
    const first = await search('Coverage?_count=1&payor=Organization/mk-payer&_sort=_id');
    expect(keys(first.body)).toHaveLength(1);
    const link = (b: Bundle, relation: string) => b.link?.find((l) => l.relation === relation)?.url;
    expect(link(first.body, 'self')).toBe(`${base}/Coverage?payor=Organization%2Fmk-payer&_sort=_id&_count=1&_offset=0`);
    expect(link(first.body, 'previous')).toBeUndefined();
    expect(link(first.body, 'next')).toBe(`${base}/Coverage?payor=Organization%2Fmk-payer&_sort=_id&_count=1&_offset=1`);
    const second = await fhir<Bundle>(link(first.body, 'next')!);
    expect([...keys(first.body), ...keys(second.body)].sort()).toEqual(['Coverage/mk-cov', 'Coverage/mk-cov-other']);
    expect(link(second.body, 'next')).toBeUndefined();
    expect(link(second.body, 'previous')).toBe(`${base}/Coverage?payor=Organization%2Fmk-payer&_sort=_id&_count=1&_offset=0`);
    const far = await search('Coverage?payor=Organization/mk-payer&_count=5&_offset=1');
    expect(link(far.body, 'previous')).toBe(`${base}/Coverage?payor=Organization%2Fmk-payer&_count=5&_offset=0`);
    expect(far.body.total).toBe(2);
    expect(keys(far.body)).toHaveLength(1);
    const none = await search('Coverage?payor=Organization/mk-payer&_count=0&_offset=0');
    expect(none.status).toBe(200);
    expect(keys(none.body)).toEqual([]);
    expect(none.body.total).toBe(2);
  });

  it('should refuse a _count or _offset that is not a whole number ≥ 0, naming it', async () => {
    for (const query of ['_count=-1', '_count=1.5', '_count=x', '_offset=-2', '_offset=abc']) {
      const reply = await search(`Coverage?${query}`);
      expect(reply.status, query).toBe(400);
      expect(JSON.stringify(reply.body), query).toContain(`${query}: expected a whole number ≥ 0`);
    }
  });

  it('should count without entries for _summary=count, and sort descending with -', async () => {
    const counted = await search('Coverage?payor=Organization/mk-payer&_summary=count');
    expect(counted.body).toEqual({ resourceType: 'Bundle', type: 'searchset', total: 2 });
    expect(keys((await search(`Patient?_id=${P},${P}0&_sort=-birthdate`)).body)).toEqual([`Patient/${P}0`, `Patient/${P}`]);
    expect(keys((await search(`Patient?_id=${P},${P}0&_sort=birthdate`)).body)).toEqual([`Patient/${P}`, `Patient/${P}0`]);
  });

  it('should find a date at full precision, with or without eq, and a bare id for every target type', async () => {
    for (const date of ['2026-01-02T03:04:05.678Z', 'eq2026-01-02T03:04:05.678Z']) expect(keys((await search(`Observation?date=${encodeURIComponent(date)}`)).body), date).toEqual(['Observation/mk-obs']);
    expect(keys((await search(`Observation?date=${encodeURIComponent('2026-01-02T03:04:05.679Z')}`)).body)).toEqual([]);
    expect(keys((await search(`Observation?subject=${P}`)).body)).toEqual(['Observation/mk-obs']);
    expect(keys((await search(`Observation?subject=${P},${P}0`)).body).sort()).toEqual(['Observation/mk-obs', 'Observation/mk-obs-performer']);
  });

  it('should include only the target type named, and follow _include:iterate', async () => {
    const typed = await search(`Observation?_id=mk-obs-performer&_include=Observation:performer:Organization`);
    expect(keys(typed.body, 'include')).toEqual([]);
    const patient = await search(`Observation?_id=mk-obs-performer&_include=Observation:performer:Patient`);
    expect(keys(patient.body, 'include')).toEqual([`Patient/${P}`]);
    const iterate = await search(`Coverage?_id=mk-cov&_include:iterate=Coverage:payor`);
    expect(keys(iterate.body, 'include')).toEqual(['Organization/mk-payer']);
    const bad = await search('Coverage?_include=Observation:subject');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('the source type must be Coverage');
    const notReference = await search('Coverage?_include=Coverage:status');
    expect(JSON.stringify(notReference.body)).toContain("'status' is not a reference search parameter of Coverage");
  });
});
