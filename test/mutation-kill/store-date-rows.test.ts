// The SQLite store's date and reference rows at their edges (issue 19: src/serve/store/dates.ts, date-plan.ts and the
// `refs` read of sqlite-reads.ts, measured whole): what a resource's rows are (nulls, arrays, choices, open ends, one
// row per value), which parameters the plan covers and how it reads their expressions, which filter values the rows
// decide and the SQL they are decided with, and when `_include` may read the reference rows. In process, well under a
// second after R4 and CARIN's parameters are indexed.
import { getSearchParameters } from '@medplum/core';
import type { Coverage, Encounter, ExplanationOfBenefit, Observation, Resource, SearchParameter } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProfiles } from '../../src/serve/capability.js';
import { indexSearchParameters } from '../../src/serve/router.js';
import { dateCheck, dateCondition, datePlan, INCLUDE_ROW_TYPES, type DateCheck } from '../../src/serve/store/date-plan.js';
import { dateRows, dateRowsJson, type DatePlan } from '../../src/serve/store/dates.js';
import { parameterPaths } from '../../src/serve/store/decide.js';
import { openStore, type OpenedStore } from '../../src/serve/store/open.js';
import { SqliteRepository } from '../../src/serve/store/sqlite-repository.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

/** A date parameter whose expression names another type than its base (an IG's mistake): left to the matcher. */
const OTHER_TYPE: SearchParameter = { resourceType: 'SearchParameter', url: 'urn:test:hm-other-type', name: 'x', status: 'active', code: 'hm-other-type', base: ['Patient'], type: 'date', expression: 'Person.birthDate', description: 'x' };

/** A reference parameter with a branch limited to one target type: `_include` reads those from the resources. */
const ONE_TARGET: SearchParameter = { ...OTHER_TYPE, url: 'urn:test:hm-one-target', code: 'hm-one-target', base: ['ExplanationOfBenefit'], type: 'reference', expression: 'ExplanationOfBenefit.provider.where(resolve() is Organization) | ExplanationOfBenefit.payee.party' };

/** Date parameters an IG could define that the rows cannot follow, or follow once parentheses are read. */
const date = (code: string, base: string, expression: string): SearchParameter => ({ ...OTHER_TYPE, url: `urn:test:${code}`, code, base: [base as SearchParameter['base'][number]], expression });
const ODD_PATHS = [
  date('hm-spaced', 'Encounter', '( Encounter.period )'),
  date('hm-no-element', 'Encounter', 'Encounter.nothing'),
  date('hm-after-choice', 'Observation', 'Observation.effective.start'),
  date('hm-first-type', 'Observation', 'Observation.value.unit'),
  date('hm-no-type', 'Observation', '(Observation.effective as boolean)'),
];

beforeAll(() => {
  // As the sandbox does: R4's parameters, then the IGs' (CARIN's service-date and service-start-date).
  indexSearchParameters([...findProfiles(SHARED_PACKAGES, ['hl7.fhir.us.carin-bb@2.0.0']).searchParameters, OTHER_TYPE, ONE_TARGET, ...ODD_PATHS]);
});

const DAY = (d: string) => [`${d}T00:00:00.000Z`, `${d}T23:59:59.999Z`] as const;

