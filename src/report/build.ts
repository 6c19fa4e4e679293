import { ageOn } from '../util/dates.js';
import { BOOKS, coveredDays, memberBook, windowOf, type Book, type Window } from './book.js';
import { CLAIM_TYPES, type ClaimType } from './claims.js';
import type { Aggregates } from './members.js';
import { measuredOn, select, STATISTICS, type Measurement, type PlacedMember, type Population, type Statistic, type Unit } from './statistics.js';
import { bounds, judge, type TargetRow, type Tolerance } from './targets.js';

/** One line of a book's table: a statistic measured on a population, with its target when one is set. */
export interface ReportRow {
  statistic: string;
  label: string;
  unit: Unit;
  population: Population;
  /** null when the denominator is 0, or the output holds nothing the statistic counts (Report.absent). */
  measured: number | null;
  denominator: { value: number; unit: Measurement['denominatorUnit'] };
  target: { id: string; value: number; tolerance: Tolerance; low: number; high: number; source: string } | null;
  /** Members the row rests on (with exposure, in the row's population). */
  n: number;
  /**
   * Standard error of the measurement, in its unit: for a share with a target, the binomial one at the
   * target (√(t(1−t)/n): what a population on target would scatter by); for a rate of events per
   * member-year with no event at all, whose members' sample scatters by 0, the rule of three's (0 events
   * in T member-years fit any rate up to 3/T at 95%, read as 2 standard errors: 1.5/T); else the ratio
   * estimator's (statistics.ts Measurement). null when it cannot be estimated (fewer than 2 members, the
   * minimum of the estimator's n/(n−1); no value).
   */
  standardError: number | null;
  /**
   * null when no target is set for the row; `n.a.` when nothing was measured; `n too small` when the
   * measurement is outside the tolerance but by no more than MIN_STANDARD_ERRORS standard errors, and the
   * tolerance's half-width is itself under that many (a population on target would fall outside it too
   * often for a miss to mean anything), or when it is outside and no standard error can be estimated (one
   * member). A measurement inside the tolerance passes at any n; one further outside fails whatever the n.
   */
  result: RowResult | null;
}

export type RowResult = 'pass' | 'fail' | 'n.a.' | 'n too small';

/** A tolerance narrower than ± this many standard errors cannot be judged: such a row reads `n too small`. */
export const MIN_STANDARD_ERRORS = 2;

/** What the output holds none of, so the statistics that count it read n.a. (statistics.ts Counts). */
export interface Absent {
  /** Claim types with no claim in the whole output. */
  claims: ClaimType[];
  /** No Condition and no claim with an ICD-10-CM diagnosis. */
  diagnoses: boolean;
}

/** A population's table: `all` members, or one book. */
export interface BookSection {
  book: Book | 'all';
  /** Members placed in the book (with or without exposure). */
  members: number;
  /** Members with exposure in the window (the ones every statistic counts). */
  membersWithExposure: number;
  memberYears: number;
  deaths: number;
  rows: ReportRow[];
}

/** The age band × sex counts of every member with a birth date (age at the window's end). */
export interface AgeSexRow {
  band: string;
  female: number;
  male: number;
  other: number;
}

/** Members living in one state (see Report.states). */
export interface StateRow {
  state: string;
  members: number;
  share: number;
}

/** Coverage resources of one plan (see Report.plans). */
export interface PlanRow {
  book: Book;
  plan: string;
  coverages: number;
  share: number;
}

/** The whole report (what `report --json` prints). */
export interface Report {
  source: string;
  targetsFile: string;
  window: (Window & { months: number }) | null;
  members: { total: number; byBook: Record<Book | 'none', number> };
  resources: Record<string, number>;
  books: BookSection[];
  ageSex: AgeSexRow[];
  /**
   * Members per state of residence (Patient.address `state`, the home address's first; `(none)` without one, last),
   * most first; `share` of all members (0–1). What a profile's `demographics.states` shares are checked against.
   */
  states: StateRow[];
  /**
   * Coverage resources per book and plan (Coverage.class of type `plan`: name, else value), most first; `share` of
   * the book's Coverage resources (0–1). What a profile's `plans[].share` are checked against.
   */
  plans: PlanRow[];
  codes: { name: string; system: string; distinct: number }[];
  absent: Absent;
  summary: Record<RowResult, number>;
}

