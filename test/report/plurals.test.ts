import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detailedReport, formatReport } from '../../src/report/index.js';
import { renderHtmlReport } from '../../src/report/html/index.js';
import { plural } from '../../src/util/plural.js';
import { tempDir } from '../helpers/output.js';
import { coverage, eob, patient, writeNdjson } from './builders.js';

const temp = tempDir('fhirseed-report-plurals-');
afterAll(() => temp.cleanup());

/** A count of one followed by a plural noun ("1 deaths"), as the report's text and page print their counts. */
const ONE_PLURAL = /(?<![\d.,])1 (members|deaths|claims|admissions|months|resources|errors|warnings|issues)\b/;

describe('report: a count of one takes the singular', () => {
  it('should print "1 member", "1 death", "1 claim" in the text and the HTML page of a one-member book', async () => {
    const dir = join(temp.dir, 'one');
    // One Medicare Advantage member who died in the window (February to April, from the claims), covered until
    // then, with one professional claim (one line) and one pharmacy claim.
    writeNdjson(dir, [
      patient('c', '1950-01-01', 'female', '2025-04-20'),
      coverage('c-cov', 'c', 'MCPOL', '2025-01-01', '2025-04-20', 'Individual Medicare Advantage'),
      eob('c-1', 'c', 'professional', { start: '2025-02-03' }),
      eob('c-2', 'c', 'pharmacy', { start: '2025-04-02', daysSupply: 30 }),
    ]);
    const detailed = await detailedReport(dir);
    const text = formatReport(detailed.report);
    expect(text).toContain('\n1 member (medicare 1)\n');
    expect(text).toMatch(/\nmedicare — 1 member, 1 with exposure, [\d.]+ member-years, 1 death\n/);
    expect(text).toMatch(/ 1 claim( |$)/m);
    expect(text).not.toMatch(ONE_PLURAL);
    const html = renderHtmlReport(detailed);
    expect(html).toContain('<p>1 member (medicare 1)');
    expect(html).not.toMatch(ONE_PLURAL);
  });

  it('should keep the plural for 0, 2 and fractions', () => {
    expect([0, 1, 2, 1.5, -1].map((n) => plural(n, 'death'))).toEqual(['deaths', 'death', 'deaths', 'deaths', 'deaths']);
    expect(plural(1, 'entry', 'entries')).toBe('entry');
    expect(plural(3, 'entry', 'entries')).toBe('entries');
  });
});
