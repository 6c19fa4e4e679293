import type { Bundle, Resource } from '@medplum/fhirtypes';
import { getSearchParameters } from '@medplum/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { patientEverything } from '../../src/serve/everything.js';
import { AtomicMemoryRepository, indexR4Definitions } from '../../src/serve/router.js';
import { planSearch, runSearch, type Query } from '../../src/serve/search-extras.js';

/**
 * The search extras (src/serve/search-extras.ts) and $everything called in process on a hand-made population, one
 * rule at a time (issue 19): which parameters are refused and with what message, how bare ids, dates and chains are
 * rewritten, paging links, _summary=count, _sort, includes at every level. No server: each case is a few
 * milliseconds, fast enough for the Stryker runs of these modules (test/mutation-kill/search-paths.test.ts asks the
 * same things over HTTP).
 */
const BASE = 'http://x/fhir';
const population: Resource[] = [
  { resourceType: 'Endpoint', id: 'ep1', status: 'active', connectionType: { code: 'hl7-fhir-rest' }, payloadType: [{ text: 'x' }], address: 'https://ep.example' },
  { resourceType: 'Organization', id: 'org1', name: 'Payer', endpoint: [{ reference: 'Endpoint/ep1' }] },
  { resourceType: 'Organization', id: 'org2', name: 'Other' },
  { resourceType: 'Organization', id: 'grand', name: 'Grand' },
  { resourceType: 'Organization', id: 'parent', name: 'Parent', partOf: { reference: 'Organization/grand' } },
  { resourceType: 'Organization', id: 'child', name: 'Child', partOf: { reference: 'Organization/parent' } },
  // Seven levels: deeper than the four levels of :iterate the search follows past the matches.
  ...Array.from({ length: 7 }, (_, i) => ({ resourceType: 'Organization', id: `c${i}`, name: `Level ${i}`, ...(i < 6 ? { partOf: { reference: `Organization/c${i + 1}` } } : {}) }) as Resource),
  { resourceType: 'Location', id: 'loc1', name: 'Clinic', managingOrganization: { reference: 'Organization/org1' } },
  { resourceType: 'Practitioner', id: 'pr1', name: [{ family: 'Smith' }] },
  { resourceType: 'Practitioner', id: 'pr2', name: [{ family: 'Jones' }] },
  { resourceType: 'PractitionerRole', id: 'role1', practitioner: { reference: 'Practitioner/pr1' }, organization: { reference: 'Organization/org1' }, location: [{ reference: 'Location/loc1' }] },
  { resourceType: 'PractitionerRole', id: 'role2', practitioner: { reference: 'Practitioner/pr2' }, organization: { reference: 'Organization/org2' } },
  { resourceType: 'Patient', id: 'p1', gender: 'female', birthDate: '1950-01-01', managingOrganization: { reference: 'Organization/org1' } },
  { resourceType: 'Patient', id: 'p2', gender: 'male', birthDate: '1960-01-01' },
  { resourceType: 'Patient', id: 'p3', gender: 'male', birthDate: '1970-01-01' },
  { resourceType: 'Coverage', id: 'cov1', status: 'active', beneficiary: { reference: 'Patient/p1' }, payor: [{ reference: 'Organization/org1' }] },
  { resourceType: 'Coverage', id: 'cov2', status: 'active', beneficiary: { reference: 'Patient/p2' }, payor: [{ reference: 'Organization/org1' }] },
  { resourceType: 'Coverage', id: 'cov3', status: 'active', beneficiary: { reference: 'Patient/p3' }, payor: [{ reference: 'Organization/org2' }] },
  { resourceType: 'Observation', id: 'obs1', status: 'final', code: { text: 'a' }, subject: { reference: 'Patient/p1' }, performer: [{ reference: 'Practitioner/pr1' }], effectiveDateTime: '2026-01-02T03:04:05.678Z' },
  { resourceType: 'Observation', id: 'obs2', status: 'final', code: { text: 'b' }, subject: { reference: 'Patient/p2' }, performer: [{ reference: 'Patient/p1' }], effectiveDateTime: '2026-01-03' },
  { resourceType: 'RelatedPerson', id: 'rel1', patient: { reference: 'Patient/p1' } },
  // A performer named by identifier only: a reference parameter's value without a reference.
  { resourceType: 'Observation', id: 'obs3', status: 'final', code: { text: 'c' }, subject: { reference: 'Patient/p3' }, performer: [{ identifier: { value: 'npi-1' } }, { reference: 'Practitioner/pr2' }] },
];

