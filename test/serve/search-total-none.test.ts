// `_total=none` (R4 search.html#total: the client will not use the total): a search the index leaves to the matcher
// stops once it has its page and one match more, instead of reading and matching every candidate to count them —
// what made each page of `fhirseed purge` (`_tag=system|code`, a system the index does not hold) cost as much as
// reading the whole type. The pages, their order and their links stay those of the search with a total.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Bundle, Observation, Resource } from '@medplum/fhirtypes';
import type { AtomicMemoryRepository } from '../../src/serve/router.js';
import { bothRepositories } from '../helpers/both-repositories.js';
import { planSearch, runSearch, type Query } from '../../src/serve/search-extras.js';
import type { SqliteRepository } from '../../src/serve/store/sqlite-repository.js';

const RUN = 'urn:fhirseed:run';
const TAGGED = 600;

/**
 * TAGGED Observations, every third tagged `run-a` under another system (narrowed by the index, which holds codes
 * without their system, and refused by the matcher), every fifth with status `amended`.
 */
function data(): Resource[] {
  return Array.from({ length: TAGGED }, (_, n): Observation => ({
    resourceType: 'Observation',
    id: `o${n}`,
    status: n % 5 === 0 ? 'amended' : 'final',
    code: { text: 'x' },
    meta: { tag: [{ system: n % 3 === 0 ? 'urn:example:other' : RUN, code: 'run-a' }] },
  }));
}

const tag = `${RUN}|run-a`;

describe('search with _total=none', () => {
  let memory: AtomicMemoryRepository;
  let repo: SqliteRepository;

  beforeAll(async () => {
    ({ memory, repo } = await bothRepositories(data()));
  });

  const search = (r: AtomicMemoryRepository, query: Query) => runSearch(r, planSearch('Observation', query), 'http://x/fhir', query) as Bundle;
  const ids = (bundle: Bundle) => (bundle.entry ?? []).map((e) => e.resource?.id);
  const next = (bundle: Bundle) => bundle.link?.find((l) => l.relation === 'next')?.url;

  /** Every page from the first, following `next`: the ids in order, and each page's `total` (undefined when left out). */
  function walk(r: AtomicMemoryRepository, query: Query): { ids: (string | undefined)[]; totals: (number | undefined)[] } {
    const out = { ids: [] as (string | undefined)[], totals: [] as (number | undefined)[] };
    for (let q: Query | undefined = query; q; ) {
      const bundle = search(r, q);
      out.ids.push(...ids(bundle));
      out.totals.push(bundle.total);
      const url = next(bundle);
      q = url ? (Object.fromEntries(new URL(url).searchParams) as Query) : undefined;
    }
    return out;
  }

  it.each([
    ['the SQLite store', () => repo],
    ['the in-memory repository', () => memory],
  ])('should page %s as without it, leaving the total out of each page but the last', (_name, which) => {
    const r = which();
    const all = search(r, { _tag: tag, _count: '1000' });
    expect(all.total).toBe(TAGGED - TAGGED / 3);
    const paged = walk(r, { _tag: tag, _count: '70', _total: 'none' });
    expect(paged.ids).toEqual(ids(all));
    // 400 matches in pages of 70: the first five stop early (no total); the sixth reads to the end and knows it.
    expect(paged.totals).toEqual([undefined, undefined, undefined, undefined, undefined, 400]);
    // A page ending exactly at the last match has no `next`, as with a total.
    expect(next(search(r, { _tag: tag, _count: '100', _offset: '300', _total: 'none' }))).toBeUndefined();
    expect(next(search(r, { _tag: tag, _count: '100', _offset: '299', _total: 'none' }))).toBeDefined();
    // A page that stopped early knows no last page: `self`, `first`, `previous`, `next`, and no `last`; the page that
    // read to the end links its `last` as a search with a total does.
    const relations = (bundle: Bundle) => bundle.link?.map((l) => l.relation);
    expect(relations(search(r, { _tag: tag, _count: '70', _offset: '70', _total: 'none' }))).toEqual(['self', 'first', 'previous', 'next']);
    expect(relations(search(r, { _tag: tag, _count: '70', _offset: '350', _total: 'none' }))).toEqual(['self', 'first', 'previous', 'last']);
  });

  it('should read only the candidates up to the page and one match more, where a search with a total reads them all', () => {
    const rows = vi.spyOn(repo, 'rows');
    const read = () => rows.mock.calls.reduce((n, [seqs]) => n + seqs.length, 0);
    try {
      const first = search(repo, { _tag: tag, _count: '10', _total: 'none' });
      expect(ids(first)).toEqual(['o1', 'o2', 'o4', 'o5', 'o7', 'o8', 'o10', 'o11', 'o13', 'o14']);
      expect(first.total).toBeUndefined();
      // The candidates are every Observation (the index holds `run-a` without its system): the first few chunks are read.
      expect(read()).toBeLessThan(TAGGED / 2);
      rows.mockClear();
      expect(search(repo, { _tag: tag, _count: '10' }).total).toBe(400);
      expect(read()).toBe(TAGGED);
    } finally {
      rows.mockRestore();
    }
  });

  it('should still count when the total is what is asked for, or every match is needed anyway', () => {
    expect(search(repo, { _tag: tag, _summary: 'count', _total: 'none' }).total).toBe(400);
    // `_count=0` asks for the total alone too (R4 search §3.1.1.5.4).
    expect(search(repo, { _tag: tag, _count: '0', _total: 'none' }).total).toBe(400);
    // _sort orders every match before paging: they are all read, so the total is known and given.
    const sorted = search(repo, { _tag: tag, _count: '5', _sort: '-status', _total: 'none' });
    expect(sorted.total).toBe(400);
    expect(ids(sorted)).toEqual(['o1', 'o2', 'o4', 'o7', 'o8']);
    // A search the index decides whole knows its total without reading the matches: given as well.
    expect(search(repo, { status: 'amended', _count: '5', _total: 'none' }).total).toBe(TAGGED / 5);
  });
});
