import type { Resource } from '@medplum/fhirtypes';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/report/html/page.js';
import { detailedReport, formatReport, report } from '../../src/report/index.js';
import { tempDir } from '../helpers/output.js';
import { condition, coverage, eob, ICD10CM, patient, writeNdjson } from './builders.js';
import { rowOf } from './helpers.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

function dirOf(resources: readonly Resource[]): string {
  const t = tempDir('fhirseed-report-small-');
  temps.push(t.cleanup);
  writeNdjson(t.dir, resources);
  return t.dir;
}

const reportOf = (resources: readonly Resource[]) => report(dirOf(resources));

/** A member covered all of 2025 (window 2025-01-01..2025-12-31 when a claim falls in January and one in December). */
function member(id: string, type: 'HIP' | 'MCPOL' | 'DENTAL', birthDate = '1980-01-01'): Resource[] {
  const group = type === 'MCPOL' ? 'Individual Medicare Advantage' : 'Employer Group';
  return [patient(id, birthDate, 'female'), coverage(`${id}-cov`, id, type, '2025-01-01', '2025-12-31', group)];
}

/** Two professional claims, January and December, with a diagnosis: the window is the whole year. */
const visits = (id: string): Resource[] => [
  eob(`${id}-v1`, id, 'professional', { start: '2025-01-10', dx: ['Z00.00'] }),
  eob(`${id}-v2`, id, 'professional', { start: '2025-12-10', dx: ['Z00.00'] }),
];

/** Claims of every medical and pharmacy type on one Medicare member, so that no statistic lacks its claims. */
const everyKind = (id: string): Resource[] => [
  ...member(id, 'MCPOL', '1950-01-01'),
  ...visits(id),
  eob(`${id}-ip`, id, 'inpatient', { start: '2025-03-01', admission: { start: '2025-03-01', end: '2025-03-05' }, dx: ['I10'] }),
  eob(`${id}-op`, id, 'outpatient', { start: '2025-04-01' }),
  eob(`${id}-rx`, id, 'pharmacy', { start: '2025-05-01', daysSupply: 30 }),
];

describe('report on a book too small for a standard error', () => {
  it('should read a miss by a book of one member as n too small, not fail (no SE from one member)', async () => {
    const r = await reportOf([...member('m', 'MCPOL', '1950-01-01'), ...visits('m')]);
    const professional = rowOf(r, 'medicare', 'claims-per-member-year.professional');
    // 2 claims in a year against 20.8 ± 25%: far outside, but one member gives no standard error to judge by.
    expect([professional.target?.id, professional.n, professional.standardError]).toEqual(['3a', 1, null]);
    expect(professional.measured).toBeCloseTo(2 / (365 / 365.25), 10);
    expect(professional.result).toBe('n too small');
    expect(formatReport(r)).toMatch(/3a +professional claims per member-year .* n too small \(n=1, SE=—\)/);
  });

  it('should give a rate of 0 events on two members the rule of three\'s standard error, and read its miss n too small', async () => {
    const r = await reportOf([...everyKind('old'), ...member('a', 'HIP'), ...visits('a'), ...member('b', 'HIP'), ...visits('b')]);
    const admissions = rowOf(r, 'commercial', 'admissions-per-1000');
    const years = 2 * (365 / 365.25);
    // No admission in 2 member-years: the members scatter by 0, but 0 events in T years fit a rate up to 3/T.
    expect([admissions.target?.id, admissions.n, admissions.measured]).toEqual(['4b', 2, 0]);
    expect(admissions.standardError).toBeCloseTo((1.5 / years) * 1000, 8);
    expect(admissions.result).toBe('n too small');
    const er = rowOf(r, 'commercial', 'er-visits-per-1000');
    expect([er.target?.id, er.measured, er.result]).toEqual(['6b', 0, 'n too small']);
  });

  it('should still fail a rate of 0 events on enough member-years for the rule of three to exclude the target', async () => {
    const commercial = Array.from({ length: 100 }, (_, i) => [...member(`c${i}`, 'HIP'), ...visits(`c${i}`)]).flat();
    const r = await reportOf([...everyKind('old'), ...commercial]);
    const admissions = rowOf(r, 'commercial', 'admissions-per-1000');
    // 3 / ~100 member-years = 30 per 1,000, under the 35 the tolerance starts at: the book has too few admissions.
    expect([admissions.n, admissions.measured]).toEqual([100, 0]);
    expect(admissions.standardError).toBeCloseTo((1.5 / (100 * (365 / 365.25))) * 1000, 8);
    expect(admissions.result).toBe('fail');
  });
});