const AGE_BANDS: [string, number, number][] = [
  ['0-17', 0, 17],
  ['18-44', 18, 44],
  ['45-64', 45, 64],
  ['65-74', 65, 74],
  ['75-84', 75, 84],
  ['85+', 85, Infinity],
];

/** Places every member in the window (book, age, exposure) and measures each book against the targets. */
export function buildReport(aggregates: Aggregates, targets: readonly TargetRow[], source: string, targetsFile: string): Report {
  const window = reportWindow(aggregates);
  // In id order, so that sums do not depend on the order the data was read in.
  const sorted = [...aggregates.members].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const placed = sorted.map(([id, data]): PlacedMember => {
    const book = window ? memberBook(data.coverages, window) : undefined;
    const spans = data.coverages.filter((c) => (book === 'dental' ? c.book === 'dental' : c.book !== 'dental'));
    return {
      id,
      book,
      age: window && data.birthDate ? ageOn(data.birthDate, window.end) : undefined,
      memberYears: window && book ? coveredDays(spans, window) / 365.25 : 0,
      died: !!(window && data.deceasedDate && data.deceasedDate >= window.start && data.deceasedDate <= window.end),
      data,
    };
  });
  const byBook = Object.fromEntries([...BOOKS, 'none'].map((b) => [b, placed.filter((m) => (m.book ?? 'none') === b).length])) as Record<Book | 'none', number>;
  const sectionBooks: (Book | 'all')[] = ['all', ...BOOKS.filter((b) => byBook[b] > 0 || targets.some((t) => t.book === b))];
  const absent = absentFrom(aggregates);
  const books = sectionBooks.map((book) => section(book, placed, targets, absent));
  const summary: Record<RowResult, number> = { pass: 0, fail: 0, 'n.a.': 0, 'n too small': 0 };
  for (const s of books) for (const r of s.rows) if (r.result) summary[r.result]++;
  return {
    source,
    targetsFile,
    window: window ? { ...window, months: months(window) } : null,
    members: { total: placed.length, byBook },
    resources: aggregates.resources,
    books,
    ageSex: ageSex(placed),
    states: stateMix(placed),
    plans: planMix(aggregates),
    codes: aggregates.codes.counts(),
    absent,
    summary,
  };
}

function stateMix(placed: readonly PlacedMember[]): StateRow[] {
  const counts = new Map<string, number>();
  for (const m of placed) counts.set(m.data.state ?? '(none)', (counts.get(m.data.state ?? '(none)') ?? 0) + 1);
  return [...counts]
    .map(([state, members]) => ({ state, members, share: members / placed.length }))
    // Most first, members without a state last.
    .sort((a, b) => Number(a.state === '(none)') - Number(b.state === '(none)') || b.members - a.members || (a.state < b.state ? -1 : a.state > b.state ? 1 : 0));
}

function planMix(a: Aggregates): PlanRow[] {
  const plans = a.details.result().plans;
  const perBook = new Map<Book, number>();
  for (const p of plans) perBook.set(p.book, (perBook.get(p.book) ?? 0) + p.coverages);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  // Most first, then by book and name: whatever order the Coverages were read in.
  return plans
    .map((p) => ({ ...p, share: p.coverages / perBook.get(p.book)! }))
    .sort((a, b) => b.coverages - a.coverages || cmp(a.book, b.book) || cmp(a.plan, b.plan));
}

function reportWindow(a: Aggregates): Window | undefined {
  if (a.earliestService && a.latestService) return windowOf(a.earliestService, a.latestService);
  const spans = [...a.members.values()].flatMap((m) => m.coverages);
  const starts = spans.map((s) => s.start).filter((d): d is string => !!d).sort();
  const ends = spans.map((s) => s.end).filter((d): d is string => !!d).sort();
  return starts.length && ends.length ? windowOf(starts[0]!, ends[ends.length - 1]!) : undefined;
}

function absentFrom(a: Aggregates): Absent {
  const totals = CLAIM_TYPES.map(() => 0);
  for (const m of a.members.values()) m.claims.forEach((n, i) => (totals[i]! += n));
  return { claims: CLAIM_TYPES.filter((_, i) => totals[i] === 0), diagnoses: !a.resources.Condition && a.claimsWithDiagnoses === 0 };
}

/** The output holds none of what the statistic counts: none of its claim types, or no diagnosis. */
function unmeasurable(s: Statistic, absent: Absent): boolean {
  return (!!s.counts.claims && s.counts.claims.every((t) => absent.claims.includes(t))) || (!!s.counts.diagnoses && absent.diagnoses);
}

