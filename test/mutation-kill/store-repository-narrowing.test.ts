import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtomicMemoryRepository, indexR4Definitions } from '../../src/serve/router.js';
import { openStore, type OpenedStore } from '../../src/serve/store/open.js';
import { SqliteRepository } from '../../src/serve/store/sqlite-repository.js';

/**
 * What the SQLite store's index may narrow a search to (src/serve/store/sqlite-repository.ts `decide`, `seqs`,
 * `exactKeys`, issue 19): the survivors of Stryker on its search range that drop a true match or fail, which medplum's
 * matcher cannot repair (it re-filters only the candidates it is given). Each case compares the candidates with what
 * the in-memory repository matches on the same resources. In process, in-memory stores, well under a second.
 */

const obs = (id: string, extra: Partial<Observation>): Observation => ({ resourceType: 'Observation', id, status: 'final', code: { text: id }, ...extra });
const RESOURCES: Resource[] = [
  { resourceType: 'Patient', id: 'a', deceasedBoolean: true } as Patient,
  { resourceType: 'Patient', id: 'b' },
  { resourceType: 'Patient', id: 'c', deceasedBoolean: false } as Patient,
  obs('o1', { subject: { reference: 'Patient/a' }, category: [{ coding: [{ code: 'laboratory' }] }] }),
  obs('o2', { subject: { reference: 'Patient/b' }, performer: [{ reference: 'Patient/a' }], category: [{ coding: [{ code: 'survey' }] }] }),
  obs('o3', { subject: { reference: 'Patient/b' }, performer: [{ reference: 'Patient/a' }], category: [{ coding: [{ code: 'laboratory' }] }] }),
  obs('o4', { subject: { reference: 'http://x.example/fhir/Patient/a' } }),
];

describe('SqliteRepository: what the index narrows to', () => {
  let store: OpenedStore;
  const memory = new AtomicMemoryRepository();

  beforeAll(async () => {
    indexR4Definitions();
    store = openStore(undefined, []);
    await store.repo.withTransaction(async () => {
      for (const r of RESOURCES) await store.repo.preload(r);
    });
    store.markLoaded();
    for (const r of RESOURCES) await memory.preload(r);
  });
  afterAll(() => store.close());

  /** The store's candidates for `filters` that the memory repository's matcher keeps, and what memory finds: equal. */
  const agree = async (type: string, filters: Record<string, string | string[]>) => {
    const request = { resourceType: type, filters: Object.entries(filters).flatMap(([code, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ code, operator: 'eq' as never, value }))) };
    const found = (await memory.search(request as never)).entry?.map((e) => e.resource!.id) ?? [];
    const candidates = [...store.repo.candidates(type, filters)].map((r) => r.id);
    for (const id of found) expect(candidates, `${type}?${JSON.stringify(filters)}: ${id} matches`).toContain(id);
    expect((await store.repo.search(request as never)).entry?.map((e) => e.resource!.id) ?? []).toEqual(found);
    return { found, candidates };
  };

  it('should keep the ids given in every _id filter, and only those', async () => {
    expect((await agree('Observation', { _id: ['o1,o2', 'o2,o3'] })).candidates).toEqual(['o2']);
    expect((await agree('Observation', { _id: ['o1', 'o3'] })).candidates).toEqual([]);
    expect((await agree('Observation', { _id: 'o3,o1' })).candidates).toEqual(['o1', 'o3']);
  });

  it('should not narrow a computed token (Patient?deceased=false holds for a patient without deceased)', async () => {
    expect((await agree('Patient', { deceased: 'false' })).found).toEqual(['b', 'c']);
    expect((await agree('Patient', { deceased: 'true' })).found).toEqual(['a']);
    expect(store.repo.decide('Patient', { deceased: 'false' })).toBeUndefined();
    expect(store.repo.decide('Patient', { deceased: 'false' }, false)).toBeUndefined();
  });

  it('should leave an absolute reference, alone or among bare ones, to the matcher (no narrowing, no failure)', async () => {
    const absolute = 'http://x.example/fhir/Patient/a';
    for (const name of ['subject', 'patient']) {
      // What memory finds is the answer (medplum's matcher takes `subject=<absolute>` among bare values, not alone).
      await agree('Observation', { [name]: absolute });
      await agree('Observation', { [name]: `Patient/b,${absolute}` });
    }
    expect((await agree('Observation', { subject: `Patient/b,${absolute}` })).found).toContain('o4');
    expect(store.repo.decide('Observation', { subject: `Patient/b,${absolute}` })).toBeUndefined();
  });

  it('should check every exact set besides the driver: three of them at once', async () => {
    const filters = { subject: 'Patient/b', performer: 'Patient/a', category: 'laboratory' };
    const decided = store.repo.decide('Observation', filters);
    expect(decided?.rest).toEqual({});
    expect(store.repo.rows(decided!.seqs).map((r) => r.id)).toEqual(['o3']);
    // candidates() leaves a token's case to the matcher: the category is not an exact set there.
    expect((await agree('Observation', filters)).found).toEqual(['o3']);
  });

  it('should hand out every resource of the type for a parameter it does not know', () => {
    expect([...store.repo.candidates('Observation', { nonsense: 'x' })].map((r) => r.id)).toEqual(['o1', 'o2', 'o3', 'o4']);
    expect(store.repo.decide('Observation', { nonsense: 'x' })).toBeUndefined();
  });

  it('should read another connection\'s writes after forgetCached, not before: parsed resources and types', async () => {
    const reader = new SqliteRepository(store.repo.db);
    expect((reader.get('Patient', 'b') as Patient).gender).toBeUndefined();
    expect(reader.types().sort()).toEqual(['Observation', 'Patient']);
    await store.repo.updateResource({ resourceType: 'Patient', id: 'b', gender: 'male' } as Patient);
    await store.repo.createResource({ resourceType: 'Condition', subject: { reference: 'Patient/b' } } as Resource);
    // Kept from before: the write went through another repository.
    expect((reader.get('Patient', 'b') as Patient).gender).toBeUndefined();
    expect(reader.types()).not.toContain('Condition');
    reader.forgetCached();
    expect((reader.get('Patient', 'b') as Patient).gender).toBe('male');
    expect(reader.types().sort()).toEqual(['Condition', 'Observation', 'Patient']);
    await store.repo.updateResource({ resourceType: 'Patient', id: 'b' } as Patient);
  });
});
