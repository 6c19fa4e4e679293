import { afterAll, describe, expect, it } from 'vitest';
import { formatReport, report } from '../../src/report/index.js';
import { tempDir } from '../helpers/output.js';
import { condition, coverage, eob, ICD10CM, patient, SNOMED, writeNdjson } from './builders.js';
import { measured, rowOf } from './helpers.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

/**
 * Three members, every number known by construction (window 2025-01-01..2025-12-31, 365 days):
 * - a: commercial, F, born 1980-06-15 (45), covered all year; one admission billed twice (interim
 *   claims, 4 + 2 lines, Mar 10–14 = 4 days), one ER visit billed by the facility (revenue 0450) and
 *   the physician (POS 23) on May 2, fills of 90 and 30 days, E11.9 and I10 on claims, a dental claim.
 * - b: commercial, M, born 1960-01-01 (65), covered Jan 1–Jun 30 (181 days), no claim, an active SNOMED
 *   diabetes Condition and a resolved ICD-10-CM asthma one.
 * - c: Medicare Advantage (MCPOL, "Individual Medicare Advantage"), F, born 1950-01-01, covered Jan 1 –
 *   Nov 30 (334 days), died Nov 30, one professional claim on Dec 5 (claims run out).
 */
function fixture() {
  const a = 'a';
  const b = 'b';
  const c = 'c';
  return [
    patient(a, '1980-06-15', 'female'),
    patient(b, '1960-01-01', 'male'),
    patient(c, '1950-01-01', 'female', '2025-11-30'),
    coverage('a-cov', a, 'HIP', '2025-01-01', '2025-12-31'),
    coverage('a-den', a, 'DENTAL', '2025-01-01', '2025-12-31'),
    coverage('b-cov', b, 'HIP', '2025-01-01', '2025-06-30'),
    coverage('c-cov', c, 'MCPOL', '2025-01-01', '2025-11-30', 'Individual Medicare Advantage'),
    eob('a-1', a, 'pharmacy', { start: '2025-01-20', daysSupply: 90, lines: [{ allowed: 30, paid: 20 }] }),
    eob('a-2', a, 'pharmacy', { start: '2025-02-20', daysSupply: 30, lines: [{ allowed: 10, paid: 5 }] }),
    eob('a-3', a, 'inpatient', {
      start: '2025-03-10',
      end: '2025-03-12',
      admission: { start: '2025-03-10', end: '2025-03-14' },
      dx: ['E11.9', 'I10'],
      lines: [1000, 500, 200, 300].map((allowed) => ({ allowed, paid: allowed * 0.8, revenue: '0120' })),
    }),
    eob('a-4', a, 'inpatient', {
      start: '2025-03-10',
      end: '2025-03-14',
      admission: { start: '2025-03-10', end: '2025-03-14' },
      lines: [{ allowed: 400, paid: 400, revenue: '0300' }, { allowed: 100, paid: 100, revenue: '0250' }],
    }),
    eob('a-5', a, 'outpatient', { start: '2025-05-02', lines: [{ allowed: 700, paid: 600, revenue: '0450' }, { allowed: 50, paid: 50, revenue: '0300' }] }),
    eob('a-6', a, 'professional', { start: '2025-05-02', lines: [{ allowed: 200, paid: 150, pos: '23', code: '99284' }] }),
    eob('a-7', a, 'oral', { start: '2025-06-01', lines: [{ allowed: 90, paid: 90, code: 'D0120' }] }),
    condition('b-c1', b, 'active', { [SNOMED]: '44054006' }),
    condition('b-c2', b, 'resolved', { [ICD10CM]: 'J45.909' }),
    eob('c-1', c, 'professional', { start: '2025-12-05', lines: [{ allowed: 120, paid: 100 }, { allowed: 30, paid: 30 }] }),
  ];
}

async function fixtureReport() {
  const t = tempDir('fhirseed-report-');
  temps.push(t.cleanup);
  writeNdjson(t.dir, fixture());
  return report(t.dir);
}