function section(book: Book | 'all', placed: readonly PlacedMember[], targets: readonly TargetRow[], absent: Absent): BookSection {
  const inBook = placed.filter((m) => book === 'all' || m.book === book);
  const exposed = select(placed, { book });
  const rows: ReportRow[] = [];
  const mine = targets.filter((t) => t.book === book);
  for (const s of STATISTICS) {
    const plain = mine.filter((t) => t.statistic === s.id && t.minAge === undefined && t.maxAge === undefined);
    const aged = mine.filter((t) => t.statistic === s.id && (t.minAge !== undefined || t.maxAge !== undefined));
    const measure = (ms: readonly PlacedMember[]): Measurement => {
      const m = s.measure(measuredOn(s, ms));
      return unmeasurable(s, absent) ? { denominator: m.denominator, denominatorUnit: m.denominatorUnit, n: m.n } : m;
    };
    const whole = measure(exposed);
    if (!plain.length) rows.push(row(s, { book }, whole, null));
    for (const t of plain) rows.push(row(s, { book }, whole, t));
    for (const t of aged) {
      const population: Population = { book, minAge: t.minAge, maxAge: t.maxAge };
      rows.push(row(s, population, measure(select(placed, population)), t));
    }
  }
  return {
    book,
    members: inBook.length,
    membersWithExposure: exposed.length,
    memberYears: exposed.reduce((y, m) => y + m.memberYears, 0),
    deaths: exposed.filter((m) => m.died).length,
    rows,
  };
}

function row(s: (typeof STATISTICS)[number], population: Population, m: Measurement, t: TargetRow | null): ReportRow {
  const standardError = t && s.unit === 'share' && m.n > 0 && m.value !== undefined ? Math.sqrt((t.target * (1 - t.target)) / m.n) : sampleError(s, m);
  let result: RowResult | null = t ? judge(t, m.value) : null;
  if (t && m.value !== undefined) {
    const { low, high } = bounds(t);
    const outside = Math.max(low - m.value, m.value - high, 0);
    // Inside the tolerance is a pass at any n; a miss by no more than the sampling error cannot be told from one,
    // and one member gives no sampling error to tell it by.
    if (outside > 0 && standardError === null) result = 'n too small';
    else if (outside > 0 && (high - low) / 2 < MIN_STANDARD_ERRORS * standardError! && outside <= MIN_STANDARD_ERRORS * standardError!) result = 'n too small';
  }
  return {
    statistic: s.id,
    label: s.label,
    unit: s.unit,
    population,
    measured: m.value ?? null,
    denominator: { value: m.denominator, unit: m.denominatorUnit },
    target: t ? { id: t.id, value: t.target, tolerance: t.tolerance, ...bounds(t), source: t.source } : null,
    n: m.n,
    standardError,
    result,
  };
}

/**
 * The sample's standard error (statistics.ts Measurement), but for a rate of events per member-year with no
 * event at all: members who all show 0 scatter by 0, which says nothing of how far a population with the
 * events would; the rule of three bounds the rate at 3/T (95%) for T member-years, read as 2 standard errors.
 */
function sampleError(s: Statistic, m: Measurement): number | null {
  if (m.standardError === undefined) return null;
  const events = (s.unit === 'per-member-year' || s.unit === 'per-1000') && m.denominatorUnit === 'member-years';
  if (events && m.value === 0 && m.standardError === 0) return (RULE_OF_THREE / MIN_STANDARD_ERRORS / m.denominator) * (s.unit === 'per-1000' ? 1000 : 1);
  return m.standardError;
}

/** −ln 0.05 ≈ 3: no event in T exposure-years bounds the rate at 3/T with 95% confidence (Hanley & Lippman-Hand, JAMA 1983). */
const RULE_OF_THREE = 3;

function ageSex(placed: readonly PlacedMember[]): AgeSexRow[] {
  return AGE_BANDS.map(([band, min, max]) => {
    const ms = placed.filter((m) => m.age !== undefined && m.age >= min && m.age <= max);
    const female = ms.filter((m) => m.data.gender === 'female').length;
    const male = ms.filter((m) => m.data.gender === 'male').length;
    return { band, female, male, other: ms.length - female - male };
  });
}

function months(w: Window): number {
  const [ys, ms] = w.start.split('-').map(Number) as [number, number];
  const [ye, me] = w.end.split('-').map(Number) as [number, number];
  return (ye - ys) * 12 + (me - ms) + 1;
}
