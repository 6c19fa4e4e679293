// The SQLite store's searches decided by its index (issue 17): path-qualified keys decide reference, token and _id
// filters exactly, so those searches read only their page's rows, and the answers stay the in-memory repository's.
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Bundle, Coverage, ExplanationOfBenefit, Flag, Observation, Resource } from '@medplum/fhirtypes';
import type { AtomicMemoryRepository } from '../../src/serve/router.js';
import { bothRepositories } from '../helpers/both-repositories.js';
import { planSearch, runSearch } from '../../src/serve/search-extras.js';
import { indexKeys, pathCode } from '../../src/serve/store/keys.js';
import { answerText } from '../../src/serve/store/raw-json.js';
import type { SqliteRepository } from '../../src/serve/store/sqlite-repository.js';

const LAB = 'http://terminology.hl7.org/CodeSystem/observation-category';

/** Resources where each decided kind has a near miss: the same value at another path, in another case, of another type. */
function data(): Resource[] {
  const obs = (id: string, extra: Partial<Observation>): Observation => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, ...extra });
  return [
    { resourceType: 'Patient', id: 'a' },
    { resourceType: 'Patient', id: 'b' },
    { resourceType: 'Group', id: 'a', type: 'person', actual: true },
    obs('o1', { subject: { reference: 'Patient/a' }, category: [{ coding: [{ system: LAB, code: 'laboratory' }] }] }),
    // Patient/a only as performer: not `patient=a`.
    obs('o2', { subject: { reference: 'Patient/b' }, performer: [{ reference: 'Patient/a' }], category: [{ coding: [{ system: LAB, code: 'Laboratory' }] }] }),
    // The subject is a Group: `subject=Group/a` matches, `patient=` never does.
    obs('o3', { subject: { reference: 'Group/a' }, category: [{ text: 'laboratory' }], status: 'amended' }),
    // An absolute reference: `patient=a` asks for `Patient/a` exactly, which this is not.
    obs('o4', { subject: { reference: 'http://example.org/fhir/Patient/a' }, category: [{ coding: [{ code: 'laboratory' }] }] }),
    obs('o5', { subject: { reference: 'Patient/a' }, status: 'preliminary', note: [{ text: 'final' }] }),
    { resourceType: 'Coverage', id: 'c1', status: 'active', beneficiary: { reference: 'Patient/a' }, subscriber: { reference: 'Patient/a' }, payor: [{ reference: 'Organization/p' }] } as Coverage,
    // A dependant's coverage: Patient/a subscribes, Patient/b is covered.
    { resourceType: 'Coverage', id: 'c2', status: 'active', beneficiary: { reference: 'Patient/b' }, subscriber: { reference: 'Patient/a' }, payor: [{ reference: 'Organization/p' }] } as Coverage,
    {
      resourceType: 'ExplanationOfBenefit',
      id: 'e1',
      status: 'active',
      patient: { reference: 'Patient/a' },
      identifier: [{ system: 'urn:x', value: 'CLM-1' }, { value: 'clm-2' }],
      insurance: [{ focal: true, coverage: { reference: 'Coverage/c1' } }],
    } as ExplanationOfBenefit,
  ];
}

/** Each parameter kind the index decides, with values that match, miss, or differ only by case or path. */
const DECIDED: [string, Record<string, string>][] = [
  ['Observation', { patient: 'Patient/a' }],
  ['Observation', { patient: 'Patient/a,Patient/b' }],
  ['Observation', { patient: 'Group/a' }],
  ['Observation', { subject: 'Group/a' }],
  ['Observation', { performer: 'Patient/a' }],
  ['Observation', { category: 'laboratory' }],
  ['Observation', { category: 'Laboratory' }],
  ['Observation', { category: 'LABORATORY' }],
  ['Observation', { status: 'final' }],
  ['Observation', { status: 'amended,preliminary' }],
  ['Observation', { patient: 'Patient/a', category: 'laboratory' }],
  ['Observation', { _id: 'o1,o2,o9' }],
  ['Observation', { _id: 'o1', status: 'final' }],
  ['Coverage', { patient: 'Patient/a' }],
  ['Coverage', { subscriber: 'Patient/a' }],
  ['Coverage', { payor: 'Organization/p', status: 'active' }],
  ['ExplanationOfBenefit', { identifier: 'CLM-1' }],
  ['ExplanationOfBenefit', { identifier: 'clm-1' }],
  ['ExplanationOfBenefit', { coverage: 'Coverage/c1', patient: 'Patient/a' }],
  // Dates on the store's date rows (store-dates.test.ts), whatever the prefix.
  ['Observation', { patient: 'Patient/a', date: 'ge2020-01-01' }],
  ['Observation', { patient: 'Patient/a', date: 'ne2020-01-01' }],
];

/** Filters the index narrows but leaves to the matcher (a system, a modifier, an absolute reference). */
const LEFT: [string, Record<string, string>][] = [
  ['Observation', { patient: 'Patient/a', category: `${LAB}|laboratory` }],
  ['Observation', { patient: 'Patient/a', 'category:text': 'laboratory' }],
  ['Observation', { patient: 'Patient/a', 'date:missing': 'true' }],
  ['Observation', { subject: 'http://example.org/fhir/Patient/a' }],
  ['ExplanationOfBenefit', { identifier: 'urn:x|CLM-1' }],
];

