import type { Resource } from '@medplum/fhirtypes';
import * as medplum from '@medplum/core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { AtomicMemoryRepository, indexR4Definitions } from '../../src/serve/router.js';
import { planSearch, runSearch, type Query } from '../../src/serve/search-extras.js';

/**
 * The reference pre-filter of the search extras (src/serve/search-extras.ts, referenceSets/holdsAny): with a plain
 * reference filter (`subject=Patient/p1`), medplum's own matching (a FHIRPath evaluation per resource) runs only on
 * resources that hold one of the references somewhere — absolute URLs, `_history` and `|version` tails included —
 * and on every resource when a value is not a plain `Type/id`. The answers are the same either way; what the
 * pre-filter saves is those evaluations, so this file counts them (issue 19: the survivors of that code).
 */
vi.mock('@medplum/core', async (importOriginal) => {
  const original = await importOriginal<typeof medplum>();
  return { ...original, matchesSearchRequest: vi.fn(original.matchesSearchRequest) };
});
const matched = vi.mocked(medplum.matchesSearchRequest);

const obs = (id: string, fields: Record<string, unknown>): Resource => ({ resourceType: 'Observation', id, status: 'final', code: { text: id }, ...fields }) as Resource;
const population: Resource[] = [
  obs('o1', { subject: { reference: 'Patient/p1' }, performer: [{ reference: 'Practitioner/pr1' }] }),
  obs('o2', { subject: { reference: 'Patient/p2' }, performer: [{ reference: 'Practitioner/pr1' }] }),
  obs('o3', { subject: { reference: 'Patient/p3' } }),
  obs('o-absolute', { subject: { reference: 'https://other.example/fhir/Patient/p1' } }),
  obs('o-history', { subject: { reference: 'Patient/p1/_history/12' } }),
  obs('o-canonical', { subject: { reference: 'Patient/p4' }, instantiatesCanonical: ['PlanDefinition/p1|12'] }),
  obs('o-none', { note: [{ text: 'no reference at all, only a/b' }] }),
];

let repo: AtomicMemoryRepository;
beforeAll(async () => {
  indexR4Definitions();
  repo = new AtomicMemoryRepository();
  for (const r of population) await repo.preload(r);
});

/** The ids medplum's matching was asked about, and the ids found. */
function evaluated(query: Query): { asked: string[]; found: string[] } {
  matched.mockClear();
  const bundle = runSearch(repo, planSearch('Observation', query), 'http://x/fhir', query);
  return { asked: matched.mock.calls.map(([r]) => r.id!).sort(), found: (bundle.entry ?? []).map((e) => e.resource!.id!).sort() };
}

describe('search extras: the reference pre-filter', () => {
  it('should ask medplum only about resources holding the reference, in any of its written forms', () => {
    expect(evaluated({ subject: 'Patient/p1' })).toEqual({ asked: ['o-absolute', 'o-history', 'o1'], found: ['o1'] });
    expect(evaluated({ subject: 'Patient/p1,Patient/p2' })).toEqual({ asked: ['o-absolute', 'o-history', 'o1', 'o2'], found: ['o1', 'o2'] });
    expect(evaluated({ subject: ['Patient/p1', 'Patient/p2'] }).asked).toEqual([]);
    expect(evaluated({ 'subject:Patient': 'Patient/p1' }).asked).toHaveLength(population.length);
  });

  it('should need every plain reference filter held, and take bare ids as their qualified forms', () => {
    expect(evaluated({ subject: 'Patient/p1', performer: 'Practitioner/pr1' })).toEqual({ asked: ['o1'], found: ['o1'] });
    expect(evaluated({ subject: 'p2' })).toEqual({ asked: ['o2'], found: ['o2'] });
    expect(evaluated({ subject: 'Patient/p4' }).asked).toEqual(['o-canonical']);
  });

  it('should look inside canonicals with a version, and not narrow on values that are not Type/id', () => {
    expect(evaluated({ subject: 'PlanDefinition/p1' }).asked).toEqual(['o-canonical']);
    for (const value of ['https://other.example/fhir/Patient/p1', 'Patient/p1/_history/12', 'patient/p1', 'P/p1/x', 'Patient/p1,https://other.example/fhir/Patient/p9']) {
      expect(evaluated({ subject: value }).asked, value).toHaveLength(population.length);
    }
    // Only reference parameters narrow: a token value shaped like Type/id does not.
    expect(evaluated({ status: 'Final/x' }).asked).toHaveLength(population.length);
  });
});