let repo: AtomicMemoryRepository;
beforeAll(async () => {
  indexR4Definitions();
  repo = new AtomicMemoryRepository();
  for (const r of population) await repo.preload(r);
});

const search = (type: string, query: Query, visible?: (r: Resource) => boolean): Bundle => runSearch(repo, planSearch(type, query), BASE, query, visible);
const keys = (bundle: Bundle, mode = 'match') => (bundle.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);
const link = (bundle: Bundle, relation: string) => bundle.link?.find((l) => l.relation === relation)?.url;
/** The 400 message planSearch or runSearch throws. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    const outcome = (error as { outcome?: { issue?: { code?: string; details?: { text?: string } }[] } }).outcome;
    expect(outcome?.issue?.[0]?.code).toBe('invalid');
    return outcome?.issue?.[0]?.details?.text ?? '(no text)';
  }
  throw new Error('expected a refusal');
}

describe('search extras: the parameters it takes and refuses', () => {
  it('should refuse unknown parameters, _has, and parameter types it cannot answer, naming them', () => {
    expect(refusal(() => planSearch('Patient', { shoe: '1' }))).toBe("unknown search parameter 'shoe' for Patient");
    expect(refusal(() => planSearch('Patient', { '_has:Observation:subject:code': 'x' }))).toBe('_has is not supported by this server (_has:Observation:subject:code)');
    expect(refusal(() => planSearch('Observation', { 'code-value-quantity': 'x' }))).toBe("composite search parameters such as 'code-value-quantity' are not supported by this server");
    expect(refusal(() => planSearch('Patient', { _sort: 'birthdate,-shoe' }))).toBe("_sort=birthdate,-shoe: 'shoe' is not a search parameter of Patient");
    for (const [name, text] of [['_count', '-1'], ['_count', '2.5'], ['_offset', 'x'], ['_offset', '-3']]) {
      expect(refusal(() => planSearch('Patient', { [name!]: text! }))).toBe(`${name}=${text}: expected a whole number ≥ 0`);
    }
  });

  it('should take the result parameters without filtering on them, and page by 50 from 0 unless told, at most 1000', () => {
    const plan = planSearch('Patient', { _elements: 'id', _total: 'accurate', _format: 'json', _pretty: 'true', _summary: 'false', _count: '2000', _sort: '-birthdate' });
    expect(plan.filters).toEqual({});
    expect(plan.count).toBe(1000);
    expect(plan.sort).toBe('-birthdate');
    expect(planSearch('Patient', {})).toMatchObject({ count: 50, offset: 0, summaryCount: false, include: [], revinclude: [], chains: [] });
    expect(() => planSearch('Patient', { _count: ['5', '7'] })).toThrow('_count given 2 times (_count=5&_count=7): give it once');
    expect(() => planSearch('Patient', { _offset: ['9', '2'] })).toThrow('_offset given 2 times (_offset=9&_offset=2): give it once');
    expect(planSearch('Patient', { _summary: ['true', 'count'] }).summaryCount).toBe(true);
    expect(planSearch('Patient', { _summary: ['count', 'true'] }).summaryCount).toBe(false);
  });

  it('should qualify a bare id with every target type of the parameter, and leave typed, absolute, empty and modified values alone', () => {
    const targets = (getSearchParameters('Observation')!.subject!.target ?? []) as string[];
    expect(targets.length).toBeGreaterThan(1);
    expect(planSearch('Observation', { subject: 'p1' }).filters).toEqual({ subject: targets.map((t) => `${t}/p1`).join(',') });
    expect(planSearch('Observation', { subject: ['p1', 'Patient/p2'] }).filters).toEqual({ subject: [targets.map((t) => `${t}/p1`).join(','), 'Patient/p2'] });
    expect(planSearch('Observation', { subject: 'Patient/p2,urn:uuid:1,' }).filters).toEqual({ subject: 'Patient/p2,urn:uuid:1,' });
    expect(planSearch('Observation', { 'subject:Patient': 'p1' }).filters).toEqual({ 'subject:Patient': 'p1' });
    expect(keys(search('Observation', { subject: 'p1' }))).toEqual(['Observation/obs1']);
  });

  it('should read a plain date as a closed range at its own precision (eq too), and leave prefixes, lists and modifiers alone', () => {
    expect(planSearch('Observation', { date: '2026-01-02' }).filters).toEqual({ date: ['ge2026-01-02', 'le2026-01-02'] });
    expect(planSearch('Observation', { date: ['eq2026-01-02', 'gt2025'] }).filters).toEqual({ date: ['ge2026-01-02', 'le2026-01-02', 'gt2025'] });
    expect(planSearch('Observation', { date: '2026-01-02,2026-01-03' }).filters).toEqual({ date: ['2026-01-02,2026-01-03'] });
    expect(planSearch('Observation', { 'date:missing': 'false' }).filters).toEqual({ 'date:missing': 'false' });
    expect(keys(search('Observation', { date: '2026-01-02T03:04:05.678Z' }))).toEqual(['Observation/obs1']);
    expect(keys(search('Observation', { date: 'eq2026-01-02T03:04:05.678Z' }))).toEqual(['Observation/obs1']);
    expect(keys(search('Observation', { date: '2026-01-02T03:04:05.679Z' }))).toEqual([]);
  });
});

describe('search extras: chains', () => {
  it('should find through a chained reference parameter, with or without the target type, and nothing when no target matches', () => {
    expect(keys(search('PractitionerRole', { 'practitioner.name': 'Smith' }))).toEqual(['PractitionerRole/role1']);
    expect(keys(search('PractitionerRole', { 'practitioner:Practitioner.name': 'Jones' }))).toEqual(['PractitionerRole/role2']);
    expect(keys(search('PractitionerRole', { 'practitioner.name': 'Nobody' }))).toEqual([]);
    expect(keys(search('PractitionerRole', { 'organization.name': 'Payer', practitioner: 'Practitioner/pr1' }))).toEqual(['PractitionerRole/role1']);
    expect(keys(search('PractitionerRole', { 'organization.name': 'Payer', practitioner: 'Practitioner/pr2' }))).toEqual([]);
    expect(keys(search('PractitionerRole', { 'practitioner.name': ['Smith', 'Jones'] }))).toEqual([]);
    expect(keys(search('Coverage', { 'beneficiary.birthdate': 'ge1955' })).sort()).toEqual(['Coverage/cov2', 'Coverage/cov3']);
    expect(keys(search('PractitionerRole', { 'location.organization.name': 'Payer' }))).toEqual(['PractitionerRole/role1']);
    const plan = planSearch('PractitionerRole', { 'practitioner.name': 'Smith' });
    expect(plan.chains).toHaveLength(1);
    expect(plan.chains[0]).toMatchObject({ code: 'practitioner', targets: [{ resourceType: 'Practitioner', filters: { name: 'Smith' }, count: 1000, offset: 0 }] });
  });

  it('should refuse a chain on an unknown or non-reference parameter, to a type it does not point to, or of a parameter no target has', () => {
    expect(refusal(() => planSearch('PractitionerRole', { 'shoe.name': 'x' }))).toBe("unknown search parameter 'shoe' for PractitionerRole (in shoe.name)");
    expect(refusal(() => planSearch('PractitionerRole', { 'active.name': 'x' }))).toBe("active.name: 'active' is a token parameter, and only reference parameters chain");
    expect(refusal(() => planSearch('PractitionerRole', { 'practitioner:Patient.name': 'x' }))).toBe('practitioner:Patient.name: PractitionerRole.practitioner does not point to Patient');
    expect(refusal(() => planSearch('PractitionerRole', { 'practitioner.shoe': 'x' }))).toBe("practitioner.shoe: unknown search parameter 'shoe' for Practitioner");
    expect(refusal(() => planSearch('NotAType', { 'subject.name': 'x' }))).toBe("unknown search parameter 'subject' for NotAType (in subject.name)");
    expect(refusal(() => planSearch('NotAType', { name: 'x' }))).toBe("unknown search parameter 'name' for NotAType");
    expect(refusal(() => planSearch('Patient', { '_id.name': 'x' }))).toBe("unknown search parameter '_id.name' for Patient");
  });
});

describe('search extras: pages, counts and order', () => {
  it('should link self, first, next, previous and last pages with _count and _offset, keeping the other parameters', () => {
    const query = { payor: 'Organization/org1', _sort: '_id', _count: '1', _offset: '1', _elements: ['id', 'status'] };
    const page = search('Coverage', query);
    expect(keys(page)).toEqual(['Coverage/cov2']);
    expect(page).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(page.total).toBe(2);
    const at = (offset: number) => `${BASE}/Coverage?payor=Organization%2Forg1&_sort=_id&_elements=id&_elements=status&_count=1&_offset=${offset}`;
    expect(page.link).toEqual([
      { relation: 'self', url: at(1) },
      { relation: 'first', url: at(0) },
      { relation: 'previous', url: at(0) },
      { relation: 'last', url: at(1) },
    ]);
    const first = search('Coverage', { ...query, _offset: '0' });
    expect(link(first, 'next')).toBe(`${BASE}/Coverage?payor=Organization%2Forg1&_sort=_id&_elements=id&_elements=status&_count=1&_offset=1`);
    expect(link(first, 'previous')).toBeUndefined();
    const far = search('Coverage', { _count: '2', _offset: '1' });
    expect(link(far, 'previous')).toBe(`${BASE}/Coverage?_count=2&_offset=0`);
    expect(link(far, 'next')).toBeUndefined();
    expect(keys(far)).toEqual(['Coverage/cov2', 'Coverage/cov3']);
    const mid = search('Coverage', { _count: '1', _offset: '2' });
    expect(link(mid, 'previous')).toBe(`${BASE}/Coverage?_count=1&_offset=1`);
    expect(runSearch(repo, planSearch('Coverage', {}), BASE, {}, undefined, 'Patient/p1/Coverage').link![0]!.url).toBe(`${BASE}/Patient/p1/Coverage?_count=50&_offset=0`);
  });

  it('should answer _summary=count with the total alone, and sort both ways on several keys', () => {
    expect(search('Coverage', { payor: 'Organization/org1', _summary: 'count' })).toEqual({ resourceType: 'Bundle', type: 'searchset', total: 2 });
    expect(keys(search('Patient', { _sort: '-birthdate' }))).toEqual(['Patient/p3', 'Patient/p2', 'Patient/p1']);
    expect(keys(search('Patient', { _sort: 'birthdate' }))).toEqual(['Patient/p1', 'Patient/p2', 'Patient/p3']);
    expect(keys(search('Patient', { _sort: 'gender,-birthdate' }))).toEqual(['Patient/p1', 'Patient/p3', 'Patient/p2']);
    expect(keys(search('Patient', { _sort: '-gender,birthdate' }))).toEqual(['Patient/p2', 'Patient/p3', 'Patient/p1']);
    expect(keys(search('Patient', {}))).toEqual(['Patient/p1', 'Patient/p2', 'Patient/p3']);
    // Tokens match case-sensitively (medplum's own matching does not).
    expect(keys(search('Patient', { gender: 'FEMALE' }))).toEqual([]);
    expect(keys(search('Patient', { gender: 'female' }))).toEqual(['Patient/p1']);
    // Only a leading - means descending: a parameter whose name holds a dash sorts ascending.
    expect(keys(search('Coverage', { _sort: 'class-type' }))).toHaveLength(3);
    expect(refusal(() => planSearch('Coverage', { _sort: 'class-' }))).toBe("_sort=class-: 'class-' is not a search parameter of Coverage");
  });

  it('should hide what `visible` refuses from the matches, the total and the includes', () => {
    const visible = (r: Resource) => r.id !== 'cov2' && r.id !== 'org1';
    const page = search('Coverage', { _include: 'Coverage:payor' }, visible);
    expect(keys(page)).toEqual(['Coverage/cov1', 'Coverage/cov3']);
    expect(page.total).toBe(2);
    expect(keys(page, 'include')).toEqual(['Organization/org2']);
    expect(page.entry!.every((e) => e.fullUrl === `${BASE}/${e.resource!.resourceType}/${e.resource!.id}`)).toBe(true);
  });
});

describe('search extras: includes', () => {
  it('should include the references of one parameter, of one target type when named, or of every parameter with *', () => {
    expect(keys(search('Observation', { _id: 'obs2', _include: 'Observation:performer' }), 'include')).toEqual(['Patient/p1']);
    expect(keys(search('Observation', { _id: 'obs2', _include: 'Observation:performer:Practitioner' }), 'include')).toEqual([]);
    expect(keys(search('Observation', { _id: 'obs2', _include: 'Observation:performer:Patient' }), 'include')).toEqual(['Patient/p1']);
    for (const all of ['*', 'Observation:*']) expect(keys(search('Observation', { _id: 'obs1', _include: all }), 'include').sort(), all).toEqual(['Patient/p1', 'Practitioner/pr1']);
    expect(keys(search('Observation', { _id: 'obs1', _include: ['Observation:subject', 'Observation:patient'] }), 'include')).toEqual(['Patient/p1']);
    expect(keys(search('Observation', { _id: 'obs3', _include: 'Observation:performer' }), 'include')).toEqual(['Practitioner/pr2']);
    expect(keys(search('Practitioner', { _id: 'pr2', _revinclude: 'Observation:performer' }), 'include')).toEqual(['Observation/obs3']);
  });

  it('should follow :iterate includes level after level, and plain ones from the matches only', () => {
    expect(keys(search('Location', { _include: 'Location:organization' }), 'include')).toEqual(['Organization/org1']);
    expect(keys(search('Organization', { _id: 'child', _include: 'Organization:partof' }), 'include')).toEqual(['Organization/parent']);
    expect(keys(search('Organization', { _id: 'child', '_include:iterate': 'Organization:partof' }), 'include')).toEqual(['Organization/parent', 'Organization/grand']);
    expect(keys(search('Organization', { _id: 'c0', '_include:iterate': 'Organization:partof' }), 'include')).toEqual(['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => `Organization/${id}`));
    const iterated = search('Location', { _include: 'Location:organization', '_include:iterate': 'Organization:endpoint' });
    expect(keys(iterated, 'include')).toEqual(['Organization/org1', 'Endpoint/ep1']);
    const deeper = search('PractitionerRole', { _id: 'role1', _include: 'PractitionerRole:location', '_include:iterate': ['Location:organization', 'Organization:endpoint'] });
    expect(keys(deeper, 'include')).toEqual(['Location/loc1', 'Organization/org1', 'Endpoint/ep1']);
  });

  it('should revinclude what points at the matches, and with :iterate at what was included', () => {
    expect(keys(search('Patient', { _id: 'p1', _revinclude: 'Observation:subject' }), 'include')).toEqual(['Observation/obs1']);
    expect(keys(search('Patient', { _id: 'p1', _revinclude: 'Observation:performer' }), 'include')).toEqual(['Observation/obs2']);
    expect(keys(search('Organization', { _id: 'grand', _revinclude: 'Organization:partof' }), 'include')).toEqual(['Organization/parent']);
    expect(keys(search('Organization', { _id: 'grand', '_revinclude:iterate': 'Organization:partof' }), 'include')).toEqual(['Organization/parent', 'Organization/child']);
    const viaPatient = search('Organization', { _id: 'org1', _revinclude: 'Patient:organization', '_revinclude:iterate': 'RelatedPerson:patient' });
    expect(keys(viaPatient, 'include')).toEqual(['Patient/p1', 'RelatedPerson/rel1']);
    expect(keys(search('Organization', { _id: 'org1', _revinclude: 'Patient:organization' }), 'include')).toEqual(['Patient/p1']);
    expect(keys(search('Organization', { _id: 'org2', _revinclude: 'Coverage:payor' }), 'include')).toEqual(['Coverage/cov3']);
  });

  it('should refuse an include from another type, of a parameter that is not a reference, or a revinclude that does not point back', () => {
    expect(refusal(() => planSearch('Coverage', { _include: 'Observation:subject' }))).toBe('_include=Observation:subject: the source type must be Coverage');
    expect(refusal(() => planSearch('Coverage', { _include: 'Coverage:status' }))).toBe("_include=Coverage:status: 'status' is not a reference search parameter of Coverage");
    expect(refusal(() => planSearch('Coverage', { _include: 'Coverage:shoe' }))).toBe("_include=Coverage:shoe: 'shoe' is not a reference search parameter of Coverage");
    expect(refusal(() => planSearch('Patient', { _revinclude: 'Location:organization' }))).toBe('_revinclude=Location:organization: Location.organization does not point to Patient');
    expect(planSearch('Coverage', { '_include:iterate': 'Organization:endpoint' }).include).toMatchObject([{ sourceType: 'Organization', iterate: true }]);
    expect(planSearch('Patient', { '_revinclude:iterate': 'Location:organization' }).revinclude).toMatchObject([{ sourceType: 'Location', iterate: true }]);
    expect(planSearch('Observation', { _include: 'Observation:performer:Patient' }).include).toMatchObject([{ sourceType: 'Observation', targetType: 'Patient' }]);
    expect(planSearch('Observation', { _include: 'Observation:performer' }).include[0]).not.toHaveProperty('targetType');
    expect(planSearch('Observation', { _include: 'Observation:performer' }).include[0]).not.toHaveProperty('iterate');
    expect(refusal(() => planSearch('Coverage', { _include: 'Coverage' }))).toBe("_include=Coverage: '' is not a reference search parameter of Coverage");
    expect(refusal(() => planSearch('Coverage', { _revinclude: '*' }))).toBe("_revinclude=*: '' is not a reference search parameter of *");
    expect(refusal(() => planSearch('Coverage', { '_include:iterate': 'NotAType:payor' }))).toBe("_include=NotAType:payor: 'payor' is not a reference search parameter of NotAType");
  });
});

describe('$everything', () => {
  it('should give the member and what points at them through patient, beneficiary or subject, in one page', async () => {
    const [outcome, bundle] = (await patientEverything(repo, 'p1', BASE)) as [unknown, Bundle];
    expect((outcome as { id?: string }).id).toBe('ok');
    expect(keys(bundle)[0]).toBe('Patient/p1');
    expect(keys(bundle).sort()).toEqual(['Coverage/cov1', 'Observation/obs1', 'Patient/p1', 'RelatedPerson/rel1']);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 4, link: [{ relation: 'self', url: `${BASE}/Patient/p1/$everything` }] });
    expect(bundle.entry!.every((e) => e.fullUrl === `${BASE}/${e.resource!.resourceType}/${e.resource!.id}`)).toBe(true);
    await expect(patientEverything(repo, 'nobody', BASE)).rejects.toThrow(/Not found/);
  });
});