describe('dateRows: one resource under a plan', () => {
  const plan: DatePlan = {
    Encounter: { date: { expression: 'Encounter.period', branches: [['period']] } },
    Observation: { date: { expression: 'Observation.effective', branches: [['effective|DateTime|Period']] } },
    ExplanationOfBenefit: {
      'service-date': { expression: 'x', branches: [['billablePeriod'], ['item', 'serviced|Date'], ['item', 'serviced|Period']] },
      'care-team': { expression: 'y', branches: [['careTeam', 'provider']], reference: true },
      provider: { expression: 'z', branches: [['provider']], reference: true },
    },
    Coverage: { payor: { expression: 'Coverage.payor', branches: [['payor']], reference: true } },
  };

  it('should give no rows to a type the plan does not cover, and [] as JSON', () => {
    const patient = { resourceType: 'Patient', id: 'p', birthDate: '1970-01-01' } as Resource;
    expect(dateRows(patient, plan)).toEqual([]);
    expect(dateRowsJson(patient, plan)).toBe('[]');
  });

  it('should make each value a range, open ends as 0000 and 9999, one row per distinct range of a parameter', () => {
    const encounter = (period: Encounter['period']) => ({ resourceType: 'Encounter', id: 'n', status: 'finished', class: { code: 'AMB' }, period }) as Encounter;
    expect(dateRows(encounter({ start: '2020-05-01' }), plan)).toEqual([['date', DAY('2020-05-01')[0], '9999']]);
    expect(dateRows(encounter({ end: '2020-05-01' }), plan)).toEqual([['date', '0000', DAY('2020-05-01')[1]]]);
    expect(dateRowsJson(encounter({ start: '2020-05-01', end: '2020-05-02' }), plan)).toBe(JSON.stringify([['date', DAY('2020-05-01')[0], DAY('2020-05-02')[1]]]));
    // A value toPeriod does not read (no date) gives no row; an element holding null gives none either.
    expect(dateRows(encounter({ start: 'soon' } as never), plan)).toEqual([]);
    expect(dateRows({ ...encounter(undefined), period: null } as never, plan)).toEqual([]);
    // Items: the same day twice (one row), a Period, a null item, a nested array (not FHIR: skipped), a string.
    const eob = {
      resourceType: 'ExplanationOfBenefit',
      id: 'e',
      billablePeriod: { start: '2020-01-01', end: '2020-01-01' },
      item: [{ sequence: 1, servicedDate: '2020-01-01' }, null, [{ sequence: 9, servicedDate: '1999-01-01' }], 'x', { sequence: 2, servicedPeriod: { start: '2020-02-01' } }, { sequence: 3, servicedDate: '2020-01-01' }],
    } as unknown as ExplanationOfBenefit;
    expect(dateRows(eob, plan)).toEqual([
      ['service-date', ...DAY('2020-01-01')],
      ['service-date', DAY('2020-02-01')[0], '9999'],
    ]);
  });

  it('should read a choice by its named types only', () => {
    const obs = (extra: Record<string, unknown>) => ({ resourceType: 'Observation', id: 'o', status: 'final', code: { text: 'x' }, ...extra }) as Observation;
    expect(dateRows(obs({ effectiveDateTime: '2020-03-01' }), plan)).toEqual([['date', ...DAY('2020-03-01')]]);
    expect(dateRows(obs({ effectivePeriod: { end: '2020-03-01' } }), plan)).toEqual([['date', '0000', DAY('2020-03-01')[1]]]);
    // Neither the bare name, nor the name and its last letter, nor a type the step does not name.
    expect(dateRows(obs({ effective: '2020-03-01', effectivee: '2020-03-01', effectiveeffective: '2020-03-01', effectiveInstant: '2020-03-01T00:00:00Z', effectiveDate: '2020-03-01' }), plan)).toEqual([]);
  });

  it('should give a reference parameter its references as written, in order, each once, numbered from 0', () => {
    const eob = {
      resourceType: 'ExplanationOfBenefit',
      id: 'e',
      provider: { reference: 'Practitioner/d1' },
      careTeam: [
        { sequence: 1, provider: { reference: 'Practitioner/d3' } },
        { sequence: 2, provider: { reference: 'Practitioner/d2' } },
        { sequence: 3, provider: { reference: 'Practitioner/d3' } },
        { sequence: 4, provider: { display: 'no reference' } },
        { sequence: 5, provider: { reference: 7 } },
        { sequence: 6, provider: null },
        { sequence: 7 },
      ],
    } as unknown as ExplanationOfBenefit;
    expect(dateRows(eob, plan)).toEqual([
      ['care-team', 'Practitioner/d3', 0],
      ['care-team', 'Practitioner/d2', 1],
      ['provider', 'Practitioner/d1', 0],
    ]);
    // Nulls and holes in an array at the last step.
    const coverage = { resourceType: 'Coverage', id: 'c', payor: [null, undefined, { reference: 'Organization/o1' }, { reference: 'Organization/o2' }] } as unknown as Coverage;
    expect(dateRows(coverage, plan)).toEqual([
      ['payor', 'Organization/o1', 0],
      ['payor', 'Organization/o2', 1],
    ]);
    expect(dateRows({ resourceType: 'Coverage', id: 'c' } as Coverage, plan)).toEqual([]);
  });
});

