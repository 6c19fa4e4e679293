import { beforeAll, describe, expect, it } from 'vitest';
import type { BuildContext } from '../../src/fhir/context.js';
import { IG_NAMES } from '../../src/profile/igs.js';
import { buildCarinBbMemberResources } from '../../src/fhir/carin-bb/index.js';
import { buildUsCoreMemberResources, layerUsCore } from '../../src/fhir/us-core/index.js';
import { buildReport, type Report, type ReportRow } from '../../src/report/build.js';
import { snomedGroups } from '../../src/report/conditions.js';
import { MemberCollector } from '../../src/report/members.js';
import { loadTargets } from '../../src/report/targets.js';
import { buildDirectory } from '../../src/story/directory.js';
import { showcaseFor } from '../../src/story/showcase.js';
import { simulateMember } from '../../src/story/simulate.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';

/**
 * Issue 10: every shipped profile meets the REALISM-TARGETS rows of its own book at 1,000 members, as
 * `fhirseed report` measures them. One simulation per book, measured with the report library on the
 * resources in memory (no files: a 1,000-member Medicare book is over 1 GB of NDJSON). The coverage
 * plan's showcase members are in the population, as in any generation; a second report without them
 * checks that they move no statistic outside its tolerance either.
 */
const BOOKS = [
  { profile: 'commercial', book: 'commercial' },
  { profile: 'medicare-advantage', book: 'medicare' },
  { profile: 'medicaid', book: 'medicaid' },
] as const;

/**
 * Prevalence rows by age band are judged only where the band has enough members to measure a prevalence:
 * the commercial book's 65+ band (row 9, hypertension 55–67%) is the ~14 members who turn 65 in the year,
 * where one member moves the share by 7 points and the standard error is about 13 — a coin toss, not a
 * check. The Medicare Advantage book judges row 9 on its 1,000 members.
 */
const MIN_BAND_MEMBERS = 100;

/**
 * A prevalence row whose tolerance is narrower than the sampling error of the members it counts cannot be
 * met "at 1,000 members" by any generator every time: diabetes at 18–44 (2.2% ± 25%, so ±0.55 points) counted
 * on the ~390 commercial members of that age has a standard error of 0.74 points — the band is within one
 * standard error, and a change of seed or of an unrelated random draw moves the row in or out. Such rows
 * (band half-width under two standard errors) pass when the measurement is within 2.58 standard errors
 * (99%) of the band; every other row is judged on its band alone.
 */
function withinSampling(r: ReportRow): boolean {
  if (r.result === 'pass') return true;
  const { low, high, value } = r.target!;
  const se = Math.sqrt((value * (1 - value)) / r.denominator.value);
  if ((high - low) / 2 >= 2 * se || r.measured === null) return false;
  return r.measured >= low - 2.58 * se && r.measured <= high + 2.58 * se;
}

const reports = new Map<string, { all: Report; withoutShowcase: Report }>();

function measure(name: (typeof BOOKS)[number]['profile']): { all: Report; withoutShowcase: Report } {
  const profile = { ...shippedProfile(name), members: 1000 };
  const directory = buildDirectory(profile, codeMaps);
  const ctx: BuildContext = {
    profile, codeMaps, directory, runId: 'books', lastUpdated: `${profile.period.end}T00:00:00Z`, usCoreVersion: '6.1.0',
    plansById: new Map(profile.plans.map((p) => [p.id, p])), igs: new Set(IG_NAMES),
  };
  const all = new MemberCollector(snomedGroups());
  const rest = new MemberCollector(snomedGroups());
  for (let index = 0; index < profile.members; index++) {
    const story = simulateMember({ profile, codeMaps, directory }, index);
    const showcase = Boolean(showcaseFor(index, profile));
    for (const r of [...buildCarinBbMemberResources(story, ctx).map((x) => layerUsCore(x, story, ctx)), ...buildUsCoreMemberResources(story, ctx)]) {
      if (!['Patient', 'Coverage', 'ExplanationOfBenefit', 'Condition'].includes(r.resourceType)) continue;
      all.add(r);
      if (!showcase) rest.add(r);
    }
  }
  const targets = loadTargets();
  return {
    all: buildReport(all.result, targets, name, 'built-in'),
    withoutShowcase: buildReport(rest.result, targets, name, 'built-in'),
  };
}

/** The book's own target rows (utilization, cost, book prevalence) that have a measurement. */
function bookRows(report: Report, book: string): ReportRow[] {
  return (report.books.find((b) => b.book === book)?.rows ?? []).filter((r) => r.target && r.result !== 'n.a.');
}

/** The age-band prevalence rows (8a–c, 9) over all members, where the band is large enough. */
function bandRows(report: Report): ReportRow[] {
  const all = report.books.find((b) => b.book === 'all')?.rows ?? [];
  return all.filter((r) => r.target && r.result !== 'n.a.' && r.population.minAge !== undefined && r.denominator.value >= MIN_BAND_MEMBERS);
}

const show = (r: ReportRow) => `${r.target!.id} ${r.label} ${r.population.minAge ?? ''}-${r.population.maxAge ?? ''}: ${r.measured} (${r.target!.low}–${r.target!.high})`;

beforeAll(() => {
  for (const { profile } of BOOKS) reports.set(profile, measure(profile));
}, 300_000);

describe('shipped profiles against REALISM-TARGETS at 1,000 members', () => {
  for (const { profile, book } of BOOKS) {
    it(`should meet every utilization and cost row of the ${book} book (${profile})`, () => {
      const { all, withoutShowcase } = reports.get(profile)!;
      const rows = bookRows(all, book).filter((r) => !/prevalence|chronic/.test(r.label));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((r) => r.result !== 'pass').map(show)).toEqual([]);
      // The coverage plan's showcase members do not carry a statistic into or out of tolerance.
      expect(bookRows(withoutShowcase, book).filter((r) => !/prevalence|chronic/.test(r.label) && r.result !== 'pass').map(show)).toEqual([]);
    });

    it(`should meet the prevalence rows of the ${book} book (${profile})`, () => {
      const { all } = reports.get(profile)!;
      const rows = [...bookRows(all, book).filter((r) => /prevalence|chronic/.test(r.label)), ...bandRows(all)];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((r) => !withinSampling(r)).map(show)).toEqual([]);
    });
  }

  it('should see deaths at the life-table rate: about 4–5% a year in the Medicare Advantage book, few in the others', () => {
    const rate = (profile: string, book: string) => {
      const section = reports.get(profile)!.all.books.find((b) => b.book === book)!;
      return section.deaths / section.memberYears;
    };
    expect(rate('medicare-advantage', 'medicare')).toBeGreaterThan(0.035);
    expect(rate('medicare-advantage', 'medicare')).toBeLessThan(0.07);
    expect(rate('commercial', 'commercial')).toBeLessThan(0.01);
  });
});
