// The SQLite store's term keys leave out what no token parameter reads (keys.ts UNTERMED, meta.versionId: about a
// quarter of the keys of fhirseed's output), and a token parameter that does read there (an IG's, served with
// --packages) is then not narrowed by the keys: its answers stay the in-memory repository's. In process, tiny data.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, ExplanationOfBenefit, Resource, SearchParameter } from '@medplum/fhirtypes';
import { AtomicMemoryRepository, indexR4Definitions, indexSearchParameters } from '../../src/serve/router.js';
import { planSearch, runSearch } from '../../src/serve/search-extras.js';
import { indexKeys, termsCover, tokenPrefix } from '../../src/serve/store/keys.js';
import { openStore } from '../../src/serve/store/open.js';
import type { SqliteRepository } from '../../src/serve/store/sqlite-repository.js';

const EOB: ExplanationOfBenefit = {
  resourceType: 'ExplanationOfBenefit',
  id: 'e1',
  meta: { versionId: 'v-untermed-1', tag: [{ code: 'run-tag' }] },
  status: 'active',
  identifier: [{ value: 'CLM-9' }],
  patient: { reference: 'Patient/a' },
  item: [{ sequence: 1, productOrService: { coding: [{ code: 'ITEM-CODE-9' }] }, encounter: [{ reference: 'Encounter/x' }] }],
} as ExplanationOfBenefit;

/** A token parameter on an element keys.ts leaves without term keys, as an IG could define one. */
const ITEM_CODE: SearchParameter = {
  resourceType: 'SearchParameter',
  url: 'http://example.org/SearchParameter/eob-item-code',
  name: 'item-code',
  status: 'active',
  code: 'item-code',
  base: ['ExplanationOfBenefit'],
  type: 'token',
  expression: 'ExplanationOfBenefit.item.productOrService',
} as SearchParameter;

describe('SQLite store: term keys only where a token parameter reads', () => {
  let memory: AtomicMemoryRepository;
  let repo: SqliteRepository;

  beforeAll(async () => {
    indexR4Definitions();
    indexSearchParameters([ITEM_CODE]);
    memory = new AtomicMemoryRepository();
    const store = openStore(undefined, []);
    for (const r of [{ resourceType: 'Patient', id: 'a' } as Resource, EOB]) {
      await memory.preload(r);
      await store.repo.withTransaction(async () => store.repo.preload(r));
    }
    store.markLoaded();
    repo = store.repo;
  });

  it('should key no leaf of an EOB line item nor the versionId as a term, and still key their references and the rest', () => {
    const keys = indexKeys(EOB);
    const prefix = (value: string) => tokenPrefix('ExplanationOfBenefit', value)!;
    expect(keys.filter((k) => k.startsWith(prefix('ITEM-CODE-9')) || k.startsWith(prefix('v-untermed-1')) || k.startsWith(prefix('1')))).toEqual([]);
    expect(keys.some((k) => k.includes('Encounter/x'))).toBe(true);
    expect(keys.some((k) => k.startsWith(prefix('CLM-9')))).toBe(true);
    expect(keys.some((k) => k.startsWith(prefix('run-tag')))).toBe(true);
  });

  it('should not narrow a token parameter that reads an element without term keys, and answer as the in-memory repository', () => {
    const query = { 'item-code': 'ITEM-CODE-9' };
    const decided = repo.decide('ExplanationOfBenefit', planSearch('ExplanationOfBenefit', query).filters);
    expect(decided === undefined || 'item-code' in decided.rest).toBe(true);
    const ids = (r: AtomicMemoryRepository) => (runSearch(r, planSearch('ExplanationOfBenefit', query), 'http://x/fhir', query) as Bundle).entry?.map((e) => e.resource?.id);
    expect(ids(memory)).toEqual(['e1']);
    expect(ids(repo)).toEqual(['e1']);
  });

  it('should still narrow the token parameters that read term-keyed elements', () => {
    for (const query of [{ identifier: 'CLM-9' }, { _tag: 'run-tag' }, { status: 'active' }] as Record<string, string>[]) {
      const decided = repo.decide('ExplanationOfBenefit', planSearch('ExplanationOfBenefit', query).filters);
      expect(decided?.seqs, JSON.stringify(query)).toHaveLength(1);
    }
  });

  it('should tell which expressions the term keys cover', () => {
    expect(termsCover('ExplanationOfBenefit', 'ExplanationOfBenefit.identifier')).toBe(true);
    expect(termsCover('ExplanationOfBenefit', 'ExplanationOfBenefit.item.productOrService')).toBe(false);
    expect(termsCover('ExplanationOfBenefit', 'ExplanationOfBenefit.meta.versionId')).toBe(false);
    expect(termsCover('Observation', 'Observation.descendants().code')).toBe(false);
    // `item` has term keys on another type.
    expect(termsCover('Claim', 'Claim.item.productOrService')).toBe(true);
  });
});