describe('SQLite store: searches decided by the index', () => {
  let memory: AtomicMemoryRepository;
  let repo: SqliteRepository;

  beforeAll(async () => {
    ({ memory, repo } = await bothRepositories(data()));
  });

  const answer = (r: AtomicMemoryRepository, type: string, query: Record<string, string>) => {
    const bundle = runSearch(r, planSearch(type, query), 'http://x/fhir', query) as Bundle;
    // Each store gives its own versionIds: the answer's text is compared without `meta`.
    return { total: bundle.total, ids: bundle.entry?.map((e) => e.resource?.id), text: answerText(bundle).replace(/"meta":\{[^}]*\}/g, '') };
  };

  it.each(DECIDED)('should decide %s?%j from the index alone, answering as the in-memory repository', (type, query) => {
    const decided = repo.decide(type, planSearch(type, query).filters);
    expect(decided?.rest).toEqual({});
    expect(answer(repo, type, query)).toEqual(answer(memory, type, query));
  });

  it.each(LEFT)('should leave %s?%j to the matcher on the narrowed rows, answering as the in-memory repository', (type, query) => {
    const decided = repo.decide(type, planSearch(type, query).filters);
    // Not narrowed at all (undefined: every resource of the type is matched), or narrowed with filters left.
    expect(decided === undefined || Object.keys(decided.rest).length > 0).toBe(true);
    expect(answer(repo, type, query)).toEqual(answer(memory, type, query));
  });

  it('should write a decided page as the stored text, and its resources read as stored when read', () => {
    const query = { patient: 'Patient/a', _count: '1', _offset: '1' };
    const bundle = runSearch(repo, planSearch('Observation', query), 'http://x/fhir', query) as Bundle;
    expect(bundle.total).toBe(2);
    const resource = bundle.entry![0]!.resource as Observation;
    expect(answerText(bundle)).toBe(JSON.stringify(bundle));
    expect(resource.status).toBe('preliminary');
    expect(Object.keys(resource)).toEqual(Object.keys(memory.get('Observation', 'o5')!));
  });

  it('should answer a decided search without parsing any row: the page is written as stored', () => {
    const query = { patient: 'Patient/a' };
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const text = answerText(runSearch(repo, planSearch('Observation', query), 'http://x/fhir', query));
      expect(parse).not.toHaveBeenCalled();
      expect((JSON.parse(text) as Bundle).entry?.map((e) => (e.resource as Observation).status)).toEqual(['final', 'preliminary']);
    } finally {
      parse.mockRestore();
    }
  });

  it('should move the keys with the resource: an update and a delete are decided at once', async () => {
    const o1 = repo.get('Observation', 'o1') as Observation;
    await repo.updateResource({ ...o1, subject: { reference: 'Patient/b' } } as Observation);
    await memory.updateResource({ ...o1, subject: { reference: 'Patient/b' } } as Observation);
    await repo.deleteResource('Observation', 'o5');
    await memory.deleteResource('Observation', 'o5');
    for (const query of [{ patient: 'Patient/a' }, { patient: 'Patient/b' }, { _id: 'o5' }] as Record<string, string>[]) {
      expect(answer(repo, 'Observation', query)).toEqual(answer(memory, 'Observation', query));
    }
  });
});

describe('SQLite store: index keys', () => {
  it('should key each reference and term with the element path that holds it, references by their path and their tail', () => {
    const keys = indexKeys({
      resourceType: 'Observation',
      id: 'o1',
      status: 'final',
      code: { text: 'x' },
      subject: { reference: 'http://example.org/fhir/Patient/a' },
      performer: [{ reference: 'Practitioner/d' }],
      category: [{ coding: [{ code: 'Laboratory' }] }],
      note: [{ text: 'Seen' }],
    } as Observation);
    // Observation is `a`; subject N, performer L, category C, coding A, code B, status S, text M; `note` spelt out.
    expect(keys).toEqual(
      expect.arrayContaining([
        'a|r|http://example.org/fhir/Patient/a|N',
        'a|r|Patient/a|',
        'a|r|Practitioner/d|L',
        'a|t|laboratory|C.A.B|Laboratory',
        'a|t|final|S',
      ]),
    );
    // A text (note.text) is no code: no term key (keys.ts unkeyedLeaf).
    expect(keys.some((k) => k.startsWith('a|t|seen|'))).toBe(false);
    expect(keys.some((k) => k.includes('|o1|'))).toBe(false);
    // No search parameter reads the resource's own type: no key for it.
    expect(keys.some((k) => k.includes('|observation|'))).toBe(false);
    expect(indexKeys({ resourceType: 'Flag', id: 'f', status: 'active', subject: { reference: 'Patient/a' } } as Flag)).toEqual(['Flag|t|active|S', 'Flag|r|Patient/a|N']);
  });

  it('should spell paths one-to-one: no two element paths share a spelling', () => {
    const name = fc.oneof(fc.constantFrom('coding', 'code', 'C', 'B', '~', '~C', '~~C', 'note', 'a', ''), fc.string({ maxLength: 4 }).filter((s) => !s.includes('.')));
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 4 }), fc.array(name, { minLength: 1, maxLength: 4 }), (a, b) => {
        fc.pre(a.join('.') !== b.join('.'));
        expect(pathCode(a.join('.'))).not.toBe(pathCode(b.join('.')));
      }),
    );
    expect(pathCode('category.coding.code')).toBe('C.A.B');
    expect(pathCode('C.x.~y')).toBe('~C.~x.~~y');
  });
});