describe('report on an output without claims of a kind', () => {
  it('should read every claim statistic n.a. for an output of the clinical record alone, and say why in one line', async () => {
    const dir = dirOf([
      ...member('a', 'HIP'),
      ...member('b', 'HIP'),
      ...member('m', 'MCPOL', '1950-01-01'),
      condition('m-dm', 'm', 'active', { [ICD10CM]: 'E11.9' }),
    ]);
    const r = await report(dir);
    // The HTML page's realism section says it too.
    expect(renderHtmlReport(await detailedReport(dir))).toContain('<p>n.a.: the output holds no claims (ExplanationOfBenefit); the statistics that count them are not measured</p>');
    expect(r.resources.ExplanationOfBenefit).toBeUndefined();
    expect(r.absent).toEqual({ claims: ['inpatient', 'outpatient', 'professional', 'pharmacy', 'oral'], diagnoses: false });
    for (const id of ['no-claim-share', 'allowed-per-member-year', 'er-visits-per-1000', 'admissions-per-1000', 'fills-30day-per-member-year']) {
      const row = rowOf(r, 'commercial', id);
      expect([id, row.measured, row.result]).toEqual([id, null, row.target ? 'n.a.' : null]);
    }
    expect(rowOf(r, 'commercial', 'no-claim-share').result).toBe('n.a.');
    expect(rowOf(r, 'medicare', 'claims-per-member-year.professional').result).toBe('n.a.');
    expect(r.summary.fail).toBe(0);
    // Diagnoses come from the Condition: prevalence is still measured.
    expect(rowOf(r, 'medicare', 'prevalence.diabetes').measured).toBe(1);
    const text = formatReport(r);
    expect(text).toContain('n.a.: the output holds no claims (ExplanationOfBenefit); the statistics that count them are not measured\n');
  });

  it('should read only the statistics of a missing claim type n.a., and name the type', async () => {
    const r = await reportOf([
      ...member('m', 'MCPOL', '1950-01-01'),
      ...visits('m'),
      eob('m-ip', 'm', 'inpatient', { start: '2025-03-01', admission: { start: '2025-03-01', end: '2025-03-05' } }),
    ]);
    expect(r.absent.claims).toEqual(['outpatient', 'pharmacy', 'oral']);
    expect(rowOf(r, 'medicare', 'fills-30day-per-member-year')).toMatchObject({ measured: null, result: 'n.a.' });
    expect(rowOf(r, 'medicare', 'claims-per-member-year.outpatient')).toMatchObject({ measured: null, result: 'n.a.' });
    // The professional claims are an ER visit's kind too: 0 ER visits is a measurement.
    expect(rowOf(r, 'medicare', 'er-visits-per-1000').measured).toBe(0);
    expect(rowOf(r, 'medicare', 'admissions-per-1000').measured).toBeGreaterThan(0);
    expect(formatReport(r)).toContain('n.a.: the output holds no outpatient institutional, pharmacy or oral (dental) claims; the statistics that count them are not measured');
  });

  it('should read prevalence n.a. when the output holds no diagnosis at all', async () => {
    const r = await reportOf([...member('m', 'MCPOL', '1950-01-01'), eob('m-1', 'm', 'professional', { start: '2025-01-10' })]);
    expect(r.absent.diagnoses).toBe(true);
    expect(rowOf(r, 'medicare', 'prevalence.diabetes')).toMatchObject({ measured: null, result: 'n.a.' });
    expect(rowOf(r, 'medicare', 'chronic-2plus-share')).toMatchObject({ measured: null, result: 'n.a.' });
    expect(formatReport(r)).toContain('and no diagnoses (no Condition, no ICD-10-CM on a claim)');
  });

  it('should not say a dental-only book has no claim: the statistic names medical and pharmacy claims', async () => {
    const r = await reportOf([
      ...member('d', 'DENTAL'),
      eob('d-1', 'd', 'oral', { start: '2025-01-10', lines: [{ allowed: 90, paid: 90, code: 'D0120' }] }),
      eob('d-2', 'd', 'oral', { start: '2025-12-10', lines: [{ allowed: 90, paid: 90, code: 'D0120' }] }),
    ]);
    const noClaim = rowOf(r, 'dental', 'no-claim-share');
    expect(noClaim.label).toBe('members with no medical or pharmacy claim in the window');
    expect(noClaim.measured).toBeNull();
    expect(rowOf(r, 'dental', 'dental-allowed-per-member-year').measured).toBeCloseTo(180 / (365 / 365.25), 6);
    expect(formatReport(r)).not.toContain('no claim in the window');
  });

  it("should give the HTML page one line for books with no member, not an n.a. row a target (s16 trial U's leftover)", async () => {
    const dir = dirOf([...member('a', 'HIP'), ...visits('a'), ...member('b', 'HIP'), ...visits('b')]);
    const r = await detailedReport(dir);
    const ids = (book: string) => r.report.books.find((b) => b.book === book)!.rows.filter((row) => row.target).map((row) => row.target!.id);
    expect(ids('medicare').length).toBeGreaterThan(0);
    const html = renderHtmlReport(r);
    expect(html).toContain(`<p>n.a.: the output has no medicare or medicaid members in the window; their targets (${ids('medicare').join(', ')}; ${ids('medicaid').join(', ')}) are not measured</p>`);
    const realism = html.slice(html.indexOf('are not measured</p>'));
    expect(realism).not.toMatch(/<td>medicare<\/td>|<td>medicaid<\/td>/);
    expect(realism).toMatch(/<td>commercial<\/td>/);
  });
});