describe('datePlan: the parameters the store keeps rows for', () => {
  let plan: DatePlan;
  beforeAll(() => {
    plan = datePlan();
  });

  it('should hold date parameters only, and reference parameters only of the include-row types, none of the _ ones', () => {
    expect(INCLUDE_ROW_TYPES).toEqual(['ExplanationOfBenefit', 'Claim', 'ClaimResponse']);
    let references = 0;
    for (const [type, params] of Object.entries(plan)) {
      for (const [code, entry] of Object.entries(params)) {
        const served = getSearchParameters(type)?.[code];
        expect(served?.expression, `${type}.${code}`).toBe(entry.expression);
        if (entry.reference) {
          references++;
          expect(served?.type, `${type}.${code}`).toBe('reference');
          expect(INCLUDE_ROW_TYPES, `${type}.${code}`).toContain(type);
          expect(code.startsWith('_'), `${type}.${code}`).toBe(false);
        } else expect(served?.type, `${type}.${code}`).toBe('date');
        if (!code.startsWith('hm-')) expect(entry.branches.length, `${type}.${code}`).toBeGreaterThan(0);
      }
    }
    expect(references).toBeGreaterThan(10);
    expect(plan.Observation?.subject).toBeUndefined();
    expect(Object.keys(plan.Patient ?? {}).sort()).toEqual(['_lastUpdated', 'birthdate', 'death-date']);
  });

  it('should read reference paths as element steps, and leave out a parameter with a branch limited to one target type', () => {
    expect(plan.ExplanationOfBenefit?.['care-team']).toEqual({ expression: getSearchParameters('ExplanationOfBenefit')!['care-team']!.expression, branches: [['careTeam', 'provider']], reference: true });
    expect(plan.ExplanationOfBenefit?.patient?.branches).toEqual([['patient']]);
    expect(plan.ClaimResponse?.request?.branches).toEqual([['request']]);
    // A branch limited to one target type (`.where(resolve() is X)`) leaves the parameter out, whatever its other branches.
    expect(parameterPaths('ExplanationOfBenefit', 'hm-one-target')).toEqual({ kind: 'reference', branches: [{ path: 'provider', target: 'Organization' }, { path: 'payee.party' }] });
    expect(plan.ExplanationOfBenefit?.['hm-one-target']).toBeUndefined();
    for (const [type, params] of Object.entries(plan)) {
      for (const [code, entry] of Object.entries(params)) if (entry.reference) expect(entry.expression, `${type}.${code}`).not.toMatch(/resolve\(\)|\bis\b|ofType/);
    }
  });

  it('should follow choices, type filters (as, ofType), steps after them, parentheses, and refuse another type\'s path', () => {
    expect(plan.Observation?.date?.branches).toEqual([['effective|DateTime|Period|Timing|Instant']]);
    expect(plan.ExplanationOfBenefit?.['service-start-date']?.branches).toEqual([['billablePeriod', 'start'], ['item', 'serviced|Date'], ['item', 'serviced|Period', 'start']]);
    expect(plan.ExplanationOfBenefit?.['service-date']?.branches).toEqual([['billablePeriod'], ['item', 'serviced|Date|Period']]);
    // R4's clinical-date on RiskAssessment is `(RiskAssessment.occurrence as dateTime)`.
    expect(getSearchParameters('RiskAssessment')?.date?.expression).toMatch(/^\(RiskAssessment\.occurrence as dateTime\)$/);
    expect(plan.RiskAssessment?.date?.branches).toEqual([['occurrence|DateTime']]);
    expect(plan.Encounter?.date?.branches).toEqual([['period']]);
    expect(plan.Patient?.birthdate?.branches).toEqual([['birthDate']]);
    expect(plan.Patient?.['hm-other-type']).toBeUndefined();
    // Spaces inside parentheses; a path through no element, or on past a choice of several types: not followed.
    expect(plan.Encounter?.['hm-spaced']?.branches).toEqual([['period']]);
    for (const code of ['hm-no-element', 'hm-after-choice', 'hm-first-type']) expect(plan.Encounter?.[code] ?? plan.Observation?.[code], code).toBeUndefined();
    // A type filter no type of the choice passes: no branch (the matcher finds nothing either).
    expect(plan.Observation?.['hm-no-type']).toEqual({ expression: '(Observation.effective as boolean)', branches: [] });
    expect(getSearchParameters('Patient')?.['hm-other-type']?.expression).toBe('Person.birthDate');
  });
});

