// The SQLite store's date rows (issue 17): date filters (every prefix, any precision, alternatives) decided in SQL on
// the `dates` table, with the in-memory repository's answers (medplum's matcher), and kept by every write.
import fc from 'fast-check';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getSearchParameters } from '@medplum/core';
import type { Bundle, Condition, Encounter, ExplanationOfBenefit, Observation, Resource } from '@medplum/fhirtypes';
import { findProfiles } from '../../src/serve/capability.js';
import { AtomicMemoryRepository, indexSearchParameters } from '../../src/serve/router.js';
import { planSearch, runSearch, type Query } from '../../src/serve/search-extras.js';
import { dateRows } from '../../src/serve/store/dates.js';
import { openStore, SCHEMA_VERSION, type OpenedStore } from '../../src/serve/store/open.js';
import { SqliteRepository } from '../../src/serve/store/sqlite-repository.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

const PREFIXES = ['', 'eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
/** The date parameters drawn, per type (CARIN's service-date and service-start-date among them). */
const PARAMS: Record<string, string[]> = {
  ExplanationOfBenefit: ['service-date', 'service-start-date', 'created', 'billable-period-start', '_lastUpdated'],
  Observation: ['date', '_lastUpdated'],
  Condition: ['onset-date', 'abatement-date', 'recorded-date'],
  Encounter: ['date'],
};

const cleanups: (() => void)[] = [];

beforeAll(() => {
  // As the sandbox does: R4's parameters, then the IGs' (CARIN's service-date and service-start-date).
  indexSearchParameters(findProfiles(SHARED_PACKAGES, ['hl7.fhir.us.carin-bb@2.0.0']).searchParameters);
});

afterAll(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

// ---------------------------------------------------------------------------------------------------------------
// Values: dates at every precision, with and without a zone, and Periods open at either end.

const stamp = fc
  .record({ year: fc.integer({ min: 2019, max: 2021 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }), hour: fc.integer({ min: 0, max: 23 }), cut: fc.constantFrom(4, 7, 10, 19, 23), zone: fc.constantFrom('Z', '+02:00', '-05:00') })
  .map(({ year, month, day, hour, cut, zone }) => {
    const full = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:30:00.250`;
    return cut <= 10 ? full.slice(0, cut) : `${full.slice(0, cut)}${zone}`;
  });
const day = stamp.map((s) => s.slice(0, 10)).filter((s) => s.length === 10);
const period = fc.record({ start: fc.option(stamp, { nil: undefined }), end: fc.option(stamp, { nil: undefined }) }).map((p) => JSON.parse(JSON.stringify(p)) as { start?: string; end?: string });
const instant = stamp.map((s) => (s.length > 10 ? s : `${s.padEnd(10, '-01').slice(0, 10)}T00:00:00Z`));

function resource(n: number, kind: number, pick: { stamp: string; day: string; period: { start?: string; end?: string }; instant: string; items: ({ servicedDate: string } | { servicedPeriod: { start?: string; end?: string } })[] }): Resource {
  const patient = { reference: n % 3 === 2 ? 'Patient/b' : 'Patient/a' };
  const meta = { lastUpdated: pick.instant };
  switch (kind % 4) {
    case 0:
      return {
        resourceType: 'ExplanationOfBenefit',
        id: `e${n}`,
        meta,
        status: 'active',
        patient,
        ...(n % 2 ? { created: pick.stamp } : {}),
        ...(Object.keys(pick.period).length ? { billablePeriod: pick.period } : {}),
        item: pick.items.map((item, i) => ({ sequence: i + 1, ...item })),
      } as unknown as ExplanationOfBenefit;
    case 1: {
      const effective = [{ effectiveDateTime: pick.stamp }, { effectivePeriod: pick.period }, { effectiveInstant: pick.instant }, { effectiveTiming: { event: [pick.stamp] } }, {}][n % 5];
      return { resourceType: 'Observation', id: `o${n}`, meta, status: 'final', code: { text: 'x' }, subject: patient, ...effective } as Observation;
    }
    case 2: {
      const onset = [{ onsetDateTime: pick.stamp }, { onsetPeriod: pick.period }, { onsetString: 'childhood' }, { onsetAge: { value: 3 } }][n % 4];
      return { resourceType: 'Condition', id: `c${n}`, meta, subject: patient, recordedDate: pick.day, ...(n % 2 ? { abatementDateTime: pick.stamp } : {}), ...onset } as Condition;
    }
    default:
      return { resourceType: 'Encounter', id: `n${n}`, meta, status: 'finished', class: { code: 'AMB' }, subject: patient, period: pick.period } as Encounter;
  }
}

const picks = fc.record({ stamp, day, period, instant, items: fc.array(fc.oneof(stamp.map((s) => ({ servicedDate: s.slice(0, 10) })), period.map((p) => ({ servicedPeriod: p }))), { maxLength: 3 }) });
const population = fc.array(picks, { minLength: 1, maxLength: 12 }).map((list) => list.map((pick, n) => resource(n, n, pick)));

const filterValue = fc.tuple(fc.constantFrom(...PREFIXES), fc.array(stamp, { minLength: 1, maxLength: 2 }), fc.nat(5).map((n) => n === 0)).map(([prefix, values, bad]) => `${prefix}${values.join(',')}${bad ? ',soon' : ''}`);

async function loadBoth(resources: Resource[]): Promise<{ memory: AtomicMemoryRepository; store: OpenedStore }> {
  const memory = new AtomicMemoryRepository();
  for (const r of resources) await memory.preload(r);
  const store = openStore(undefined, []);
  await store.repo.withTransaction(async () => {
    for (const r of resources) await store.repo.preload(r);
  });
  store.markLoaded();
  cleanups.push(() => store.close());
  return { memory, store };
}

function answer(repo: AtomicMemoryRepository, type: string, query: Query): unknown {
  try {
    const bundle = runSearch(repo, planSearch(type, query), 'http://x/fhir', query) as Bundle;
    return { total: bundle.total, ids: bundle.entry?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('SQLite store: date filters decided on the date rows', () => {
  it('should answer every date prefix and precision as the in-memory repository, deciding the filter in SQL', async () => {
    await fc.assert(
      fc.asyncProperty(population, fc.constantFrom(...Object.keys(PARAMS)), fc.nat(), fc.array(filterValue, { minLength: 1, maxLength: 2 }), fc.boolean(), fc.option(fc.tuple(fc.constantFrom(...PREFIXES), fc.nat(), fc.constantFrom(4, 7, 10, 99))), async (resources, type, at, drawn, byPatient, own) => {
        const { memory, store } = await loadBoth(resources);
        // A value of the data itself (at its own precision, or cut): the edges where `le` and `lt` differ.
        const stamps = JSON.stringify(resources.filter((r) => r.resourceType === type)).match(/\d{4}(-\d\d(-\d\d(T[\d:.]+(Z|[+-]\d\d:\d\d))?)?)?(?=")/g) ?? [];
        const values = own && stamps.length ? [`${own[0]}${stamps[own[1] % stamps.length]!.slice(0, own[2])}`] : drawn;
        const code = PARAMS[type]![at % PARAMS[type]!.length]!;
        const query: Query = { [code]: values.length === 1 ? values[0]! : values, ...(byPatient ? { patient: 'Patient/a' } : {}) };
        const expected = answer(memory, type, query);
        expect(answer(store.repo, type, query)).toEqual(expected);
        if (byPatient && !(expected as { error?: string }).error) {
          // The patient drives; the date filter is decided by the rows, nothing is left for the matcher.
          expect(store.repo.decide(type, planSearch(type, query).filters)?.rest).toEqual({});
        }
        store.close();
      }),
      { numRuns: Number(process.env.STORE_DATES_RUNS ?? 150), ...(process.env.STORE_DATES_SEED ? { seed: Number(process.env.STORE_DATES_SEED) } : {}) },
    );
  });

  it('should compare at the edges as medplum does: a range that begins or ends where the filter does, open ends', async () => {
    const at = '2020-05-01T10:30:00.250Z';
    const encounter = (id: string, period: { start?: string; end?: string }) => ({ resourceType: 'Encounter', id, status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/a' }, period }) as Encounter;
    const { memory, store } = await loadBoth([
      encounter('starts', { start: at, end: '2020-06-01' }),
      encounter('ends', { start: '2020-04-01', end: at }),
      encounter('instant', { start: at, end: at }),
      encounter('open-start', { end: at }),
      encounter('open-end', { start: at }),
      encounter('day', { start: '2020-05-01', end: '2020-05-01' }),
    ]);
    for (const prefix of PREFIXES) {
      for (const value of [at, '2020-05-01', '2020-05', '2020-05-01T10:30:00.251Z', '2020-05-01T10:30:00.249Z']) {
        const query = { patient: 'Patient/a', date: `${prefix}${value}` };
        expect(answer(store.repo, 'Encounter', query), `date=${prefix}${value}`).toEqual(answer(memory, 'Encounter', query));
      }
    }
  });

  it('should keep the rows with every write: an update moves them, a delete removes them', async () => {
    const eob = (id: string, date: string): ExplanationOfBenefit => ({ resourceType: 'ExplanationOfBenefit', id, status: 'active', patient: { reference: 'Patient/a' }, billablePeriod: { start: date, end: date } }) as ExplanationOfBenefit;
    const { memory, store } = await loadBoth([eob('e1', '2020-03-01'), eob('e2', '2021-03-01')]);
    const query = { patient: 'Patient/a', 'service-date': 'ge2021-01-01' };
    expect(answer(store.repo, 'ExplanationOfBenefit', query)).toEqual({ total: 1, ids: ['ExplanationOfBenefit/e2'] });
    for (const repo of [memory, store.repo]) {
      await repo.updateResource(eob('e1', '2022-01-01'));
      await repo.deleteResource('ExplanationOfBenefit', 'e2');
    }
    expect(answer(store.repo, 'ExplanationOfBenefit', query)).toEqual({ total: 1, ids: ['ExplanationOfBenefit/e1'] });
    expect(answer(store.repo, 'ExplanationOfBenefit', query)).toEqual(answer(memory, 'ExplanationOfBenefit', query));
    const seq = (store.repo.db.prepare("SELECT seq FROM resources WHERE id = 'e1'").raw().get() as [number])[0];
    expect(store.repo.db.prepare("SELECT p, low, high FROM dates WHERE seq = ? AND p = 'service-date'").raw().all(seq)).toEqual([['service-date', '2022-01-01T00:00:00.000Z', '2022-01-01T23:59:59.999Z']]);
    expect(store.repo.db.prepare("SELECT count(*) FROM dates d JOIN resources r ON r.seq = d.seq WHERE r.id = 'e2'").raw().get()).toEqual([0]);
  });

  it('should answer a patient and service-date search without parsing a row: the page is written as stored', async () => {
    const eob = (id: string, date: string) => ({ resourceType: 'ExplanationOfBenefit', id, status: 'active', patient: { reference: 'Patient/a' }, item: [{ sequence: 1, servicedDate: date }] }) as ExplanationOfBenefit;
    const { store } = await loadBoth([eob('e1', '2019-12-31'), eob('e2', '2020-01-01'), eob('e3', '2024-05-05')]);
    const query = { patient: 'Patient/a', 'service-date': 'ge2020-01-01' };
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const bundle = runSearch(store.repo, planSearch('ExplanationOfBenefit', query), 'http://x/fhir', query) as Bundle;
      expect(parse).not.toHaveBeenCalled();
      expect(bundle.entry?.map((e) => e.resource?.id)).toEqual(['e2', 'e3']);
    } finally {
      parse.mockRestore();
    }
  });

  it('should fill the rows of a first build, given by the caller or made from the stored text', async () => {
    const store = openStore(undefined, []);
    cleanups.push(() => store.close());
    const text = JSON.stringify({ resourceType: 'Encounter', id: 'n1', status: 'finished', class: { code: 'AMB' }, period: { start: '2020-05-01' } });
    await store.repo.withTransaction(async () => {
      store.repo.appendText('Encounter', 'n1', text);
      store.repo.appendText('Encounter', 'n2', text.replace('n1', 'n2'), JSON.stringify([['date', '1999', '2000']]));
    });
    store.markLoaded();
    const rows = store.repo.db.prepare("SELECT r.id, d.low, d.high FROM dates d JOIN resources r ON r.seq = d.seq WHERE d.p = 'date' ORDER BY r.id").raw().all();
    expect(rows).toEqual([
      ['n1', '2020-05-01T00:00:00.000Z', '9999'],
      ['n2', '1999', '2000'],
    ]);
  });

  it('should leave a date parameter to the matcher when the served one is not what the rows were made for', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fhirseed-store-dates-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'store.sqlite');
    const store = openStore(undefined, [], { file });
    await store.repo.withTransaction(async () => store.repo.preload({ resourceType: 'Encounter', id: 'n1', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/a' }, period: { start: '2020-05-01' } } as Encounter));
    store.markLoaded();
    const filters = planSearch('Encounter', { patient: 'Patient/a', date: 'ge2020' }).filters;
    expect(store.repo.decide('Encounter', filters)?.rest).toEqual({});
    const plan = store.repo.datePlan;
    plan.Encounter!.date!.expression = 'Encounter.period | Encounter.length';
    store.repo.db.prepare("UPDATE meta SET value = ? WHERE key = 'dates'").run(JSON.stringify(plan));
    const other = new SqliteRepository(store.repo.db);
    expect(other.decide('Encounter', filters)?.rest).toEqual({ date: ['ge2020'] });
    expect(answer(other, 'Encounter', { patient: 'Patient/a', date: 'ge2020' })).toEqual({ total: 1, ids: ['Encounter/n1'] });
    store.close();
  });

  it('should close an unfinished first build whose folder is already gone without throwing', () => {
    // Seen in CI: this file's cleanup removed the folder before it closed the rebuilt store below.
    const dir = mkdtempSync(join(tmpdir(), 'fhirseed-store-dates-'));
    const store = openStore(undefined, [], { file: join(dir, 'store.sqlite') });
    rmSync(dir, { recursive: true, force: true });
    expect(() => store.close()).not.toThrow();
  });

  it('should rebuild a store of schema 5 (no date rows) or 6 (no reference rows) instead of reusing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fhirseed-store-dates-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'store.sqlite');
    const store = openStore(undefined, [], { file });
    await store.repo.withTransaction(async () => store.repo.preload({ resourceType: 'Patient', id: 'p1', birthDate: '1970-01-01' }));
    store.markLoaded();
    // As a schema-5 store was: no dates table, no plan.
    store.repo.db.exec("UPDATE meta SET value = '5' WHERE key = 'schema'; DELETE FROM meta WHERE key = 'dates'; DROP TABLE dates;");
    store.close();
    const again = openStore(undefined, [], { file });
    cleanups.push(() => again.close());
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(8);
    expect(again.reused).toBe(false);
    expect(again.replaced).toBe(`store schema 5 → ${SCHEMA_VERSION}`);
    expect(again.repo.db.prepare('SELECT count(*) FROM dates').raw().get()).toEqual([0]);
    expect(again.repo.datePlan.Patient?.birthdate?.branches).toEqual([['birthDate']]);
    again.markLoaded();
    again.repo.db.exec("UPDATE meta SET value = '6' WHERE key = 'schema'; DROP TABLE refs;");
    again.close();
    const third = openStore(undefined, [], { file });
    cleanups.push(() => third.close());
    expect(third.replaced).toBe(`store schema 6 → ${SCHEMA_VERSION}`);
    expect(third.repo.db.prepare('SELECT count(*) FROM refs').raw().get()).toEqual([0]);
  });
});

describe('SQLite store: _include read from the reference rows', () => {
  const eob = (id: string, extra: Partial<ExplanationOfBenefit>): ExplanationOfBenefit =>
    ({ resourceType: 'ExplanationOfBenefit', id, status: 'active', patient: { reference: 'Patient/a' }, provider: { reference: 'Practitioner/d1' }, ...extra }) as ExplanationOfBenefit;
  const data = (): Resource[] => [
    { resourceType: 'Patient', id: 'a' },
    ...['d1', 'd2', 'd3', 'd4'].map((id) => ({ resourceType: 'Practitioner', id }) as Resource),
    { resourceType: 'Organization', id: 'o1' },
    { resourceType: 'Coverage', id: 'c1', status: 'active', beneficiary: { reference: 'Patient/a' }, payor: [{ reference: 'Organization/o1' }] } as Resource,
    eob('e1', {
      // care-team's path (careTeam.provider) in order, one twice; addItem.provider and insurer are no parameter's path.
      careTeam: [{ sequence: 1, provider: { reference: 'Practitioner/d3' } }, { sequence: 2, provider: { reference: 'Practitioner/d2' } }, { sequence: 3, provider: { reference: 'Practitioner/d3' } }],
      insurer: { reference: 'Organization/o1' },
      addItem: [{ productOrService: { text: 'x' }, provider: [{ reference: 'Practitioner/d4' }] }],
      insurance: [{ focal: true, coverage: { reference: 'Coverage/c1' } }],
    }),
    eob('e2', { provider: { reference: 'http://other.example/fhir/Practitioner/d2' }, facility: { reference: 'Location/none' } }),
  ];
  const queries: Query[] = [
    { patient: 'Patient/a', _include: 'ExplanationOfBenefit:*' },
    { patient: 'Patient/a', _include: 'ExplanationOfBenefit:care-team' },
    { patient: 'Patient/a', _include: ['ExplanationOfBenefit:coverage', 'ExplanationOfBenefit:provider'], '_include:iterate': 'Coverage:payor' },
    { _id: 'e2', _include: 'ExplanationOfBenefit:*' },
  ];

  it('should include what the memory repository includes, in its order, without parsing the page', async () => {
    const { memory, store } = await loadBoth(data());
    const full = (repo: AtomicMemoryRepository, query: Query) => JSON.parse(JSON.stringify(runSearch(repo, planSearch('ExplanationOfBenefit', query), 'http://x/fhir', query), (k, v: unknown) => (k === 'meta' ? undefined : v))) as Bundle;
    for (const query of queries) expect(full(store.repo, query), JSON.stringify(query)).toEqual(full(memory, query));
    expect(full(store.repo, queries[0]!).entry?.map((e) => `${e.search?.mode} ${e.resource?.resourceType}/${e.resource?.id}`)).toEqual([
      'match ExplanationOfBenefit/e1',
      'match ExplanationOfBenefit/e2',
      'include Practitioner/d3',
      'include Practitioner/d2',
      'include Coverage/c1',
      'include Patient/a',
      'include Practitioner/d1',
      // CARIN's insurer parameter (ExplanationOfBenefit.insurer); addItem.provider's Practitioner/d4 is no parameter's.
      'include Organization/o1',
    ]);
    const parse = vi.spyOn(JSON, 'parse');
    try {
      runSearch(store.repo, planSearch('ExplanationOfBenefit', queries[0]!), 'http://x/fhir', queries[0]!);
      // Only the included resources are read whole; no EOB of the page is parsed for its references.
      expect(parse.mock.calls.filter(([text]) => String(text).includes('"ExplanationOfBenefit"'))).toEqual([]);
    } finally {
      parse.mockRestore();
    }
    for (const repo of [memory, store.repo]) {
      await repo.updateResource(eob('e1', { careTeam: [{ sequence: 1, provider: { reference: 'Practitioner/d4' } }] }));
      await repo.deleteResource('ExplanationOfBenefit', 'e2');
    }
    for (const query of queries) expect(full(store.repo, query), `after writes: ${JSON.stringify(query)}`).toEqual(full(memory, query));
  });

  it('should read the reference rows of a page for every parameter of _include=* in one query', async () => {
    const { store } = await loadBoth(data());
    const refs = (store.repo as unknown as { reads: { refs: { all: (...args: unknown[]) => unknown[] } } }).reads.refs;
    const all = vi.spyOn(refs, 'all');
    try {
      const bundle = runSearch(store.repo, planSearch('ExplanationOfBenefit', queries[0]!), 'http://x/fhir', queries[0]!);
      expect(bundle.entry?.filter((e) => e.search?.mode === 'include')).toHaveLength(6);
      // ExplanationOfBenefit has 14 reference parameters: one query for the page, not one each.
      expect(all).toHaveBeenCalledTimes(1);
    } finally {
      all.mockRestore();
    }
  });

  it('should read the resources when the store keeps no rows for the parameter as served', async () => {
    const { store } = await loadBoth(data());
    const plan = store.repo.datePlan;
    expect(plan.ExplanationOfBenefit?.['care-team']).toEqual({ expression: expect.any(String), branches: [['careTeam', 'provider']], reference: true });
    const param = getSearchParameters('ExplanationOfBenefit')!['care-team']!;
    expect(store.repo.includeReferences('ExplanationOfBenefit', ['e1', 'e2'], param)).toEqual(new Map([['e1', ['Practitioner/d3', 'Practitioner/d2']]]));
    expect(store.repo.includeReferences('ExplanationOfBenefit', ['e1'], { ...param })).toBeUndefined();
    expect(store.repo.includeReferences('Observation', ['o1'], getSearchParameters('Observation')!.subject!)).toBeUndefined();
  });
});

describe('SQLite store: date rows of one resource', () => {
  it('should read choices by their types and follow type filters, as medplum does', () => {
    const plan = openStore(undefined, []).repo.datePlan;
    expect(plan.Observation?.date?.branches).toEqual([['effective|DateTime|Period|Timing|Instant']]);
    expect(plan.ExplanationOfBenefit?.['service-start-date']?.branches).toEqual([['billablePeriod', 'start'], ['item', 'serviced|Date'], ['item', 'serviced|Period', 'start']]);
    // An extension's value is left to the matcher.
    expect(plan.Condition?.['asserted-date']).toBeUndefined();
    const rows = dateRows({ resourceType: 'Condition', id: 'c', subject: { reference: 'Patient/a' }, onsetString: 'childhood', abatementDateTime: '2020-02', recordedDate: '2020-01-01' } as Condition, plan);
    expect(rows).toEqual([
      ['abatement-date', '2020-02-01T00:00:00.000Z', '2020-03-02T23:59:59.999Z'],
      ['recorded-date', '2020-01-01T00:00:00.000Z', '2020-01-01T23:59:59.999Z'],
    ]);
  });
});
