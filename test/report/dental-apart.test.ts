// Dental-only members (the dental book) are left out of the medical statistics (REALISM-TARGETS: "dental: none of
// these"), in the `all` rows too: a dental-only output reads n.a. there, not 0 % (s14 F3's "not done"), and a mixed
// output's `all` rows do not count them in their denominators.
import type { Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/report/html/page.js';
import { detailedReport, formatReport, report, type Report } from '../../src/report/index.js';
import { STATISTICS, isMedical } from '../../src/report/statistics.js';
import { tempDir } from '../helpers/output.js';
import { condition, coverage, eob, ICD10CM, patient, writeNdjson } from './builders.js';
import { rowOf } from './helpers.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

function dirOf(resources: readonly Resource[]): string {
  const t = tempDir('fhirseed-report-dental-');
  temps.push(t.cleanup);
  writeNdjson(t.dir, resources);
  return t.dir;
}

/** A dental-only member covered all of 2025, with two oral claims (January and December) and a dental diagnosis. */
function dentalMember(id: string, birthDate: string): Resource[] {
  return [
    patient(id, birthDate, 'female'),
    coverage(`${id}-cov`, id, 'DENTAL', '2025-01-01', '2025-12-31'),
    eob(`${id}-o1`, id, 'oral', { start: '2025-01-10', dx: ['K02.9'], lines: [{ allowed: 90, paid: 72, code: 'D0120' }] }),
    eob(`${id}-o2`, id, 'oral', { start: '2025-12-10', lines: [{ allowed: 120, paid: 96, code: 'D1110' }] }),
    condition(`${id}-caries`, id, 'active', { [ICD10CM]: 'K02.9' }),
  ];
}

/** A commercial member covered all of 2025 with a visit in January and December; `dx` on the first. */
function medicalMember(id: string, birthDate: string, dx: string[]): Resource[] {
  return [
    patient(id, birthDate, 'male'),
    coverage(`${id}-cov`, id, 'HIP', '2025-01-01', '2025-12-31'),
    eob(`${id}-v1`, id, 'professional', { start: '2025-01-10', dx }),
    eob(`${id}-v2`, id, 'professional', { start: '2025-12-10', dx: ['Z00.00'] }),
    eob(`${id}-rx`, id, 'pharmacy', { start: '2025-06-01', daysSupply: 30 }),
  ];
}

const AGES = ['2003-06-01', '1970-06-01', '1950-06-01', '1990-06-01', '1985-06-01', '1960-06-01', '1945-06-01', '2010-06-01'];

/** Every `all` row of a statistic: [statistic, population, measured, n, denominator, result]. */
function allRows(r: Report, which: (s: (typeof STATISTICS)[number]) => boolean): unknown[][] {
  const ids = new Set(STATISTICS.filter(which).map((s) => s.id));
  return r.books.find((b) => b.book === 'all')!.rows.filter((row) => ids.has(row.statistic)).map((row) => [row.statistic, row.population, row.measured, row.n, row.denominator, row.result]);
}

describe('report: dental-only members and the medical statistics', () => {
  it('should read the `all` prevalence rows of a dental-only output n.a., not 0 %, and say why in one line', async () => {
    const dir = dirOf(AGES.slice(0, 4).flatMap((b, i) => dentalMember(`d${i}`, b)));
    const r = await report(dir);
    expect(r.members.byBook.dental).toBe(4);
    for (const [statistic, ages] of [['prevalence.diabetes', { minAge: 18, maxAge: 44 }], ['prevalence.diabetes', { minAge: 45, maxAge: 64 }], ['prevalence.diabetes', { minAge: 65 }], ['prevalence.hypertension', { minAge: 65 }]] as const) {
      const row = rowOf(r, 'all', statistic, ages);
      expect([statistic, ages, row.target?.id !== undefined, row.measured, row.n, row.result]).toEqual([statistic, ages, true, null, 0, 'n.a.']);
    }
    expect(r.summary.fail).toBe(0);
    // The dental statistics still count them.
    expect(rowOf(r, 'all', 'dental-allowed-per-member-year').n).toBe(4);
    expect(rowOf(r, 'dental', 'claims-per-member-year.oral').measured).toBeCloseTo(2 / (365 / 365.25), 10);
    expect(rowOf(r, 'dental', 'prevalence.diabetes').measured).toBeNull();
    const line = '4 dental-only members (the dental book) are left out of the statistics that count medical or pharmacy claims or diagnoses; a dental book has none of them';
    expect(formatReport(r)).toContain(`${line}\n`);
    expect(formatReport(r)).toMatch(/\n +8b +diabetes prevalence +age 45–64 +— +12\.1% +±25% +n\.a\. +0 +— +0 members\n/);
    expect(renderHtmlReport(await detailedReport(dir))).toContain(`<p>${line}</p>`);
  });

  it('should leave them out of a mixed output\'s `all` denominators: 1 diabetic of 2 commercial members aged 45-64 is 50 %, whatever dental members beside', async () => {
    const r = await report(dirOf([
      ...medicalMember('c1', '1970-06-01', ['E11.9']),
      ...medicalMember('c2', '1975-06-01', ['I10']),
      ...dentalMember('d1', '1968-06-01'),
      ...dentalMember('d2', '1972-06-01'),
    ]));
    const diabetes = rowOf(r, 'all', 'prevalence.diabetes', { minAge: 45, maxAge: 64 });
    expect([diabetes.measured, diabetes.n, diabetes.denominator]).toEqual([0.5, 2, { value: 2, unit: 'members' }]);
    expect(rowOf(r, 'all', 'no-claim-share')).toMatchObject({ measured: 0, n: 2 });
    expect(rowOf(r, 'all', 'deaths-per-1000').n).toBe(4);
    expect(formatReport(r)).toContain('2 dental-only members (the dental book) are left out');
  });

  it('should give every medical `all` row the same with any dental-only members added (property), and count them in the dental rows', async () => {
    const medical = [...medicalMember('c1', '1970-06-01', ['E11.9', 'I10']), ...medicalMember('c2', '1950-06-01', ['J45.909']), ...medicalMember('c3', '1990-06-01', ['Z00.00'])];
    const base = await report(dirOf(medical));
    expect(formatReport(base)).not.toContain('dental-only');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...AGES), { minLength: 1, maxLength: 5 }), async (births) => {
        const r = await report(dirOf([...medical, ...births.flatMap((b, i) => dentalMember(`d${i}`, b))]));
        expect(allRows(r, isMedical)).toEqual(allRows(base, isMedical));
        expect(rowOf(r, 'all', 'dental-allowed-per-member-year').n).toBe(3 + births.length);
      }),
      { numRuns: 8 },
    );
  }, 120_000);
});