describe('dateCheck and dateCondition: a filter decided by the rows', () => {
  let plan: DatePlan;
  beforeAll(() => {
    plan = datePlan();
  });

  it('should read the prefix and the value as a range; values medplum refuses are left to it', () => {
    expect(dateCheck('Encounter', 'date', 'ge2020', plan)).toEqual({ code: 'date', operator: 'ge', ranges: [['2020-01-01T00:00:00.000Z', '2020-12-31T23:59:59.999Z']] });
    expect(dateCheck('Encounter', 'date', '2020-05-01', plan)).toEqual({ code: 'date', operator: 'eq', ranges: [[...DAY('2020-05-01')]] });
    expect(dateCheck('Encounter', 'date', 'ne2020-05-01T10:30:00Z', plan)).toEqual({ code: 'date', operator: 'ne', ranges: [['2020-05-01T10:30:00.000Z', '2020-05-01T10:30:00.999Z']] });
    // medplum's parseSearchRequest refuses (OperationOutcomeError) a value that is no date, and alternatives.
    expect(dateCheck('Encounter', 'date', 'ge2020,soon', plan)).toBeUndefined();
    expect(dateCheck('Encounter', 'date', 'soon', plan)).toBeUndefined();
    // Any other failure is a fhirseed bug and is not hidden (a value that is no string reaches medplum's parser).
    expect(() => dateCheck('Encounter', 'date', 5 as never, plan)).toThrow(TypeError);
  });

  it('should decide nothing for a parameter the rows do not cover as it is served now', () => {
    expect(dateCheck('Encounter', 'nothing', 'ge2020', plan)).toBeUndefined();
    expect(dateCheck('Basic', 'date', 'ge2020', {})).toBeUndefined();
    expect(dateCheck('NoSuchType', 'date', 'ge2020', { NoSuchType: { date: { expression: 'x', branches: [['date']] } } })).toBeUndefined();
    expect(dateCheck('Encounter', 'gone', 'ge2020', { Encounter: { gone: { expression: 'Encounter.period', branches: [['period']] } } })).toBeUndefined();
    // A reference parameter of the plan, a token parameter given a plan entry, an expression changed since.
    expect(dateCheck('ExplanationOfBenefit', 'care-team', 'ge2020', plan)).toBeUndefined();
    expect(dateCheck('Encounter', 'status', 'ge2020', { Encounter: { status: { expression: getSearchParameters('Encounter')!.status!.expression!, branches: [['status']] } } })).toBeUndefined();
    expect(dateCheck('Encounter', 'date', 'ge2020', { Encounter: { date: { ...plan.Encounter!.date!, expression: 'Encounter.length' } } })).toBeUndefined();
    expect(dateCheck('Encounter', 'date', 'ge2020', { Encounter: { date: { ...plan.Encounter!.date!, reference: true } } })).toBeUndefined();
  });

  it('should compare as medplum matchesDateValue does, one SQL comparison per alternative, NOT EXISTS for ne', () => {
    const ranges: DateCheck['ranges'] = [
      ['s1', 'e1'],
      ['s2', 'e2'],
    ];
    const sql = (operator: DateCheck['operator']) => dateCondition({ code: 'date', operator, ranges });
    const exists = (parts: string) => `EXISTS (SELECT 1 FROM dates x WHERE x.seq = d.seq AND x.p = ? AND (${parts}))`;
    expect(sql('lt')).toEqual({ sql: exists('x.low < ? OR x.low < ?'), args: ['date', 's1', 's2'] });
    expect(sql('gt')).toEqual({ sql: exists('x.high > ? OR x.high > ?'), args: ['date', 'e1', 'e2'] });
    expect(sql('le')).toEqual({ sql: exists('x.low <= ? OR x.low <= ?'), args: ['date', 'e1', 'e2'] });
    expect(sql('ge')).toEqual({ sql: exists('x.high >= ? OR x.high >= ?'), args: ['date', 's1', 's2'] });
    expect(sql('sa')).toEqual({ sql: exists('x.low > ? OR x.low > ?'), args: ['date', 'e1', 'e2'] });
    expect(sql('eb')).toEqual({ sql: exists('x.high < ? OR x.high < ?'), args: ['date', 's1', 's2'] });
    for (const operator of ['eq', 'ap'] as const) expect(sql(operator)).toEqual({ sql: exists('(x.low < ? AND x.high > ?) OR (x.low < ? AND x.high > ?)'), args: ['date', 'e1', 's1', 'e2', 's2'] });
    expect(sql('ne')).toEqual({ sql: `NOT ${exists('(x.low < ? AND x.high > ?) OR (x.low < ? AND x.high > ?)')}`, args: ['date', 'e1', 's1', 'e2', 's2'] });
    // No alternative read: eq matches nothing, ne everything.
    expect(dateCondition({ code: 'date', operator: 'eq', ranges: [] })).toEqual({ sql: exists('0'), args: ['date'] });
    expect(dateCondition({ code: 'date', operator: 'ne', ranges: [] })).toEqual({ sql: `NOT ${exists('0')}`, args: ['date'] });
  });
});

