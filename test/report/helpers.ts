import type { Report } from '../../src/report/index.js';
import type { ReportRow } from '../../src/report/build.js';

/** The row of a statistic in a book's section (the whole book, or an age range). */
export function rowOf(report: Report, book: string, statistic: string, ages: { minAge?: number; maxAge?: number } = {}): ReportRow {
  const section = report.books.find((b) => b.book === book);
  const row = section?.rows.find((r) => r.statistic === statistic && r.population.minAge === ages.minAge && r.population.maxAge === ages.maxAge);
  if (!row) throw new Error(`no row ${statistic} in ${book}`);
  return row;
}

export const measured = (report: Report, book: string, statistic: string, ages?: { minAge?: number; maxAge?: number }) =>
  rowOf(report, book, statistic, ages).measured;