describe('report statistics on a hand-built population', async () => {
  const r = await fixtureReport();
  const yearsA = 365 / 365.25;
  const yearsB = 181 / 365.25;
  const yearsC = 334 / 365.25;

  it('should take the window from whole months of the EOB service starts and place members in books', () => {
    expect(r.window).toEqual({ start: '2025-01-01', end: '2025-12-31', months: 12 });
    expect(r.members).toEqual({ total: 3, byBook: { commercial: 2, medicare: 1, medicaid: 0, dental: 0, none: 0 } });
    const commercial = r.books.find((s) => s.book === 'commercial')!;
    expect(commercial.memberYears).toBeCloseTo(yearsA + yearsB, 10);
    expect(r.books.find((s) => s.book === 'medicare')!.memberYears).toBeCloseTo(yearsC, 10);
  });

  it('should count lines per claim over every claim, and claims per member-year', () => {
    expect(measured(r, 'all', 'lines-per-claim.inpatient')).toBe(3);
    expect(rowOf(r, 'all', 'lines-per-claim.inpatient').denominator).toEqual({ value: 2, unit: 'claims' });
    expect(measured(r, 'all', 'lines-per-claim.professional')).toBe(1.5);
    expect(measured(r, 'medicare', 'claims-per-member-year.professional')).toBeCloseTo(1 / yearsC, 10);
  });

  it('should count one admission per member and admission date, with its length of stay', () => {
    expect(measured(r, 'commercial', 'admissions-per-1000')).toBeCloseTo((1 / (yearsA + yearsB)) * 1000, 10);
    expect(measured(r, 'commercial', 'average-length-of-stay')).toBe(4);
    expect(rowOf(r, 'commercial', 'average-length-of-stay').denominator).toEqual({ value: 1, unit: 'admissions' });
  });

  it('should count the facility and physician claims of one ER visit once', () => {
    expect(measured(r, 'commercial', 'er-visits-per-1000')).toBeCloseTo((1 / (yearsA + yearsB)) * 1000, 10);
  });

  it('should count fills in 30-day equivalents', () => {
    expect(measured(r, 'commercial', 'fills-30day-per-member-year')).toBeCloseTo(4 / (yearsA + yearsB), 10);
  });

  it('should sum allowed and paid over the lines, medical and pharmacy apart from dental', () => {
    const allowed = 30 + 10 + 2000 + 500 + 750 + 200;
    const paid = 20 + 5 + 1600 + 500 + 650 + 150;
    expect(measured(r, 'commercial', 'allowed-per-member-year')).toBeCloseTo(allowed / (yearsA + yearsB), 6);
    expect(measured(r, 'commercial', 'member-share')).toBeCloseTo((allowed - paid) / allowed, 10);
    expect(measured(r, 'commercial', 'dental-allowed-per-member-year')).toBeCloseTo(90 / (yearsA + yearsB), 6);
  });

  it('should give the share of members without a medical or pharmacy claim', () => {
    expect(measured(r, 'commercial', 'no-claim-share')).toBe(0.5);
    expect(measured(r, 'medicare', 'no-claim-share')).toBe(0);
  });

  it('should count conditions from claim diagnoses and active Conditions (SNOMED CT too), not resolved ones', () => {
    expect(measured(r, 'commercial', 'prevalence.diabetes')).toBe(1);
    expect(measured(r, 'commercial', 'prevalence.hypertension')).toBe(0.5);
    expect(measured(r, 'commercial', 'prevalence.asthma')).toBe(0);
    expect(measured(r, 'commercial', 'chronic-2plus-share')).toBe(0.5);
    expect(measured(r, 'all', 'prevalence.diabetes', { minAge: 65 })).toBe(0.5);
    expect(measured(r, 'all', 'prevalence.diabetes', { minAge: 45, maxAge: 64 })).toBe(1);
  });

  it('should count deaths inside the window per 1,000 member-years, by book', () => {
    expect(measured(r, 'medicare', 'deaths-per-1000')).toBeCloseTo(1000 / yearsC, 10);
    expect(measured(r, 'commercial', 'deaths-per-1000')).toBe(0);
  });

  it('should judge rows against their targets and mark rows without a denominator n.a.', () => {
    const los = rowOf(r, 'medicare', 'average-length-of-stay');
    expect(los.target?.id).toBe('5');
    expect(los.result).toBe('n.a.');
    const er = rowOf(r, 'commercial', 'er-visits-per-1000');
    expect(er.target).toMatchObject({ id: '6b', value: 200, low: 150, high: 250 });
    expect(rowOf(r, 'medicaid', 'admissions-per-1000').result).toBe('n.a.');
    // Two members cannot judge ±50 per 1,000: the ratio's standard error over members a (1 visit) and b (none).
    const rate = 1 / (yearsA + yearsB);
    const se = (Math.sqrt(2 * ((1 - rate * yearsA) ** 2 + (rate * yearsB) ** 2)) / (yearsA + yearsB)) * 1000;
    expect(er.n).toBe(2);
    expect(er.standardError).toBeCloseTo(se, 8);
    expect(er.result).toBe('n too small');
    // A share with a target: the binomial standard error at the target, on the members of the band (b and c at 65+).
    const old = rowOf(r, 'all', 'prevalence.diabetes', { minAge: 65 });
    expect([old.target!.id, old.n, old.result]).toEqual(['8c', 2, 'n too small']);
    expect(old.standardError).toBeCloseTo(Math.sqrt((0.205 * 0.795) / 2), 12);
    expect(formatReport(r)).toContain(`n too small (n=2, SE=${((old.standardError! * 100).toFixed(2))} pts)`);
    expect(r.summary['n too small']).toBe(r.books.flatMap((b) => b.rows).filter((x) => x.result === 'n too small').length);
    // Inside the tolerance is a pass at any n (two members here); only a miss can be `n too small`.
    const judged = r.books.flatMap((b) => b.rows).filter((x) => x.target && x.measured !== null && x.result !== 'n.a.');
    const inside = judged.filter((x) => x.measured! >= x.target!.low && x.measured! <= x.target!.high);
    expect(inside.length).toBeGreaterThan(0);
    for (const x of inside) expect([x.statistic, x.n, x.result]).toEqual([x.statistic, x.n, 'pass']);
    for (const x of judged.filter((y) => y.result === 'n too small')) expect(inside).not.toContain(x);
  });

  it('should give the age and sex mix and distinct codes per system', () => {
    expect(r.ageSex.find((x) => x.band === '45-64')).toEqual({ band: '45-64', female: 1, male: 0, other: 0 });
    expect(r.ageSex.find((x) => x.band === '65-74')).toEqual({ band: '65-74', female: 0, male: 1, other: 0 });
    expect(r.ageSex.find((x) => x.band === '75-84')).toEqual({ band: '75-84', female: 1, male: 0, other: 0 });
    const codes = Object.fromEntries(r.codes.map((c) => [c.name, c.distinct]));
    expect(codes['ICD-10-CM']).toBe(3); // E11.9, I10, J45.909
    expect(codes['SNOMED CT conditions']).toBe(1);
    expect(codes.CPT).toBe(3); // 99213, 99284, D0120 (written as CPT here)
    expect(codes['NUBC revenue']).toBe(4); // 0120, 0300, 0250, 0450
  });
});