describe('SqliteRepository.includeReferences: the reference rows read back', () => {
  let store: OpenedStore;
  const cleanups: (() => void)[] = [];
  afterAll(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  beforeAll(async () => {
    store = openStore(undefined, []);
    cleanups.push(() => store.close());
    const eob = (id: string, careTeam: string[]) => ({ resourceType: 'ExplanationOfBenefit', id, status: 'active', patient: { reference: 'Patient/a' }, careTeam: careTeam.map((reference, i) => ({ sequence: i + 1, provider: { reference } })) }) as ExplanationOfBenefit;
    await store.repo.withTransaction(async () => {
      await store.repo.preload(eob('e1', ['Practitioner/d3', 'Practitioner/d2', 'Practitioner/d3', 'Organization/o1']));
      await store.repo.preload(eob('e2', []));
      await store.repo.preload(eob('e3', ['Practitioner/d1']));
      await store.repo.preload({ resourceType: 'Encounter', id: 'n1', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/a' }, period: { start: '2020-05-01' } } as Encounter);
    });
    store.markLoaded();
  });

  it('should give each id its references in order, none for an id without, nothing for no ids', () => {
    const param = getSearchParameters('ExplanationOfBenefit')!['care-team']!;
    expect(store.repo.includeReferences('ExplanationOfBenefit', ['e3', 'e1', 'e2', 'missing'], param)).toEqual(
      new Map([
        ['e3', ['Practitioner/d1']],
        ['e1', ['Practitioner/d3', 'Practitioner/d2', 'Organization/o1']],
      ]),
    );
    expect(store.repo.includeReferences('ExplanationOfBenefit', [], param)).toEqual(new Map());
    expect(store.repo.includeReferences('ExplanationOfBenefit', ['e1'], { ...param, code: undefined } as unknown as SearchParameter)).toBeUndefined();
    // Not the parameter served now (a copy), or a date parameter of the plan: no reference rows to read.
    expect(store.repo.includeReferences('ExplanationOfBenefit', ['e1'], { ...param })).toBeUndefined();
    expect(store.repo.includeReferences('Encounter', ['n1'], getSearchParameters('Encounter')!.date!)).toBeUndefined();
    // Only the types that have reference parameters get reference rows.
    expect(store.repo.db.prepare('SELECT DISTINCT r.type FROM refs f JOIN resources r ON r.seq = f.seq').raw().all()).toEqual([['ExplanationOfBenefit']]);
  });

  it('should leave a date parameter the plan does not cover to the matcher', () => {
    // A date parameter whose path the rows cannot follow (on past a choice): no rows, the filter stays for the matcher.
    expect(getSearchParameters('Observation')?.['hm-after-choice']?.type).toBe('date');
    expect(store.repo.datePlan.Observation?.['hm-after-choice']).toBeUndefined();
    expect(store.repo.decide('Observation', { patient: 'Patient/a', 'hm-after-choice': 'ge2020' })).toEqual({ seqs: [], rest: { 'hm-after-choice': 'ge2020' } });
  });

  it('should read the resources instead when the plan was made for another expression', () => {
    const plan = structuredClone(store.repo.datePlan);
    plan.ExplanationOfBenefit!['care-team']!.expression = 'ExplanationOfBenefit.careTeam.provider | ExplanationOfBenefit.provider';
    store.repo.db.prepare("UPDATE meta SET value = ? WHERE key = 'dates'").run(JSON.stringify(plan));
    const other = new SqliteRepository(store.repo.db);
    const param = getSearchParameters('ExplanationOfBenefit')!['care-team']!;
    expect(other.includeReferences('ExplanationOfBenefit', ['e1'], param)).toBeUndefined();
    expect(other.includeReferences('ExplanationOfBenefit', ['e1'], getSearchParameters('ExplanationOfBenefit')!.provider!)).toEqual(new Map());
  });
});
